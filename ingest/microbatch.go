package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/lakegate/lakegate"
)

// Stream formats: what the messages are.
const (
	FormatAssessments = "assessments" // nested assessment attempts, flattened as by file ingest
	FormatEvents      = "events"      // web events, one table per event type
)

// StreamOptions configure Stream.
type StreamOptions struct {
	Options
	Source Source
	Format string // FormatAssessments (default) or FormatEvents
	// Follow keeps landing new messages, one micro-batch per Trigger,
	// until ctx ends; otherwise Stream returns once the source ends.
	Follow  bool
	Trigger time.Duration // default 10 s
	// A micro-batch lands early at MaxRecords messages or MaxBytes bytes.
	MaxRecords int   // default 200,000
	MaxBytes   int64 // default 64 MiB
	// MaxMessageBytes rejects a bigger message (into rejects, with its
	// first bytes); default 1 MiB.
	MaxMessageBytes int
	// EventTypeField names the field that routes events (default
	// "event_type").
	EventTypeField string
	// OnBatch, when set, hears about every landed micro-batch.
	OnBatch func(MicroBatch)
}

// MicroBatch reports one landed micro-batch.
type MicroBatch struct {
	ID       string                  `json:"batch"`
	Read     int64                   `json:"read"`
	Landed   int64                   `json:"landed"`
	Rejected int64                   `json:"rejected"`
	Offsets  []lakegate.StreamOffset `json:"offsets"`
	Elapsed  time.Duration           `json:"-"`
}

func (o *StreamOptions) defaults() {
	if o.Format == "" {
		o.Format = FormatAssessments
	}
	if o.Trigger <= 0 {
		o.Trigger = 10 * time.Second
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 200_000
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 64 << 20
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = 1 << 20
	}
	if o.EventTypeField == "" {
		o.EventTypeField = "event_type"
	}
}

// streamer is one Stream run.
type streamer struct {
	opt   StreamOptions
	seen  map[hash128]struct{} // assessments: hashes landed, for dedup as by file ingest
	parts map[int32]string     // source_file per partition
	tick  time.Time            // Follow: when the open micro-batch lands
	// conflicts counts the batches dropped in a row for ECONFLICT.
	conflicts int
}

// maxConflicts is how many batches in a row may be dropped for conflicts
// before the stream stops with the last one's error.
const maxConflicts = 3

// Stream lands a source's messages in micro-batches, exactly once: each
// micro-batch's files, catalog partitions and offsets commit in one catalog
// change, and the source restarts from the catalog's offsets. When ctx ends
// (SIGTERM), the messages already read land before Stream returns nil.
//
// A batch whose offsets another process landed first (ECONFLICT) is
// dropped and the source rewound; poison messages land in rejects. Errors:
// EINVALID for bad options, the source's and the catalog's and store's
// errors otherwise (what committed before stays).
func Stream(ctx context.Context, opt StreamOptions) (Summary, error) {
	start := time.Now()
	sum := Summary{Batches: []string{}, Notes: []string{}, UnknownFields: map[string]int64{}}
	s, err := newStreamer(ctx, opt)
	if err != nil {
		return sum, err
	}
	// The batch's messages, and as much again fetched behind them.
	defer softMemoryLimitPlus(2*s.opt.MaxBytes + clusterMemory(s.opt.ClusterBy) + hashSetBytes(len(s.seen)))()
	for {
		msgs, eof, cerr := s.collect(ctx)
		if len(msgs) > 0 {
			if err := s.landBatch(context.WithoutCancel(ctx), msgs, &sum); err != nil {
				sum.Elapsed = time.Since(start)
				return sum, err
			}
		}
		if eof || (cerr != nil && ctx.Err() != nil) {
			sum.Elapsed = time.Since(start)
			return sum, nil
		}
		if cerr != nil {
			sum.Elapsed = time.Since(start)
			return sum, cerr
		}
	}
}

func newStreamer(ctx context.Context, opt StreamOptions) (*streamer, error) {
	opt.defaults()
	if opt.Source == nil || opt.Store == nil || opt.Catalog == nil {
		return nil, lakegate.Errorf(lakegate.EINVALID, "a stream ingest needs a source, a landing store and a catalog")
	}
	if opt.Format != FormatAssessments && opt.Format != FormatEvents {
		return nil, lakegate.Errorf(lakegate.EINVALID, "stream format %q is not one of %s, %s", opt.Format, FormatAssessments, FormatEvents)
	}
	if err := CheckClusterBy(opt.ClusterBy); err != nil {
		return nil, err
	}
	if opt.Database == "" {
		opt.Database = DefaultDatabase
		if opt.Format == FormatEvents {
			opt.Database = EventsDatabase
		}
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &streamer{opt: opt, parts: map[int32]string{}, tick: time.Now().Add(opt.Trigger)}
	Recover(ctx, opt.Store, opt.Catalog, opt.Logger, opt.Now())
	if opt.Format == FormatAssessments {
		seen, err := loadHashes(ctx, opt.Catalog, opt.Store, opt.Database)
		if err != nil {
			return nil, err
		}
		s.seen = seen
	}
	return s, nil
}

// collect reads one micro-batch: up to the bounds, and with Follow until
// the trigger's tick (a tick without messages moves to the next one).
// eof: the source ended; err: ctx's or the source's error, with the
// messages read before it (which the caller lands).
func (s *streamer) collect(ctx context.Context) (msgs []Message, eof bool, err error) {
	var size int64
	for len(msgs) < s.opt.MaxRecords && size < s.opt.MaxBytes {
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if s.opt.Follow {
			pctx, cancel = context.WithDeadline(ctx, s.tick)
		}
		got, err := s.opt.Source.Poll(pctx, s.opt.MaxRecords-len(msgs), s.opt.MaxBytes-size)
		cancel()
		msgs = append(msgs, got...)
		for _, m := range got {
			size += int64(len(m.Value))
		}
		switch {
		case errors.Is(err, io.EOF):
			return msgs, true, nil
		case err != nil && ctx.Err() != nil:
			return msgs, false, ctx.Err()
		case err != nil && s.opt.Follow && !time.Now().Before(s.tick):
			s.nextTick()
			if len(msgs) > 0 {
				return msgs, false, nil
			}
		case err != nil:
			return msgs, false, err
		}
	}
	if s.opt.Follow {
		s.nextTick()
	}
	return msgs, false, nil
}

// nextTick moves the trigger on by one period, or to now when landing ran
// late (as Spark's processing-time trigger does).
func (s *streamer) nextTick() {
	s.tick = s.tick.Add(s.opt.Trigger)
	if now := time.Now(); s.tick.Before(now) {
		s.tick = now
	}
}

// landBatch lands one micro-batch and tells the source how it went. A
// batch that lost its offsets to another process is dropped, not an error.
func (s *streamer) landBatch(ctx context.Context, msgs []Message, sum *Summary) error {
	start := time.Now()
	offs, err := s.offsets(ctx, msgs)
	var fs fileSummary
	if err == nil {
		fs, err = s.land(ctx, msgs, offs)
	}
	if derr := s.opt.Source.Done(ctx, err == nil); derr != nil && err == nil {
		s.opt.Logger.Warn("the source could not acknowledge a landed batch", "err", derr)
	}
	if lakegate.ErrorCode(err) == lakegate.ECONFLICT && s.conflicts < maxConflicts {
		// Most likely another ingest landed these offsets first: read on
		// from the catalog's. A conflict that persists (a schema the
		// catalog refuses) stops the stream instead of looping.
		s.conflicts++
		s.opt.Logger.Warn("micro-batch dropped: it conflicts with the catalog (another ingest landed its messages first?); reading on from the catalog's offsets", "err", err)
		sum.Notes = append(sum.Notes, lakegate.ErrorMessage(err))
		return nil
	}
	if err != nil {
		return err
	}
	s.conflicts = 0
	fs.files = 0
	addFile(sum, fs)
	sum.MicroBatches++
	mb := MicroBatch{ID: fs.batch, Read: fs.read, Landed: fs.landed, Rejected: fs.rejected, Offsets: offs, Elapsed: time.Since(start)}
	s.opt.Logger.Info("micro-batch landed", "stream", s.opt.Source.Stream(), "batch", mb.ID, "read", mb.Read,
		"landed", mb.Landed, "rejected", mb.Rejected, "elapsed", mb.Elapsed)
	if s.opt.OnBatch != nil {
		s.opt.OnBatch(mb)
	}
	return nil
}

// offsets are what the batch consumed per partition, each starting where
// the catalog says the partition's landed data ends (so a gap left by
// Kafka's retention does not stall the stream). A batch that starts before
// that is stale: another process landed part of it (ECONFLICT).
func (s *streamer) offsets(ctx context.Context, msgs []Message) ([]lakegate.StreamOffset, error) {
	stored, err := s.opt.Catalog.Offsets(ctx, s.opt.Source.Stream())
	if err != nil {
		return nil, err
	}
	next := map[int32]int64{}
	for _, o := range stored {
		next[o.Partition] = o.Next
	}
	var out []lakegate.StreamOffset
	idx := map[int32]int{}
	for _, m := range msgs {
		i, ok := idx[m.Partition]
		if !ok {
			from, has := next[m.Partition]
			if has && m.Offset < from {
				return nil, lakegate.Errorf(lakegate.ECONFLICT, "stream %q partition %d: offset %d was already landed (the catalog is at %d)", s.opt.Source.Stream(), m.Partition, m.Offset, from)
			}
			if !has {
				from = m.Offset
			}
			idx[m.Partition], i = len(out), len(out)
			out = append(out, lakegate.StreamOffset{Stream: s.opt.Source.Stream(), Partition: m.Partition, From: from})
		}
		out[i].Next = m.Offset + 1
	}
	return out, nil
}

// land lands the messages as one batch of the stream's format.
func (s *streamer) land(ctx context.Context, msgs []Message, offs []lakegate.StreamOffset) (fileSummary, error) {
	if s.opt.Format == FormatEvents {
		return s.landEvents(ctx, msgs, offs)
	}
	b := newAssessmentsBatch(ctx, s.opt.Options, s.opt.Source.Stream(), s.opt.Now().UTC(), s.seen)
	b.offsets = offs
	b.startTables()
	_, err := pipeline(ctx, s.messageFeed(msgs), b.sink)
	if terr := b.stopTables(); err == nil {
		err = terr
	}
	if err = b.landMessages(ctx, msgs, err); err != nil {
		return fileSummary{}, err
	}
	for h := range b.seen {
		s.seen[h] = struct{}{}
	}
	b.fs.batch = b.id
	return b.fs, nil
}

// messageFeed hands the messages to the pipeline as records: source_file
// is "kafka:<topic>/<partition>" (or the log's), source_record the offset
// + 1 and source_offset the offset. A message that cannot be a record
// (empty, over MaxMessageBytes) is a damaged span, rejected with why.
func (s *streamer) messageFeed(msgs []Message) feed {
	return func(emit func(span) error) ([]string, error) {
		for _, m := range msgs {
			sp := span{N: m.Offset + 1, Offset: m.Offset, Data: m.Value, Source: s.partName(m.Partition)}
			switch {
			case len(m.Value) > s.opt.MaxMessageBytes:
				sp.Data, sp.Capped = m.Value[:min(len(m.Value), rawCap)], len(m.Value) > rawCap
				sp.Damage = fmt.Sprintf("message of %d bytes is larger than the %d-byte limit", len(m.Value), s.opt.MaxMessageBytes)
			case len(m.Value) == 0:
				sp.Damage = "empty message (no value)"
			}
			if err := emit(sp); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
}

func (s *streamer) partName(p int32) string {
	name, ok := s.parts[p]
	if !ok {
		name = s.opt.Source.Stream() + "/" + strconv.Itoa(int(p))
		s.parts[p] = name
	}
	return name
}

// landMessages lands a micro-batch's written files unless writing them
// failed (err), and removes them if anything failed.
func (b *batch) landMessages(ctx context.Context, msgs []Message, err error) error {
	if err == nil {
		sum, size := messagesChecksum(msgs)
		b.fs.bytes = size
		err = b.land(ctx, sum, size)
	}
	if err != nil {
		b.abort(ctx)
	}
	return err
}

// messagesChecksum is the sha256 of the messages' values (Batch.Checksum)
// and their total size.
func messagesChecksum(msgs []Message) (string, int64) {
	h := sha256.New()
	var n int64
	for _, m := range msgs {
		h.Write(m.Value)
		n += int64(len(m.Value))
	}
	return hex.EncodeToString(h.Sum(nil)), n
}
