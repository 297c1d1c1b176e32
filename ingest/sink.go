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

// startTables starts one goroutine per assessments table writer.
func (b *batch) startTables() {
	b.startStages(b.addAttempts, b.addQuestions, b.addRaws, b.addRejects)
}

// startStages starts one goroutine per table writer, adding rows with the
// writer's add function (in writers order).
func (b *batch) startStages(adds ...func(c *chunk) error) {
	b.stages = make([]*tableStage, len(adds))
	for i := range adds {
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
		if r.unknown != nil {
			if b.fs.unknown == nil {
				b.fs.unknown = map[string]int64{}
			}
			countUnknown(b.fs.unknown, r.unknown)
		}
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

// addRow appends one row to w, each column filled by its spec.
func addRow(w *tableWriter, x *row) error {
	if w.cl != nil {
		w.cl.use(w, w.spec.columns[w.cl.col].key(x))
	}
	var n int64
	for j, c := range w.spec.columns {
		n += c.put(w.f[j], x)
	}
	return w.added(n)
}

func (b *batch) addAttempts(c *chunk) error {
	x := row{b: b}
	for i := range c.results {
		if x.r, x.s = &c.results[i], &c.spans[i]; x.r.land {
			if err := addRow(b.writers[0], &x); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *batch) addQuestions(c *chunk) error {
	x := row{b: b}
	for i := range c.results {
		if x.r, x.s = &c.results[i], &c.spans[i]; !x.r.land {
			continue
		}
		for j := x.r.q0; j < x.r.q1; j++ {
			x.q = &c.qs[j]
			if err := addRow(b.writers[1], &x); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *batch) addRaws(c *chunk) error {
	x := row{b: b}
	for i := range c.results {
		if x.r, x.s = &c.results[i], &c.spans[i]; x.r.land {
			x.json = c.compact.Bytes()[x.r.js0:x.r.js1]
			if err := addRow(b.writers[2], &x); err != nil {
				return err
			}
		}
	}
	return nil
}

func (b *batch) addRejects(c *chunk) error {
	x := row{b: b}
	for i := range c.results {
		if x.r, x.s = &c.results[i], &c.spans[i]; x.r.reject == "" {
			continue
		}
		x.reason, x.text = x.r.reject, c.arena[x.s.start:x.s.end]
		capped := x.s.capped
		if len(x.text) > rawCap {
			x.text, capped = x.text[:rawCap], true
		}
		if capped {
			x.reason += fmt.Sprintf(" (raw text cut at its first %d bytes)", rawCap)
		}
		if err := addRow(b.writers[3], &x); err != nil {
			return err
		}
	}
	return nil
}

// bytesView lends b as a string to an Arrow builder, which copies it at
// once; it saves a copy per row of the big raw columns.
func bytesView(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
