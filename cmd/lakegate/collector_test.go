package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lakegate/lakegate/internal/kafkatest"

	"github.com/lakegate/lakegate/landing"
)

// freeAddr is a loopback address free now, for a server restarted on it.
func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// senders post events {"event_type":"click","id":N} from 4 clients until
// stop closes, and remember the ids answered 202 (durable).
type senders struct {
	url   string
	next  atomic.Int64
	mu    sync.Mutex
	acked map[int64]bool
	wg    sync.WaitGroup
}

func startSenders(url string, stop <-chan struct{}) *senders {
	s := &senders{url: url, acked: map[int64]bool{}}
	cl := &http.Client{Timeout: 5 * time.Second}
	for range 4 {
		s.wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.send(cl)
			}
		})
	}
	return s
}

// send posts a batch of 10 events as NDJSON.
func (s *senders) send(cl *http.Client) {
	var body bytes.Buffer
	ids := make([]int64, 10)
	for i := range ids {
		ids[i] = s.next.Add(1)
		fmt.Fprintf(&body, `{"event_type":"click","id":%d}`+"\n", ids[i])
	}
	res, err := cl.Post(s.url+"/v1/events/web", "application/x-ndjson", &body)
	if err != nil {
		time.Sleep(50 * time.Millisecond) // the server is down
		return
	}
	res.Body.Close()
	if res.StatusCode == http.StatusAccepted {
		s.mu.Lock()
		for _, id := range ids {
			s.acked[id] = true
		}
		s.mu.Unlock()
	}
}

// killLoop runs the server with args, kills it with SIGKILL at random
// times five times while the senders send, then starts it once more and
// returns its stopper.
func killLoop(t *testing.T, bin string, args []string) (*senders, func()) {
	t.Helper()
	addr := freeAddr(t)
	args = append(args, "--addr", addr, "--auth", "none")
	stop := make(chan struct{})
	s := startSenders("http://"+addr, stop)
	for kills := 0; kills < 5; {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(1500+rand.IntN(2000)) * time.Millisecond)
		if cmd.Process.Kill() == nil {
			kills++
		}
		cmd.Wait()
	}
	final := exec.Command(bin, args...)
	if err := final.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	close(stop)
	s.wg.Wait()
	return s, func() { final.Process.Signal(syscall.SIGTERM); final.Wait() }
}

// landedOnce waits until every acknowledged id is in events.click, then
// checks that no id landed twice.
func landedOnce(t *testing.T, lake string, s *senders) {
	t.Helper()
	if len(s.acked) < 100 {
		t.Fatalf("only %d events were acknowledged", len(s.acked))
	}
	deadline := time.Now().Add(90 * time.Second)
	var out string
	for time.Now().Before(deadline) {
		out = mustRun(t, "query", "--lake", lake, "--format", "csv",
			"SELECT count(*) AS n, count(DISTINCT id) AS d FROM events.click")
		var n, d int
		fmt.Sscanf(strings.TrimPrefix(out, "n,d\n"), "%d,%d", &n, &d)
		if n != d {
			t.Fatalf("events landed twice: %s", out)
		}
		if d >= len(s.acked) && missing(t, lake, s) == 0 {
			t.Logf("%d events acknowledged, all landed once (%d landed in all)", len(s.acked), d)
			return
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("acknowledged events missing after 90 s (%d acknowledged): %s, %d missing", len(s.acked), out, missing(t, lake, s))
}

func missing(t *testing.T, lake string, s *senders) int {
	out := mustRun(t, "query", "--lake", lake, "--format", "csv", "SELECT id FROM events.click")
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n")[1:] {
		have[l] = true
	}
	n := 0
	for id := range s.acked {
		if !have[fmt.Sprint(id)] {
			n++
		}
	}
	return n
}

// TestCollectorKillLocalLog: the collector with its local log is killed
// with -9 five times while clients send; every event answered 202 lands
// exactly once, and no partial file is visible.
func TestCollectorKillLocalLog(t *testing.T) {
	bin := buildLakegate(t)
	lake := filepath.Join(t.TempDir(), "lake")
	s, stop := killLoop(t, bin, []string{"serve", "--lake", lake, "--events-trigger", "500ms"})
	landedOnce(t, lake, s)
	stop()
	root, _ := landing.NewLocal(filepath.Join(lake, "lake"))
	checkVisible(t, root, filepath.Join(lake, "_catalog"), "events")
}

// TestCollectorKillKafka: the collector sending to Kafka is killed with -9
// five times while clients send; `lakegate ingest kafka --format events`
// then lands every event answered 202 exactly once.
func TestCollectorKillKafka(t *testing.T) {
	brokers, topic := kafkatest.Topic(t, 2)
	bin := buildLakegate(t)
	lake := filepath.Join(t.TempDir(), "lake")
	s, stop := killLoop(t, bin, []string{"serve", "--lake", lake, "--kafka-brokers", brokers, "--events-topic", topic})
	stop()
	mustRun(t, "ingest", "kafka", "--format", "events", "--brokers", brokers, "--topic", topic, "--lake", lake)
	landedOnce(t, lake, s)
}
