package generate

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The types below spell out the exact field names and JSON types of the
// record; decoding with DisallowUnknownFields rejects anything else, and a
// string field fails to decode a number (keen_timestamp, max_attempts...).

type jsonOption struct {
	Checked   bool    `json:"checked"`
	Correct   *bool   `json:"correct"`
	Submitted *int    `json:"submitted"`
	At        *string `json:"at"`
	ID        string  `json:"id"`
}

type jsonQuestion struct {
	UserIncomplete bool         `json:"user_incomplete"`
	UserCorrect    bool         `json:"user_correct"`
	Options        []jsonOption `json:"options"`
	UserSubmitted  bool         `json:"user_submitted"`
	ID             string       `json:"id"`
	UserResult     string       `json:"user_result"`
}

type jsonCounts struct {
	Incomplete int  `json:"incomplete"`
	Submitted  int  `json:"submitted"`
	Incorrect  int  `json:"incorrect"`
	AllCorrect bool `json:"all_correct"`
	Correct    int  `json:"correct"`
	Total      int  `json:"total"`
	Unanswered int  `json:"unanswered"`
}

type jsonSequences struct {
	Questions []jsonQuestion `json:"questions"`
	Attempt   int            `json:"attempt"`
	ID        string         `json:"id"`
	Counts    *jsonCounts    `json:"counts"`
}

type jsonRecord struct {
	KeenTimestamp string        `json:"keen_timestamp"`
	MaxAttempts   string        `json:"max_attempts"`
	StartedAt     string        `json:"started_at"`
	BaseExamID    string        `json:"base_exam_id"`
	UserExamID    string        `json:"user_exam_id"`
	Sequences     jsonSequences `json:"sequences"`
	KeenCreatedAt string        `json:"keen_created_at"`
	Certification string        `json:"certification"`
	KeenID        string        `json:"keen_id"`
	ExamName      string        `json:"exam_name"`
}

// requiredKeys are the keys every record, question and option must carry.
var requiredKeys = map[string][]string{
	"record": {"keen_timestamp", "max_attempts", "started_at", "base_exam_id", "user_exam_id",
		"sequences", "keen_created_at", "certification", "keen_id", "exam_name"},
	"sequences": {"questions", "attempt", "id"},
	"question":  {"user_incomplete", "user_correct", "options", "user_submitted", "id", "user_result"},
	"option":    {"checked", "id"},
}

// line is one output record: its exact bytes and its decoded form.
type line struct {
	raw []byte
	rec jsonRecord
}

// generate runs Assessments into memory.
func generate(tb testing.TB, opt Options) ([]byte, Stats) {
	tb.Helper()
	var buf bytes.Buffer
	st, err := Assessments(&buf, opt)
	if err != nil {
		tb.Fatalf("Assessments(%+v): %v", opt, err)
	}
	if st.Bytes != int64(buf.Len()) {
		tb.Fatalf("Stats.Bytes = %d, wrote %d", st.Bytes, buf.Len())
	}
	return buf.Bytes(), st
}

// records splits output of either format into record lines and decodes
// each strictly. The array format must be "[\n", records separated by
// ",\n", then "\n]\n"; it must also parse as a whole with encoding/json.
func records(tb testing.TB, out []byte, format string) []line {
	tb.Helper()
	body := out
	if format == FormatArray {
		var all []json.RawMessage
		if err := json.Unmarshal(out, &all); err != nil {
			tb.Fatalf("array output is not a JSON array: %v", err)
		}
		if !bytes.HasPrefix(out, []byte("[\n")) || !bytes.HasSuffix(out, []byte("]\n")) {
			tb.Fatalf("array output must start with \"[\\n\" and end with \"]\\n\"")
		}
		body = bytes.TrimSuffix(bytes.TrimPrefix(out, []byte("[\n")), []byte("]\n"))
		if len(all) != bytes.Count(body, []byte("\n")) {
			tb.Fatalf("array holds %d records on %d lines; want one per line", len(all), bytes.Count(body, []byte("\n")))
		}
	}
	var lines []line
	for _, raw := range bytes.SplitAfter(body, []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		raw = bytes.TrimSuffix(raw, []byte("\n"))
		if format == FormatArray {
			raw = bytes.TrimSuffix(raw, []byte(","))
		}
		lines = append(lines, line{raw: raw, rec: decode(tb, raw)})
	}
	return lines
}

func decode(tb testing.TB, raw []byte) jsonRecord {
	tb.Helper()
	var rec jsonRecord
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		tb.Fatalf("record does not decode strictly: %v\n%s", err, raw)
	}
	if dec.More() {
		tb.Fatalf("trailing data after record: %s", raw)
	}
	checkKeys(tb, raw)
	return rec
}

// checkKeys fails when a required key is absent (a struct decode cannot
// tell a missing bool from false).
func checkKeys(tb testing.TB, raw []byte) {
	tb.Helper()
	type obj = map[string]json.RawMessage
	var r, seq obj
	mustUnmarshal(tb, raw, &r)
	mustUnmarshal(tb, r["sequences"], &seq)
	has(tb, "record", r)
	has(tb, "sequences", seq)
	var qs []obj
	mustUnmarshal(tb, seq["questions"], &qs)
	for _, q := range qs {
		has(tb, "question", q)
		var opts []obj
		mustUnmarshal(tb, q["options"], &opts)
		for _, o := range opts {
			has(tb, "option", o)
		}
	}
}

func has(tb testing.TB, what string, m map[string]json.RawMessage) {
	tb.Helper()
	for _, k := range requiredKeys[what] {
		if _, ok := m[k]; !ok {
			tb.Fatalf("%s lacks key %q", what, k)
		}
	}
}

func mustUnmarshal(tb testing.TB, b []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("unmarshal: %v", err)
	}
}
