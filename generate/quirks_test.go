package generate

import (
	"io"
	"maps"
	"math"
	"testing"
)

// counted is what a reader finds in the output, independently of Stats.
type counted struct {
	st                    Stats
	checked, checkedNoAt  int64
	nonAdjacentDuplicates int64
}

// count de-duplicates lines by their exact bytes and counts the quirks of
// the unique ones, the way Stats documents them.
func count(lines []line) counted {
	c := counted{st: Stats{Exams: map[string]int64{}}}
	seen := make(map[string]int, len(lines))
	for i, l := range lines {
		c.st.Records++
		if first, ok := seen[string(l.raw)]; ok {
			c.st.Duplicates++
			if first != i-1 {
				c.nonAdjacentDuplicates++
			}
			continue
		}
		seen[string(l.raw)] = i
		r := l.rec
		c.st.Unique++
		c.st.Exams[r.ExamName]++
		if r.Sequences.Counts == nil {
			c.st.MissingCounts++
		}
		if r.BaseExamID == testBaseID {
			c.st.TestRows++
		}
		c.st.Questions += int64(len(r.Sequences.Questions))
		for _, q := range r.Sequences.Questions {
			for _, o := range q.Options {
				if o.At == nil {
					c.st.OptionsWithoutAt++
				}
				if o.Checked {
					c.checked++
					if o.At == nil {
						c.checkedNoAt++
					}
				}
			}
		}
	}
	return c
}

func TestStatsMatchOutput(t *testing.T) {
	for _, format := range []string{FormatArray, FormatNDJSON} {
		t.Run(format, func(t *testing.T) {
			out, st := generate(t, Options{Attempts: 3000, Seed: 11, Format: format})
			c := count(records(t, out, format))
			pairs := []struct {
				name      string
				got, want int64
			}{
				{"Records", st.Records, c.st.Records},
				{"Unique", st.Unique, c.st.Unique},
				{"Duplicates", st.Duplicates, c.st.Duplicates},
				{"MissingCounts", st.MissingCounts, c.st.MissingCounts},
				{"TestRows", st.TestRows, c.st.TestRows},
				{"OptionsWithoutAt", st.OptionsWithoutAt, c.st.OptionsWithoutAt},
				{"Questions", st.Questions, c.st.Questions},
			}
			for _, p := range pairs {
				if p.got != p.want {
					t.Errorf("Stats.%s = %d; the output holds %d", p.name, p.got, p.want)
				}
			}
			if !maps.Equal(st.Exams, c.st.Exams) {
				t.Errorf("Stats.Exams differs from the output's exam counts")
			}
		})
	}
}

// TestQuirkRates checks each documented rate within a tolerance of about
// four standard deviations at 20,000 attempts.
func TestQuirkRates(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 20,000 records")
	}
	out, st := generate(t, Options{Attempts: 20000, Seed: 5, Format: FormatNDJSON})
	c := count(records(t, out, FormatNDJSON))
	if st.Duplicates != c.st.Duplicates || st.MissingCounts != c.st.MissingCounts || st.TestRows != c.st.TestRows {
		t.Fatalf("Stats %+v disagree with the output %+v", st, c.st)
	}
	tests := []struct {
		name     string
		got, of  int64
		wantRate float64
	}{
		{"duplicates", c.st.Duplicates, c.st.Records, DuplicateRate},
		{"missing counts", c.st.MissingCounts, c.st.Unique, MissingCountsRate},
		{"test rows", c.st.TestRows, c.st.Unique, TestRowRate},
		{"checked options without at", c.checkedNoAt, c.checked, CheckedWithoutAtRate},
	}
	for _, tt := range tests {
		want := tt.wantRate * float64(tt.of)
		tol := 4*math.Sqrt(want) + 2
		if math.Abs(float64(tt.got)-want) > tol {
			t.Errorf("%s: %d of %d; want %.0f ± %.0f (rate %g)", tt.name, tt.got, tt.of, want, tol, tt.wantRate)
		}
	}
	if c.nonAdjacentDuplicates == 0 {
		t.Error("every duplicate directly follows its original; they should be spread out")
	}
	if c.st.OptionsWithoutAt <= c.checkedNoAt {
		t.Error("unchecked options must lack at too")
	}
}

func TestAtLeastOneTestRow(t *testing.T) {
	for seed := int64(0); seed < 20; seed++ {
		_, st := generate(t, Options{Attempts: MinAttemptsForTestRow, Seed: seed, Format: FormatNDJSON})
		if st.TestRows < 1 {
			t.Errorf("seed %d: no test row in %d attempts", seed, MinAttemptsForTestRow)
		}
		if st.Exams[testExamName] != st.TestRows {
			t.Errorf("seed %d: %d test rows but %d %q attempts", seed, st.TestRows, st.Exams[testExamName], testExamName)
		}
	}
}

// TestFewAllocations guards the flat-memory design: records are built in a
// reused buffer and the duplicate ring reuses its slots, so allocations do
// not grow with the number of attempts.
func TestFewAllocations(t *testing.T) {
	const n = 20000
	allocs := testing.AllocsPerRun(1, func() {
		if _, err := Assessments(io.Discard, Options{Attempts: n, Seed: 1}); err != nil {
			t.Fatal(err)
		}
	})
	if perRecord := allocs / n; perRecord > 0.05 {
		t.Errorf("%.0f allocations for %d records (%.3f per record); want almost none per record", allocs, n, perRecord)
	}
}
