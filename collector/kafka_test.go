package collector

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/kafkatest"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate"
)

func openKafka(t *testing.T, brokers string, opt KafkaOptions) *Kafka {
	t.Helper()
	k, err := OpenKafka(strings.Split(brokers, ","), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

// Appends from concurrent requests are all in the topic, as sent, once
// Append returns nil (acks=all); kcat reads them back.
func TestKafkaAppendLands(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 3)
	log := openKafka(t, brokers, KafkaOptions{}).Topic(topic)
	var want []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 5 {
		wg.Go(func() {
			var evs [][]byte
			for i := range 20 {
				evs = append(evs, fmt.Appendf(nil, `{"event_type":"click","g":%d,"i":%d}`, g, i))
			}
			if err := log.Append(context.Background(), evs); err != nil {
				t.Error(err)
			}
			mu.Lock()
			for _, e := range evs {
				want = append(want, string(e))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(want)
	if got := kafkatest.Read(t, brokers, topic); !slices.Equal(got, want) {
		t.Fatalf("the topic holds %d messages, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

// An event larger than Kafka takes is ETOOLARGE (413), not a broker
// failure; the events beside it in the Append may land.
func TestKafkaTooLarge(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 1)
	log := openKafka(t, brokers, KafkaOptions{}).Topic(topic)
	big := []byte(`{"event_type":"x","pad":"` + strings.Repeat("a", 2<<20) + `"}`)
	err := log.Append(context.Background(), [][]byte{big})
	if lakegate.ErrorCode(err) != lakegate.ETOOLARGE || !strings.Contains(err.Error(), topic) {
		t.Fatalf("a 2 MiB event: %v", err)
	}
}

// Brokers that cannot be reached: EUNAVAILABLE naming them once the
// delivery timeout passes; meanwhile the bytes waiting are bounded, so a
// further Append is EBUSY at once, whole; a request that ends first gets
// its context's error.
func TestKafkaUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close() // nothing listens there now
	log := openKafka(t, dead, KafkaOptions{MaxBuffered: 1000, DeliveryTimeout: 2 * time.Second}).Topic("events")
	first := make(chan error, 1)
	go func() { first <- log.Append(context.Background(), [][]byte{make([]byte, 800)}) }()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := log.Append(context.Background(), [][]byte{make([]byte, 300)}); lakegate.ErrorCode(err) != lakegate.EBUSY {
		t.Errorf("over the bound: %v", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("EBUSY took %s", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := log.Append(ctx, [][]byte{[]byte(`{}`)}); lakegate.ErrorCode(err) != lakegate.ETIMEOUT {
		t.Errorf("a request that ends: %v", err)
	}
	select {
	case err := <-first:
		if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE || !strings.Contains(err.Error(), dead) {
			t.Errorf("unreachable: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Append waited past the delivery timeout")
	}
}

func TestKafkaNeedsBrokers(t *testing.T) {
	if _, err := OpenKafka([]string{" ", ""}, KafkaOptions{}); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Fatalf("no brokers: %v", err)
	}
}

// The producer is idempotent and waits for every in-sync replica, so a
// retried batch is never written twice and a 202 survives a leader's loss.
func TestKafkaProducerSettings(t *testing.T) {
	k := openKafka(t, "127.0.0.1:9", KafkaOptions{})
	if acks := k.cl.OptValue(kgo.RequiredAcks); acks != kgo.AllISRAcks() {
		t.Errorf("acks %v, want all", acks)
	}
	if off := k.cl.OptValue(kgo.DisableIdempotentWrite); off != false {
		t.Errorf("idempotent writes disabled: %v", off)
	}
}
