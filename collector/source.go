package collector

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"os"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/ingest"
)

// maxFrame bounds one event read back (the server takes far smaller).
const maxFrame = 64 << 20

// frameReader reads a segment's frames; next returns nil at a clean end
// and at a torn or corrupt frame (which only the last segment may have).
type frameReader struct {
	f   *os.File
	br  *bufio.Reader
	off int64 // byte offset after the last whole frame
}

func (r *frameReader) next() ([]byte, error) {
	if r.br == nil {
		r.br = bufio.NewReaderSize(r.f, 1<<20)
	}
	var h [frameHeader]byte
	if _, err := io.ReadFull(r.br, h[:]); err != nil {
		return nil, ignoreEOF(err)
	}
	n, sum := binary.BigEndian.Uint32(h[:4]), binary.BigEndian.Uint32(h[4:])
	if n == 0 || n > maxFrame { // no event is empty: zeros are a torn tail
		return nil, nil
	}
	ev := make([]byte, n)
	if _, err := io.ReadFull(r.br, ev); err != nil {
		return nil, ignoreEOF(err)
	}
	if crc32.Checksum(ev, castagnoli) != sum {
		return nil, nil
	}
	r.off += frameHeader + int64(n)
	return ev, nil
}

func ignoreEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// LogSource reads a Log for the micro-batcher (ingest.Source): one
// partition, 0, whose offsets are the log's. It starts at the catalog's
// position, and after a landed batch removes the segments wholly landed.
// It reads the Log of its own process: appends wake a waiting Poll.
type LogSource struct {
	log       *Log
	positions ingest.Positions
	end       int64 // bounded: the log's end when the source was made; else -1
	pos       int64 // the next offset to deliver
	started   bool
	r         *frameReader
	rOffset   int64 // the offset r reads next
}

var _ ingest.Source = (*LogSource)(nil)

// LogSourceOption changes how a LogSource reads.
type LogSourceOption func(*LogSource)

// Bounded makes the source end (io.EOF) at the log's end as it is when
// the source is made, as `lakegate ingest` does without --follow; by
// default Poll waits for new events without end.
func Bounded() LogSourceOption {
	return func(s *LogSource) { s.end = s.log.durable.Load() }
}

// NewLogSource reads l from the catalog's position of its stream
// (positions()[0]; the log's oldest event when nothing landed yet).
func NewLogSource(l *Log, positions ingest.Positions, opts ...LogSourceOption) *LogSource {
	s := &LogSource{log: l, positions: positions, end: -1}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Stream is the log's, "log:<folder>", e.g. log:events.
func (s *LogSource) Stream() string { return s.log.Stream() }

// Poll returns events from the durable part of the log, waiting for some;
// io.EOF once a bounded source has delivered everything up to its end.
func (s *LogSource) Poll(ctx context.Context, maxRecords int, maxBytes int64) ([]ingest.Message, error) {
	if !s.started {
		if err := s.rewind(ctx); err != nil {
			return nil, err
		}
	}
	for {
		changed := s.log.changed()
		end := s.log.durable.Load()
		if s.end >= 0 {
			if s.pos >= s.end {
				return nil, io.EOF
			}
			end = s.end
		}
		if s.pos < end {
			return s.read(end, max(maxRecords, 1), maxBytes)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// read reads up to the bounds from pos, never up to end (at most what
// is durable).
func (s *LogSource) read(end int64, maxRecords int, maxBytes int64) ([]ingest.Message, error) {
	var out []ingest.Message
	var size int64
	for s.pos < end && len(out) < maxRecords && size < maxBytes {
		ev, err := s.event()
		if err != nil {
			return out, err
		}
		out = append(out, ingest.Message{Partition: 0, Offset: s.pos, Value: ev})
		size += int64(len(ev))
		s.pos++
	}
	return out, nil
}

// event reads the event at pos, opening its segment when needed.
func (s *LogSource) event() ([]byte, error) {
	if s.r == nil || s.rOffset != s.pos {
		if err := s.seek(); err != nil {
			return nil, err
		}
	}
	ev, err := s.r.next()
	if err == nil && ev == nil { // the segment ended: the next one starts here
		s.r.f.Close()
		s.r = nil
		if err = s.seek(); err == nil {
			ev, err = s.r.next()
		}
	}
	if err == nil && ev == nil {
		err = lakegate.Errorf(lakegate.EINTERNAL, "events log %s: event %d is missing", s.log.dir, s.pos)
	}
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "events log %s cannot be read", s.log.dir)
	}
	s.rOffset++
	return ev, nil
}

// seek opens the segment holding pos and skips to it.
func (s *LogSource) seek() error {
	if s.r != nil {
		s.r.f.Close()
		s.r = nil
	}
	segs, err := segments(s.log.dir)
	if err != nil {
		return err
	}
	first := int64(-1)
	for _, f := range segs {
		if f <= s.pos {
			first = f
		}
	}
	if first < 0 {
		return lakegate.Errorf(lakegate.EINTERNAL, "events log %s has no segment holding event %d", s.log.dir, s.pos)
	}
	f, err := os.Open(segPath(s.log.dir, first))
	if err != nil {
		return err
	}
	s.r, s.rOffset = &frameReader{f: f}, first
	for s.rOffset < s.pos {
		ev, err := s.r.next()
		if err != nil || ev == nil {
			return lakegate.Errorf(lakegate.EINTERNAL, "events log %s: event %d is missing", s.log.dir, s.pos)
		}
		s.rOffset++
	}
	return nil
}

// Done removes the landed segments, or rewinds to the catalog's position.
func (s *LogSource) Done(ctx context.Context, landed bool) error {
	if landed {
		s.log.removeBelow(s.pos)
		return nil
	}
	return s.rewind(ctx)
}

// rewind starts over at the catalog's position (or the log's oldest
// event when nothing landed yet). A position past the log's end means the
// log lost events the catalog holds as landed (its folder was replaced
// while segments remained): new events would take landed offsets and
// never land, so the source refuses to go on.
func (s *LogSource) rewind(ctx context.Context) error {
	pos, err := s.positions(ctx)
	if err != nil {
		return err
	}
	next, ok := pos[0]
	if segs, _ := segments(s.log.dir); !ok && len(segs) > 0 {
		next = segs[0]
	}
	if end := s.log.durable.Load(); next > end {
		return lakegate.Errorf(lakegate.ECONFLICT, "events log %s ends at event %d but the catalog has landed its stream %s up to %d: "+
			"the log's folder was replaced or cut; restore it, or move it away (a log opened afresh numbers its events after what landed)",
			s.log.dir, end, s.Stream(), next)
	}
	s.pos, s.started = next, true
	if s.r != nil {
		s.r.f.Close()
		s.r = nil
	}
	return nil
}

// Close closes the reader (not the log).
func (s *LogSource) Close() error {
	if s.r != nil {
		s.r.f.Close()
	}
	return nil
}
