package ingest

import (
	"fmt"
	"unsafe"
)

// sink is the ordered writer stage: it deduplicates in record order (the
// first occurrence wins) and appends rows to the table writers.
func (b *batch) sink(c *chunk) error {
	defer b.prog.update()
	for i := range c.spans {
		s, r := &c.spans[i], &c.results[i]
		b.fs.read++
		if r.reject != "" {
			b.fs.rejected++
			if err := b.addReject(c, s, r.reject); err != nil {
				return err
			}
			continue
		}
		if _, dup := b.seen[r.hash]; dup {
			b.fs.dups++
			continue
		}
		if _, dup := b.prior[r.hash]; dup {
			b.fs.dups++
			continue
		}
		b.seen[r.hash] = struct{}{}
		b.fs.landed++
		b.fs.questions += int64(r.q1 - r.q0)
		hash := hexHash(r.hash)
		if err := b.addAttempt(s, r, hash); err != nil {
			return err
		}
		if err := b.addQuestions(&r.att, c.qs[r.q0:r.q1]); err != nil {
			return err
		}
		if err := b.addRaw(c, s, r, hash); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) addAttempt(s *spanRef, r *result, hash string) error {
	w := b.writers[0]
	f, a := w.f, &r.att
	n := putStr(f[0], a.KeenID) + putStr(f[1], a.UserExamID) + putStr(f[2], a.BaseExamID) +
		putStr(f[3], a.ExamName) + putBool(f[4], a.Certification) + putFloat(f[5], a.MaxAttempts) +
		putTS(f[6], a.StartedAt) + putTS(f[7], a.CompletedAt) + putFloat(f[8], a.Duration) +
		putTS(f[9], a.KeenTimestamp) + putTS(f[10], a.KeenCreated) + putStr(f[11], a.SequenceID) +
		putInt(f[12], a.Attempt) + putInt(f[13], some(a.QuestionCount)) + putInt(f[14], a.Correct) +
		putInt(f[15], a.Incorrect) + putInt(f[16], a.Incomplete) + putInt(f[17], a.Submitted) +
		putInt(f[18], a.Unanswered) + putInt(f[19], a.Total) + putBool(f[20], a.AllCorrect) +
		putFloat(f[21], a.Score) + putBool(f[22], some(a.IsTest)) + putStr(f[23], some(b.source)) +
		putInt(f[24], some(s.n)) + putStr(f[25], some(b.id)) + putStr(f[26], some(hash))
	return w.added(n)
}

func (b *batch) addQuestions(a *attemptRow, qs []questionRow) error {
	w := b.writers[1]
	f := w.f
	for i := range qs {
		q := &qs[i]
		n := putStr(f[0], a.KeenID) + putStr(f[1], a.UserExamID) + putStr(f[2], a.BaseExamID) +
			putStr(f[3], a.ExamName) + putInt(f[4], some(q.Position)) + putStr(f[5], q.QuestionID) +
			putBool(f[6], q.UserCorrect) + putBool(f[7], q.UserIncomplete) + putBool(f[8], q.UserSubmitted) +
			putStr(f[9], q.UserResult) + putInt(f[10], some(q.OptionCount)) + putInt(f[11], some(q.CheckedCount)) +
			putInt(f[12], some(q.CorrectOptions)) + putTS(f[13], q.FirstAnswerAt) + putTS(f[14], q.LastAnswerAt) +
			putStr(f[15], some(b.id))
		if err := w.added(n); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) addRaw(c *chunk, s *spanRef, r *result, hash string) error {
	w := b.writers[2]
	f := w.f
	js := c.compact.Bytes()[r.js0:r.js1]
	n := putStr(f[0], some(hash)) + putStr(f[1], r.att.KeenID) + putStr(f[2], some(bytesView(js))) +
		putStr(f[3], some(b.source)) + putInt(f[4], some(s.n)) + putInt(f[5], some(s.off)) +
		putStr(f[6], some(b.id))
	return w.added(n)
}

func (b *batch) addReject(c *chunk, s *spanRef, reason string) error {
	w := b.writers[3]
	f := w.f
	raw := c.arena[s.start:s.end]
	capped := s.capped
	if len(raw) > rawCap {
		raw, capped = raw[:rawCap], true
	}
	if capped {
		reason += fmt.Sprintf(" (raw text cut at its first %d bytes)", rawCap)
	}
	n := putStr(f[0], some(b.source)) + putInt(f[1], some(s.n)) + putInt(f[2], some(s.off)) +
		putStr(f[3], some(reason)) + putStr(f[4], some(bytesView(raw))) + putStr(f[5], some(b.id))
	return w.added(n)
}

// bytesView lends b as a string to an Arrow builder, which copies it at
// once; it saves a copy per row of the big raw columns.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
