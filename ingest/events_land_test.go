package ingest

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
)

// sliceSource is a one-partition stream of fixed messages that rewinds
// to the last landed batch when one does not land.
type sliceSource struct {
	msgs      []Message
	pos, done int
}

func newSliceSource(values ...string) *sliceSource {
	s := &sliceSource{}
	for i, v := range values {
		s.msgs = append(s.msgs, Message{Offset: int64(i), Value: []byte(v)})
	}
	return s
}

func (s *sliceSource) Stream() string { return "test:events" }
func (s *sliceSource) Close() error   { return nil }

func (s *sliceSource) Poll(_ context.Context, max int, _ int64) ([]Message, error) {
	if s.pos >= len(s.msgs) {
		return nil, io.EOF
	}
	end := min(len(s.msgs), s.pos+max)
	out := s.msgs[s.pos:end]
	s.pos = end
	return out, nil
}

func (s *sliceSource) Done(_ context.Context, landed bool) error {
	if landed {
		s.done = s.pos
	} else {
		s.pos = s.done
	}
	return nil
}

// TestEventsLand lands two micro-batches of mixed event types: the second
// adds fields (new columns appended by the catalog's rules), sends a
// string for a BIGINT column (rejected with the reason), and a field that
// maps to a column another field holds (a column of its own).
func TestEventsLand(t *testing.T) {
	e := newEnv(t)
	src := newSliceSource(
		`{"event_type":"purchase_sword","Host":"user1.comcast.com","User-Agent":"ApacheBench/2.3","sword_type":"sharp","price":10}`,
		`{"event_type":"Buy Potion!","potion":"blue","n":1}`,
		`{"event_type":"buy_potion","potion":"red","n":2.5,"meta":{"a":"<b>"}}`,
		`{"event_type":`,
		// second micro-batch
		`{"event_type":"purchase_sword","price":"free"}`,
		`{"event_type":"purchase_sword","Host":"h","User-Agent":"curl","color":"gold","source_file":"x.csv","price":12}`,
		`{"event_type":"Buy Potion!","n":3}`,
		`{"event_type":"purchase_sword","user_agent":"dup"}`,
	)
	sum, err := Stream(context.Background(), StreamOptions{Options: e.opts(), Source: src, Format: FormatEvents, MaxRecords: 4})
	if err != nil {
		t.Fatalf("%v\n%s", err, sum)
	}
	if sum.Read != 8 || sum.Landed != 6 || sum.Rejected != 2 || sum.MicroBatches != 2 {
		t.Errorf("summary: %s", sum)
	}
	notes := strings.Join(sum.Notes, "\n")
	for _, want := range []string{
		`event_type "Buy Potion!" lands in events.buy_potion`,
		`events.purchase_sword: field "User-Agent" lands in column user_agent`,
		`events.purchase_sword: field "source_file" lands in column event_source_file`,
		`events.purchase_sword: field "user_agent" lands in column user_agent_2`,
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if n := strings.Count(notes, `"Buy Potion!" lands in`); n != 2 {
		t.Errorf("a mapped type is reported once per batch: %d times in\n%s", n, notes)
	}
	checkEventColumns(t, e, "purchase_sword", "host VARCHAR, user_agent VARCHAR, event_type VARCHAR, price BIGINT, sword_type VARCHAR, "+
		"source_file VARCHAR, source_record BIGINT, source_offset BIGINT, batch_id VARCHAR, color VARCHAR, event_source_file VARCHAR, user_agent_2 VARCHAR")
	checkEventColumns(t, e, "buy_potion", "event_type VARCHAR, n DOUBLE, potion VARCHAR, meta VARCHAR, source_file VARCHAR, source_record BIGINT, source_offset BIGINT, batch_id VARCHAR")
	checkEventRows(t, e, "purchase_sword", "host,user_agent,price,color,event_source_file,user_agent_2",
		"0: user1.comcast.com,ApacheBench/2.3,10,<nil>,<nil>,<nil>", "5: h,curl,12,gold,x.csv,<nil>", "7: <nil>,<nil>,<nil>,<nil>,<nil>,dup")
	checkEventRows(t, e, "buy_potion", "event_type,n,potion,meta",
		"1: Buy Potion!,1,blue,<nil>", `2: buy_potion,2.5,red,{"a":"<b>"}`, "6: Buy Potion!,3,<nil>,<nil>")
	checkEventRows(t, e, "rejects", "source_file,reason",
		"3: test:events/0,malformed JSON", `4: test:events/0,field "price" is BIGINT in events.purchase_sword, but this event's value "free" is a string`)
}

func checkEventColumns(t *testing.T, e *env, table, want string) {
	t.Helper()
	tb, err := e.cat.Table(context.Background(), EventsDatabase, table)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range tb.Columns {
		got = append(got, c.Name+" "+c.Type)
	}
	if strings.Join(got, ", ") != want {
		t.Errorf("events.%s columns:\n got %s\nwant %s", table, strings.Join(got, ", "), want)
	}
	if len(tb.PartitionKeys) != 1 || tb.PartitionKeys[0].Name != "ingest_date" {
		t.Errorf("events.%s partition keys: %v", table, tb.PartitionKeys)
	}
}

// checkEventRows compares a table's rows, "source_offset: cols...", each
// value a prefix of what landed.
func checkEventRows(t *testing.T, e *env, table, cols string, want ...string) {
	t.Helper()
	rows := byKey(e.readTableIn(t, EventsDatabase, table), "source_offset")
	if len(rows) != len(want) {
		t.Errorf("events.%s: %d rows, want %d", table, len(rows), len(want))
	}
	for _, w := range want {
		off, vals, _ := strings.Cut(w, ": ")
		r, ok := rows[off]
		if !ok {
			t.Errorf("events.%s: no row at offset %s", table, off)
			continue
		}
		for i, c := range strings.Split(cols, ",") {
			wv := strings.SplitN(vals, ",", len(strings.Split(cols, ",")))[i]
			if got := fmt.Sprint(r[c]); !strings.HasPrefix(got, wv) {
				t.Errorf("events.%s offset %s column %s = %q, want %q", table, off, c, got, wv)
			}
		}
	}
}

var _ Source = (*sliceSource)(nil)

// TestEventsLandOverCatalogTypes: a table registered with INTEGER widens
// to BIGINT by the catalog's rule; a table with a column events cannot
// fill sends its events to rejects instead of failing the commit (which
// would drop and re-read the batch without end).
func TestEventsLandOverCatalogTypes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	table := func(name string, cols ...lakegate.Column) lakegate.TableChange {
		return lakegate.TableChange{Table: lakegate.Table{Database: EventsDatabase, Name: name, Location: "events/" + name, Format: "parquet",
			Columns: withLineage(cols...), PartitionKeys: []lakegate.Column{partitionKey}}}
	}
	if _, err := e.cat.Commit(ctx, lakegate.Change{Tables: []lakegate.TableChange{
		table("old", col("n", "INTEGER", ""), col("event_type", "VARCHAR", "")),
		table("stuck", col("at", "TIMESTAMP", ""), col("event_type", "VARCHAR", "")),
	}}); err != nil {
		t.Fatal(err)
	}
	src := newSliceSource(`{"event_type":"old","n":5000000000}`, `{"event_type":"stuck","x":1}`)
	sum, err := Stream(ctx, StreamOptions{Options: e.opts(), Source: src, Format: FormatEvents})
	if err != nil || sum.Landed != 1 || sum.Rejected != 1 || sum.MicroBatches != 1 {
		t.Fatalf("%v\n%s", err, sum)
	}
	checkEventColumns(t, e, "old", "n BIGINT, event_type VARCHAR, source_file VARCHAR, source_record BIGINT, source_offset BIGINT, batch_id VARCHAR")
	checkEventRows(t, e, "old", "n", "0: 5000000000")
	checkEventRows(t, e, "rejects", "reason", "1: column at of events.stuck is TIMESTAMP, a type events cannot fill")
}
