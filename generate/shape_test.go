package generate

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	uuidRE   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	keenIDRE = regexp.MustCompile(`^[0-9a-f]{24}$`)
	epochRE  = regexp.MustCompile(`^[0-9]{10}\.[0-9]{6}$`)
)

const isoMillis = "2006-01-02T15:04:05.000Z"

// TestCatalog checks the fixed exam catalog against the real file: 103 names
// and 107 base_exam_ids, counting the test exam.
func TestCatalog(t *testing.T) {
	c := sharedCatalog()
	names, ids := map[string]bool{}, map[string]bool{}
	all := append(append(slices.Clone(c.sampled), c.rare...), c.test)
	for _, v := range all {
		names[v.name], ids[v.baseID] = true, true
		if strings.ContainsAny(v.name, "\"\\") || strings.ContainsFunc(v.name, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			t.Errorf("exam name %q needs JSON escaping; the encoder does not escape", v.name)
		}
		qids := map[string]bool{}
		for _, q := range v.bank {
			if qids[q.id] || len(q.opts) < 2 || len(q.opts) > 6 || q.nCorrect < 1 || q.nCorrect >= len(q.opts) {
				t.Errorf("%s: bad question %s (%d options, %d correct)", v.name, q.id, len(q.opts), q.nCorrect)
			}
			qids[q.id] = true
		}
	}
	if len(names) != 103 || len(ids) != 107 {
		t.Errorf("catalog has %d names and %d base ids; want 103 and 107 like the real file", len(names), len(ids))
	}
}

// TestShapeAtRealSize generates the real file's size and checks the
// distributions and the consistency of every record.
func TestShapeAtRealSize(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			out, st := generate(t, Options{Attempts: 3280, Seed: seed})
			lines := records(t, out, FormatArray)
			for _, l := range lines {
				checkRecord(t, &l.rec, DefaultStart)
			}
			checkExams(t, lines, st)
			checkDistributions(t, lines)
		})
	}
}

func checkExams(t *testing.T, lines []line, st Stats) {
	t.Helper()
	names, ids, qExam := map[string]bool{}, map[string]bool{}, map[string]string{}
	for _, l := range lines {
		names[l.rec.ExamName], ids[l.rec.BaseExamID] = true, true
		for _, q := range l.rec.Sequences.Questions {
			if b, ok := qExam[q.ID]; ok && b != l.rec.BaseExamID {
				t.Fatalf("question %s appears in exams %s and %s; banks must be per exam", q.ID, b, l.rec.BaseExamID)
			}
			qExam[q.ID] = l.rec.BaseExamID
		}
	}
	if len(names) < 95 || len(names) > 103 || len(ids) <= len(names) {
		t.Errorf("%d exam names, %d base ids; want about 100 names and more base ids than names", len(names), len(ids))
	}
	type exam struct {
		name string
		n    int64
	}
	var exams []exam
	ones := 0
	for name, n := range st.Exams {
		exams = append(exams, exam{name, n})
		if n == 1 && name != testExamName {
			ones++
		}
	}
	sort.Slice(exams, func(i, j int) bool { return exams[i].n > exams[j].n })
	if share := float64(exams[0].n) / float64(st.Unique); exams[0].name != "Learning Git" || share < 0.09 || share > 0.16 {
		t.Errorf("most common exam is %q with %.1f%%; want Learning Git with about 12%%", exams[0].name, 100*share)
	}
	if ones < 3 {
		t.Errorf("%d exams have exactly one attempt; want at least 3 like the real file", ones)
	}
}

func checkDistributions(t *testing.T, lines []line) {
	t.Helper()
	byN := map[int]int{}
	var score float64
	var durations []time.Duration
	for _, l := range lines {
		qs := l.rec.Sequences.Questions
		byN[len(qs)]++
		correct := 0
		for _, q := range qs {
			if q.UserResult == "correct" {
				correct++
			}
		}
		score += float64(correct) / float64(len(qs))
		durations = append(durations, keenTime(t, l.rec.KeenTimestamp).Sub(isoTime(t, l.rec.StartedAt)))
	}
	mode := 0
	for n, k := range byN {
		if k > byN[mode] {
			mode = n
		}
	}
	if share := float64(byN[4]) / float64(len(lines)); mode != 4 || share < 0.38 || share > 0.52 {
		t.Errorf("question counts %v: mode %d with 4 at %.0f%%; want mode 4 at about 45%%", byN, mode, 100*share)
	}
	if mean := score / float64(len(lines)); mean < 0.57 || mean > 0.67 {
		t.Errorf("mean score %.3f; want about 0.62", mean)
	}
	slices.Sort(durations)
	if med := durations[len(durations)/2]; med < 5*time.Minute || med > 10*time.Minute {
		t.Errorf("median duration %v; want 5 to 10 minutes", med)
	}
	if durations[len(durations)-1] < time.Hour || durations[0] > 30*time.Second {
		t.Errorf("durations span %v..%v; want a long tail over an hour and a few tiny ones", durations[0], durations[len(durations)-1])
	}
}

// checkRecord checks the fixed fields, ids, times and the consistency rules
// documented on appendRecord.
func checkRecord(t *testing.T, r *jsonRecord, start time.Time) {
	t.Helper()
	if r.Certification != "false" || r.MaxAttempts != "1.0" || r.Sequences.Attempt != 1 || r.KeenTimestamp != r.KeenCreatedAt {
		t.Fatalf("fixed fields wrong: %+v", r)
	}
	for _, id := range []string{r.UserExamID, r.Sequences.ID} {
		if !uuidRE.MatchString(id) {
			t.Fatalf("id %q is not a UUID", id)
		}
	}
	if !uuidRE.MatchString(r.BaseExamID) && r.BaseExamID != testBaseID {
		t.Fatalf("base_exam_id %q", r.BaseExamID)
	}
	if !epochRE.MatchString(r.KeenTimestamp) || !keenIDRE.MatchString(r.KeenID) {
		t.Fatalf("keen_timestamp %q / keen_id %q malformed", r.KeenTimestamp, r.KeenID)
	}
	started, keen := isoTime(t, r.StartedAt), keenTime(t, r.KeenTimestamp)
	if started.Before(start) || !started.Before(start.AddDate(0, 0, WindowDays)) {
		t.Fatalf("started_at %s outside the %d-day window from %s", r.StartedAt, WindowDays, start)
	}
	if sec, _ := strconv.ParseUint(r.KeenID[:8], 16, 32); int64(sec) != keen.Unix() {
		t.Fatalf("keen_id %s does not start with the keen time %d", r.KeenID, keen.Unix())
	}
	if n := len(r.Sequences.Questions); n < 1 || n > maxQuestions {
		t.Fatalf("%d questions; want 1..%d", n, maxQuestions)
	}
	var want jsonCounts
	for _, q := range r.Sequences.Questions {
		checkQuestion(t, &q, started, keen, &want)
	}
	want.Total = len(r.Sequences.Questions)
	want.Submitted = want.Total - want.Unanswered
	want.AllCorrect = want.Correct == want.Total
	if c := r.Sequences.Counts; c != nil && *c != want {
		t.Fatalf("counts %+v; the questions give %+v", *c, want)
	}
}

// checkQuestion checks one question and adds it to the expected counts.
func checkQuestion(t *testing.T, q *jsonQuestion, started, keen time.Time, c *jsonCounts) {
	t.Helper()
	if n := len(q.Options); n < 2 || n > 6 || !uuidRE.MatchString(q.ID) {
		t.Fatalf("question %q has %d options; want a UUID and 2..6", q.ID, n)
	}
	checked, wrong, missed := 0, false, false
	for _, o := range q.Options {
		correct := o.Correct != nil && *o.Correct
		if !uuidRE.MatchString(o.ID) || (o.At != nil && !o.Checked) || (o.Submitted != nil) != o.Checked {
			t.Fatalf("option %+v: unchecked options carry neither at nor submitted", o)
		}
		if o.Checked {
			checked++
			wrong = wrong || !correct
		} else {
			missed = missed || correct
		}
		if o.At != nil {
			at := isoTime(t, *o.At)
			if at.Before(started) || at.After(keen) {
				t.Fatalf("answer at %s outside started_at %s .. keen %s", *o.At, started, keen)
			}
		}
	}
	result := "correct"
	switch {
	case checked == 0:
		result = "incomplete"
		c.Unanswered++
	case wrong:
		result = "incorrect"
	case missed:
		result = "missed_some"
	}
	if q.UserResult != result || q.UserCorrect != (result == "correct") || q.UserSubmitted != (checked > 0) ||
		q.UserIncomplete != (result == "incomplete" || result == "missed_some") {
		t.Fatalf("question %+v: options say %q", q, result)
	}
	switch result {
	case "correct":
		c.Correct++
	case "incorrect":
		c.Incorrect++
	default:
		c.Incomplete++
	}
}

func isoTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(isoMillis, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return tm
}

func keenTime(t *testing.T, s string) time.Time {
	t.Helper()
	sec, frac, _ := strings.Cut(s, ".")
	secs, err1 := strconv.ParseInt(sec, 10, 64)
	us, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("keen timestamp %q", s)
	}
	return time.Unix(secs, us*1000).UTC()
}

// TestStartWindow checks started_at stays in the window for a Start that is
// not midnight nor UTC, and that the daily rhythm follows UTC hours.
func TestStartWindow(t *testing.T) {
	start := time.Date(2019, 3, 5, 17, 30, 0, 0, time.FixedZone("EST", -5*3600))
	out, _ := generate(t, Options{Attempts: 5000, Seed: 8, Format: FormatNDJSON, Start: start})
	var byHour [24]int
	for _, l := range records(t, out, FormatNDJSON) {
		checkRecord(t, &l.rec, start)
		byHour[isoTime(t, l.rec.StartedAt).Hour()]++
	}
	night, afternoon := byHour[2]+byHour[3]+byHour[4], byHour[14]+byHour[15]+byHour[16]
	if 3*night > afternoon {
		t.Errorf("started_at by UTC hour %v: nights (%d) not much quieter than afternoons (%d)", byHour, night, afternoon)
	}
}
