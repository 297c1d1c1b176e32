package queries_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/queries"
)

// TestCannedQueriesMatchReference checks every canned query's answer, on
// generated data with every quirk, against the same definition computed
// in Go from the generated JSON.
func TestCannedQueriesMatchReference(t *testing.T) {
	eng, recs := lake(t)
	exams := byExam(recs)
	names := sortedNames(exams)
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]bool{}
	sub := func(name string, fn func(t *testing.T, eng lakegate.Engine)) {
		checked[name] = true
		t.Run(name, func(t *testing.T) { fn(t, eng) })
	}

	sub("assessment_count", func(t *testing.T, eng lakegate.Engine) {
		bases, exams := map[string]bool{}, map[string]bool{}
		for _, r := range recs {
			bases[r.BaseExamID], exams[r.ExamName] = true, true
		}
		got := run(t, eng, "assessment_count", nil)
		want := []int64{int64(len(recs)), int64(len(bases)), int64(len(exams))}
		for i, w := range want {
			if g := count(t, got[0][i]); g != w {
				t.Errorf("column %d = %d, want %d", i, g, w)
			}
		}
	})

	sub("course_takers", func(t *testing.T, eng lakegate.Engine) {
		least := names[len(names)-1]
		for _, c := range []struct {
			params map[string]any
			exam   string
		}{{nil, "Learning Git"}, {map[string]any{"exam_name": least}, least}, {map[string]any{"exam_name": "No Such Course"}, "No Such Course"}} {
			got := run(t, eng, "course_takers", c.params)
			var attempts, takers int64
			if x := exams[c.exam]; x != nil {
				attempts, takers = x.attempts, int64(len(x.takers))
			}
			if count(t, got[0][0]) != attempts || count(t, got[0][1]) != takers {
				t.Errorf("%s: got %v, want %d attempts, %d takers", c.exam, got[0], attempts, takers)
			}
		}
		if exams["Learning Git"].attempts < 100 {
			t.Errorf("Learning Git has only %d attempts", exams["Learning Git"].attempts)
		}
	})

	sub("course_popularity", func(t *testing.T, eng lakegate.Engine) {
		most, least := exams[names[0]].attempts, exams[names[len(names)-1]].attempts
		var want []string
		for _, n := range names {
			switch exams[n].attempts {
			case most:
				want = append(want, fmt.Sprint("most|", n, "|", most))
			case least:
				want = append(want, fmt.Sprint("least|", n, "|", least))
			}
		}
		got := rowsText(run(t, eng, "course_popularity", nil))
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
		if len(want) < 3 {
			t.Errorf("expected ties among the least common courses, got %v", want)
		}
	})

	sub("average_score", func(t *testing.T, eng lakegate.Engine) {
		var sum float64
		var n int64
		for _, x := range exams {
			sum, n = sum+x.scoreSum, n+x.scored
		}
		got := run(t, eng, "average_score", nil)
		if len(got) != 1 || len(got[0]) != 2 || !near(num(got[0][0]), sum/float64(n), 0.0001) || count(t, got[0][1]) != n {
			t.Errorf("overall = %v, want %.4f over %d", got, sum/float64(n), n)
		}
		got = run(t, eng, "average_score", map[string]any{"by_course": "true"})
		if len(got) != len(exams) {
			t.Fatalf("%d courses, want %d", len(got), len(exams))
		}
		for i, row := range got {
			x := exams[row[0].(string)]
			if !near(num(row[1]), x.scoreSum/float64(x.scored), 0.0001) || count(t, row[2]) != x.scored {
				t.Errorf("%v: want %.4f over %d", row, x.scoreSum/float64(x.scored), x.scored)
			}
			if i > 0 && num(row[1]) > num(got[i-1][1]) {
				t.Errorf("not best first: %v after %v", row, got[i-1])
			}
		}
	})

	sub("pass_rate", func(t *testing.T, eng lakegate.Engine) {
		for _, th := range []any{nil, 0.8, "0.5", int64(1)} {
			threshold := 0.7
			params := map[string]any{}
			if th != nil {
				params["threshold"] = th
				threshold = num(th)
				if s, ok := th.(string); ok {
					fmt.Sscan(s, &threshold)
				}
			}
			var passed, scored int64
			for _, r := range recs {
				if s, ok := r.score(); ok {
					scored++
					if s >= threshold {
						passed++
					}
				}
			}
			got := run(t, eng, "pass_rate", params)
			if !near(num(got[0][0]), float64(passed)/float64(scored), 0.0001) || count(t, got[0][1]) != passed || count(t, got[0][2]) != scored {
				t.Errorf("threshold %v: got %v, want %d of %d", threshold, got[0], passed, scored)
			}
		}
	})

	sub("average_completion_minutes", func(t *testing.T, eng lakegate.Engine) {
		var ms []float64
		var sum float64
		for _, r := range recs {
			if m, ok := r.minutes(t); ok {
				ms = append(ms, m)
				sum += m
			}
		}
		sort.Float64s(ms)
		median := ms[len(ms)/2]
		if len(ms)%2 == 0 {
			median = (ms[len(ms)/2-1] + ms[len(ms)/2]) / 2
		}
		got := run(t, eng, "average_completion_minutes", nil)
		if !near(num(got[0][0]), sum/float64(len(ms)), 0.006) || !near(num(got[0][1]), median, 0.006) || count(t, got[0][2]) != int64(len(ms)) {
			t.Errorf("got %v, want mean %.2f median %.2f over %d", got[0], sum/float64(len(ms)), median, len(ms))
		}
		if len(ms) == len(recs) {
			t.Errorf("every attempt is timed: the data lacks attempts without any answer time")
		}
	})

	sub("top_courses", func(t *testing.T, eng lakegate.Engine) {
		for _, n := range []int{10, 3, len(names) - 1} {
			var want []string
			for _, name := range names {
				x := exams[name]
				rank := 1 + sort.Search(len(names), func(j int) bool { return exams[names[j]].attempts <= x.attempts })
				if rank > n {
					break
				}
				want = append(want, fmt.Sprint(rank, "|", name, "|", x.attempts, "|", len(x.takers)))
			}
			got := run(t, eng, "top_courses", map[string]any{"n": fmt.Sprint(n)})
			var gotText []string
			for _, r := range got {
				gotText = append(gotText, fmt.Sprint(r[0], "|", r[1], "|", r[2], "|", r[3]))
				if x := exams[fmt.Sprint(r[1])]; x != nil && !near(num(r[4]), x.scoreSum/float64(x.scored), 0.0001) {
					t.Errorf("n=%d: %v: average score, want %.4f", n, r, x.scoreSum/float64(x.scored))
				}
			}
			if fmt.Sprint(gotText) != fmt.Sprint(want) {
				t.Errorf("n=%d: got %v\nwant %v", n, gotText, want)
			}
			if n == len(names)-1 && len(want) != len(names) {
				t.Errorf("n=%d: ties at the last place should bring every course, got %d", n, len(want))
			}
		}
	})

	sub("hardest_questions", func(t *testing.T, eng lakegate.Engine) {
		type qstat struct {
			id, exam          string
			attempts, correct int64
		}
		stats := map[string]*qstat{}
		for _, r := range recs {
			for _, q := range r.Sequences.Questions {
				k := q.ID + "|" + r.ExamName
				if stats[k] == nil {
					stats[k] = &qstat{id: q.ID, exam: r.ExamName}
				}
				stats[k].attempts++
				if q.UserCorrect {
					stats[k].correct++
				}
			}
		}
		for _, c := range []struct{ min, n int64 }{{20, 20}, {100, 5}, {1, 1000000}} {
			var list []*qstat
			for _, s := range stats {
				if s.attempts >= c.min {
					list = append(list, s)
				}
			}
			sort.Slice(list, func(i, j int) bool {
				a, b := list[i], list[j]
				sa, sb := float64(a.correct)/float64(a.attempts), float64(b.correct)/float64(b.attempts)
				if sa != sb {
					return sa < sb
				}
				if a.attempts != b.attempts {
					return a.attempts > b.attempts
				}
				return a.id < b.id
			})
			list = list[:min(int64(len(list)), c.n)]
			got := run(t, eng, "hardest_questions", map[string]any{"min_attempts": c.min, "n": float64(c.n)})
			if len(got) != len(list) {
				t.Fatalf("min %d n %d: %d rows, want %d", c.min, c.n, len(got), len(list))
			}
			for i, s := range list {
				r := got[i]
				if r[0] != s.id || r[1] != s.exam || count(t, r[2]) != s.attempts || count(t, r[3]) != s.correct ||
					!near(num(r[4]), float64(s.correct)/float64(s.attempts), 0.00005) {
					t.Errorf("min %d n %d row %d: got %v, want %+v", c.min, c.n, i, r, *s)
				}
			}
		}
	})

	sub("attempts_per_day", func(t *testing.T, eng lakegate.Engine) {
		type day struct {
			attempts int64
			takers   map[string]bool
		}
		days := map[string]*day{}
		for _, r := range recs {
			at, ok := parseTime(t, r.StartedAt)
			if !ok {
				continue
			}
			d := at.UTC().Format(time.DateOnly)
			if days[d] == nil {
				days[d] = &day{takers: map[string]bool{}}
			}
			days[d].attempts++
			days[d].takers[r.UserExamID] = true
		}
		var want []string
		for d, x := range days {
			want = append(want, fmt.Sprint(d, "|", x.attempts, "|", len(x.takers)))
		}
		sort.Strings(want)
		var got []string
		for _, r := range run(t, eng, "attempts_per_day", nil) {
			got = append(got, fmt.Sprint(r[0].(time.Time).Format(time.DateOnly), "|", r[1], "|", r[2]))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("got %v\nwant %v", got, want)
		}
	})

	for _, q := range all {
		if !checked[q.Name] {
			t.Errorf("canned query %s has no reference check", q.Name)
		}
	}
}

func rowsText(rows [][]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r[0], "|", r[1], "|", r[2])
	}
	return out
}
