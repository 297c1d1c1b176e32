// Package collector takes web events over HTTP durably: to Kafka
// (Kafka, acks=all) or, without brokers, to a local write-ahead log (Log)
// that the gateway's own micro-batcher lands (LogSource). Either way an
// event is durable before the client hears 202.
package collector

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/lakegate/lakegate"
)

// Log bounds. A segment rolls over past segmentBytes; at most
// DefaultMaxPending bytes may wait for the disk, beyond which Append
// answers EBUSY (429) and memory stays bounded.
const (
	segmentBytes      = 64 << 20
	DefaultMaxPending = 32 << 20
	frameHeader       = 8 // length, CRC-32C
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Log is a write-ahead log of events in a directory of segments,
// seg-<first offset>.log, each a run of frames: length (4 bytes), CRC-32C
// of the event (4 bytes), the event. Offsets number the events in order.
//
// Appends are group-committed: one goroutine writes every append waiting
// at once with one write and one fsync, so many small appends cost one
// disk flush. A frame torn by a crash (kill -9 mid-write) is cut at open:
// it was never acknowledged. One Log per directory: <dir>/lock is held
// while it is open.
type Log struct {
	dir        string
	maxPending int64
	lock       *os.File

	mu      sync.Mutex
	queue   []*appendReq
	pending int64 // bytes queued
	closed  bool
	wake    chan struct{}
	stopped chan struct{}

	// The writer goroutine's own: the last segment and the next offset.
	seg      *os.File
	segFirst int64
	segSize  int64
	next     int64
	broken   error  // a failed write that could not be undone: no more appends
	cut      int64  // bytes cut after the last whole event at open
	kept     string // the file holding them

	durable atomic.Int64 // events below this offset are on disk
	rounds  atomic.Int64 // writes (and fsyncs) so far, for tests of group commit
	notify  atomic.Pointer[chan struct{}]
}

// LogOptions configure OpenLog.
type LogOptions struct {
	// MaxPending bounds the bytes of events waiting for the disk; more
	// answers EBUSY. Default DefaultMaxPending.
	MaxPending int64
	// First is the offset of the first event of a log that has no
	// segment yet. Give the catalog's landed position of the log's
	// stream, so that a log folder that was lost or moved away goes on
	// numbering after what landed, instead of reusing offsets the
	// catalog holds as landed (whose events would never land).
	First int64
}

type appendReq struct {
	events [][]byte
	done   chan error
}

var _ lakegate.EventLog = (*Log)(nil)

// OpenLog opens (creating) the log in dir. EUNAVAILABLE when dir cannot
// be used or another process has the log open.
func OpenLog(dir string, opt LogOptions) (*Log, error) {
	if opt.MaxPending <= 0 {
		opt.MaxPending = DefaultMaxPending
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be created", dir)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: dir, maxPending: opt.MaxPending, lock: lock, wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	if err := l.openLast(max(opt.First, 0)); err != nil {
		lock.Close()
		return nil, err
	}
	ch := make(chan struct{})
	l.notify.Store(&ch)
	go l.writer()
	return l, nil
}

// segments lists the log's segments by first offset.
func segments(dir string) ([]int64, error) {
	names, err := filepath.Glob(filepath.Join(dir, "seg-*.log"))
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, n := range names {
		var first int64
		if _, err := fmt.Sscanf(filepath.Base(n), "seg-%d.log", &first); err == nil {
			out = append(out, first)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func segPath(dir string, first int64) string {
	return filepath.Join(dir, fmt.Sprintf("seg-%020d.log", first))
}

// openLast opens the last segment for appending, cutting a torn tail; a
// log without segments starts one at first.
func (l *Log) openLast(first int64) error {
	segs, err := segments(l.dir)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be listed", l.dir)
	}
	l.segFirst = first
	if len(segs) > 0 {
		l.segFirst = segs[len(segs)-1]
	}
	f, err := os.OpenFile(segPath(l.dir, l.segFirst), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be opened", l.dir)
	}
	if len(segs) == 0 { // the new segment's name must survive a crash
		syncDir(l.dir)
		syncDir(filepath.Dir(l.dir))
	}
	n, good, err := scanFrames(f)
	if err == nil {
		err = l.keepTail(f, good)
	}
	if err == nil {
		err = f.Truncate(good)
	}
	if err == nil {
		_, err = f.Seek(good, 0)
	}
	if err != nil {
		f.Close()
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log segment %s cannot be read", f.Name())
	}
	preallocate(f, segmentBytes)
	l.seg, l.segSize, l.next = f, good, l.segFirst+n
	l.durable.Store(l.next)
	return nil
}

// keepTail copies what follows the last whole frame, unless it is only
// zeros, to <segment>.cut-<byte> before it is cut: a tail torn by a crash
// was never acknowledged, but a frame damaged on disk would cut the
// acknowledged events after it, which must stay recoverable by hand.
func (l *Log) keepTail(f *os.File, good int64) error {
	st, err := f.Stat()
	if err != nil || st.Size() <= good {
		return err
	}
	tail := make([]byte, st.Size()-good)
	if _, err := f.ReadAt(tail, good); err != nil {
		return err
	}
	l.cut = int64(len(tail))
	if bytes.Count(tail, []byte{0}) == len(tail) {
		return nil
	}
	l.kept = fmt.Sprintf("%s.cut-%d", f.Name(), good)
	k, err := os.Create(l.kept)
	if err != nil {
		return err
	}
	_, err = k.Write(tail)
	if err == nil {
		err = k.Sync()
	}
	if cerr := k.Close(); err == nil {
		err = cerr
	}
	syncDir(l.dir)
	return err
}

// Cut tells what opening the log cut after its last whole event: how many
// bytes, and the file they were kept in ("" when none, or only zeros).
func (l *Log) Cut() (bytes int64, keptIn string) { return l.cut, l.kept }

// scanFrames counts a segment's whole, intact frames and the byte length
// they end at; anything after is a torn or corrupt tail.
func scanFrames(f *os.File) (n, good int64, err error) {
	r := &frameReader{f: f}
	for {
		ev, err := r.next()
		if err != nil || ev == nil {
			return n, good, err
		}
		n++
		good = r.off
	}
}

// Append makes the events durable (written and fsynced) before returning.
// EBUSY when more than the pending bound waits; EUNAVAILABLE when the log
// is closed or the disk fails; EINVALID for an empty event, ETOOLARGE for
// one over 64 MiB; ctx's error if it ends first (the events may still
// land).
func (l *Log) Append(ctx context.Context, events [][]byte) error {
	if len(events) == 0 {
		return nil
	}
	var size int64
	for i, e := range events {
		switch {
		case len(e) == 0: // a zero frame is how a torn tail reads
			return lakegate.Errorf(lakegate.EINVALID, "event %d is empty; the events log takes no empty event", i+1)
		case len(e) > maxFrame: // it would read back as a torn tail
			return lakegate.Errorf(lakegate.ETOOLARGE, "event %d has %d bytes; the events log takes at most %d", i+1, len(e), maxFrame)
		}
		size += int64(len(e)) + frameHeader
	}
	req := &appendReq{events: events, done: make(chan error, 1)}
	l.mu.Lock()
	switch {
	case l.closed:
		l.mu.Unlock()
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "the events log is closed")
	case l.pending > 0 && l.pending+size > l.maxPending:
		l.mu.Unlock()
		return lakegate.Errorf(lakegate.EBUSY, "the events log has %d bytes waiting for the disk; retry after a pause", l.pending)
	}
	l.queue = append(l.queue, req)
	l.pending += size
	select { // under mu: Close closes wake under mu too
	case l.wake <- struct{}{}:
	default:
	}
	l.mu.Unlock()
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer writes whatever is queued, one write and one fsync per round.
func (l *Log) writer() {
	defer close(l.stopped)
	var buf []byte
	for range l.wake {
		for {
			// The appenders just answered get to append again first, so a
			// round takes them too instead of alternating half-full rounds.
			runtime.Gosched()
			l.mu.Lock()
			reqs, closed := l.queue, l.closed
			l.queue, l.pending = nil, 0
			l.mu.Unlock()
			if len(reqs) == 0 {
				if closed {
					return
				}
				break
			}
			buf = l.commit(reqs, buf[:0])
		}
	}
}

// commit writes and syncs one round of appends and answers them.
func (l *Log) commit(reqs []*appendReq, buf []byte) []byte {
	n := int64(0)
	for _, r := range reqs {
		for _, e := range r.events {
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(e)))
			buf = binary.BigEndian.AppendUint32(buf, crc32.Checksum(e, castagnoli))
			buf = append(buf, e...)
			n++
		}
	}
	err := l.write(buf)
	l.rounds.Add(1)
	if err == nil {
		l.next += n
		l.durable.Store(l.next)
		l.wakeReaders()
	}
	for _, r := range reqs {
		r.done <- err
	}
	return buf
}

func (l *Log) write(buf []byte) error {
	if l.broken != nil {
		return l.broken
	}
	if l.segSize >= segmentBytes {
		if err := l.roll(); err != nil {
			return err
		}
	}
	if _, err := l.seg.Write(buf); err != nil {
		return l.undo(lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be written", l.seg.Name()))
	}
	if err := l.seg.Sync(); err != nil {
		return l.undo(lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be synced to disk", l.seg.Name()))
	}
	l.segSize += int64(len(buf))
	return nil
}

// undo cuts what a failed round wrote: its events were refused, so they
// must not take offsets (nor land after a restart). When even that fails
// the log refuses every append until it is opened again.
func (l *Log) undo(err error) error {
	if l.seg.Truncate(l.segSize) != nil || l.seg.Sync() != nil {
		l.broken = err
		return err
	}
	if _, serr := l.seg.Seek(l.segSize, 0); serr != nil {
		l.broken = err
	}
	return err
}

// roll starts a new segment at the next offset.
func (l *Log) roll() error {
	f, err := os.OpenFile(segPath(l.dir, l.next), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s: cannot start a segment", l.dir)
	}
	preallocate(f, segmentBytes)
	syncDir(l.dir)
	l.seg.Close()
	l.seg, l.segFirst, l.segSize = f, l.next, 0
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// wakeReaders tells waiting readers that durable moved.
func (l *Log) wakeReaders() {
	ch := make(chan struct{})
	old := l.notify.Swap(&ch)
	close(*old)
}

// changed is closed when durable next moves.
func (l *Log) changed() <-chan struct{} { return *l.notify.Load() }

// Dir is the log's directory.
func (l *Log) Dir() string { return l.dir }

// Close stops taking appends, finishes the queued ones and closes the
// segment.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.wake)
	l.mu.Unlock()
	<-l.stopped
	err := l.seg.Close()
	l.lock.Close() // releases the flock
	return err
}

// removeBelow deletes the segments whose events are all below next
// (landed), never the last one (it holds the log's next offset).
func (l *Log) removeBelow(next int64) {
	segs, err := segments(l.dir)
	if err != nil {
		return
	}
	for i := 0; i+1 < len(segs); i++ {
		if segs[i+1] <= next {
			os.Remove(segPath(l.dir, segs[i]))
		}
	}
}

// Stream is the log's name in the catalog's offsets: "log:" and its
// folder's name, e.g. log:events.
func (l *Log) Stream() string { return StreamName(l.dir) }

// StreamName is the catalog stream of the log in dir (Log.Stream), for
// reading its landed position before opening it (LogOptions.First).
func StreamName(dir string) string {
	return "log:" + strings.Trim(filepath.Base(dir), ".")
}
