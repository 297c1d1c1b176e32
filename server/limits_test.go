package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/server"
)

// slowSQL counts a trillion generated rows: minutes of work (ten billion
// take DuckDB only about 2 s here).
const slowSQL = "SELECT count(*) FROM range(1000000000000)"

// errorOf decodes an error answer.
func errorOf(t *testing.T, rec *httptest.ResponseRecorder) (code, msg, queryID string) {
	t.Helper()
	var b struct {
		Error   struct{ Code, Message string } `json:"error"`
		QueryID string                         `json:"query_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil {
		t.Fatalf("not JSON: %v: %s", err, rec.Body)
	}
	return b.Error.Code, b.Error.Message, b.QueryID
}

func TestRequestTimeout(t *testing.T) {
	f := newFixture(t, server.Options{Timeout: 2 * time.Second})
	for _, c := range []struct {
		name, target, ctype, body string
		status                    int
		want                      string // in the message
	}{
		{"body timeout_ms", "/v1/query", "application/json", `{"sql": "` + slowSQL + `", "timeout_ms": 300}`, 504, "ran past its 300ms deadline (timeout_ms); narrow it (filter on ingest_date, add LIMIT) or ask for a longer timeout_ms (at most 2s)"},
		{"query duration", "/v1/query?timeout=300ms", "text/plain", slowSQL, 504, "ran past its 300ms deadline (timeout)"},
		{"query milliseconds", "/v1/query?timeout=300", "text/plain", slowSQL, 504, "ran past its 300ms deadline (timeout)"},
		{"get route", "/v1/query.csv?timeout=300ms&sql=" + urlQuery(slowSQL), "", "", 504, "ran past its 300ms deadline (timeout)"},
		{"longer is capped", "/v1/query?timeout=1h", "text/plain", slowSQL, 504, "ran past its 2s deadline (query_timeout); narrow it (filter on ingest_date, add LIMIT) or raise query_timeout"},
		{"longer timeout_ms is capped", "/v1/query", "application/json", `{"sql": "` + slowSQL + `", "timeout_ms": 99999999999999}`, 504, "ran past its 2s deadline (query_timeout)"},
		{"shorter, fast query", "/v1/query?timeout=5s", "text/plain", "SELECT 1", 200, ""},
		{"bad duration", "/v1/query?timeout=soon", "text/plain", "SELECT 1", 400, `bad timeout "soon": send a positive Go duration such as 5s or 500ms, or whole milliseconds such as 1500 (at most 2s)`},
		{"zero", "/v1/query?timeout=0", "text/plain", "SELECT 1", 400, `bad timeout "0"`},
		{"negative duration", "/v1/query?timeout=-1s", "text/plain", "SELECT 1", 400, `bad timeout "-1s"`},
		{"negative timeout_ms", "/v1/query", "application/json", `{"sql": "SELECT 1", "timeout_ms": -5}`, 400, "bad timeout_ms -5: send a positive number of milliseconds (at most 2000)"},
		{"timeout_ms as text", "/v1/query", "application/json", `{"sql": "SELECT 1", "timeout_ms": "5s"}`, 400, `field "timeout_ms" must be a whole number of milliseconds, not a string`},
	} {
		t.Run(c.name, func(t *testing.T) {
			method := "POST"
			if c.body == "" {
				method = "GET"
			}
			start := time.Now()
			rec := f.do(t, method, c.target, c.ctype, c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if d := time.Since(start); c.status == 504 && d > 5*time.Second {
				t.Errorf("answered after %v", d)
			}
			if c.status == 200 {
				return
			}
			_, msg, qid := errorOf(t, rec)
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q lacks %q", msg, c.want)
			}
			if qid == "" || qid != rec.Header().Get("X-Query-Id") {
				t.Errorf("query_id %q, header %q", qid, rec.Header().Get("X-Query-Id"))
			}
		})
	}
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 42 AS n")
	if rec.Code != 200 {
		t.Errorf("after the timeouts: %d %s", rec.Code, rec.Body)
	}
	if a, q := server.Slots(f.srv); a != 0 || q != 0 {
		t.Errorf("slots still held: %d running, %d queued", a, q)
	}
	rec = f.do(t, "POST", "/v1/query?timeout=x", "text/plain", "SELECT 1")
	golden(t, "error_bad_timeout", rec.Body.Bytes())
	rec = f.do(t, "POST", "/v1/query", "application/json", `{"sql": "SELECT 1", "timeout_ms": 0}`)
	golden(t, "error_bad_timeout_ms", rec.Body.Bytes())
}

// background runs a request until ctx ends; the returned channel yields
// its response.
func background(t *testing.T, ctx context.Context, f *fixture, target, body string, header ...string) <-chan *httptest.ResponseRecorder {
	t.Helper()
	out := make(chan *httptest.ResponseRecorder, 1)
	req := httptest.NewRequest("POST", target, strings.NewReader(body)).WithContext(ctx)
	req.Header.Set("Content-Type", "text/plain")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	go func() {
		rec := httptest.NewRecorder()
		f.srv.Handler().ServeHTTP(rec, req)
		out <- rec
	}()
	return out
}

// waitSlots waits until the limiter shows active running and queued
// waiting queries.
func waitSlots(t *testing.T, srv *server.Server, active, queued int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		a, q := server.Slots(srv)
		if a == active && q == queued {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("slots: %d running, %d queued; want %d and %d", a, q, active, queued)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBusy(t *testing.T) {
	f := newFixture(t, server.Options{MaxConcurrent: 1, MaxQueued: 0})
	ctx, cancel := context.WithCancel(context.Background())
	slow := background(t, ctx, f, "/v1/query", slowSQL)
	waitSlots(t, f.srv, 1, 0)
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429: %s", rec.Code, rec.Body)
	}
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	golden(t, "error_busy", rec.Body.Bytes())
	cancel()
	if rec := <-slow; rec.Code != server.StatusClientClosed {
		t.Errorf("slow query: %d %s", rec.Code, rec.Body)
	}
	waitSlots(t, f.srv, 0, 0)
	if rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1"); rec.Code != 200 {
		t.Errorf("after the slot freed: %d %s", rec.Code, rec.Body)
	}
}

func TestQueue(t *testing.T) {
	f := newFixture(t, server.Options{MaxConcurrent: 1, MaxQueued: 1, QueueWait: 300 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := background(t, ctx, f, "/v1/query", slowSQL)
	waitSlots(t, f.srv, 1, 0)

	t.Run("wait expires", func(t *testing.T) {
		start := time.Now()
		rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1")
		if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("status %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
		}
		if d := time.Since(start); d < 300*time.Millisecond {
			t.Errorf("gave up after %v, before queue_wait", d)
		}
		golden(t, "error_queue_wait", rec.Body.Bytes())
		waitSlots(t, f.srv, 1, 0)
	})
	t.Run("queue full", func(t *testing.T) {
		qctx, qcancel := context.WithCancel(context.Background())
		waiting := background(t, qctx, f, "/v1/query", "SELECT 1")
		waitSlots(t, f.srv, 1, 1)
		rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 2")
		if _, msg, _ := errorOf(t, rec); rec.Code != 429 || !strings.Contains(msg, "1 waiting, the most allowed") {
			t.Errorf("status %d: %s", rec.Code, rec.Body)
		}
		qcancel() // the client of the queued query goes away
		if rec := <-waiting; rec.Code != server.StatusClientClosed {
			t.Errorf("queued query whose client left: %d %s", rec.Code, rec.Body)
		}
		waitSlots(t, f.srv, 1, 0)
	})
	cancel()
	<-slow
	waitSlots(t, f.srv, 0, 0)
}

// TestQueueAdmits: a queued query runs as soon as the slot frees.
func TestQueueAdmits(t *testing.T) {
	f := newFixture(t, server.Options{MaxConcurrent: 1, MaxQueued: 1})
	slow := background(t, context.Background(), f, "/v1/query?timeout=300ms", slowSQL)
	waitSlots(t, f.srv, 1, 0)
	start := time.Now()
	waiting := background(t, context.Background(), f, "/v1/query", "SELECT 1")
	waitSlots(t, f.srv, 1, 1)
	if rec := <-waiting; rec.Code != 200 {
		t.Errorf("queued query: %d %s", rec.Code, rec.Body)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("the queued query ran after %v, before the slot freed", d)
	}
	if rec := <-slow; rec.Code != 504 {
		t.Errorf("slow query: %d %s", rec.Code, rec.Body)
	}
	waitSlots(t, f.srv, 0, 0)
}

func TestPerUserLimit(t *testing.T) {
	f := newFixture(t, server.Options{MaxConcurrent: 4, MaxConcurrentPerUser: 1, MaxQueued: 0})
	server.UseTestUsers(f.srv)
	ctx, cancel := context.WithCancel(context.Background())
	slow := background(t, ctx, f, "/v1/query", slowSQL, "X-Test-User", "alice")
	waitSlots(t, f.srv, 1, 0)
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1", "X-Test-User", "alice")
	if _, msg, _ := errorOf(t, rec); rec.Code != 429 || !strings.Contains(msg, "1 queries running (1 yours)") {
		t.Errorf("alice's second query: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1", "X-Test-User", "bob"); rec.Code != 200 {
		t.Errorf("bob's query: %d %s", rec.Code, rec.Body)
	}
	cancel()
	<-slow
	waitSlots(t, f.srv, 0, 0)
}

// TestClientGoneFreesSlot: a client that disconnects mid-query cancels it
// (499) and its slot serves the next query at once.
func TestClientGoneFreesSlot(t *testing.T) {
	f := newFixture(t, server.Options{MaxConcurrent: 1, MaxQueued: 0})
	ctx, cancel := context.WithCancel(context.Background())
	slow := background(t, ctx, f, "/v1/query", slowSQL)
	waitSlots(t, f.srv, 1, 0)
	time.Sleep(100 * time.Millisecond) // let the engine start
	cancel()
	if rec := <-slow; rec.Code != server.StatusClientClosed {
		t.Errorf("status %d, want %d", rec.Code, server.StatusClientClosed)
	}
	if a, q := server.Slots(f.srv); a != 0 || q != 0 {
		t.Errorf("after the client left: %d running, %d queued", a, q)
	}
	if rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1"); rec.Code != 200 {
		t.Errorf("next query: %d %s", rec.Code, rec.Body)
	}
}

// hugeListSQL builds one 50-million-element list, an aggregate state
// DuckDB cannot spill: under a 64MB memory_limit it fails in milliseconds
// (a big GROUP BY would spill to disk and succeed instead).
const hugeListSQL = "SELECT length(list(range)) FROM range(50000000)"

func TestOutOfMemory(t *testing.T) {
	l := enginetest.NewLake(t)
	l.Land(t, "assessments", "attempts", "2026-01-02", enginetest.Attempts["2026-01-02"])
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: l.Catalog, Store: l.Store, LakeDir: l.Dir, Threads: 2, MemoryLimit: "64MB"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{lake: l, logs: &bytes.Buffer{}}
	f.srv = server.New(server.Options{Auth: server.AuthOptions{None: true}, Engine: db, Catalog: l.Catalog, Logger: slog.New(slog.NewJSONHandler(f.logs, nil))})
	for range 2 {
		rec := f.do(t, "POST", "/v1/query", "text/plain", hugeListSQL)
		code, msg, qid := errorOf(t, rec)
		if rec.Code != http.StatusInsufficientStorage || code != "out_of_memory" || qid == "" {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if !strings.HasPrefix(msg, "the query needs more memory than memory_limit allows: failed to allocate") || !strings.HasSuffix(msg, "; add filters or raise memory_limit") {
			t.Errorf("message %q", msg)
		}
		if rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT count(*) FROM assessments.attempts"); rec.Code != 200 {
			t.Errorf("after running out of memory: %d %s", rec.Code, rec.Body)
		}
	}
	if a, q := server.Slots(f.srv); a != 0 || q != 0 {
		t.Errorf("slots still held: %d running, %d queued", a, q)
	}
}
