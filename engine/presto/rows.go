package presto

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	presto "github.com/prestodb/presto-go-client/v2"

	"github.com/lakegate/lakegate"
)

// rows reads a query's result batch by batch: at most one batch is held.
type rows struct {
	ctx   context.Context
	s     *presto.Session
	qr    *presto.QueryResults
	url   string
	cols  []lakegate.Column
	types []*prestoType
	i     int // next row of qr.Data
	vals  []any
	err   error
}

// newRows waits for the query's columns (Presto sends them with its first
// results, after queueing and planning).
func newRows(ctx context.Context, s *presto.Session, qr *presto.QueryResults, url string) (*rows, error) {
	r := &rows{ctx: ctx, s: s, qr: qr, url: url}
	for qr.Columns == nil && qr.NextUri != nil {
		next, _, err := s.FetchNextBatch(ctx, *qr.NextUri)
		if err != nil {
			r.cancel()
			return nil, mapError(ctx, err, url)
		}
		r.qr, qr = next, next
	}
	for _, c := range qr.Columns {
		t := parseType(c.Type)
		r.cols = append(r.cols, lakegate.Column{Name: c.Name, Type: t.name(), Nullable: true})
		r.types = append(r.types, t)
	}
	r.vals = make([]any, len(r.cols))
	return r, nil
}

func (r *rows) Columns() []lakegate.Column { return r.cols }

func (r *rows) Next() bool {
	for r.err == nil && r.i >= len(r.qr.Data) {
		if r.qr.NextUri == nil {
			return false
		}
		next, _, err := r.s.FetchNextBatch(r.ctx, *r.qr.NextUri)
		if err != nil {
			r.err = mapError(r.ctx, err, r.url)
			r.cancel()
			return false
		}
		r.qr, r.i = next, 0
	}
	if r.err != nil {
		return false
	}
	r.err = r.decode(r.qr.Data[r.i])
	r.i++
	return r.err == nil
}

// decode reads one row (a JSON array) into vals.
func (r *rows) decode(raw json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	cells, _ := v.([]any)
	if err != nil || len(cells) != len(r.types) {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "presto: a row does not match its columns")
	}
	for i, c := range cells {
		v, err := r.types[i].value(c)
		if err != nil {
			return lakegate.Wrap(lakegate.EINTERNAL, err, "presto: cannot read a %s value", r.cols[i].Type)
		}
		r.vals[i] = v
	}
	return nil
}

func (r *rows) Values() []any { return r.vals }

func (r *rows) Err() error { return r.err }

// Close stops the query on the coordinator when it has more to send.
func (r *rows) Close() error {
	r.cancel()
	return nil
}

// cancel asks the coordinator to kill the query (DELETE on its next URI),
// in the background of the caller's own end.
func (r *rows) cancel() {
	if r.qr == nil || r.qr.NextUri == nil {
		return
	}
	next := *r.qr.NextUri
	r.qr.NextUri = nil
	go r.s.CancelQuery(context.Background(), next)
}

// bind turns q's parameters into Presto's prepared statement: the text,
// with $name and ? parameters as ?, in a header, and EXECUTE ... USING
// their values as typed literals (Presto binds them; they are not part of
// the statement it parses).
func bind(q lakegate.Query) (string, []presto.RequestOption, error) {
	text, values, err := positional(q)
	if err != nil || len(values) == 0 {
		return text, nil, err
	}
	lits := make([]string, len(values))
	for i, v := range values {
		if lits[i], err = literal(v); err != nil {
			return "", nil, err
		}
	}
	header := presto.RequestOption(func(req *http.Request) {
		req.Header.Add("X-Presto-Prepared-Statement", "lakegate_q="+url.QueryEscape(text))
	})
	return "EXECUTE lakegate_q USING " + strings.Join(lits, ", "), []presto.RequestOption{header}, nil
}
