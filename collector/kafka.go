package collector

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate"
)

// Kafka sends events to topics with one idempotent producer that waits
// for every in-sync replica (acks=all): Append returns once Kafka has
// them. Records have no key: the producer spreads them over the
// partitions (sticky batches), as the seeds' kafka-python did.
type Kafka struct {
	cl          *kgo.Client
	brokers     string
	maxBuffered int64
	buffered    atomic.Int64 // bytes produced and not yet acknowledged
}

// KafkaOptions configure OpenKafka.
type KafkaOptions struct {
	// MaxBuffered bounds the bytes waiting for Kafka's acknowledgement;
	// an Append that would pass it answers EBUSY, whole. Default
	// DefaultMaxPending.
	MaxBuffered int64
	// DeliveryTimeout is how long an event may wait for the brokers
	// before Append answers EUNAVAILABLE. Default 15 s.
	DeliveryTimeout time.Duration
}

// OpenKafka makes the producer; EINVALID without brokers. Brokers that
// cannot be reached show at Append (EUNAVAILABLE naming them).
func OpenKafka(brokers []string, opt KafkaOptions) (*Kafka, error) {
	if opt.MaxBuffered <= 0 {
		opt.MaxBuffered = DefaultMaxPending
	}
	if opt.DeliveryTimeout <= 0 {
		opt.DeliveryTimeout = 15 * time.Second
	}
	var seeds []string
	for _, b := range brokers {
		if b = strings.TrimSpace(b); b != "" {
			seeds = append(seeds, b)
		}
	}
	if len(seeds) == 0 {
		return nil, lakegate.Errorf(lakegate.EINVALID, "no Kafka brokers: set kafka_brokers to HOST:PORT,...")
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(seeds...),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotent (the default) needs acks=all
		kgo.ProducerLinger(2*time.Millisecond),
		// Our own bound (buffered) answers EBUSY for a whole Append; the
		// client's are a backstop well above it.
		kgo.MaxBufferedBytes(int(2*opt.MaxBuffered)),
		kgo.MaxBufferedRecords(1<<21),
		kgo.RecordDeliveryTimeout(opt.DeliveryTimeout),
		kgo.AllowAutoTopicCreation(),
	)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "Kafka producer for %s", strings.Join(seeds, ","))
	}
	return &Kafka{cl: cl, brokers: strings.Join(seeds, ","), maxBuffered: opt.MaxBuffered}, nil
}

// Topic is the EventLog that sends to one topic of k. Its Close does
// nothing: the producer is k's, closed by k.Close.
func (k *Kafka) Topic(topic string) lakegate.EventLog { return &kafkaTopic{k: k, topic: topic} }

// Close sends what is buffered (for up to 10 s) and closes the producer.
func (k *Kafka) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	k.cl.Flush(ctx)
	k.cl.Close()
	return nil
}

type kafkaTopic struct {
	k     *Kafka
	topic string
}

var _ lakegate.EventLog = (*kafkaTopic)(nil)

// Append sends the events and waits for Kafka's acknowledgement of all:
// nil only when every one is acknowledged (acks=all). EBUSY, with nothing
// sent, when the producer has too many bytes waiting; ETOOLARGE for an
// event over the broker's or producer's message size; EUNAVAILABLE when
// the brokers did not acknowledge in time; ctx's error when it ends first
// (the events may still land).
func (t *kafkaTopic) Append(ctx context.Context, events [][]byte) error {
	if len(events) == 0 {
		return nil
	}
	var size int64
	for _, ev := range events {
		size += int64(len(ev))
	}
	k := t.k
	if now := k.buffered.Add(size); now > k.maxBuffered && now > size {
		k.buffered.Add(-size)
		return lakegate.Errorf(lakegate.EBUSY, "Kafka has %d bytes of events waiting for acknowledgement; retry after a pause", now-size)
	}
	res := &produced{done: make(chan struct{})}
	res.left.Store(int64(len(events)))
	// Not ctx: the producer fails a whole batch when its first record's
	// context ends, so one client leaving would fail others' events.
	pctx := context.WithoutCancel(ctx)
	for _, ev := range events {
		k.cl.TryProduce(pctx, &kgo.Record{Topic: t.topic, Value: ev}, func(r *kgo.Record, err error) {
			k.buffered.Add(-int64(len(r.Value)))
			res.finish(err)
		})
	}
	select {
	case <-res.done:
		return k.failure(t.topic, res.first.Load())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// produced gathers the acknowledgements of one Append.
type produced struct {
	left  atomic.Int64
	first atomic.Pointer[error]
	done  chan struct{}
}

func (p *produced) finish(err error) {
	if err != nil {
		p.first.CompareAndSwap(nil, &err)
	}
	if p.left.Add(-1) == 0 {
		close(p.done)
	}
}

func (k *Kafka) failure(topic string, errp *error) error {
	if errp == nil {
		return nil
	}
	err := *errp
	switch {
	case errors.Is(err, kgo.ErrMaxBuffered):
		return lakegate.Errorf(lakegate.EBUSY, "Kafka has too many events waiting for acknowledgement; retry after a pause")
	case errors.Is(err, kerr.MessageTooLarge), errors.Is(err, kerr.RecordListTooLarge):
		return lakegate.Errorf(lakegate.ETOOLARGE, "an event is larger than Kafka takes (topic %s on %s): send smaller events", topic, k.brokers)
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "Kafka brokers %s did not acknowledge the events (topic %s)", k.brokers, topic)
}

// Close of one topic's log does nothing: the producer is shared.
func (t *kafkaTopic) Close() error { return nil }
