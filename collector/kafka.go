package collector

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate"
)

// Kafka sends events to a topic with an idempotent producer that waits
// for every in-sync replica (acks=all): Append returns once Kafka has them.
type Kafka struct {
	cl      *kgo.Client
	brokers string
}

// OpenKafka connects a producer to the brokers; maxBuffered bounds the
// bytes waiting for acknowledgement (beyond: EBUSY). Connection errors
// show at the first Append.
func OpenKafka(brokers []string, maxBuffered int64) (*Kafka, error) {
	if maxBuffered <= 0 {
		maxBuffered = DefaultMaxPending
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotent by default with acks=all
		kgo.ProducerLinger(2*time.Millisecond),
		kgo.MaxBufferedBytes(int(maxBuffered)),
		kgo.RecordDeliveryTimeout(15*time.Second),
		kgo.AllowAutoTopicCreation(),
	)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "Kafka producer for %s", strings.Join(brokers, ","))
	}
	return &Kafka{cl: cl, brokers: strings.Join(brokers, ",")}, nil
}

// Topic is an EventLog that sends to one topic of k.
func (k *Kafka) Topic(topic string) lakegate.EventLog { return &kafkaTopic{k: k, topic: topic} }

// Close flushes and closes the producer.
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

// Append sends the events and waits for Kafka's acknowledgement of all.
func (t *kafkaTopic) Append(ctx context.Context, events [][]byte) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for _, ev := range events {
		wg.Add(1)
		t.k.cl.TryProduce(ctx, &kgo.Record{Topic: t.topic, Value: ev}, func(_ *kgo.Record, err error) {
			defer wg.Done()
			if err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return t.k.failure(ctx, t.topic, first)
}

func (k *Kafka) failure(ctx context.Context, topic string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kgo.ErrMaxBuffered):
		return lakegate.Errorf(lakegate.EBUSY, "Kafka has too many events waiting for acknowledgement; retry after a pause")
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "Kafka brokers %s did not acknowledge the events (topic %s)", k.brokers, topic)
}

// Close of one topic's log does nothing: the producer is shared.
func (t *kafkaTopic) Close() error { return nil }
