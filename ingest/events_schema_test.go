package ingest

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/lakegate/lakegate"
)

func TestEventTableNames(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		mapped   bool
	}{
		{"purchase_sword", "purchase_sword", false},
		{"Purchase Sword!", "purchase_sword", true},
		{"join-guild", "join_guild", true},
		{"  join   guild  ", "join_guild", true},
		{"9lives", "n9lives", true},
		{"rejects", "event_rejects", true},
		{"Rejects", "event_rejects", true},
		{"'; DROP TABLE x; --", "drop_table_x", true},
		{`a"b`, "a_b", true},
		{"café", "caf", true},
		{"größe", "gr_e", true},
		{"!!!", "", true},
		{"日本", "", true},
		{strings.Repeat("a", 80), strings.Repeat("a", 63), true},
		{strings.Repeat("a", 62) + "-b", strings.Repeat("a", 62), true},
	} {
		got, mapped := eventTable(tc.in)
		if got != tc.want || mapped != tc.mapped {
			t.Errorf("eventTable(%q) = %q, %v; want %q, %v", tc.in, got, mapped, tc.want, tc.mapped)
		}
		if got != "" && !isIdentifier(got) {
			t.Errorf("eventTable(%q) = %q is not a safe identifier", tc.in, got)
		}
	}
}

func isIdentifier(s string) bool {
	if len(s) == 0 || len(s) > maxIdentifier || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

func TestEventColumnNames(t *testing.T) {
	for in, want := range map[string]string{
		"User-Agent": "user_agent", "Host": "host", "received_at": "received_at", "sword_type": "sword_type",
		"source_file": "event_source_file", "Source File": "event_source_file", "batch_id": "event_batch_id",
		"source_record": "event_source_record", "source_offset": "event_source_offset", "ingest_date": "event_ingest_date",
		"": "field", "€": "field", "2fa": "n2fa", "a.b.c": "a_b_c",
	} {
		if got := eventColumn(in); got != want {
			t.Errorf("eventColumn(%q) = %q, want %q", in, got, want)
		}
	}
	if got := suffixed(strings.Repeat("a", 63), 12); got != strings.Repeat("a", 60)+"_12" || !isIdentifier(got) {
		t.Errorf("suffixed: %q", got)
	}
}

func TestEventJSONTypes(t *testing.T) {
	for _, tc := range []struct{ js, typ, desc string }{
		{`"x"`, "VARCHAR", "a string"},
		{`7`, "BIGINT", "an integer"},
		{`-0`, "BIGINT", "an integer"},
		{`9223372036854775807`, "BIGINT", "an integer"},
		{`9223372036854775808`, "DOUBLE", "an integer beyond BIGINT's range"},
		{`1.0`, "DOUBLE", "a fractional number"},
		{`1e3`, "DOUBLE", "a fractional number"},
		{`2.5`, "DOUBLE", "a fractional number"},
		{`true`, "BOOLEAN", "a boolean"},
		{`{"a":1}`, "VARCHAR", "an object"},
		{`[1,2]`, "VARCHAR", "an array"},
		{`null`, "", "null"},
	} {
		v := decodeValue(t, tc.js)
		if got := jsonType(v); got != tc.typ {
			t.Errorf("jsonType(%s) = %q, want %q", tc.js, got, tc.typ)
		}
		if got := describeJSON(v); got != tc.desc {
			t.Errorf("describeJSON(%s) = %q, want %q", tc.js, got, tc.desc)
		}
	}
}

func decodeValue(tb testing.TB, js string) any {
	tb.Helper()
	m, _, why := decodeEvent([]byte(`{"event_type":"t","v":`+js+`}`), "event_type")
	if why != "" {
		tb.Fatalf("%s: %s", js, why)
	}
	return m["v"]
}

func TestDecodeEvent(t *testing.T) {
	for _, tc := range []struct{ js, typ, why string }{
		{`{"event_type":"buy","n":1}`, "buy", ""},
		{` {"kind":"x","event_type":"Buy It"} ` + "\n", "Buy It", ""},
		{`[1]`, "", "an event must be a JSON object, not an array"},
		{`"buy"`, "", "an event must be a JSON object, not a string"},
		{`null`, "", "an event must be a JSON object, not null"},
		{`{"a":1} {"b":2}`, "", "malformed JSON: more than one value"},
		{`{"event_type":"buy"`, "", "malformed JSON"},
		{``, "", "malformed JSON"},
		{`{"event_type":""}`, "", `needs a non-empty string field "event_type"`},
		{`{"event_type":"  "}`, "", "needs a non-empty string field"},
		{`{"event_type":7}`, "", "needs a non-empty string field"},
		{`{"x":1}`, "", "no event_type: an event needs"},
	} {
		m, typ, why := decodeEvent([]byte(tc.js), "event_type")
		if typ != tc.typ || !strings.Contains(why, tc.why) || (tc.why == "") != (why == "") || (why == "") != (m != nil) {
			t.Errorf("decodeEvent(%s) = %q, %q; want %q, %q", tc.js, typ, why, tc.typ, tc.why)
		}
	}
	if _, typ, _ := decodeEvent([]byte(`{"type":"a","event_type":"b"}`), "type"); typ != "a" {
		t.Errorf("the type field is a setting: got %q", typ)
	}
}

// schemaCase lands events, one per line, against a table's existing
// columns and checks the final columns, each event's reason ("" lands; a
// reason matches by substring) and the notes.
type schemaCase struct {
	name     string
	existing []lakegate.Column
	events   []string
	whys     []string
	cols     string // name TYPE[ comment], comma-separated
	notes    []string
}

func col(name, typ, comment string) lakegate.Column {
	return lakegate.Column{Name: name, Type: typ, Nullable: true, Comment: comment}
}

var lineage = []lakegate.Column{
	{Name: "source_file", Type: "VARCHAR"}, {Name: "source_record", Type: "BIGINT"},
	{Name: "source_offset", Type: "BIGINT"}, {Name: "batch_id", Type: "VARCHAR"},
}

func withLineage(cols ...lakegate.Column) []lakegate.Column {
	return append(cols, lineage...)
}

var schemaCases = []schemaCase{{
	name:   "new table: a column per field, sorted within an event, then in order seen",
	events: []string{`{"event_type":"buy","price":3,"Host":"h","tags":["a"],"ok":true,"w":1.5,"meta":{"a":1},"gone":null}`, `{"event_type":"buy","zeta":"z","alpha":"a"}`},
	whys:   []string{"", ""},
	cols:   "host VARCHAR from field Host, event_type VARCHAR, meta VARCHAR, ok BOOLEAN, price BIGINT, tags VARCHAR, w DOUBLE, alpha VARCHAR, zeta VARCHAR",
	notes:  []string{`events.buy: field "Host" lands in column host`},
}, {
	name:   "integers then fractions widen a new column to DOUBLE",
	events: []string{`{"event_type":"buy","n":3}`, `{"event_type":"buy","n":2.5}`, `{"event_type":"buy","n":4}`},
	whys:   []string{"", "", ""},
	cols:   "event_type VARCHAR, n DOUBLE",
}, {
	name:   "fractions then integers: DOUBLE too",
	events: []string{`{"event_type":"buy","n":2.5}`, `{"event_type":"buy","n":3}`},
	whys:   []string{"", ""},
	cols:   "event_type VARCHAR, n DOUBLE",
}, {
	name:     "an existing BIGINT column never widens: the catalog keeps its type",
	existing: withLineage(col("event_type", "VARCHAR", "from field event_type"), col("price", "BIGINT", "from field price")),
	events:   []string{`{"event_type":"buy","price":2.5}`, `{"event_type":"buy","price":2}`, `{"event_type":"buy","price":"free"}`, `{"event_type":"buy","price":null}`, `{"event_type":"buy","price":1e2}`},
	whys: []string{
		`field "price" is BIGINT in events.buy, but this event's value 2.5 is a fractional number`, "",
		`field "price" is BIGINT in events.buy, but this event's value "free" is a string`, "",
		`value 1e2 is a fractional number`,
	},
	cols: "event_type VARCHAR, price BIGINT",
}, {
	name:     "an integer fits a DOUBLE column",
	existing: withLineage(col("w", "DOUBLE", "from field w")),
	events:   []string{`{"event_type":"buy","w":2}`, `{"event_type":"buy","w":9223372036854775808}`},
	whys:     []string{"", ""},
	cols:     "w DOUBLE, event_type VARCHAR",
}, {
	name:     "other mixes are conflicts, also with a column new in this batch (the first value decides)",
	existing: withLineage(col("tag", "VARCHAR", "from field tag"), col("ok", "BOOLEAN", "from field ok")),
	events: []string{
		`{"event_type":"buy","tag":7}`, `{"event_type":"buy","tag":true}`, `{"event_type":"buy","tag":{"a":"<b>"}}`,
		`{"event_type":"buy","ok":"true"}`, `{"event_type":"buy","n":"1"}`, `{"event_type":"buy","n":1}`,
		`{"event_type":"buy","id":9223372036854775808}`,
	},
	whys: []string{
		`field "tag" is VARCHAR in events.buy, but this event's value 7 is an integer`,
		`value true is a boolean`, "",
		`field "ok" is BOOLEAN in events.buy, but this event's value "true" is a string`,
		"", `field "n" is VARCHAR in events.buy, but this event's value 1 is an integer`,
		"",
	},
	cols: "tag VARCHAR, ok BOOLEAN, event_type VARCHAR, n VARCHAR, id DOUBLE",
}, {
	name:     "a too big integer into BIGINT says so",
	existing: withLineage(col("id", "BIGINT", "from field id")),
	events:   []string{`{"event_type":"buy","id":9223372036854775808}`},
	whys:     []string{`value 9223372036854775808 is an integer beyond BIGINT's range`},
	cols:     "id BIGINT",
}, {
	name:   "a rejected event adds no column",
	events: []string{`{"event_type":"buy","n":"x"}`, `{"event_type":"buy","n":1,"extra":true}`},
	whys:   []string{"", `field "n" is VARCHAR`},
	cols:   "event_type VARCHAR, n VARCHAR",
}, {
	name:   "a field only ever null has no column yet",
	events: []string{`{"event_type":"buy","later":null}`, `{"event_type":"buy","later":null,"n":1}`},
	whys:   []string{"", ""},
	cols:   "event_type VARCHAR, n BIGINT",
}, {
	name:     "lineage names are the table's own: fields of those names are mapped",
	existing: withLineage(col("event_type", "VARCHAR", "from field event_type")),
	events:   []string{`{"event_type":"buy","source_file":"a.csv","Batch ID":7,"ingest_date":"2020-01-01"}`},
	whys:     []string{""},
	cols:     "event_type VARCHAR, event_batch_id BIGINT from field Batch ID, event_ingest_date VARCHAR from field ingest_date, event_source_file VARCHAR from field source_file",
	notes: []string{
		`events.buy: field "Batch ID" lands in column event_batch_id`,
		`events.buy: field "ingest_date" lands in column event_ingest_date`,
		`events.buy: field "source_file" lands in column event_source_file`,
	},
}, {
	name:   "two fields of one name in one event get two columns",
	events: []string{`{"event_type":"buy","User-Agent":"a","user_agent":"b","USER AGENT":"c"}`, `{"event_type":"buy","user_agent":"d"}`},
	whys:   []string{"", ""},
	cols:   "user_agent VARCHAR from field USER AGENT, user_agent_2 VARCHAR from field User-Agent, event_type VARCHAR, user_agent_3 VARCHAR from field user_agent",
	notes: []string{
		`events.buy: field "USER AGENT" lands in column user_agent`,
		`events.buy: field "User-Agent" lands in column user_agent_2`,
		`events.buy: field "user_agent" lands in column user_agent_3`,
	},
}, {
	name:     "across batches a field keeps the column its comment names",
	existing: withLineage(col("user_agent", "VARCHAR", "from field User-Agent"), col("user_agent_2", "BIGINT", "from field user_agent")),
	events:   []string{`{"event_type":"buy","user_agent":7}`, `{"event_type":"buy","User-Agent":"x"}`, `{"event_type":"buy","user_agent":"s"}`, `{"event_type":"buy","User Agent":"y"}`},
	whys:     []string{"", "", `field "user_agent" (column user_agent_2) is BIGINT in events.buy, but this event's value "s" is a string`, ""},
	cols:     "user_agent VARCHAR from field User-Agent, user_agent_2 BIGINT from field user_agent, event_type VARCHAR, user_agent_3 VARCHAR from field User Agent",
	notes:    []string{`events.buy: field "User Agent" lands in column user_agent_3`},
}, {
	name:     "a catalog column of no known field goes to the first field of its name",
	existing: withLineage(col("host", "VARCHAR", ""), col("ua", "VARCHAR", "browser")),
	events:   []string{`{"event_type":"buy","Host":"a","host":"b"}`, `{"event_type":"buy","ua":"u"}`},
	whys:     []string{"", ""},
	cols:     "host VARCHAR from field Host, ua VARCHAR browser, event_type VARCHAR, host_2 VARCHAR from field host",
	notes:    []string{`events.buy: field "host" lands in column host_2`},
}, {
	name:     "catalog aliases: written as the type the catalog widens them to",
	existing: withLineage(col("n", "INTEGER", ""), col("f", "real", ""), col("s", "TEXT", ""), col("b", "BOOL", "")),
	events:   []string{`{"event_type":"buy","n":1,"f":2,"s":"x","b":true}`, `{"event_type":"buy","n":1.5}`},
	whys:     []string{"", `field "n" is BIGINT in events.buy, but this event's value 1.5 is a fractional number`},
	cols:     "n BIGINT, f DOUBLE, s VARCHAR, b BOOLEAN, event_type VARCHAR",
}, {
	name:     "a catalog column events cannot fill: every event goes to rejects, saying why",
	existing: withLineage(col("at", "TIMESTAMP", "from field at"), col("d", "DECIMAL(9,2)", "")),
	events:   []string{`{"event_type":"buy"}`, `{"event_type":"buy","at":null}`},
	whys:     []string{"column at of events.buy is TIMESTAMP, a type events cannot fill; drop the table, or send these events under another type", "column at"},
	cols:     "at TIMESTAMP, d DECIMAL(9,2)",
}, {
	name:   "a field name past the limit is rejected",
	events: []string{`{"event_type":"buy","` + strings.Repeat("k", maxEventFieldName+1) + `":1}`},
	whys:   []string{"bytes is longer than the 256-byte limit on a field name"},
	cols:   "",
}, {
	name:     "no more columns than the limit",
	existing: withLineage(manyColumns(maxEventColumns - 2)...),
	events:   []string{`{"event_type":"buy","a":1,"b":2}`, `{"event_type":"buy","a":1}`, `{"event_type":"buy","b":null}`, `{"event_type":"buy","b":1}`},
	whys:     []string{"the event's 3 new fields would give events.buy more than 1000 columns", "", "", "the event's 1 new fields would give events.buy more than 1000 columns"},
	cols:     fmt.Sprintf("… %d columns", maxEventColumns),
}}

func manyColumns(n int) []lakegate.Column {
	out := make([]lakegate.Column, n)
	for i := range out {
		out[i] = col(fmt.Sprintf("c%d", i), "BIGINT", fmt.Sprintf("from field c%d", i))
	}
	return out
}

func TestEventSchema(t *testing.T) {
	for _, tc := range schemaCases {
		t.Run(tc.name, func(t *testing.T) {
			sc := newEventSchema("events", "buy", tc.existing)
			for i, js := range tc.events {
				m, _, why := decodeEvent([]byte(js), "event_type")
				if why != "" {
					t.Fatalf("%s: %s", js, why)
				}
				vals, why := sc.row(m)
				if want := tc.whys[i]; (want == "") != (why == "") || !strings.Contains(why, want) {
					t.Errorf("event %d %.60s: reason %q, want %q", i, js, why, want)
				}
				if (why == "") != (vals != nil) || (vals != nil && len(vals) != len(sc.cols)) {
					t.Errorf("event %d: %d values for %d columns", i, len(vals), len(sc.cols))
				}
			}
			if got := describeCols(sc.cols); got != tc.cols {
				t.Errorf("columns:\n got %s\nwant %s", got, tc.cols)
			}
			if got, want := strings.Join(sc.notes, "\n"), strings.Join(tc.notes, "\n"); got != want {
				t.Errorf("notes:\n got %s\nwant %s", got, want)
			}
			checkColumns(t, sc.cols)
		})
	}
}

// describeCols lists columns as "name TYPE", with a comment other than
// a plain "from field <name>"; a long list by its length.
func describeCols(cols []lakegate.Column) string {
	if len(cols) > 20 {
		return fmt.Sprintf("… %d columns", len(cols))
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name + " " + c.Type
		if c.Comment != fieldComment+c.Name {
			parts[i] += " " + c.Comment
		}
	}
	return strings.TrimSpace(strings.Join(parts, ", "))
}

// checkColumns: what the catalog's checkSchema requires, and no lineage.
func checkColumns(tb testing.TB, cols []lakegate.Column) {
	tb.Helper()
	seen := map[string]bool{}
	for _, c := range cols {
		if !isIdentifier(c.Name) || seen[c.Name] || reservedColumns[c.Name] || !c.Nullable || c.Type == "" {
			tb.Errorf("column %+v: not a fresh, safe, nullable data column", c)
		}
		seen[c.Name] = true
	}
}

func TestEventRowValues(t *testing.T) {
	sc := newEventSchema("events", "buy", withLineage(col("b", "VARCHAR", "from field b"), col("a", "BIGINT", "from field a")))
	m, _, _ := decodeEvent([]byte(`{"event_type":"buy","a":1,"c":true,"b":"x"}`), "event_type")
	vals, why := sc.row(m)
	if why != "" {
		t.Fatal(why)
	}
	got := fmt.Sprint(vals...)
	if want := fmt.Sprint("x", json.Number("1"), true, "buy"); got != want || describeCols(sc.cols) != "b VARCHAR, a BIGINT, c BOOLEAN, event_type VARCHAR" {
		t.Errorf("values %q in %s, want %q", got, describeCols(sc.cols), want)
	}
	m, _, _ = decodeEvent([]byte(`{"event_type":"buy","a":2}`), "event_type")
	if vals, _ = sc.row(m); len(vals) != 4 || vals[0] != nil || vals[2] != nil || vals[1] != json.Number("2") {
		t.Errorf("a sparse event: %v", vals)
	}
}

func TestEventValueText(t *testing.T) {
	v := decodeValue(t, `{"z":[1.50,"<a&b>"],"a":{"n":12345678901234567890}}`)
	if got := jsonText(v); got.V != `{"a":{"n":12345678901234567890},"z":[1.50,"<a&b>"]}` || !got.Valid {
		t.Errorf("jsonText = %+v", got)
	}
	if got := jsonText(nil); got.Valid {
		t.Errorf("jsonText(nil) = %+v", got)
	}
	long := decodeValue(t, `"`+strings.Repeat("é", 30)+`"`)
	if p := preview(long); !utf8.ValidString(p) || !strings.HasSuffix(p, "…") || len(p) > 44 {
		t.Errorf("preview = %q", p)
	}
}
