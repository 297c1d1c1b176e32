// Command kafka measures freshness: how long a record takes from being
// acknowledged by Kafka to being queryable (its micro-batch committed in
// the catalog), with `lakegate ingest kafka --follow --trigger T` running.
//
//	go run ./bench/kafka -brokers B -topic T -input FILE.ndjson -rate 2000 -duration 60s -- LAKEGATE ARGS...
//
// It produces the file's records at -rate per second for -duration (acks
// all), notes each record's acknowledgement time by (partition, offset),
// reads the ingest's "batch ...; offsets p:from-next" lines as they come
// (the commit time), and prints p50/p90/p99/max of commit - ack.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/lakegate/lakegate/internal/kafkatest"
)

type key struct {
	p   int32
	off int64
}

type clock struct {
	mu     sync.Mutex
	acked  map[key]time.Time
	landed map[key]time.Time
}

func main() {
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka brokers")
	topic := flag.String("topic", "", "topic (the ingest's)")
	input := flag.String("input", "", "NDJSON records to send")
	rate := flag.Int("rate", 2000, "records per second")
	dur := flag.Duration("duration", 60*time.Second, "how long to produce")
	create := flag.Int("create", 0, "create the topic with this many partitions and exit")
	flag.Parse()
	if *create > 0 {
		createTopic(*brokers, *topic, int32(*create))
		return
	}
	if *topic == "" || *input == "" || flag.NArg() == 0 {
		log.Fatal("usage: kafka -topic T -input FILE -- LAKEGATE ARGS...")
	}
	recs := readLines(*input)
	c := &clock{acked: map[key]time.Time{}, landed: map[key]time.Time{}}
	ingest := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	stderr, _ := ingest.StderrPipe()
	if err := ingest.Start(); err != nil {
		log.Fatal(err)
	}
	done := make(chan struct{})
	go c.readBatches(stderr, done)
	time.Sleep(3 * time.Second) // the ingest is up and caught up
	sent := produce(*brokers, *topic, recs, *rate, *dur, c)
	deadline := time.Now().Add(60 * time.Second)
	for c.count() < sent && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	ingest.Process.Signal(os.Interrupt)
	ingest.Wait()
	<-done
	c.report(sent)
}

func createTopic(brokers, topic string, partitions int32) {
	if err := kafkatest.Create(brokers, topic, partitions); err != nil {
		log.Fatal(err)
	}
}

func readLines(file string) [][]byte {
	data, err := os.ReadFile(file)
	if err != nil {
		log.Fatal(err)
	}
	var out [][]byte
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, []byte(l))
		}
	}
	return out
}

// produce sends at the rate in 100 ms ticks and notes each ack.
func produce(brokers, topic string, recs [][]byte, rate int, dur time.Duration, c *clock) int {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers), kgo.DefaultProduceTopic(topic), kgo.RequiredAcks(kgo.AllISRAcks()))
	if err != nil {
		log.Fatal(err)
	}
	defer cl.Close()
	per := max(1, rate/10)
	var wg sync.WaitGroup
	n := 0
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for end := time.Now().Add(dur); time.Now().Before(end); <-tick.C {
		for range per {
			wg.Add(1)
			cl.Produce(context.Background(), &kgo.Record{Value: recs[n%len(recs)]}, func(r *kgo.Record, err error) {
				defer wg.Done()
				if err != nil {
					log.Fatal(err)
				}
				c.mu.Lock()
				c.acked[key{r.Partition, r.Offset}] = time.Now()
				c.mu.Unlock()
			})
			n++
		}
	}
	wg.Wait()
	return n
}

var batchRE = regexp.MustCompile(`^batch \S+: .*; offsets (.*)$`)

// readBatches notes the commit time of every offset of every batch line.
func (c *clock) readBatches(r interface{ Read([]byte) (int, error) }, done chan<- struct{}) {
	defer close(done)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := batchRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		now := time.Now()
		c.mu.Lock()
		for _, f := range strings.Fields(m[1]) {
			p, from, next := parseRange(f)
			for off := from; off < next; off++ {
				c.landed[key{p, off}] = now
			}
		}
		c.mu.Unlock()
	}
}

func parseRange(f string) (int32, int64, int64) {
	p, rng, _ := strings.Cut(f, ":")
	a, b, _ := strings.Cut(rng, "-")
	pi, _ := strconv.Atoi(p)
	from, _ := strconv.ParseInt(a, 10, 64)
	next, _ := strconv.ParseInt(b, 10, 64)
	return int32(pi), from, next
}

func (c *clock) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k := range c.acked {
		if _, ok := c.landed[k]; ok {
			n++
		}
	}
	return n
}

func (c *clock) report(sent int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var lat []time.Duration
	for k, at := range c.acked {
		if l, ok := c.landed[k]; ok {
			lat = append(lat, l.Sub(at))
		}
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		log.Fatal("nothing landed")
	}
	q := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(time.Millisecond)
	}
	fmt.Printf("records sent %d, landed %d\nfreshness (ack -> committed): p50 %s  p90 %s  p99 %s  max %s\n",
		sent, len(lat), q(0.50), q(0.90), q(0.99), lat[len(lat)-1].Round(time.Millisecond))
}
