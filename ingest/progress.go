package ingest

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lakegate/lakegate"
)

// progressEvery is how often the progress line is redrawn.
const progressEvery = 500 * time.Millisecond

// progress redraws one status line with \r while a file is ingested. The
// writer stage publishes its counts with update; a ticker goroutine prints.
type progress struct {
	w      io.Writer
	name   string
	size   int64
	raw    *countReader
	fs     *fileSummary
	read   atomic.Int64
	dups   atomic.Int64
	rej    atomic.Int64
	start  time.Time
	done   chan struct{}
	wg     sync.WaitGroup
	active bool
}

func startProgress(w io.Writer, name string, size int64, raw *countReader, fs *fileSummary) *progress {
	p := &progress{w: w, name: name, size: size, raw: raw, fs: fs, start: time.Now(), done: make(chan struct{})}
	if w == nil {
		return p
	}
	p.active = true
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				return
			case <-t.C:
				p.print()
			}
		}
	}()
	return p
}

// update publishes the writer stage's counts; it is called per chunk.
func (p *progress) update() {
	if p == nil || !p.active { // nil: a micro-batch shows no progress line
		return
	}
	p.read.Store(p.fs.read)
	p.dups.Store(p.fs.dups)
	p.rej.Store(p.fs.rejected)
}

func (p *progress) print() {
	n := p.raw.n.Load()
	secs := time.Since(p.start).Seconds()
	pct := 0.0
	if p.size > 0 {
		pct = 100 * float64(n) / float64(p.size)
	}
	fmt.Fprintf(p.w, "\r%s: %3.0f%% %s, %d records (%d duplicates, %d rejected), %.1f MB/s   ",
		p.name, pct, lakegate.FormatBytes(n), p.read.Load(), p.dups.Load(), p.rej.Load(), float64(n)/1e6/secs)
}

// stop ends the ticker and leaves the final line in place.
func (p *progress) stop() {
	if !p.active {
		return
	}
	p.active = false
	close(p.done)
	p.wg.Wait()
	p.read.Store(p.fs.read)
	p.dups.Store(p.fs.dups)
	p.rej.Store(p.fs.rejected)
	p.print()
	fmt.Fprintln(p.w)
}
