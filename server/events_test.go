package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/lakegate/lakegate"
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

func eventsFixture(t *testing.T, log *memLog) *fixture {
	return newFixture(t, server.Options{MaxEventBytes: 200, EventHeaders: []string{"Host", "User-Agent"},
		Events: func(string) (lakegate.EventLog, error) { return log, nil }})
}

func TestEventsAreCompleted(t *testing.T) {
	log := &memLog{}
	f := eventsFixture(t, log)
	rec := f.do(t, "POST", "/v1/events/purchase_sword", "application/x-ndjson",
		"{\"sword_type\":\"sharp\"}\n\n{\"event_type\":\"join_guild\",\"n\":1}\n", "User-Agent", "ab/2.3")
	if rec.Code != 202 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	golden(t, "events_accepted", rec.Body.Bytes())
	rec = f.do(t, "GET", "/v1/events/pixel?event_type=view&page=home", "", "")
	if rec.Code != 202 || len(log.events) != 3 {
		t.Fatalf("%d %s, %d events", rec.Code, rec.Body, len(log.events))
	}
	var ev []map[string]any
	for _, e := range log.events {
		var m map[string]any
		json.Unmarshal([]byte(e), &m)
		ev = append(ev, m)
	}
	if ev[0]["event_type"] != "purchase_sword" || ev[0]["User-Agent"] != "ab/2.3" || ev[0]["Host"] != "example.com" || ev[0]["received_at"] == nil {
		t.Errorf("first event: %v", ev[0])
	}
	if ev[1]["event_type"] != "join_guild" || ev[1]["n"] != 1.0 || ev[2]["event_type"] != "view" || ev[2]["page"] != "home" {
		t.Errorf("events: %v", ev)
	}
}

func TestEventErrors(t *testing.T) {
	log := &memLog{}
	f := eventsFixture(t, log)
	for _, tt := range []struct {
		name, target, body string
		status             int
		want               string
	}{
		{"events_error_bad_json", "/v1/events/web", "{\"a\":1}\n{oops\n", 400, "line 2: not JSON"},
		{"events_error_not_object", "/v1/events/web", "[1,2]", 400, "line 1: not JSON"},
		{"events_error_type", "/v1/events/web", `{"event_type":7}`, 400, "event_type must be a string"},
		{"events_error_too_large", "/v1/events/web", `{"x":"` + strings.Repeat("a", 300) + `"}`, 413, "max_event_bytes"},
		{"events_error_stream", "/v1/events/-bad", `{}`, 400, "is not a name"},
		{"events_error_empty", "/v1/events/web", "\n", 400, "no events"},
	} {
		rec := f.do(t, "POST", tt.target, "application/json", tt.body)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s: %d %s", tt.name, rec.Code, rec.Body)
		}
		golden(t, tt.name, rec.Body.Bytes())
	}
	if len(log.events) != 0 {
		t.Errorf("refused bodies left events: %v", log.events)
	}
	for code, status := range map[string]int{lakegate.EBUSY: 429, lakegate.EUNAVAILABLE: 503} {
		log.fail = lakegate.Errorf(code, "cannot take events now")
		rec := f.do(t, "POST", "/v1/events/web", "application/json", `{"a":1}`)
		if rec.Code != status || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: %d, Retry-After %q", code, rec.Code, rec.Header().Get("Retry-After"))
		}
	}
}
