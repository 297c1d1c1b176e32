package ingest

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/lakegate/lakegate"
)

// Events land in one table per event type: events.<type>. The schema
// comes from the data: a field's first JSON type gives its column type
// (string VARCHAR, integral number BIGINT, other number DOUBLE, boolean
// BOOLEAN, object or array VARCHAR holding its compact JSON), a new field
// becomes a new nullable column, and a value that does not fit its
// column's type (a string in a BIGINT column, 1.5 in a BIGINT column) goes
// to events.rejects with the reason. An integral number fits DOUBLE.

// eventsRejects is the events database's rejects table; an event type of
// that name lands in event_rejects.
const eventsRejects = "rejects"

// reservedColumns are the lineage columns every events table has (and
// the partition key); an event field of such a name lands in event_<name>.
var reservedColumns = map[string]bool{"source_file": true, "source_record": true, "source_offset": true, "batch_id": true, "ingest_date": true}

// identifier maps a name to a safe SQL identifier: lower case letters,
// digits and single underscores, starting with a letter, at most 63 bytes.
// It is never spliced into SQL as given.
func identifier(name string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			under = false
		case !under && b.Len() > 0:
			b.WriteByte('_')
			under = true
		}
	}
	id := strings.TrimRight(b.String(), "_")
	if id == "" {
		return ""
	}
	if id[0] >= '0' && id[0] <= '9' {
		id = "n" + id
	}
	if len(id) > 63 {
		id = strings.TrimRight(id[:63], "_")
	}
	return id
}

// eventTable is the table an event type lands in, and whether the name
// had to be changed to be one (the summary reports it). "" when the type
// has no letter or digit at all.
func eventTable(eventType string) (string, bool) {
	id := identifier(eventType)
	if id == eventsRejects {
		id = "event_rejects"
	}
	return id, id != eventType
}

// eventColumn is the column a field lands in.
func eventColumn(field string) string {
	id := identifier(field)
	if id == "" {
		id = "field"
	}
	if reservedColumns[id] {
		id = "event_" + id
	}
	return id
}

// jsonType is the column type of a decoded JSON value; "" for null.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string, map[string]any, []any:
		return "VARCHAR"
	case bool:
		return "BOOLEAN"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "BIGINT"
		}
		return "DOUBLE"
	}
	return "VARCHAR"
}

// fits reports whether a value of JSON type got lands in a column of type
// col.
func fits(col, got string) bool {
	return got == "" || got == col || (col == "DOUBLE" && got == "BIGINT")
}

// decodeEvent decodes one event: a JSON object with a non-empty string
// typeField. It returns the fields, the event type, or why it cannot land.
func decodeEvent(data []byte, typeField string) (map[string]any, string, string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, "", "malformed JSON: " + syntaxReason(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", "malformed JSON: more than one value in the message"
	}
	if m == nil {
		return nil, "", "not a JSON object"
	}
	t, ok := m[typeField].(string)
	if !ok || strings.TrimSpace(t) == "" {
		return nil, "", fmt.Sprintf("no %s: an event needs a non-empty string field %q naming its type", typeField, typeField)
	}
	return m, t, ""
}

// eventSchema is one table's columns while a micro-batch lands: the
// catalog's, then the new fields in the order first seen (sorted within
// one event).
type eventSchema struct {
	table string
	cols  []lakegate.Column
	index map[string]int    // column name -> position
	field map[string]string // field name -> column name
	notes []string
}

func newEventSchema(table string, existing []lakegate.Column) *eventSchema {
	s := &eventSchema{table: table, index: map[string]int{}, field: map[string]string{}}
	for _, c := range existing {
		if !reservedColumns[c.Name] {
			s.index[c.Name] = len(s.cols)
			s.cols = append(s.cols, c)
		}
	}
	return s
}

// row places one event's fields in column order, adding columns for new
// fields, or says why the event cannot land (then nothing is added).
func (s *eventSchema) row(m map[string]any) ([]any, string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if i, ok := s.index[s.columnOf(k)]; ok && !fits(s.cols[i].Type, jsonType(m[k])) {
			return nil, fmt.Sprintf("field %q is %s in events.%s, but this event's value %s is %s",
				k, s.cols[i].Type, s.table, preview(m[k]), describeJSON(m[k]))
		}
	}
	for _, k := range keys {
		c := s.columnOf(k)
		if _, ok := s.index[c]; !ok && jsonType(m[k]) != "" {
			s.index[c] = len(s.cols)
			s.cols = append(s.cols, lakegate.Column{Name: c, Type: jsonType(m[k]), Nullable: true, Comment: "from field " + k})
			if c != k {
				s.notes = append(s.notes, fmt.Sprintf("events.%s: new field %q lands in column %s", s.table, k, c))
			}
		}
	}
	out := make([]any, len(s.cols))
	for _, k := range keys {
		if i, ok := s.index[s.columnOf(k)]; ok {
			out[i] = m[k]
		}
	}
	return out, ""
}

// columnOf maps a field to its column; two fields that map to one name
// (user-agent and User_Agent) get distinct columns, the later with a
// numbered suffix, and the mapping is noted.
func (s *eventSchema) columnOf(field string) string {
	if c, ok := s.field[field]; ok {
		return c
	}
	c := eventColumn(field)
	taken := map[string]bool{}
	for _, other := range s.field {
		taken[other] = true
	}
	for n := 2; taken[c]; n++ {
		c = fmt.Sprintf("%s_%d", eventColumn(field), n)
	}
	s.field[field] = c
	return c
}

func describeJSON(v any) string {
	switch jsonType(v) {
	case "BIGINT":
		return "an integer"
	case "DOUBLE":
		return "a fractional number"
	case "BOOLEAN":
		return "a boolean"
	}
	if _, ok := v.(string); ok {
		return "a string"
	}
	return "an object or array"
}

func preview(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
