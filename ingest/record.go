package ingest

import (
	"bytes"
	"strconv"
	"time"

	json "github.com/goccy/go-json"
)

// jsonRecord is one nested assessment attempt as delivered. Fields whose
// type varies in real data (epoch seconds in strings, "false" for false,
// "1.0" for 1) use flex types that keep what they saw and never fail the
// decode; the flattener turns a bad value into a reject naming the field.
type jsonRecord struct {
	KeenID        *string        `json:"keen_id"`
	KeenTimestamp flexTime       `json:"keen_timestamp"`
	KeenCreatedAt flexTime       `json:"keen_created_at"`
	StartedAt     flexTime       `json:"started_at"`
	BaseExamID    *string        `json:"base_exam_id"`
	UserExamID    *string        `json:"user_exam_id"`
	ExamName      *string        `json:"exam_name"`
	Certification flexBool       `json:"certification"`
	MaxAttempts   flexFloat      `json:"max_attempts"`
	Sequences     *jsonSequences `json:"sequences"`

	spare *jsonSequences // reused from record to record, with its slices
}

type jsonSequences struct {
	ID        flexString     `json:"id"`
	Attempt   flexInt        `json:"attempt"`
	Counts    *jsonCounts    `json:"counts"`
	Questions []jsonQuestion `json:"questions"`
}

// reset zeroes s but keeps the arrays of its questions and their options:
// the decoder decodes into a slice's existing elements (as encoding/json
// does), so all of them, up to capacity, are zeroed.
func (s *jsonSequences) reset() {
	qs := s.Questions[:cap(s.Questions)]
	for i := range qs {
		opts := qs[i].Options[:cap(qs[i].Options)]
		clear(opts)
		qs[i] = jsonQuestion{Options: opts[:0]}
	}
	*s = jsonSequences{Questions: qs[:0]}
}

type jsonCounts struct {
	Correct    flexInt `json:"correct"`
	Incorrect  flexInt `json:"incorrect"`
	Incomplete flexInt `json:"incomplete"`
	Submitted  flexInt `json:"submitted"`
	Total      flexInt `json:"total"`
	Unanswered flexInt `json:"unanswered"`
	AllCorrect *bool   `json:"all_correct"`
}

type jsonQuestion struct {
	ID             flexString   `json:"id"`
	UserCorrect    *bool        `json:"user_correct"`
	UserIncomplete *bool        `json:"user_incomplete"`
	UserSubmitted  *bool        `json:"user_submitted"`
	UserResult     *string      `json:"user_result"`
	Options        []jsonOption `json:"options"`
}

// jsonOption only feeds counts, where a missing checked or correct is
// false; plain bools decode without an allocation.
type jsonOption struct {
	Checked bool     `json:"checked"`
	Correct bool     `json:"correct"`
	At      flexTime `json:"at"`
}

// null is a nullable column value.
type null[T any] struct {
	V     T
	Valid bool
}

func some[T any](v T) null[T] { return null[T]{V: v, Valid: true} }

// flexTime is a timestamp given as epoch seconds (a number or a string such
// as "1516717442.735266") or as ISO-8601 text. Micros are UTC microseconds.
type flexTime struct {
	Micros int64
	Valid  bool
	Bad    string // the offending JSON text when it is no timestamp
}

func (t *flexTime) UnmarshalJSON(b []byte) error {
	*t = flexTime{}
	s, isStr := unquote(b)
	switch {
	case string(b) == "null" || isStr && len(s) == 0:
		return nil
	case looksNumeric(s):
		if us, ok := epochMicros(s); ok {
			t.Micros, t.Valid = us, true
			return nil
		}
	case isStr:
		if us, ok := isoMicros(string(s)); ok {
			t.Micros, t.Valid = us, true
			return nil
		}
	}
	t.Bad = badText(b)
	return nil
}

// epochMicros converts decimal epoch seconds to microseconds exactly, with
// no float rounding; digits past the sixth decimal are truncated.
func epochMicros(s []byte) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var sec, frac int64
	i, digits := 0, 0
	for ; i < len(s) && s[i] != '.'; i++ {
		if s[i] < '0' || s[i] > '9' || i > 12 {
			return 0, false
		}
		sec = sec*10 + int64(s[i]-'0')
		digits++
	}
	if i < len(s) { // the fraction
		for j := i + 1; j < len(s); j++ {
			if s[j] < '0' || s[j] > '9' {
				return 0, false
			}
			if j-i <= 6 {
				frac = frac*10 + int64(s[j]-'0')
			}
		}
		for k := len(s) - i - 1; k < 6; k++ {
			frac *= 10
		}
	}
	if digits == 0 {
		return 0, false
	}
	us := sec*1_000_000 + frac
	if neg {
		us = -us
	}
	return us, true
}

var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// isoMicros parses ISO-8601 text; a time without a zone is taken as UTC.
func isoMicros(s string) (int64, bool) {
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMicro(), true
		}
	}
	return 0, false
}

// flexBool is a boolean given as true/false or as the strings "true"/"false".
type flexBool struct {
	V, Valid bool
	Bad      string
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	*f = flexBool{}
	s, isStr := unquote(b)
	switch string(s) {
	case "null", "":
		if isStr == (string(s) == "") {
			return nil
		}
	case "true", "True", "TRUE":
		f.V, f.Valid = true, true
		return nil
	case "false", "False", "FALSE":
		f.Valid = true
		return nil
	}
	f.Bad = badText(b)
	return nil
}

// flexFloat is a number given as a JSON number or a numeric string ("1.0").
type flexFloat struct {
	V     float64
	Valid bool
	Bad   string
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	*f = flexFloat{}
	s, isStr := unquote(b)
	if string(b) == "null" || isStr && len(s) == 0 {
		return nil
	}
	if looksNumeric(s) {
		if v, err := strconv.ParseFloat(string(s), 64); err == nil {
			f.V, f.Valid = v, true
			return nil
		}
	}
	f.Bad = badText(b)
	return nil
}

// flexInt is a whole number given as a JSON number (3 or 3.0) or a numeric string.
type flexInt struct {
	V     int64
	Valid bool
	Bad   string
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	*f = flexInt{}
	s, isStr := unquote(b)
	if string(b) == "null" || isStr && len(s) == 0 {
		return nil
	}
	if looksNumeric(s) {
		if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			f.V, f.Valid = v, true
			return nil
		}
		if v, err := strconv.ParseFloat(string(s), 64); err == nil && v == float64(int64(v)) {
			f.V, f.Valid = int64(v), true
			return nil
		}
	}
	f.Bad = badText(b)
	return nil
}

// flexString is an identifier given as a string or a number.
type flexString struct {
	V     string
	Valid bool
	Bad   string
}

func (f *flexString) UnmarshalJSON(b []byte) error {
	*f = flexString{}
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := unmarshalString(b, &s); err != nil {
			return err
		}
		f.V, f.Valid = s, true
	case looksNumeric(b):
		f.V, f.Valid = string(b), true
	default:
		f.Bad = badText(b)
	}
	return nil
}

// unquote strips the quotes of a JSON string without escapes; isStr says
// whether b was a string at all.
func unquote(b []byte) ([]byte, bool) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return bytes.TrimSpace(b[1 : len(b)-1]), true
	}
	return b, false
}

func looksNumeric(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for i, c := range s {
		if (c < '0' || c > '9') && c != '.' && !(i == 0 && c == '-') && c != 'e' && c != 'E' && c != '+' {
			return false
		}
	}
	return true
}

func badText(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "..."
	}
	return string(b)
}

// unmarshalString decodes a JSON string; the common case has no escapes.
func unmarshalString(b []byte, s *string) error {
	if bytes.IndexByte(b, '\\') < 0 {
		*s = string(b[1 : len(b)-1])
		return nil
	}
	return json.Unmarshal(b, s)
}
