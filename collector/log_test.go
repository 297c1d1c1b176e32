package collector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/ingest"
)

func positionsAt(pos map[int32]int64) ingest.Positions {
	return func(context.Context) (map[int32]int64, error) { return pos, nil }
}

func openLog(tb testing.TB, dir string, opt LogOptions) *Log {
	tb.Helper()
	l, err := OpenLog(dir, opt)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

func appendN(t *testing.T, l *Log, from, n int) {
	t.Helper()
	var evs [][]byte
	for i := from; i < from+n; i++ {
		evs = append(evs, fmt.Appendf(nil, `{"i":%d}`, i))
	}
	if err := l.Append(context.Background(), evs); err != nil {
		t.Error(err)
	}
}

func poll(t *testing.T, s *LogSource, max int) []ingest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	msgs, err := s.Poll(ctx, max, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// Ten appenders and a reader at once: every event is read once, in
// offset order, and the appends share writes (group commit).
func TestLogAppendsConcurrentlyWhileRead(t *testing.T) {
	l := openLog(t, t.TempDir(), LogOptions{})
	defer l.Close()
	s := NewLogSource(l, positionsAt(nil))
	seen := map[string]bool{}
	read := make(chan error, 1)
	go func() {
		for len(seen) < 10000 {
			msgs, err := s.Poll(context.Background(), 3000, 1<<30)
			if err != nil {
				read <- err
				return
			}
			for _, m := range msgs {
				if m.Offset != int64(len(seen)) || m.Partition != 0 {
					read <- fmt.Errorf("offset %d/%d after %d events", m.Partition, m.Offset, len(seen))
					return
				}
				seen[string(m.Value)] = true
			}
		}
		read <- nil
	}()
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Go(func() {
			for i := range 100 {
				appendN(t, l, g*1000+i*10, 10)
			}
		})
	}
	wg.Wait()
	select {
	case err := <-read:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("read %d of 10000 events", len(seen))
	}
	if len(seen) != 10000 {
		t.Fatalf("%d distinct events, want 10000", len(seen))
	}
	if r := l.rounds.Load(); r >= 1000 {
		t.Errorf("1000 concurrent appends took %d writes: no group commit", r)
	} else {
		t.Logf("1000 appends in %d writes and fsyncs", r)
	}
}

// A frame torn by a crash, or a tail of zeros (blocks allocated, never
// written), is cut at open and never read; appends go on from the last
// whole event. What was cut is kept beside the segment unless only zeros.
func TestLogCutsATornTail(t *testing.T) {
	for name, tail := range map[string][]byte{
		"half a frame": {0, 0, 0, 50, 1, 2, 3, 4, '{', '"'},
		"zeros":        make([]byte, 4096),
		"bad checksum": {0, 0, 0, 2, 1, 2, 3, 4, '{', '}'},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLog(t, dir, LogOptions{})
			appendN(t, l, 0, 3)
			l.Close()
			f, _ := os.OpenFile(filepath.Join(dir, "seg-00000000000000000000.log"), os.O_APPEND|os.O_WRONLY, 0)
			f.Write(tail)
			f.Close()
			l = openLog(t, dir, LogOptions{})
			defer l.Close()
			cut, kept := l.Cut()
			if cut != int64(len(tail)) {
				t.Errorf("cut %d bytes, want %d", cut, len(tail))
			}
			if saved, _ := os.ReadFile(kept); name == "zeros" && kept != "" || name != "zeros" && !bytes.Equal(saved, tail) {
				t.Errorf("the cut tail kept in %q: %q", kept, saved)
			}
			appendN(t, l, 3, 2)
			msgs := poll(t, NewLogSource(l, positionsAt(nil)), 100)
			if len(msgs) != 5 || string(msgs[4].Value) != `{"i":4}` || msgs[4].Offset != 4 {
				t.Fatalf("after a torn tail: %d events, last %+v", len(msgs), msgs[len(msgs)-1])
			}
		})
	}
}

// The source starts at the catalog's position, rewinds to it after a
// failed batch, and a landed batch removes the segments wholly below.
func TestLogSourcePositions(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, LogOptions{})
	appendN(t, l, 0, 10)
	pos := map[int32]int64{0: 4}
	s := NewLogSource(l, positionsAt(pos))
	if s.Stream() != "log:"+filepath.Base(dir) {
		t.Errorf("stream %q", s.Stream())
	}
	if m := poll(t, s, 3); m[0].Offset != 4 || len(m) != 3 {
		t.Fatalf("first poll: %+v", m)
	}
	s.Done(context.Background(), false)
	if m := poll(t, s, 100); m[0].Offset != 4 || len(m) != 6 {
		t.Fatalf("after a rewind: %d events from %d", len(m), m[0].Offset)
	}
	l.roll() // a second segment from offset 10
	appendN(t, l, 10, 5)
	poll(t, s, 100)
	s.Done(context.Background(), true)
	if segs, _ := segments(dir); len(segs) != 1 || segs[0] != 10 {
		t.Fatalf("segments after landing 15: %v", segs)
	}
	// A restart (the log opened again, a new source) reads from the
	// catalog's position and goes on numbering after the last event.
	l.Close()
	l = openLog(t, dir, LogOptions{})
	defer l.Close()
	appendN(t, l, 15, 1)
	pos[0] = 12
	if m := poll(t, NewLogSource(l, positionsAt(pos)), 100); len(m) != 4 || m[0].Offset != 12 || string(m[3].Value) != `{"i":15}` {
		t.Fatalf("after a restart: %+v", m)
	}
}

// Poll waits for an append, and ends with its context.
func TestLogSourceWaits(t *testing.T) {
	l := openLog(t, t.TempDir(), LogOptions{})
	defer l.Close()
	s := NewLogSource(l, positionsAt(nil))
	go func() { time.Sleep(100 * time.Millisecond); appendN(t, l, 0, 1) }()
	if m := poll(t, s, 10); len(m) != 1 {
		t.Fatalf("%+v", m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Poll(ctx, 10, 100); err != context.DeadlineExceeded {
		t.Fatalf("an idle poll: %v", err)
	}
}

// A bounded source ends at the log's end seen when it was made, however
// much is appended after; a rewind reads up to that end again.
func TestLogSourceBounded(t *testing.T) {
	l := openLog(t, t.TempDir(), LogOptions{})
	defer l.Close()
	appendN(t, l, 0, 5)
	s := NewLogSource(l, positionsAt(map[int32]int64{0: 2}), Bounded())
	appendN(t, l, 5, 5)
	if m := poll(t, s, 100); len(m) != 3 || m[2].Offset != 4 {
		t.Fatalf("bounded poll: %+v", m)
	}
	if _, err := s.Poll(context.Background(), 100, 1<<20); err != io.EOF {
		t.Fatalf("at the end: %v, want io.EOF", err)
	}
	s.Done(context.Background(), false)
	if m := poll(t, s, 2); len(m) != 2 || m[0].Offset != 2 {
		t.Fatalf("after a rewind: %+v", m)
	}
}

// The catalog past the log's end (its folder replaced while landed
// segments were gone) refuses to read: new events would take landed
// offsets. A log opened afresh with First numbers after what landed.
func TestLogSourcePastTheEnd(t *testing.T) {
	l := openLog(t, t.TempDir(), LogOptions{})
	appendN(t, l, 0, 2)
	_, err := NewLogSource(l, positionsAt(map[int32]int64{0: 500})).Poll(context.Background(), 10, 1<<20)
	if lakegate.ErrorCode(err) != lakegate.ECONFLICT || !strings.Contains(err.Error(), "ends at event 2 but the catalog has landed") {
		t.Fatalf("past the end: %v", err)
	}
	l.Close()
	dir := t.TempDir()
	l = openLog(t, dir, LogOptions{First: 500})
	appendN(t, l, 0, 2)
	if m := poll(t, NewLogSource(l, positionsAt(map[int32]int64{0: 500})), 10); len(m) != 2 || m[0].Offset != 500 {
		t.Fatalf("a fresh log from 500: %+v", m)
	}
	l.Close()
	l = openLog(t, dir, LogOptions{First: 7}) // segments exist: First is ignored
	defer l.Close()
	if l.durable.Load() != 502 {
		t.Fatalf("reopened at %d, want 502", l.durable.Load())
	}
}

// One Log per directory: another open (of this process or another) is
// refused until the first is closed.
func TestLogIsLocked(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, dir, LogOptions{})
	if _, err := OpenLog(dir, LogOptions{}); lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE || !strings.Contains(err.Error(), "in use by another lakegate process") {
		t.Fatalf("a second open: %v", err)
	}
	l.Close()
	openLog(t, dir, LogOptions{}).Close()
}

// More than maxPending bytes waiting for the disk: EBUSY, nothing lost of
// what was accepted. Empty and closed: refused with their own codes.
func TestLogRefuses(t *testing.T) {
	l := openLog(t, t.TempDir(), LogOptions{MaxPending: 100})
	l.mu.Lock() // hold the writer off so appends queue
	l.queue = append(l.queue, &appendReq{events: [][]byte{make([]byte, 90)}, done: make(chan error, 1)})
	l.pending = 98
	l.mu.Unlock()
	err := l.Append(context.Background(), [][]byte{[]byte(`{"a":1}`)})
	if lakegate.ErrorCode(err) != lakegate.EBUSY {
		t.Fatalf("over the bound: %v", err)
	}
	if err := l.Append(context.Background(), [][]byte{[]byte(`{}`), nil}); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Fatalf("an empty event: %v", err)
	}
	l.Close()
	if err := l.Append(context.Background(), [][]byte{[]byte(`{}`)}); lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE {
		t.Fatalf("closed: %v", err)
	}
}

// BenchmarkLogAppend10Writers: ten appenders of one event each (as ab -c
// 10 sends), every append fsynced; events/s is the collector's ceiling on
// this disk without HTTP.
func BenchmarkLogAppend10Writers(b *testing.B) {
	l := openLog(b, b.TempDir(), LogOptions{})
	defer l.Close()
	ev := [][]byte{[]byte(`{"event_type":"purchase_sword","Host":"user1.comcast.com","User-Agent":"ApacheBench/2.3","received_at":"2026-12-04T04:15:12.42095168Z"}`)}
	b.SetParallelism(5) // 10 appenders on 2 cores
	b.SetBytes(int64(len(ev[0])))
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Append(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(float64(b.N)/float64(l.rounds.Load()), "events/fsync")
}
