package ingest

import (
	"context"
	"fmt"
	"path"
	"sort"

	json "github.com/goccy/go-json"

	"github.com/lakegate/lakegate"
)

// EventsDatabase is the catalog database web events land in, one table
// per event type.
const EventsDatabase = "events"

// eventRow is one event on its way to its table.
type eventRow struct {
	vals []any // in the table's column order (shorter: later columns NULL)
	span spanRef
}

// eventRejectRow is a message that cannot land, with why.
type eventRejectRow struct {
	span   spanRef
	reason string
	text   []byte
}

// eventsBatch sorts a micro-batch's events into their tables.
type eventsBatch struct {
	s       *streamer
	tables  map[string]*eventSchema
	rows    map[string][]eventRow
	rejects []eventRejectRow
	notes   []string
	mapped  map[string]bool // event types whose table name was reported
}

// landEvents lands a micro-batch of web events: one table per event type
// plus events.rejects, in one catalog commit with the offsets.
func (s *streamer) landEvents(ctx context.Context, msgs []Message, offs []lakegate.StreamOffset) (fileSummary, error) {
	eb := &eventsBatch{s: s, tables: map[string]*eventSchema{}, rows: map[string][]eventRow{}, mapped: map[string]bool{}}
	for _, m := range msgs {
		if err := eb.add(ctx, m); err != nil {
			return fileSummary{}, err
		}
	}
	b := &batch{opt: s.opt.Options, id: newBatchID(s.opt.Now().UTC()), source: s.opt.Source.Stream(), offsets: offs}
	b.date = s.opt.Now().UTC().Format("2006-01-02")
	if err := b.landMessages(ctx, msgs, eb.write(ctx, b)); err != nil {
		return fileSummary{}, err
	}
	b.fs.read, b.fs.rejected = int64(len(msgs)), int64(len(eb.rejects))
	b.fs.landed = b.fs.read - b.fs.rejected
	b.fs.notes, b.fs.batch = eb.allNotes(), b.id
	return b.fs, nil
}

// add sorts one message into its table, or into rejects with why.
func (eb *eventsBatch) add(ctx context.Context, m Message) error {
	sp := spanRef{n: m.Offset + 1, off: m.Offset, src: eb.s.partName(m.Partition)}
	if len(m.Value) > eb.s.opt.MaxMessageBytes {
		eb.reject(sp, m.Value, fmt.Sprintf("message of %d bytes is larger than the %d-byte limit", len(m.Value), eb.s.opt.MaxMessageBytes))
		return nil
	}
	fields, typ, why := decodeEvent(m.Value, eb.s.opt.EventTypeField)
	if why != "" {
		eb.reject(sp, m.Value, why)
		return nil
	}
	name, mapped := eventTable(typ)
	if name == "" {
		eb.reject(sp, m.Value, fmt.Sprintf("%s %q has no letter or digit to name a table by", eb.s.opt.EventTypeField, typ))
		return nil
	}
	sc, err := eb.schema(ctx, name, typ, mapped)
	if err != nil {
		return err
	}
	vals, why := sc.row(fields)
	if why != "" {
		eb.reject(sp, m.Value, why)
		return nil
	}
	eb.rows[name] = append(eb.rows[name], eventRow{vals: vals, span: sp})
	return nil
}

// schema is the table's schema in this batch, starting from the catalog's.
// Each type whose name was mapped is reported once per batch, also when
// several spellings share one table.
func (eb *eventsBatch) schema(ctx context.Context, name, typ string, mapped bool) (*eventSchema, error) {
	if mapped && !eb.mapped[typ] {
		eb.mapped[typ] = true
		eb.notes = append(eb.notes, fmt.Sprintf("%s %q lands in %s.%s", eb.s.opt.EventTypeField, typ, eb.s.opt.Database, name))
	}
	if sc, ok := eb.tables[name]; ok {
		return sc, nil
	}
	t, err := eb.s.opt.Catalog.Table(ctx, eb.s.opt.Database, name)
	if err != nil && lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		return nil, err
	}
	sc := newEventSchema(eb.s.opt.Database, name, t.Columns)
	eb.tables[name] = sc
	return sc, nil
}

func (eb *eventsBatch) reject(sp spanRef, text []byte, reason string) {
	capped := text[:min(len(text), rawCap)]
	if len(text) > rawCap {
		reason += fmt.Sprintf(" (raw text cut at its first %d bytes)", rawCap)
	}
	eb.rejects = append(eb.rejects, eventRejectRow{span: sp, reason: reason, text: capped})
}

func (eb *eventsBatch) allNotes() []string {
	out := eb.notes
	for _, name := range eb.names() {
		out = append(out, eb.tables[name].notes...)
	}
	return out
}

func (eb *eventsBatch) names() []string {
	names := make([]string, 0, len(eb.tables))
	for n := range eb.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// write writes every table's rows, and the rejects, with one writer each.
func (eb *eventsBatch) write(ctx context.Context, b *batch) error {
	for _, name := range eb.names() {
		if len(eb.rows[name]) == 0 {
			continue
		}
		w := eb.writer(ctx, b, eventSpec(eb.tables[name]))
		for _, r := range eb.rows[name] {
			if err := addRow(w, &row{b: b, s: &r.span, ev: r.vals}); err != nil {
				return err
			}
		}
	}
	if len(eb.rejects) == 0 {
		return nil
	}
	w := eb.writer(ctx, b, specs[3]) // the same rejects table as assessments'
	for _, r := range eb.rejects {
		if err := addRow(w, &row{b: b, s: &r.span, reason: r.reason, text: r.text}); err != nil {
			return err
		}
	}
	return nil
}

func (eb *eventsBatch) writer(ctx context.Context, b *batch, spec tableSpec) *tableWriter {
	db := eb.s.opt.Database
	w := newTableWriter(ctx, b.opt.Store, spec, b.id, path.Join(stagingRoot, b.id, spec.name), path.Join(db, spec.name, "ingest_date="+b.date))
	b.writers = append(b.writers, w)
	return w
}

// eventSpec is an events table: the schema's columns, then lineage.
func eventSpec(sc *eventSchema) tableSpec {
	spec := tableSpec{name: sc.table, description: "Web events of type " + sc.table + ", one row per event.",
		noDict: []string{"source_record", "source_offset"}}
	for i, c := range sc.cols {
		spec.columns = append(spec.columns, eventCol(c, i))
	}
	spec.columns = append(spec.columns, sourceFile, sourceRecord, sourceOffset, batchID)
	return spec
}

// eventCol fills a column from the event's i-th value.
func eventCol(c lakegate.Column, i int) column {
	val := func(x *row) any {
		if i < len(x.ev) {
			return x.ev[i]
		}
		return nil
	}
	switch c.Type {
	case "BIGINT":
		return bigint(c.Name, c.Comment, func(x *row) null[int64] {
			n, ok := val(x).(json.Number)
			v, err := n.Int64()
			return null[int64]{V: v, Valid: ok && err == nil}
		})
	case "DOUBLE":
		return double(c.Name, c.Comment, func(x *row) null[float64] {
			n, ok := val(x).(json.Number)
			v, err := n.Float64()
			return null[float64]{V: v, Valid: ok && err == nil}
		})
	case "BOOLEAN":
		return boolean(c.Name, c.Comment, func(x *row) null[bool] {
			v, ok := val(x).(bool)
			return null[bool]{V: v, Valid: ok}
		})
	}
	return varchar(c.Name, c.Comment, func(x *row) null[string] { return jsonText(val(x)) })
}

// jsonText is a VARCHAR value: a string as is, an object or array as its
// compact JSON (compactJSON).
func jsonText(v any) null[string] {
	switch x := v.(type) {
	case nil:
		return null[string]{}
	case string:
		return some(x)
	}
	b, err := compactJSON(v)
	return null[string]{V: string(b), Valid: err == nil}
}
