package ingest

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	json "github.com/goccy/go-json"

	"github.com/lakegate/lakegate"
)

// Events land in one table per event type: events.<type>. The schema
// comes from the data, within the catalog's rules (catalog/validate.go
// evolveColumns: columns keep their names, order and types; new ones
// append as nullable; BIGINT never becomes DOUBLE):
//   - a field's JSON type gives its column type: string VARCHAR, integral
//     number BIGINT, other number DOUBLE, boolean BOOLEAN, object or array
//     VARCHAR holding its compact JSON (a data scientist reads it with
//     DuckDB's json functions, and the shape may differ between events);
//     null says nothing, so a field only ever null gets no column yet;
//   - a field new in this batch becomes a new nullable column; when the
//     batch holds integers and fractional numbers for it, it is DOUBLE
//     whatever their order;
//   - an event whose value does not fit its column (a string in a BIGINT
//     column, 1.5 in a BIGINT column, a number in a VARCHAR column) goes to
//     events.rejects with the reason; an integer fits DOUBLE.
//
// Names are never spliced: an event type or field name becomes an
// identifier (identifier below), and a changed name is reported. Two event
// types with one identifier ("Buy Potion!", "buy_potion") share a table
// on purpose: they are spellings of one type, and the table's type column
// keeps each event's own spelling. Two fields with one identifier
// ("User-Agent", "user_agent") never share a column: the first gets the
// name, the next user_agent_2, and so on; a column's comment ("from field
// User-Agent") records its field, so later batches map each field to the
// same column whatever fields they hold.

// eventsRejects is the events database's rejects table; an event type of
// that name lands in event_rejects.
const eventsRejects = "rejects"

// Bounds on what one event can do to a table's schema: a stream whose
// field names are values (a user id as a key) would otherwise grow a
// column per event. Events past them go to rejects with why.
const (
	maxEventColumns   = 1000 // data columns of one events table
	maxEventFieldName = 256  // bytes of a field name (kept in the column's comment)
	maxIdentifier     = 63   // bytes of a table or column name made from data
)

// reservedColumns are the lineage columns every events table has (and
// the partition key); an event field of such a name lands in event_<name>.
var reservedColumns = map[string]bool{"source_file": true, "source_record": true, "source_offset": true, "batch_id": true, "ingest_date": true}

// fieldComment starts the comment of a column made from a field; the
// rest is the field's name, which later batches read back.
const fieldComment = "from field "

// identifier maps a name to a safe SQL identifier: lower case ASCII
// letters, digits and single underscores, starting with a letter (a name
// starting with a digit gets "n" in front), at most maxIdentifier bytes.
// Every other character (punctuation, spaces, non-ASCII letters) becomes
// one underscore between words. "" when the name has no ASCII letter or
// digit.
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
	if id != "" && id[0] >= '0' && id[0] <= '9' {
		id = "n" + id
	}
	return capIdentifier(id, maxIdentifier)
}

func capIdentifier(id string, n int) string {
	if len(id) > n {
		id = strings.TrimRight(id[:n], "_")
	}
	return id
}

// eventTable is the table an event type lands in, and whether the name
// had to be changed to be one (the summary reports it). "" when the type
// has no ASCII letter or digit at all: such events go to rejects rather
// than to a catch-all table that would mix unrelated schemas.
func eventTable(eventType string) (string, bool) {
	id := identifier(eventType)
	if id == eventsRejects {
		id = "event_rejects"
	}
	return id, id != eventType
}

// eventColumn is the column name a field maps to before collisions with
// other fields are resolved (eventSchema.columnOf).
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

// suffixed is base with _n, still at most maxIdentifier bytes.
func suffixed(base string, n int) string {
	s := fmt.Sprintf("_%d", n)
	return capIdentifier(base, maxIdentifier-len(s)) + s
}

// jsonType is the column type of a decoded JSON value (decoded with
// UseNumber, so integers keep every digit); "" for null. An integer
// beyond BIGINT's range is DOUBLE.
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

// writableType is the type an events file gives a catalog column of type
// t: the same, or wider where the catalog widens the table (INTEGER to
// BIGINT, FLOAT to DOUBLE); "" for a type events cannot fill (TIMESTAMP,
// DECIMAL...), as writing another would fail the catalog commit, and the
// batch with it, again and again.
func writableType(t string) string {
	switch strings.ToUpper(strings.TrimSpace(t)) {
	case "VARCHAR", "STRING", "TEXT":
		return "VARCHAR"
	case "BIGINT", "INT8", "LONG", "INTEGER", "INT", "INT4", "SIGNED":
		return "BIGINT"
	case "DOUBLE", "FLOAT8", "FLOAT", "FLOAT4", "REAL":
		return "DOUBLE"
	case "BOOLEAN", "BOOL", "LOGICAL":
		return "BOOLEAN"
	}
	return ""
}

// fits reports whether a value of JSON type got lands in a column of type
// col as it is.
func fits(col, got string) bool {
	return got == "" || got == col || (col == "DOUBLE" && got == "BIGINT")
}

// decodeEvent decodes one event: a JSON object with a non-empty string
// typeField. It returns the fields, the event type, or why it cannot land.
func decodeEvent(data []byte, typeField string) (map[string]any, string, string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, "", "malformed JSON: " + syntaxReason(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", "malformed JSON: more than one value in the message"
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "", "an event must be a JSON object, not " + describeJSON(v)
	}
	t, ok := m[typeField].(string)
	if !ok || strings.TrimSpace(t) == "" {
		return nil, "", fmt.Sprintf("no %s: an event needs a non-empty string field %q naming its type", typeField, typeField)
	}
	return m, t, ""
}

// eventSchema is one table's columns while a micro-batch lands: the
// catalog's data columns (lineage is added when writing), then the new
// fields' in the order first seen (sorted by name within one event).
type eventSchema struct {
	name  string // db.table, for reasons and notes
	table string
	cols  []lakegate.Column
	fresh int               // cols[fresh:] are new in this batch: BIGINT may still widen to DOUBLE
	index map[string]int    // column name -> position in cols
	owner map[string]string // column name -> the field it holds or will hold (not there: free)
	field map[string]string // field name -> column name (from the comments, then columnOf)
	notes []string
	stuck string // why no event can land: a catalog column of a type events cannot fill
}

func newEventSchema(db, table string, existing []lakegate.Column) *eventSchema {
	s := &eventSchema{name: db + "." + table, table: table, index: map[string]int{},
		owner: map[string]string{}, field: map[string]string{}}
	for _, c := range existing {
		if reservedColumns[c.Name] {
			continue
		}
		s.index[c.Name] = len(s.cols)
		if w := writableType(c.Type); w != "" {
			c.Type = w
		} else if s.stuck == "" {
			s.stuck = fmt.Sprintf("column %s of %s is %s, a type events cannot fill; drop the table, or send these events under another type",
				c.Name, s.name, c.Type)
		}
		s.cols = append(s.cols, c)
		f, ok := strings.CutPrefix(c.Comment, fieldComment)
		if _, dup := s.field[f]; ok && !dup {
			s.owner[c.Name], s.field[f] = f, c.Name
		}
	}
	s.fresh = len(s.cols)
	return s
}

// row places one event's fields in column order, adding columns for new
// fields, or says why the event cannot land (then the schema is as before,
// but for the names its fields claimed).
func (s *eventSchema) row(m map[string]any) ([]any, string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if s.stuck != "" {
		return nil, s.stuck
	}
	if why := s.check(keys, m); why != "" {
		return nil, why
	}
	for _, k := range keys {
		s.place(k, jsonType(m[k]))
	}
	out := make([]any, len(s.cols))
	for _, k := range keys {
		if i, ok := s.index[s.field[k]]; ok {
			out[i] = m[k]
		}
	}
	return out, ""
}

// check says why an event's fields cannot land, or "".
func (s *eventSchema) check(keys []string, m map[string]any) string {
	added := 0
	for _, k := range keys {
		if len(k) > maxEventFieldName {
			return fmt.Sprintf("field name %q… of %d bytes is longer than the %d-byte limit on a field name",
				cutUTF8(k, 40), len(k), maxEventFieldName)
		}
		c, got := s.columnOf(k), jsonType(m[k])
		i, ok := s.index[c]
		switch {
		case !ok && got != "":
			added++
		case ok && !fits(s.cols[i].Type, got) && !s.widens(i, got):
			return s.misfit(k, c, s.cols[i].Type, m[k])
		}
	}
	if added > 0 && len(s.cols)+added > maxEventColumns {
		return fmt.Sprintf("the event's %d new fields would give %s more than %d columns", added, s.name, maxEventColumns)
	}
	return ""
}

// widens reports whether column i, new in this batch, may become DOUBLE
// for a value of JSON type got: the catalog has not seen its type yet.
func (s *eventSchema) widens(i int, got string) bool {
	return i >= s.fresh && s.cols[i].Type == "BIGINT" && got == "DOUBLE"
}

// place adds field k's column, or widens it, for a value of type got
// that check accepted.
func (s *eventSchema) place(k, got string) {
	c := s.field[k]
	i, ok := s.index[c]
	switch {
	case ok && s.widens(i, got):
		s.cols[i].Type = got
	case !ok && got != "":
		s.index[c] = len(s.cols)
		s.cols = append(s.cols, lakegate.Column{Name: c, Type: got, Nullable: true, Comment: fieldComment + k})
		if c != k {
			s.notes = append(s.notes, fmt.Sprintf("%s: field %q lands in column %s", s.name, k, c))
		}
	}
}

func (s *eventSchema) misfit(field, col, typ string, v any) string {
	where := fmt.Sprintf("field %q", field)
	if col != field {
		where += " (column " + col + ")"
	}
	return fmt.Sprintf("%s is %s in %s, but this event's value %s is %s", where, typ, s.name, preview(v), describeJSON(v))
}

// columnOf maps a field to its column: the column whose comment names it,
// else the first of eventColumn(field), then _2, _3... that no other field
// holds. A catalog column whose comment names no field goes to the first
// field of its name; an empty comment then records the field.
func (s *eventSchema) columnOf(field string) string {
	if c, ok := s.field[field]; ok {
		return c
	}
	base := eventColumn(field)
	c := base
	for n := 2; s.held(c); n++ {
		c = suffixed(base, n)
	}
	s.owner[c], s.field[field] = field, c
	if i, ok := s.index[c]; ok && s.cols[i].Comment == "" {
		s.cols[i].Comment = fieldComment + field
	}
	return c
}

func (s *eventSchema) held(c string) bool {
	_, ok := s.owner[c]
	return ok
}

func describeJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case json.Number:
		if jsonType(x) == "BIGINT" {
			return "an integer"
		}
		if !strings.ContainsAny(x.String(), ".eE") {
			return "an integer beyond BIGINT's range"
		}
		return "a fractional number"
	}
	return fmt.Sprintf("%T", v)
}

// preview is a value's JSON, cut at 40 bytes on a character boundary (the
// reason is a VARCHAR: it must stay valid UTF-8).
func preview(v any) string {
	b, _ := compactJSON(v)
	if len(b) > 40 {
		return cutUTF8(string(b), 40) + "…"
	}
	return string(b)
}

// compactJSON is a decoded value's JSON as sent, less insignificant
// whitespace: object keys sorted, numbers' digits kept, and <, > and &
// not escaped (no HTML will embed it).
func compactJSON(v any) ([]byte, error) {
	return json.MarshalWithOption(v, json.DisableHTMLEscape())
}

func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.ToValidUTF8(s[:n], "\uFFFD")
}
