package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/collector"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/tenancy"
)

// eventLogs is where a serving gateway puts collected events. With
// kafka_brokers: the topic events_topic (events_topic.TENANT for other
// tenants), landed by `lakegate ingest kafka --format events`. Without:
// a local write-ahead log per tenant under events_dir, which this process
// lands itself, one micro-batch per events_trigger, into the tenant's
// events database.
type eventLogs struct {
	s      *stack
	ctx    context.Context // the server's, or until Close: landers stop with it
	cancel context.CancelFunc
	kafka  *collector.Kafka
	dir    string

	mu   sync.Mutex
	logs map[string]*collector.Log
	wg   sync.WaitGroup
}

// openEventLogs sets up the collector's logs; with a local log it starts
// landing what earlier runs left in every tenant's log.
func (s *stack) openEventLogs(ctx context.Context) (*eventLogs, error) {
	ctx, cancel := context.WithCancel(ctx)
	e := &eventLogs{s: s, ctx: ctx, cancel: cancel, logs: map[string]*collector.Log{}}
	if s.cfg.KafkaBrokers != "" {
		k, err := collector.OpenKafka(strings.Split(s.cfg.KafkaBrokers, ","), collector.KafkaOptions{})
		if err != nil {
			cancel()
			return nil, err
		}
		e.kafka = k
		return e, nil
	}
	e.dir = s.cfg.EventsDir
	if e.dir == "" && !strings.Contains(s.cfg.Lake, "://") {
		e.dir = filepath.Join(s.cfg.Lake, "_events")
	}
	entries, _ := os.ReadDir(e.dir)
	for _, d := range entries {
		if d.IsDir() && lakegate.ValidTenant(d.Name()) == nil {
			if _, err := e.get(d.Name()); err != nil {
				s.log.Warn("cannot open a tenant's events log", "tenant", d.Name(), "err", err)
			}
		}
	}
	return e, nil
}

// get is server.EventLogs: the tenant's log, opened (and its lander
// started) on first use.
func (e *eventLogs) get(tenant string) (lakegate.EventLog, error) {
	if e.kafka != nil {
		topic := e.s.cfg.EventsTopic
		if tenant != lakegate.DefaultTenant {
			topic += "." + tenant
		}
		return e.kafka.Topic(topic), nil
	}
	if e.dir == "" {
		return nil, lakegate.Errorf(lakegate.EUNAVAILABLE, "events need a local log: set events_dir (the lake is on HDFS) or kafka_brokers")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if l, ok := e.logs[tenant]; ok {
		return l, nil
	}
	dir := filepath.Join(e.dir, tenant, "events")
	first, err := e.landed(tenant, collector.StreamName(dir))
	if err != nil {
		return nil, err
	}
	l, err := collector.OpenLog(dir, collector.LogOptions{First: first})
	if err != nil {
		return nil, err
	}
	if cut, kept := l.Cut(); cut > 0 {
		e.s.log.Warn("the events log ended in an incomplete event (a crash while writing), which was cut: it was never acknowledged",
			"tenant", tenant, "bytes", cut, "kept_in", kept)
	}
	e.logs[tenant] = l
	e.wg.Go(func() { e.land(tenant, l) })
	return l, nil
}

// landed is how far the tenant's log has landed: a log folder opened
// afresh numbers its events from there (collector.LogOptions.First).
func (e *eventLogs) landed(tenant, stream string) (int64, error) {
	cat, err := catalog.ForTenant(e.s.shared, tenant)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()
	offs, err := cat.Offsets(ctx, stream)
	if err != nil {
		return 0, err
	}
	for _, o := range offs {
		if o.Partition == 0 {
			return o.Next, nil
		}
	}
	return 0, nil
}

// land runs the tenant's micro-batcher until the server stops (landing
// what it read first); a failure is logged and retried after a pause.
func (e *eventLogs) land(tenant string, l *collector.Log) {
	for e.ctx.Err() == nil {
		err := e.landOnce(tenant, l)
		if err == nil || e.ctx.Err() != nil {
			return
		}
		e.s.log.Error("landing collected events failed; retrying in 10s", "tenant", tenant, "err", err)
		select {
		case <-e.ctx.Done():
		case <-time.After(10 * time.Second):
		}
	}
}

func (e *eventLogs) landOnce(tenant string, l *collector.Log) error {
	store, err := tenancy.Store(e.s.root, tenant)
	if err != nil {
		return err
	}
	cat, err := catalog.ForTenant(e.s.shared, tenant)
	if err != nil {
		return err
	}
	src := collector.NewLogSource(l, positions(cat, l.Stream()))
	defer src.Close()
	_, err = ingest.Stream(e.ctx, ingest.StreamOptions{
		Options: ingest.Options{Store: store, Catalog: cat, Logger: e.s.log},
		Source:  src, Format: ingest.FormatEvents, Follow: true, Trigger: e.s.cfg.EventsTrigger,
		EventTypeField: e.s.cfg.EventTypeField,
	})
	return err
}

// Close stops the landers (each lands what it read), waits for them, and
// closes the logs and the producer.
func (e *eventLogs) Close() {
	e.cancel()
	e.wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.logs {
		l.Close()
	}
	if e.kafka != nil {
		e.kafka.Close()
	}
}

// eventHeaders splits event_headers.
func eventHeaders(v string) []string {
	var out []string
	for _, h := range strings.Split(v, ",") {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	return out
}
