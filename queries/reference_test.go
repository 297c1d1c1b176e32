package queries_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/generate"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/queries"
)

// record is what the reference reads from each generated record, decoded
// with encoding/json on its own, not through the ingest flattener.
type record struct {
	BaseExamID string `json:"base_exam_id"`
	UserExamID string `json:"user_exam_id"`
	ExamName   string `json:"exam_name"`
	StartedAt  string `json:"started_at"`
	Sequences  struct {
		Counts *struct {
			Correct, Total int64
		} `json:"counts"`
		Questions []struct {
			ID          string `json:"id"`
			UserCorrect bool   `json:"user_correct"`
			Options     []struct {
				At *string `json:"at"`
			} `json:"options"`
		} `json:"questions"`
	} `json:"sequences"`
}

func (r record) test() bool { return r.BaseExamID == "example-id" }

// score is correct/total of the counts; ok is false without counts.
func (r record) score() (float64, bool) {
	c := r.Sequences.Counts
	if c == nil || c.Total == 0 {
		return 0, false
	}
	return float64(c.Correct) / float64(c.Total), true
}

// minutes is from started_at to the latest option "at"; ok is false when
// either is missing.
func (r record) minutes(t *testing.T) (float64, bool) {
	start, ok := parseTime(t, r.StartedAt)
	var last time.Time
	for _, q := range r.Sequences.Questions {
		for _, o := range q.Options {
			if o.At == nil {
				continue
			}
			if at, _ := parseTime(t, *o.At); at.After(last) {
				last = at
			}
		}
	}
	if !ok || last.IsZero() {
		return 0, false
	}
	return last.Sub(start).Seconds() / 60, true
}

func parseTime(t *testing.T, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("reference: time %q: %v", s, err)
	}
	return v, true
}

// lake generates data with every quirk, ingests it and returns the
// engine and the unique non-test records the reference counts.
func lake(t *testing.T) (lakegate.Engine, []record) {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "attempts.json")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	st, err := generate.Assessments(f, generate.Options{Attempts: 6000, Seed: 42})
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Duplicates == 0 || st.MissingCounts == 0 || st.TestRows == 0 || st.OptionsWithoutAt == 0 {
		t.Fatalf("the data lacks a quirk: %+v", st)
	}
	store, err := landing.NewLocal(filepath.Join(dir, "lake"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(dir, "lake", "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	ctx := context.Background()
	if _, err := ingest.Assessments(ctx, ingest.Options{Store: store, Catalog: cat}, src); err != nil {
		t.Fatal(err)
	}
	eng, err := duckdb.Open(ctx, duckdb.Options{Catalog: cat, Store: store, LakeDir: store.Root(), Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng, readRecords(t, src, st)
}

// readRecords decodes the JSON array, keeps one of each exact duplicate
// and drops test rows.
func readRecords(t *testing.T, src string, st generate.Stats) []record {
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []record
	var tests int
	for _, raw := range raws {
		var c bytes.Buffer
		if err := json.Compact(&c, raw); err != nil {
			t.Fatal(err)
		}
		if seen[c.String()] {
			continue
		}
		seen[c.String()] = true
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		if r.test() {
			tests++
			continue
		}
		out = append(out, r)
	}
	if int64(len(seen)) != st.Unique || int64(tests) != st.TestRows {
		t.Fatalf("reference: %d unique, %d test rows; the generator says %d and %d", len(seen), tests, st.Unique, st.TestRows)
	}
	return out
}

// run runs a canned query with params bound as the server binds them.
func run(t *testing.T, eng lakegate.Engine, name string, params map[string]any) [][]any {
	t.Helper()
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range all {
		if q.Name != name {
			continue
		}
		bound, err := queries.Bind(q, params)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := eng.Query(context.Background(), lakegate.Query{SQL: q.SQL, Params: bound})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer rs.Close()
		var out [][]any
		for rs.Next() {
			out = append(out, append([]any(nil), rs.Values()...))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Fatalf("no canned query %s", name)
	return nil
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func num(v any) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	case int32:
		return float64(x)
	}
	return math.NaN()
}

// count is a value of a count column.
func count(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(int64)
	if !ok {
		t.Fatalf("count %v is a %T", v, v)
	}
	return n
}

type tally struct {
	attempts int64
	takers   map[string]bool
	scoreSum float64
	scored   int64
}

func byExam(recs []record) map[string]*tally {
	out := map[string]*tally{}
	for _, r := range recs {
		x := out[r.ExamName]
		if x == nil {
			x = &tally{takers: map[string]bool{}}
			out[r.ExamName] = x
		}
		x.attempts++
		x.takers[r.UserExamID] = true
		if s, ok := r.score(); ok {
			x.scoreSum += s
			x.scored++
		}
	}
	return out
}

func sortedNames(m map[string]*tally) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if m[names[i]].attempts != m[names[j]].attempts {
			return m[names[i]].attempts > m[names[j]].attempts
		}
		return names[i] < names[j]
	})
	return names
}
