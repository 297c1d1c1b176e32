package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/collector"
	"github.com/lakegate/lakegate/server"
)

// memLog is an EventLog in memory that answers fail when set.
type memLog struct {
	mu     sync.Mutex
	events []string
	fail   error
}

func (m *memLog) Append(_ context.Context, evs [][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	for _, e := range evs {
		m.events = append(m.events, string(e))
	}
	return nil
}

func (m *memLog) Close() error { return nil }

func eventsFixture(t *testing.T, log lakegate.EventLog) *fixture {
	return newFixture(t, server.Options{MaxEventBytes: 200, EventHeaders: []string{"Host", "User-Agent", "X-Absent"},
		Events: func(string) (lakegate.EventLog, error) { return log, nil }})
}

func decodeEvents(t *testing.T, raw []string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range raw {
		var m map[string]any
		if err := json.Unmarshal([]byte(e), &m); err != nil {
			t.Fatalf("a logged event is not JSON: %s", e)
		}
		out = append(out, m)
	}
	return out
}

// Each event gets stream, the configured headers (under their own names,
// as the seeds' Flask app merged them) and received_at; numbers stay as
// sent; a GET's query parameters are the event's string fields.
func TestEventsAreCompleted(t *testing.T) {
	log := &memLog{}
	f := eventsFixture(t, log)
	rec := f.do(t, "POST", "/v1/events/game", "application/x-ndjson",
		"{\"event_type\":\"purchase_sword\",\"sword_type\":\"sharp\",\"Host\":\"mine\"}\n\n{\"event_type\":\"join_guild\",\"n\":12345678901234567890}\n", "User-Agent", "ab/2.3")
	if rec.Code != 202 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	golden(t, "events_accepted", rec.Body.Bytes())
	rec = f.do(t, "GET", "/v1/events/pixel?event_type=view&page=home&n=1&tenant=default", "", "")
	if rec.Code != 202 || len(log.events) != 3 {
		t.Fatalf("%d %s, %d events", rec.Code, rec.Body, len(log.events))
	}
	ev := decodeEvents(t, log.events)
	at, err := time.Parse(time.RFC3339Nano, ev[0]["received_at"].(string))
	if err != nil || time.Since(at) > time.Minute || at.Location() != time.UTC {
		t.Errorf("received_at %v: %v", ev[0]["received_at"], err)
	}
	want := map[string]any{"event_type": "purchase_sword", "sword_type": "sharp", "Host": "example.com", "User-Agent": "ab/2.3", "stream": "game"}
	for k, v := range want {
		if ev[0][k] != v {
			t.Errorf("first event: %s = %v, want %v (%v)", k, ev[0][k], v, ev[0])
		}
	}
	if _, ok := ev[0]["X-Absent"]; ok {
		t.Errorf("a header the request lacks became a field: %v", ev[0])
	}
	if !strings.Contains(log.events[1], `"n":12345678901234567890`) || ev[1]["event_type"] != "join_guild" {
		t.Errorf("second event: %s", log.events[1])
	}
	if ev[2]["event_type"] != "view" || ev[2]["page"] != "home" || ev[2]["n"] != "1" || ev[2]["stream"] != "pixel" || ev[2]["tenant"] != nil {
		t.Errorf("the GET's event: %v", ev[2])
	}
}

// Every refusal names what is wrong (the line of a batch) and logs none
// of the body's events; a log that cannot take them now answers 429 or
// 503 with Retry-After.
func TestEventErrors(t *testing.T) {
	log := &memLog{}
	f := eventsFixture(t, log)
	for _, tt := range []struct {
		name, method, target, body string
		status                     int
		want                       string
	}{
		{"events_error_bad_json", "POST", "/v1/events/web", "{\"event_type\":\"a\"}\n\n{oops\n", 400, "line 3: not JSON"},
		{"events_error_not_object", "POST", "/v1/events/web", `[{"event_type":"a"}]`, 400, "line 1: a JSON array, not a JSON object"},
		{"events_error_type", "POST", "/v1/events/web", "{\"event_type\":\"a\"}\n{\"event_type\":7}", 400, "line 2: event_type must be a string, not a number"},
		{"events_error_no_type", "POST", "/v1/events/web", `{"sword_type":"sharp"}`, 400, "line 1: no event_type: every event needs one"},
		{"", "POST", "/v1/events/web", `{"event_type":" "}`, 400, "line 1: event_type is empty"},
		{"", "POST", "/v1/events/web", `{"event_type":null}`, 400, "line 1: event_type is null"},
		{"", "POST", "/v1/events/web", `"purchase_sword"`, 400, "line 1: a JSON string, not a JSON object"},
		{"", "POST", "/v1/events/web", `{"event_type":"a"} {"event_type":"b"}`, 400, "line 1: more than one JSON value"},
		{"events_error_get_no_type", "GET", "/v1/events/web?sword_type=sharp", "", 400, "the query parameters: no event_type"},
		{"events_error_too_large", "POST", "/v1/events/web", `{"x":"` + strings.Repeat("a", 300) + `"}`, 413, "max_event_bytes"},
		{"events_error_stream", "POST", "/v1/events/-bad", `{"event_type":"a"}`, 400, "is not a name"},
		{"", "GET", "/v1/events/" + strings.Repeat("s", 129) + "?event_type=a", "", 400, "is not a name"},
		{"events_error_empty", "POST", "/v1/events/web", "\n", 400, "no events"},
	} {
		rec := f.do(t, tt.method, tt.target, "application/json", tt.body)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s %s %q: %d %s, want %d %q", tt.method, tt.target, tt.body, rec.Code, rec.Body, tt.status, tt.want)
		}
		if tt.name != "" {
			golden(t, tt.name, rec.Body.Bytes())
		}
	}
	if len(log.events) != 0 {
		t.Errorf("refused bodies left events: %v", log.events)
	}
	for code, status := range map[string]int{lakegate.EBUSY: 429, lakegate.EUNAVAILABLE: 503} {
		log.fail = lakegate.Errorf(code, "cannot take events now")
		rec := f.do(t, "POST", "/v1/events/web", "application/json", `{"event_type":"a"}`)
		if rec.Code != status || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q", code, rec.Code, rec.Header().Get("Retry-After"))
		}
		golden(t, "events_error_"+code, rec.Body.Bytes())
	}
}

// Without an events log the routes say so.
func TestEventsOff(t *testing.T) {
	f := newFixture(t, server.Options{})
	rec := f.do(t, "POST", "/v1/events/web", "application/json", `{"event_type":"a"}`)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "does not collect events") {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// Through the real local log: a 202 means the events are in the log,
// read back in order by the micro-batcher's source.
func TestEventsIntoTheLocalLog(t *testing.T) {
	l, err := collector.OpenLog(t.TempDir(), collector.LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f := eventsFixture(t, l)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			body := strings.Repeat(`{"event_type":"click","i":`+string(rune('0'+i))+"}\n", 3)
			if rec := f.do(t, "POST", "/v1/events/web", "application/x-ndjson", body); rec.Code != 202 || !strings.Contains(rec.Body.String(), `"accepted":3`) {
				t.Errorf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	wg.Wait()
	src := collector.NewLogSource(l, func(context.Context) (map[int32]int64, error) { return nil, nil }, collector.Bounded())
	msgs, err := src.Poll(context.Background(), 100, 1<<20)
	if err != nil || len(msgs) != 24 || msgs[23].Offset != 23 {
		t.Fatalf("read back %d events (%v)", len(msgs), err)
	}
	var raw []string
	for _, m := range msgs {
		raw = append(raw, string(m.Value))
	}
	for _, ev := range decodeEvents(t, raw) {
		if ev["event_type"] != "click" || ev["stream"] != "web" || ev["received_at"] == nil {
			t.Fatalf("an event from the log: %v", ev)
		}
	}
}

// Events and their requests are counted: accepted and refused events,
// requests by answer.
func TestEventsMetrics(t *testing.T) {
	log := &memLog{}
	f := eventsFixture(t, log)
	f.do(t, "POST", "/v1/events/web", "application/x-ndjson", "{\"event_type\":\"a\"}\n{\"event_type\":\"b\"}\n")
	f.do(t, "POST", "/v1/events/web", "application/json", `{oops`)
	log.fail = lakegate.Errorf(lakegate.EBUSY, "full")
	f.do(t, "GET", "/v1/events/web?event_type=a", "", "")
	body := f.do(t, "GET", "/metrics", "", "").Body.String()
	for _, want := range []string{
		`lakegate_events_total{outcome="accepted"} 2`, `lakegate_events_total{outcome="refused"} 1`,
		`lakegate_event_requests_total{status="ok"} 1`, `lakegate_event_requests_total{status="invalid"} 1`, `lakegate_event_requests_total{status="busy"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
