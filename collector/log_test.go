package collector

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/ingest"
)

func positionsAt(pos map[int32]int64) ingest.Positions {
	return func(context.Context) (map[int32]int64, error) { return pos, nil }
}

func appendN(t *testing.T, l *Log, from, n int) {
	t.Helper()
	var evs [][]byte
	for i := from; i < from+n; i++ {
		evs = append(evs, fmt.Appendf(nil, `{"i":%d}`, i))
	}
	if err := l.Append(context.Background(), evs); err != nil {
		t.Fatal(err)
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

func TestLogAppendsConcurrentlyAndReads(t *testing.T) {
	l, err := OpenLog(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var wg sync.WaitGroup
	for g := range 10 {
		wg.Go(func() {
			for i := range 100 {
				appendN(t, l, g*1000+i*10, 10)
			}
		})
	}
	wg.Wait()
	s := NewLogSource(l, positionsAt(nil))
	seen := map[string]bool{}
	for len(seen) < 10000 {
		for _, m := range poll(t, s, 3000) {
			if m.Offset != int64(len(seen)) {
				t.Fatalf("offset %d after %d events", m.Offset, len(seen))
			}
			seen[string(m.Value)] = true
		}
	}
	if len(seen) != 10000 {
		t.Fatalf("%d distinct events, want 10000", len(seen))
	}
}

// A frame torn by a crash is cut at open and never read; appends go on
// from the last whole event.
func TestLogCutsATornTail(t *testing.T) {
	dir := t.TempDir()
	l, _ := OpenLog(dir, 0)
	appendN(t, l, 0, 3)
	l.Close()
	f, _ := os.OpenFile(filepath.Join(dir, "seg-00000000000000000000.log"), os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte{0, 0, 0, 50, 1, 2, 3, 4, '{', '"'}) // half a frame
	f.Close()
	l, err := OpenLog(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	appendN(t, l, 3, 2)
	msgs := poll(t, NewLogSource(l, positionsAt(nil)), 100)
	if len(msgs) != 5 || string(msgs[4].Value) != `{"i":4}` || msgs[4].Offset != 4 {
		t.Fatalf("after a torn tail: %d events, last %+v", len(msgs), msgs[len(msgs)-1])
	}
}

// The source starts at the catalog's position, rewinds to it after a
// failed batch, and a landed batch removes the segments wholly below.
func TestLogSourcePositions(t *testing.T) {
	dir := t.TempDir()
	l, _ := OpenLog(dir, 0)
	defer l.Close()
	appendN(t, l, 0, 10)
	pos := map[int32]int64{0: 4}
	s := NewLogSource(l, positionsAt(pos))
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
	// A restart (a new source) reads from the catalog's position.
	pos[0] = 12
	if m := poll(t, NewLogSource(l, positionsAt(pos)), 100); len(m) != 3 || m[0].Offset != 12 {
		t.Fatalf("after a restart: %+v", m)
	}
}

// Poll waits for an append, and ends with its context.
func TestLogSourceWaits(t *testing.T) {
	l, _ := OpenLog(t.TempDir(), 0)
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

// More than maxPending bytes waiting for the disk: EBUSY, nothing lost of
// what was accepted.
func TestLogBusy(t *testing.T) {
	l, _ := OpenLog(t.TempDir(), 100)
	defer l.Close()
	l.mu.Lock() // hold the writer off so appends queue
	l.queue = append(l.queue, &appendReq{events: [][]byte{make([]byte, 90)}, done: make(chan error, 1)})
	l.pending = 98
	l.mu.Unlock()
	err := l.Append(context.Background(), [][]byte{[]byte(`{"a":1}`)})
	if lakegate.ErrorCode(err) != lakegate.EBUSY {
		t.Fatalf("over the bound: %v", err)
	}
}

func BenchmarkLogAppend10Writers(b *testing.B) {
	l, _ := OpenLog(b.TempDir(), 0)
	defer l.Close()
	ev := [][]byte{[]byte(`{"event_type":"purchase_sword","Host":"user1.comcast.com","User-Agent":"ApacheBench/2.3","received_at":"2026-12-04T04:15:12.42095168Z"}`)}
	b.SetParallelism(5) // 10 appenders on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := l.Append(context.Background(), ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
