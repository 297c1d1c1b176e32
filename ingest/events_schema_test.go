package ingest

import (
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
)

func TestEventTableNames(t *testing.T) {
	for in, want := range map[string]string{
		"purchase_sword": "purchase_sword", "Purchase Sword!": "purchase_sword", "join-guild": "join_guild",
		"9lives": "n9lives", "rejects": "event_rejects", "'; DROP TABLE x; --": "drop_table_x", "!!!": "",
		strings.Repeat("a", 80): strings.Repeat("a", 63),
	} {
		if got, _ := eventTable(in); got != want {
			t.Errorf("eventTable(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"User-Agent": "user_agent", "Host": "host", "source_file": "event_source_file", "": "field"} {
		if got := eventColumn(in); got != want {
			t.Errorf("eventColumn(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEventSchemaEvolves(t *testing.T) {
	sc := newEventSchema("buy", []lakegate.Column{{Name: "price", Type: "BIGINT", Nullable: true}, {Name: "source_file", Type: "VARCHAR"}})
	decode := func(js string) map[string]any {
		m, _, why := decodeEvent([]byte(js), "event_type")
		if why != "" {
			t.Fatalf("%s: %s", js, why)
		}
		return m
	}
	if _, why := sc.row(decode(`{"event_type":"buy","price":3,"Host":"h","tags":["a"],"ok":true,"w":1.5}`)); why != "" {
		t.Fatal(why)
	}
	var names []string
	for _, c := range sc.cols {
		names = append(names, c.Name+" "+c.Type)
	}
	if got := strings.Join(names, ", "); got != "price BIGINT, host VARCHAR, event_type VARCHAR, ok BOOLEAN, tags VARCHAR, w DOUBLE" {
		t.Errorf("columns: %s", got)
	}
	for js, want := range map[string]string{
		`{"event_type":"buy","price":2.5}`:  `field "price" is BIGINT in events.buy, but this event's value 2.5 is a fractional number`,
		`{"event_type":"buy","tags":7}`:     `field "tags" is VARCHAR in events.buy, but this event's value 7 is an integer`,
		`{"event_type":"buy","w":2}`:        "",
		`{"event_type":"buy","price":null}`: "",
	} {
		if _, why := sc.row(decode(js)); why != want {
			t.Errorf("%s: %q, want %q", js, why, want)
		}
	}
	for js, want := range map[string]string{
		`[1]`: "malformed JSON", `{"a":1} {"b":2}`: "more than one value", `{"event_type":""}`: "needs a non-empty string field", `{"x":1}`: "needs a non-empty",
	} {
		if _, _, why := decodeEvent([]byte(js), "event_type"); !strings.Contains(why, want) {
			t.Errorf("%s: %q, want %q", js, why, want)
		}
	}
}
