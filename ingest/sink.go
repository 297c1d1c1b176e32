package ingest

import (
	"encoding/hex"
	"fmt"
	"unsafe"
)

// tableQueue is how many chunks may wait for one table's writer. The raw
// table (compressing every record's JSON) is the slowest; a short queue
// keeps memory flat while the others run ahead.
const tableQueue = 2

// tableStage runs one table writer in its own goroutine, so the four
// tables' Arrow appends, Parquet encoding and compression run in parallel.
// Chunks arrive in record order; each stage appends its rows in order.
type tableStage struct {
	in  chan *chunk
	add func(c *chunk) error
}

// startTables starts one goroutine per table writer.
func (b *batch) startTables() {
	adds := [4]func(c *chunk) error{b.addAttempts, b.addQuestions, b.addRaws, b.addRejects}
	for i := range b.stages {
		st := &tableStage{in: make(chan *chunk, tableQueue), add: adds[i]}
		b.stages[i] = st
		b.stageWG.Add(1)
		go func() {
			defer b.stageWG.Done()
			failed := false
			for c := range st.in {
				if !failed {
					if err := st.add(c); err != nil {
						failed = true
						b.fail(err)
					}
				}
				c.release()
			}
		}()
	}
}

// stopTables waits for the table goroutines to take in every chunk and
// returns the first error of any.
func (b *batch) stopTables() error {
	for _, st := range b.stages {
		if st != nil {
			close(st.in)
		}
	}
	b.stageWG.Wait()
	return b.failure()
}

func (b *batch) fail(err error) {
	b.errMu.Lock()
	defer b.errMu.Unlock()
	if b.err == nil {
		b.err = err
	}
}

func (b *batch) failure() error {
	b.errMu.Lock()
	defer b.errMu.Unlock()
	return b.err
}

// sink is the ordered stage: it deduplicates in record order (the first
// occurrence wins), counts, and hands the chunk to the table stages that
// have rows in it.
func (b *batch) sink(c *chunk) error {
	if err := b.failure(); err != nil {
		return err
	}
	landed, rejected := 0, 0
	for i := range c.spans {
		r := &c.results[i]
		b.fs.read++
		if r.reject != "" {
			b.fs.rejected++
			rejected++
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
		r.land = true
		landed++
		b.fs.landed++
		b.fs.questions += int64(r.q1 - r.q0)
	}
	b.prog.update()
	var to [4]*tableStage
	n := 0
	if landed > 0 {
		to[0], to[1], to[2] = b.stages[0], b.stages[1], b.stages[2]
		n = 3
	}
	if rejected > 0 {
		to[3] = b.stages[3]
		n++
	}
	if n == 0 {
		putChunk(c)
		return nil
	}
	c.refs.Store(int32(n))
	for _, st := range to {
		if st != nil {
			st.in <- c // a failed stage keeps draining, so this never blocks for good
		}
	}
	return nil
}

// hexBuf holds a record hash in hex for the length of one row's appends.
type hexBuf [32]byte

func (h *hexBuf) of(r *result) null[string] {
	hex.Encode(h[:], r.hash[:])
	return some(bytesView(h[:]))
}

func (b *batch) addAttempts(c *chunk) error {
	w := b.writers[0]
	f := w.f
	var hb hexBuf
	for i := range c.results {
		r := &c.results[i]
		if !r.land {
			continue
		}
		s, a := &c.spans[i], &r.att
		n := putStr(f[0], a.KeenID) + putStr(f[1], a.UserExamID) + putStr(f[2], a.BaseExamID) +
			putStr(f[3], a.ExamName) + putBool(f[4], a.Certification) + putFloat(f[5], a.MaxAttempts) +
			putTS(f[6], a.StartedAt) + putTS(f[7], a.CompletedAt) + putFloat(f[8], a.Duration) +
			putTS(f[9], a.KeenTimestamp) + putTS(f[10], a.KeenCreated) + putStr(f[11], a.SequenceID) +
			putInt(f[12], a.Attempt) + putInt(f[13], some(a.QuestionCount)) + putInt(f[14], a.Correct) +
			putInt(f[15], a.Incorrect) + putInt(f[16], a.Incomplete) + putInt(f[17], a.Submitted) +
			putInt(f[18], a.Unanswered) + putInt(f[19], a.Total) + putBool(f[20], a.AllCorrect) +
			putFloat(f[21], a.Score) + putBool(f[22], some(a.IsTest)) + putStr(f[23], some(b.source)) +
			putInt(f[24], some(s.n)) + putStr(f[25], some(b.id)) + putStr(f[26], hb.of(r))
		if err := w.added(n); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) addQuestions(c *chunk) error {
	w := b.writers[1]
	f := w.f
	for i := range c.results {
		r := &c.results[i]
		if !r.land {
			continue
		}
		a := &r.att
		for _, q := range c.qs[r.q0:r.q1] {
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
	}
	return nil
}

func (b *batch) addRaws(c *chunk) error {
	w := b.writers[2]
	f := w.f
	var hb hexBuf
	for i := range c.results {
		r := &c.results[i]
		if !r.land {
			continue
		}
		s := &c.spans[i]
		js := c.compact.Bytes()[r.js0:r.js1]
		n := putStr(f[0], hb.of(r)) + putStr(f[1], r.att.KeenID) + putStr(f[2], some(bytesView(js))) +
			putStr(f[3], some(b.source)) + putInt(f[4], some(s.n)) + putInt(f[5], some(s.off)) +
			putStr(f[6], some(b.id))
		if err := w.added(n); err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) addRejects(c *chunk) error {
	w := b.writers[3]
	f := w.f
	for i := range c.results {
		r := &c.results[i]
		if r.reject == "" {
			continue
		}
		s := &c.spans[i]
		reason := r.reject
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
		if err := w.added(n); err != nil {
			return err
		}
	}
	return nil
}

// bytesView lends b as a string to an Arrow builder, which copies it at
// once; it saves a copy per row of the big raw columns.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
