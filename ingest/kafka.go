package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate"
)

// KafkaOptions configure a KafkaSource.
type KafkaOptions struct {
	Brokers []string
	Topic   string
	// Group, when set, shares the topic's partitions among the processes
	// of the group (Kafka's consumer group protocol); empty: this process
	// reads every partition.
	Group string
	// Follow keeps reading new messages; otherwise the source ends
	// (io.EOF) at the end offsets seen when it opened.
	Follow    bool
	Positions Positions // the catalog's offsets of the stream
	Logger    *slog.Logger
}

// KafkaSource reads a Kafka topic for the micro-batcher (franz-go). It
// starts every partition it takes on at the catalog's position, never at
// the group's committed offsets, and holds off rebalances while a batch is
// open (BlockRebalanceOnPoll), so a partition changes hands only between
// batches. The catalog's compare-and-set on offsets is the last guard: a
// batch that lost its partitions anyway fails to commit and is dropped.
type KafkaSource struct {
	opt KafkaOptions
	cl  *kgo.Client
	adm *kadm.Client

	mu     sync.Mutex
	owned  map[int32]bool  // partitions this source reads now
	next   map[int32]int64 // per owned partition: the next offset to deliver
	starts map[int32]int64 // log start offsets when opened
	ends   map[int32]int64 // end offsets when opened (the bound without Follow)
	polled bool            // a batch is open: rebalances wait for Done
}

var _ Source = (*KafkaSource)(nil)

// OpenKafka connects to the brokers and checks the topic. EINVALID without
// brokers or topic, ENOTFOUND for a missing topic, EUNAVAILABLE when the
// brokers cannot be reached.
func OpenKafka(ctx context.Context, opt KafkaOptions) (*KafkaSource, error) {
	if len(opt.Brokers) == 0 || opt.Topic == "" {
		return nil, lakegate.Errorf(lakegate.EINVALID, "a Kafka source needs --brokers and --topic")
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	k := &KafkaSource{opt: opt, owned: map[int32]bool{}, next: map[int32]int64{}}
	if err := k.bounds(ctx); err != nil {
		return nil, err
	}
	cl, err := kgo.NewClient(k.clientOpts()...)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "Kafka client for %s", strings.Join(opt.Brokers, ","))
	}
	k.cl = cl
	return k, nil
}

// bounds reads the topic's partitions with their start and end offsets.
func (k *KafkaSource) bounds(ctx context.Context) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(k.opt.Brokers...))
	if err != nil {
		return lakegate.Wrap(lakegate.EINVALID, err, "Kafka client for %s", strings.Join(k.opt.Brokers, ","))
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	starts, err := adm.ListStartOffsets(ctx, k.opt.Topic)
	if err != nil {
		return k.brokerError(err)
	}
	ends, err := adm.ListEndOffsets(ctx, k.opt.Topic)
	if err != nil {
		return k.brokerError(err)
	}
	if err := ends.Error(); err != nil {
		return k.brokerError(err)
	}
	k.starts, k.ends = offsetsOf(starts), offsetsOf(ends)
	if len(k.ends) == 0 {
		return lakegate.Errorf(lakegate.ENOTFOUND, "Kafka topic %q does not exist on %s; create it, or check --topic", k.opt.Topic, strings.Join(k.opt.Brokers, ","))
	}
	return nil
}

func offsetsOf(l kadm.ListedOffsets) map[int32]int64 {
	out := map[int32]int64{}
	l.Each(func(o kadm.ListedOffset) {
		if o.Err == nil {
			out[o.Partition] = o.Offset
		}
	})
	return out
}

func (k *KafkaSource) brokerError(err error) error {
	if errors.Is(err, context.Canceled) {
		return lakegate.Wrap(lakegate.ECANCELED, err, "reading Kafka topic %q", k.opt.Topic)
	}
	if strings.Contains(err.Error(), "UNKNOWN_TOPIC") {
		return lakegate.Wrap(lakegate.ENOTFOUND, err, "Kafka topic %q does not exist on %s; create it, or check --topic", k.opt.Topic, strings.Join(k.opt.Brokers, ","))
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "Kafka brokers %s cannot be reached (topic %q)", strings.Join(k.opt.Brokers, ","), k.opt.Topic)
}

func (k *KafkaSource) clientOpts() []kgo.Opt {
	opts := []kgo.Opt{
		kgo.SeedBrokers(k.opt.Brokers...),
		kgo.FetchMaxWait(500 * time.Millisecond),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
	}
	if k.opt.Group == "" {
		// Every partition, from the catalog's positions (read now: this
		// process owns them all from the start).
		return append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{k.opt.Topic: k.directOffsets()}))
	}
	return append(opts,
		kgo.ConsumeTopics(k.opt.Topic),
		kgo.ConsumerGroup(k.opt.Group),
		// The group's offsets are for monitoring tools only (the catalog's
		// are the truth): landed batches mark them, and the client commits
		// marks in the background, never blocking a rebalance.
		kgo.AutoCommitMarks(),
		kgo.BlockRebalanceOnPoll(),
		// A killed member's partitions move on after 10 s, not 45.
		kgo.SessionTimeout(10*time.Second),
		kgo.Balancers(kgo.CooperativeStickyBalancer()),
		kgo.AdjustFetchOffsetsFn(k.assigned),
		kgo.OnPartitionsRevoked(k.revoked),
		kgo.OnPartitionsLost(k.revoked),
	)
}

// directOffsets starts every partition at the catalog's position; errors
// surface at the first Poll (the positions are read again there).
func (k *KafkaSource) directOffsets() map[int32]kgo.Offset {
	pos, err := k.opt.Positions(context.Background())
	if err != nil {
		pos = nil
	}
	out := map[int32]kgo.Offset{}
	for p := range k.ends {
		k.owned[p] = true
		out[p] = k.startAt(p, pos)
	}
	return out
}

// startAt is where partition p starts: the catalog's Next, else the
// partition's first offset (recorded in k.next for the EOF bound).
func (k *KafkaSource) startAt(p int32, pos map[int32]int64) kgo.Offset {
	if n, ok := pos[p]; ok {
		k.next[p] = n
		return kgo.NewOffset().At(n).WithEpoch(-1)
	}
	k.next[p] = k.starts[p]
	return kgo.NewOffset().AtStart()
}

// assigned replaces the group's committed offsets of newly assigned
// partitions by the catalog's.
func (k *KafkaSource) assigned(ctx context.Context, in map[string]map[int32]kgo.Offset) (map[string]map[int32]kgo.Offset, error) {
	pos, err := k.opt.Positions(ctx)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for p := range in[k.opt.Topic] {
		k.owned[p] = true
		in[k.opt.Topic][p] = k.startAt(p, pos)
	}
	k.opt.Logger.Info("kafka partitions assigned", "topic", k.opt.Topic, "partitions", len(in[k.opt.Topic]))
	return in, nil
}

func (k *KafkaSource) revoked(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, p := range lost[k.opt.Topic] {
		delete(k.owned, p)
		delete(k.next, p)
	}
}

// Stream is "kafka:<topic>".
func (k *KafkaSource) Stream() string { return "kafka:" + k.opt.Topic }

// Poll returns the next records; without Follow, io.EOF once every owned
// partition reached the end offset seen at open.
func (k *KafkaSource) Poll(ctx context.Context, maxRecords int, maxBytes int64) ([]Message, error) {
	for {
		if !k.opt.Follow && k.caughtUp() {
			return nil, io.EOF
		}
		pctx, cancel := ctx, context.CancelFunc(func() {})
		if !k.opt.Follow {
			pctx, cancel = context.WithTimeout(ctx, time.Second) // recheck the bound
		}
		fs := k.cl.PollRecords(pctx, maxRecords)
		cancel()
		if err := ctx.Err(); err != nil {
			k.idle()
			return nil, err
		}
		if fs.IsClientClosed() {
			return nil, lakegate.Errorf(lakegate.ECANCELED, "the Kafka source of %q is closed", k.opt.Topic)
		}
		if err := k.fetchError(fs); err != nil {
			return nil, err
		}
		if msgs := k.messages(fs, maxBytes); len(msgs) > 0 {
			return msgs, nil
		}
		k.idle()
	}
}

// idle lets a rebalance through while no message of this batch is held:
// a consumer waiting for messages must not keep another from joining.
func (k *KafkaSource) idle() {
	k.mu.Lock()
	polled := k.polled
	k.mu.Unlock()
	if !polled && k.opt.Group != "" {
		k.cl.AllowRebalance()
	}
}

// fetchError returns the first error that is not a poll's own timeout;
// retriable broker errors are retried by the client and logged here.
func (k *KafkaSource) fetchError(fs kgo.Fetches) error {
	var first error
	fs.EachError(func(t string, p int32, err error) {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return
		}
		k.opt.Logger.Warn("kafka fetch error", "topic", t, "partition", p, "err", err)
		if first == nil && !kerr.IsRetriable(err) {
			first = k.brokerError(err)
		}
	})
	return first
}

func (k *KafkaSource) messages(fs kgo.Fetches, maxBytes int64) []Message {
	var msgs []Message
	k.mu.Lock()
	defer k.mu.Unlock()
	fs.EachRecord(func(r *kgo.Record) {
		msgs = append(msgs, Message{Partition: r.Partition, Offset: r.Offset, Value: r.Value})
		k.next[r.Partition] = r.Offset + 1
	})
	if len(msgs) > 0 {
		k.polled = true
	}
	_ = maxBytes // PollRecords bounds the count; the batcher bounds bytes across polls
	return msgs
}

// caughtUp: every owned partition reached its end offset at open.
func (k *KafkaSource) caughtUp() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.owned) == 0 {
		return k.opt.Group == "" // a group member waits for its assignment
	}
	for p := range k.owned {
		if n, ok := k.next[p]; !ok || n < k.ends[p] {
			return false
		}
	}
	return true
}

// Done lets a held-off rebalance happen; after a failed batch it moves
// every owned partition back to the catalog's position, and after a landed
// one it commits the group's offsets (for monitoring tools only).
func (k *KafkaSource) Done(ctx context.Context, landed bool) error {
	defer k.allow()
	if landed {
		k.mark()
		return nil
	}
	return k.rewind(ctx)
}

// mark marks the owned partitions' positions for the group's autocommit.
func (k *KafkaSource) mark() {
	if k.opt.Group == "" {
		return
	}
	k.mu.Lock()
	set := map[int32]kgo.EpochOffset{}
	for p := range k.owned {
		if n, ok := k.next[p]; ok {
			set[p] = kgo.EpochOffset{Epoch: -1, Offset: n}
		}
	}
	k.mu.Unlock()
	k.cl.MarkCommitOffsets(map[string]map[int32]kgo.EpochOffset{k.opt.Topic: set})
}

// allow lets a rebalance held off since the last poll happen. It is
// called whether or not the poll returned records: a poll canceled by its
// deadline can hold one off too, and leaving the group waits for it.
func (k *KafkaSource) allow() {
	k.mu.Lock()
	k.polled = false
	k.mu.Unlock()
	if k.opt.Group != "" {
		k.cl.AllowRebalance()
	}
}

// rewind sets every owned partition back to the catalog's position.
func (k *KafkaSource) rewind(ctx context.Context) error {
	pos, err := k.opt.Positions(ctx)
	if err != nil {
		return err
	}
	k.mu.Lock()
	set := map[int32]kgo.EpochOffset{}
	for p := range k.owned {
		n, ok := pos[p]
		if !ok {
			n = k.starts[p]
		}
		k.next[p] = n
		set[p] = kgo.EpochOffset{Epoch: -1, Offset: n}
	}
	k.mu.Unlock()
	k.cl.SetOffsets(map[string]map[int32]kgo.EpochOffset{k.opt.Topic: set})
	return nil
}

// Close leaves the group (handing the partitions on at once) and closes
// the connections.
func (k *KafkaSource) Close() error {
	k.allow()
	k.cl.Close()
	return nil
}
