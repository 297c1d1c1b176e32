package ingest

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	json "github.com/goccy/go-json"
	"github.com/zeebo/xxh3"
)

// Chunk bounds: the splitter hands records to the workers in chunks of at
// most chunkRecords records or chunkBytes bytes.
const (
	chunkRecords = 1000
	chunkBytes   = 2 << 20
)

type hash128 = [16]byte

// spanRef is a span copied into a chunk's arena.
type spanRef struct {
	n, off     int64
	start, end int
	capped     bool
	damage     string
	src        string // the record's source_file when not the batch's
}

// result is what a worker made of one span.
type result struct {
	reject   string
	land     bool // set by the ordered sink: a new unique record
	hash     hash128
	js0, js1 int // compacted JSON in chunk.compact
	att      attemptRow
	q0, q1   int      // question rows in chunk.qs
	unknown  []string // top-level fields that land only in raw
}

// chunk is the unit of work between the pipeline stages.
type chunk struct {
	arena   []byte
	spans   []spanRef
	compact bytes.Buffer
	results []result
	qs      []questionRow
	done    chan struct{}
	refs    atomic.Int32 // table stages still reading the chunk
}

var chunkPool = sync.Pool{New: func() any { return new(chunk) }}

func getChunk() *chunk {
	c := chunkPool.Get().(*chunk)
	if c.arena == nil {
		// Sized once rather than grown by doubling: a chunk ends at most
		// one record past chunkBytes.
		c.arena = make([]byte, 0, chunkBytes+chunkBytes/16)
	}
	c.arena, c.spans, c.results, c.qs = c.arena[:0], c.spans[:0], c.results[:0], c.qs[:0]
	c.compact.Reset()
	c.done = make(chan struct{})
	return c
}

// release drops one table stage's hold on c and recycles c after the last.
func (c *chunk) release() {
	if c.refs.Add(-1) == 0 {
		putChunk(c)
	}
}

// putChunk recycles c. Decoded strings refer to c.compact, so the writers
// must be done with c; a buffer that grew for a huge record is dropped.
func putChunk(c *chunk) {
	if cap(c.arena) > 4*chunkBytes {
		return
	}
	clear(c.results) // drop references to strings
	chunkPool.Put(c)
}

// feed hands the pipeline's spans to emit in record order: the splitter
// over a file (fileFeed), or a micro-batch of stream messages.
type feed func(emit func(span) error) (notes []string, err error)

// fileFeed splits a JSON array or NDJSON file into records.
func fileFeed(in *inputReader) feed {
	return func(emit func(span) error) ([]string, error) { return split(in, emit) }
}

// pipeline runs feed → parallel decode → ordered sink over one stream.
// sink sees every span in record order, so the first occurrence of a
// duplicate wins deterministically; it owns the chunk once called.
func pipeline(ctx context.Context, spans feed, sink func(c *chunk) error) (notes []string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *chunk, 1)
	order := make(chan *chunk, workers)

	var splitErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(work)
		send := func(c *chunk) error {
			select {
			case order <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case work <- c:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		}
		cur := getChunk()
		notes, splitErr = spans(func(s span) error {
			cur.arena = append(cur.arena, s.Data...)
			cur.spans = append(cur.spans, spanRef{n: s.N, off: s.Offset, start: len(cur.arena) - len(s.Data), end: len(cur.arena),
				capped: s.Capped, damage: s.Damage, src: s.Source})
			if len(cur.spans) >= chunkRecords || len(cur.arena) >= chunkBytes {
				c := cur
				cur = getChunk()
				return send(c)
			}
			return nil
		})
		if splitErr == nil && len(cur.spans) > 0 {
			splitErr = send(cur)
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rec jsonRecord
			for c := range work {
				process(c, &rec)
				close(c.done)
			}
		}()
	}
	for c := range order {
		select {
		case <-c.done:
		case <-ctx.Done():
		}
		if err == nil && ctx.Err() == nil {
			err = sink(c)
		}
		if err != nil {
			cancel()
			continue // drain so the splitter can finish
		}
	}
	wg.Wait()
	if err == nil {
		err = splitErr
	}
	if err == nil {
		err = ctx.Err()
	}
	return notes, err
}

// process compacts, hashes, decodes and flattens every record of c.
func process(c *chunk, rec *jsonRecord) {
	if n := len(c.spans); cap(c.results) < n {
		c.results = make([]result, n)
	} else {
		c.results = c.results[:n]
	}
	c.compact.Grow(len(c.arena)) // compaction never grows, so strings stay put
	for i, s := range c.spans {
		r := &c.results[i]
		*r = result{}
		if s.damage != "" {
			r.reject = s.damage
			continue
		}
		data := c.arena[s.start:s.end]
		r.js0 = c.compact.Len()
		if err := json.Compact(&c.compact, data); err != nil {
			c.compact.Truncate(r.js0)
			r.reject = "malformed JSON: " + syntaxReason(err)
			continue
		}
		r.js1 = c.compact.Len()
		js := c.compact.Bytes()[r.js0:r.js1]
		r.hash = xxh3.Hash128(js).Bytes()
		if err := decodeRecord(js, rec); err != nil {
			r.reject = err.Error()
			continue
		}
		r.q0 = len(c.qs)
		var err error
		c.qs, err = flatten(rec, &r.att, c.qs)
		if err != nil {
			c.qs = c.qs[:r.q0]
			r.reject = err.Error()
			continue
		}
		r.q1 = len(c.qs)
		r.unknown = unknownFields(js)
	}
}

func syntaxReason(err error) string {
	var se *json.SyntaxError
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if errors.As(err, &se) {
		return msg + " (at byte " + itoa(se.Offset) + " of the record)"
	}
	return msg
}
