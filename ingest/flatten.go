package ingest

import (
	"errors"
	"fmt"
	"strings"

	json "github.com/goccy/go-json"
)

// testExamID marks generated test rows in real data.
const testExamID = "example-id"

// attemptRow is one row of the attempts table, minus the columns the
// writer adds (source_file, source_record, batch_id, record_hash).
type attemptRow struct {
	KeenID, UserExamID, BaseExamID, ExamName, SequenceID null[string]
	Certification, AllCorrect                            null[bool]
	MaxAttempts, Duration, Score                         null[float64]
	StartedAt, CompletedAt, KeenTimestamp, KeenCreated   null[int64] // UTC micros
	Attempt, Correct, Incorrect, Incomplete              null[int64]
	Submitted, Unanswered, Total                         null[int64]
	QuestionCount                                        int64
	IsTest                                               bool
}

// questionRow is one row of the questions table; the attempt's keys come
// from its attemptRow.
type questionRow struct {
	Position                                   int64
	QuestionID, UserResult                     null[string]
	UserCorrect, UserIncomplete, UserSubmitted null[bool]
	OptionCount, CheckedCount, CorrectOptions  int64
	FirstAnswerAt, LastAnswerAt                null[int64]
}

// rejectError is why a record cannot land; its message names the field.
type rejectError struct{ msg string }

func (e *rejectError) Error() string { return e.msg }

func rejectf(format string, args ...any) error { return &rejectError{fmt.Sprintf(format, args...)} }

// decodeRecord decodes one compacted record. Strings refer to data (no
// copies), so data must outlive the rows.
func decodeRecord(data []byte, rec *jsonRecord) error {
	seq := rec.spare
	if seq == nil {
		seq = new(jsonSequences)
	}
	seq.reset()
	// Decoding into a zeroed sequences object is the same as into none: a
	// record without "sequences" flattens alike either way.
	*rec = jsonRecord{Sequences: seq, spare: seq}
	if err := json.UnmarshalWithOption(data, rec, json.DecodeNoCopyString()); err != nil {
		return decodeReason(err)
	}
	return nil
}

// decodeReason turns a decoder error into a reject reason naming the field.
func decodeReason(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(record)"
		}
		return rejectf("field %s: got a JSON %s, want %s", field, te.Value, jsonKind(te.Type.String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return rejectf("malformed JSON at byte %d of the record: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	return rejectf("cannot decode the record: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goType string) string {
	t := strings.TrimLeft(goType, "*[]")
	switch {
	case t == "string":
		return "a string"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(t, "ingest.json"):
		return "an object"
	}
	return t
}

// flatten checks a decoded record and fills its attempt row and appends its
// question rows to qs.
func flatten(rec *jsonRecord, a *attemptRow, qs []questionRow) ([]questionRow, error) {
	*a = attemptRow{}
	if rec.KeenID == nil || *rec.KeenID == "" {
		return qs, rejectf("field keen_id: missing or empty; every record needs its keen_id")
	}
	for _, f := range [...]struct {
		name string
		bad  string
		want string
	}{
		{"keen_timestamp", rec.KeenTimestamp.Bad, "epoch seconds or an ISO-8601 timestamp"},
		{"keen_created_at", rec.KeenCreatedAt.Bad, "epoch seconds or an ISO-8601 timestamp"},
		{"started_at", rec.StartedAt.Bad, "an ISO-8601 timestamp or epoch seconds"},
		{"certification", rec.Certification.Bad, `true, false, "true" or "false"`},
		{"max_attempts", rec.MaxAttempts.Bad, `a number or a numeric string such as "1.0"`},
	} {
		if f.bad != "" {
			return qs, rejectf("field %s: %s is not %s", f.name, f.bad, f.want)
		}
	}
	a.KeenID = some(*rec.KeenID)
	a.UserExamID, a.BaseExamID, a.ExamName = str(rec.UserExamID), str(rec.BaseExamID), str(rec.ExamName)
	a.IsTest = rec.BaseExamID != nil && *rec.BaseExamID == testExamID
	a.Certification = null[bool]{rec.Certification.V, rec.Certification.Valid}
	a.MaxAttempts = null[float64]{rec.MaxAttempts.V, rec.MaxAttempts.Valid}
	a.StartedAt = ts(rec.StartedAt)
	a.KeenTimestamp, a.KeenCreated = ts(rec.KeenTimestamp), ts(rec.KeenCreatedAt)
	if seq := rec.Sequences; seq != nil {
		var err error
		if qs, err = flattenSequence(seq, a, qs); err != nil {
			return qs, err
		}
	}
	if a.CompletedAt.Valid && a.StartedAt.Valid {
		a.Duration = some(float64(a.CompletedAt.V-a.StartedAt.V) / 1e6)
	}
	return qs, nil
}

func flattenSequence(seq *jsonSequences, a *attemptRow, qs []questionRow) ([]questionRow, error) {
	if seq.ID.Bad != "" {
		return qs, rejectf("field sequences.id: %s is not a string", seq.ID.Bad)
	}
	if seq.Attempt.Bad != "" {
		return qs, rejectf("field sequences.attempt: %s is not a whole number", seq.Attempt.Bad)
	}
	a.SequenceID = null[string]{seq.ID.V, seq.ID.Valid}
	a.Attempt = null[int64]{seq.Attempt.V, seq.Attempt.Valid}
	if c := seq.Counts; c != nil {
		if err := flattenCounts(c, a); err != nil {
			return qs, err
		}
	}
	a.QuestionCount = int64(len(seq.Questions))
	for i := range seq.Questions {
		q := &seq.Questions[i]
		if q.ID.Bad != "" {
			return qs, rejectf("field sequences.questions[%d].id: %s is not a string", i, q.ID.Bad)
		}
		r := questionRow{
			Position: int64(i + 1), QuestionID: null[string]{q.ID.V, q.ID.Valid},
			UserCorrect: boolp(q.UserCorrect), UserIncomplete: boolp(q.UserIncomplete),
			UserSubmitted: boolp(q.UserSubmitted), UserResult: str(q.UserResult),
			OptionCount: int64(len(q.Options)),
		}
		for j := range q.Options {
			o := &q.Options[j]
			if o.At.Bad != "" {
				return qs, rejectf("field sequences.questions[%d].options[%d].at: %s is not a timestamp", i, j, o.At.Bad)
			}
			if o.Checked {
				r.CheckedCount++
			}
			if o.Correct {
				r.CorrectOptions++
			}
			if o.At.Valid {
				r.FirstAnswerAt = minTS(r.FirstAnswerAt, o.At.Micros)
				r.LastAnswerAt = maxTS(r.LastAnswerAt, o.At.Micros)
			}
		}
		if r.LastAnswerAt.Valid {
			a.CompletedAt = maxTS(a.CompletedAt, r.LastAnswerAt.V)
		}
		qs = append(qs, r)
	}
	return qs, nil
}

func flattenCounts(c *jsonCounts, a *attemptRow) error {
	for _, f := range [...]struct {
		name string
		v    flexInt
		dst  *null[int64]
	}{
		{"correct", c.Correct, &a.Correct}, {"incorrect", c.Incorrect, &a.Incorrect},
		{"incomplete", c.Incomplete, &a.Incomplete}, {"submitted", c.Submitted, &a.Submitted},
		{"total", c.Total, &a.Total}, {"unanswered", c.Unanswered, &a.Unanswered},
	} {
		if f.v.Bad != "" {
			return rejectf("field sequences.counts.%s: %s is not a whole number", f.name, f.v.Bad)
		}
		*f.dst = null[int64]{f.v.V, f.v.Valid}
	}
	switch {
	case c.AllCorrect != nil:
		a.AllCorrect = some(*c.AllCorrect)
	case a.Correct.Valid && a.Total.Valid:
		a.AllCorrect = some(a.Total.V > 0 && a.Correct.V == a.Total.V)
	}
	if a.Correct.Valid && a.Total.Valid && a.Total.V != 0 {
		a.Score = some(float64(a.Correct.V) / float64(a.Total.V))
	}
	return nil
}

func str(p *string) null[string] {
	if p == nil {
		return null[string]{}
	}
	return some(*p)
}

func boolp(p *bool) null[bool] {
	if p == nil {
		return null[bool]{}
	}
	return some(*p)
}

func ts(t flexTime) null[int64] { return null[int64]{t.Micros, t.Valid} }

func minTS(n null[int64], v int64) null[int64] {
	if !n.Valid || v < n.V {
		return some(v)
	}
	return n
}

func maxTS(n null[int64], v int64) null[int64] {
	if !n.Valid || v > n.V {
		return some(v)
	}
	return n
}
