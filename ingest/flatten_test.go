package ingest

import (
	"bufio"
	"bytes"
	stdjson "encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

// view renders nulls as null and timestamps as RFC 3339 for golden files.
func view[T any](n null[T]) any {
	if !n.Valid {
		return nil
	}
	return n.V
}

func tsView(n null[int64]) any {
	if !n.Valid {
		return nil
	}
	return time.UnixMicro(n.V).UTC().Format(time.RFC3339Nano)
}

func attemptView(a *attemptRow) map[string]any {
	return map[string]any{
		"keen_id": view(a.KeenID), "user_exam_id": view(a.UserExamID), "base_exam_id": view(a.BaseExamID),
		"exam_name": view(a.ExamName), "certification": view(a.Certification), "max_attempts": view(a.MaxAttempts),
		"started_at": tsView(a.StartedAt), "completed_at": tsView(a.CompletedAt), "duration_seconds": view(a.Duration),
		"keen_timestamp": tsView(a.KeenTimestamp), "keen_created_at": tsView(a.KeenCreated),
		"sequence_id": view(a.SequenceID), "attempt": view(a.Attempt), "question_count": a.QuestionCount,
		"correct": view(a.Correct), "incorrect": view(a.Incorrect), "incomplete": view(a.Incomplete),
		"submitted": view(a.Submitted), "unanswered": view(a.Unanswered), "total": view(a.Total),
		"all_correct": view(a.AllCorrect), "score": view(a.Score), "is_test": a.IsTest,
	}
}

func questionView(q *questionRow) map[string]any {
	return map[string]any{
		"position": q.Position, "question_id": view(q.QuestionID), "user_correct": view(q.UserCorrect),
		"user_incomplete": view(q.UserIncomplete), "user_submitted": view(q.UserSubmitted),
		"user_result": view(q.UserResult), "option_count": q.OptionCount, "checked_count": q.CheckedCount,
		"correct_option_count": q.CorrectOptions, "first_answer_at": tsView(q.FirstAnswerAt),
		"last_answer_at": tsView(q.LastAnswerAt),
	}
}

// flattenLine runs the worker's steps on one record.
func flattenLine(line []byte) (attemptRow, []questionRow, error) {
	var rec jsonRecord
	var a attemptRow
	c := &chunk{arena: line, spans: []spanRef{{n: 1, end: len(line)}}}
	process(c, &rec)
	if r := c.results[0]; r.reject != "" {
		return a, nil, &rejectError{r.reject}
	}
	r := c.results[0]
	return r.att, c.qs[r.q0:r.q1], nil
}

func TestFlattenGolden(t *testing.T) {
	f, err := os.Open("testdata/quirks.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		a, qs, err := flattenLine(sc.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", sc.Bytes()[:40], err)
		}
		qv := make([]any, len(qs))
		for i := range qs {
			qv[i] = questionView(&qs[i])
		}
		b, _ := stdjson.MarshalIndent(map[string]any{"attempt": attemptView(&a), "questions": qv}, "", "  ")
		out.Write(b)
		out.WriteString("\n")
	}
	golden(t, "flatten.golden", out.Bytes())
}

func TestFlattenValues(t *testing.T) {
	lines := readLines(t, "testdata/quirks.ndjson")
	rows := map[string]attemptRow{}
	for _, l := range lines {
		a, _, err := flattenLine(l)
		if err != nil {
			t.Fatal(err)
		}
		rows[a.KeenID.V] = a
	}
	us := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMicro()
	}
	for _, tc := range []struct {
		name string
		got  any
		want any
	}{
		{"epoch string is exact", rows["k1-full"].KeenTimestamp, some(int64(1516717442735266))},
		{"short fraction", rows["k2-missing-counts"].KeenTimestamp, some(int64(1516717443100000))},
		{"epoch number", rows["k7-real-types"].KeenTimestamp, some(int64(1516717448123456))},
		{"seventh decimal truncated", rows["k7-real-types"].KeenCreated, some(int64(1516717448123456))},
		{"completed_at is the latest at", rows["k1-full"].CompletedAt, some(us("2018-01-23T14:22:30Z"))},
		{"duration", rows["k1-full"].Duration, some(150.0)},
		{"score", rows["k1-full"].Score, some(0.5)},
		{"certification string", rows["k1-full"].Certification, some(false)},
		{"certification bool", rows["k7-real-types"].Certification, some(true)},
		{"max_attempts string", rows["k1-full"].MaxAttempts, some(1.0)},
		{"max_attempts number", rows["k7-real-types"].MaxAttempts, some(2.0)},
		{"started_at with offset", rows["k7-real-types"].StartedAt, some(us("2018-01-23T14:20:00Z"))},
		{"missing counts: correct", rows["k2-missing-counts"].Correct, null[int64]{}},
		{"missing counts: score", rows["k2-missing-counts"].Score, null[float64]{}},
		{"missing counts: all_correct", rows["k2-missing-counts"].AllCorrect, null[bool]{}},
		{"no at: completed_at", rows["k3-no-at"].CompletedAt, null[int64]{}},
		{"no at: duration", rows["k3-no-at"].Duration, null[float64]{}},
		{"checked without at", rows["k4-checked-without-at"].CompletedAt, some(us("2018-01-23T14:30:00Z"))},
		{"total 0: score", rows["k5-total-zero"].Score, null[float64]{}},
		{"total 0: total", rows["k5-total-zero"].Total, some(int64(0))},
		{"example-id is a test", rows["k6-test-row"].IsTest, true},
		{"others are not", rows["k1-full"].IsTest, false},
		{"minimal record", rows["k8-minimal"].QuestionCount, int64(0)},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestRejectReasons(t *testing.T) {
	for _, tc := range []struct{ rec, want string }{
		{`{"exam_name":"x"}`, "field keen_id: missing"},
		{`{"keen_id":""}`, "field keen_id: missing or empty"},
		{`{"keen_id":7}`, "field keen_id: got a JSON number, want a string"},
		{`{"keen_id":"k","exam_name":42}`, "field exam_name: got a JSON number, want a string"},
		{`{"keen_id":"k","certification":"maybe"}`, `field certification: "maybe" is not`},
		{`{"keen_id":"k","max_attempts":"one"}`, `field max_attempts: "one" is not`},
		{`{"keen_id":"k","keen_timestamp":"soon"}`, `field keen_timestamp: "soon" is not`},
		{`{"keen_id":"k","started_at":"yesterday"}`, `field started_at: "yesterday" is not`},
		{`{"keen_id":"k","sequences":{"counts":{"total":"many"}}}`, `field sequences.counts.total: "many" is not a whole number`},
		{`{"keen_id":"k","sequences":{"questions":{}}}`, "field sequences.questions: got a JSON object, want an array"},
		{`{"keen_id":"k","sequences":{"questions":[{"user_correct":"yes"}]}}`, "user_correct: got a JSON string, want true or false"},
		{`{"keen_id":"k","sequences":{"questions":[{"options":[{"at":"noon"}]}]}}`, `field sequences.questions[0].options[0].at: "noon" is not a timestamp`},
		{`{"keen_id":"k",}`, "malformed JSON"},
		{`{"keen_id":"k" "x":1}`, "malformed JSON"},
	} {
		_, _, err := flattenLine([]byte(tc.rec))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want a reason containing %q", tc.rec, err, tc.want)
		}
	}
}

func readLines(t *testing.T, name string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(b), []byte("\n"))
}

// TestDecodeReuse checks that a worker's record, reused from record to
// record with its slices, decodes every record as a fresh one does, in
// both orders of the test files' records.
func TestDecodeReuse(t *testing.T) {
	lines := append(readLines(t, filepath.Join("testdata", "quirks.ndjson")), readLines(t, filepath.Join("testdata", "rejects.ndjson"))...)
	for _, order := range []string{"forward", "backward"} {
		var reused jsonRecord
		for k := range lines {
			i := k
			if order == "backward" {
				i = len(lines) - 1 - k
			}
			c := &chunk{arena: lines[i], spans: []spanRef{{n: 1, end: len(lines[i])}}}
			process(c, &reused)
			wa, wq, werr := flattenLine(lines[i])
			r := c.results[0]
			if r.reject != "" || werr != nil {
				if werr == nil || r.reject != werr.Error() {
					t.Errorf("%s record %d: reject %q, fresh decode %v", order, i, r.reject, werr)
				}
				continue
			}
			got, _ := stdjson.Marshal([]any{attemptView(&r.att), questionViews(c.qs[r.q0:r.q1])})
			want, _ := stdjson.Marshal([]any{attemptView(&wa), questionViews(wq)})
			if !bytes.Equal(got, want) {
				t.Errorf("%s record %d: reused decode\n%s\nfresh decode\n%s", order, i, got, want)
			}
		}
	}
}

func questionViews(qs []questionRow) []map[string]any {
	out := make([]map[string]any, len(qs))
	for i := range qs {
		out[i] = questionView(&qs[i])
	}
	return out
}
