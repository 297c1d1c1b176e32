package server

import (
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// answer is the JSON shape of a query result.
type answer struct {
	OK      bool   `json:"ok"`
	QueryID string `json:"query_id"`
	Cached  bool   `json:"cached"` // always false here: cache hits are replayed by cache.go with true
	Engine  string `json:"engine"`
	// RouteReason says why Engine answers (the router's rule, route.go).
	RouteReason string            `json:"route_reason"`
	Columns     []lakegate.Column `json:"columns"`
	Rows        [][]any           `json:"rows"`
	RowCount    int               `json:"row_count"`
	Truncated   bool              `json:"truncated"`
	ElapsedMS   float64           `json:"elapsed_ms"`
	// Plan is the text of an EXPLAIN (ANALYZE) answer, the plans of its
	// rows joined, ready to print; the rows still carry them as returned.
	Plan string `json:"plan,omitempty"`
}

// writeJSON reads at most limit rows (one more to know whether the
// answer is truncated) and writes them in one JSON object.
func (s *Server) writeJSON(c echo.Context, rs lakegate.Rows, q *call) error {
	start, limit, n := q.Start, q.Limit, &q.Rows
	cols := rs.Columns()
	a := answer{OK: true, Engine: q.Engine.Name(), RouteReason: q.Route.Reason, Columns: cols, Rows: [][]any{}}
	a.QueryID, _ = c.Get(queryIDKey).(string)
	for rs.Next() {
		if len(a.Rows) == limit {
			a.Truncated = true
			break
		}
		vals := rs.Values()
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = jsonValue(v, cols[i].Type)
		}
		a.Rows = append(a.Rows, row)
	}
	if err := rs.Err(); err != nil {
		return err
	}
	a.RowCount, *n = len(a.Rows), len(a.Rows)
	if a.Plan = planText(cols, a.Rows); a.Plan != "" {
		a.Plan = "-- lakegate: engine " + a.Engine + ": " + a.RouteReason + "\n" + a.Plan
	}
	a.ElapsedMS = math.Round(float64(time.Since(start).Microseconds())/10) / 100
	setColumns(c.Response().Header(), cols)
	return c.JSON(http.StatusOK, a)
}

// planText joins the plans of an EXPLAIN answer, recognized by DuckDB's
// columns (explain_key, explain_value) or Presto's (Query Plan); "" for
// any other answer.
func planText(cols []lakegate.Column, rows [][]any) string {
	plan := len(cols) == 2 && cols[0].Name == "explain_key" && cols[1].Name == "explain_value"
	presto := len(cols) == 1 && cols[0].Name == "Query Plan"
	if !plan && !presto {
		return ""
	}
	var b strings.Builder
	for _, r := range rows {
		if v, ok := r[len(r)-1].(string); ok {
			b.WriteString(strings.TrimRight(v, "\n") + "\n")
		}
	}
	return b.String()
}

// streamRows streams at most q.Limit rows (0: all) from the engine's
// cursor as CSV, TSV or NDJSON, for engines that cannot export files (the
// cursor may hold the whole result in memory). The first row is read
// before anything is written, so early errors still get the JSON error
// shape; an error after that aborts the connection, so a client never
// mistakes a cut answer for a complete one. Whether the answer was
// truncated is known only at its end: it comes as a trailer.
func (s *Server) streamRows(c echo.Context, q *call) error {
	rs, done, err := s.query(c, q)
	if err != nil {
		return err
	}
	defer done()
	cols := rs.Columns()
	more := rs.Next()
	if !more {
		if err := rs.Err(); err != nil {
			return err
		}
	}
	res := c.Response()
	fm, _ := formatNamed(q.Format)
	res.Header().Set(echo.HeaderContentType, fm.responseType())
	res.Header().Set("Trailer", truncatedHeader)
	setColumns(res.Header(), cols)
	res.WriteHeader(http.StatusOK)
	w := newRowWriter(res, q.Format, cols)
	for ; more; more = rs.Next() {
		if q.Limit > 0 && q.Rows == q.Limit {
			res.Header().Set(truncatedHeader, "true")
			break
		}
		w.write(rs.Values())
		if q.Rows++; q.Rows%1000 == 0 {
			w.flush()
			res.Flush()
		}
	}
	w.flush()
	q.Bytes = res.Size
	if err := rs.Err(); err != nil {
		s.log.Error("streamed answer cut short", "query_id", q.ID, "format", q.Format, "rows", q.Rows, "err", err)
		panic(http.ErrAbortHandler)
	}
	return w.err()
}

// rowWriter writes rows as CSV, TSV (both with a header line) or NDJSON
// (objects keyed by column name), values rendered as the JSON answer
// renders them.
type rowWriter struct {
	csv  *csv.Writer
	json *json.Encoder
	cols []lakegate.Column
	rec  []string
	e    error
}

func newRowWriter(w io.Writer, format string, cols []lakegate.Column) *rowWriter {
	r := &rowWriter{cols: cols, rec: make([]string, len(cols))}
	if format == "ndjson" {
		r.json = json.NewEncoder(w)
		r.json.SetEscapeHTML(false)
		return r
	}
	r.csv = csv.NewWriter(w)
	if format == "tsv" {
		r.csv.Comma = '\t'
	}
	for i, col := range cols {
		r.rec[i] = col.Name
	}
	r.csv.Write(r.rec)
	return r
}

func (r *rowWriter) write(vals []any) {
	if r.csv != nil {
		for i, v := range vals {
			r.rec[i] = csvValue(v, r.cols[i].Type)
		}
		r.csv.Write(r.rec)
		return
	}
	obj := orderedObject{keys: make([]string, len(vals)), vals: make([]any, len(vals))}
	for i, v := range vals {
		obj.keys[i], obj.vals[i] = r.cols[i].Name, jsonValue(v, r.cols[i].Type)
	}
	if err := r.json.Encode(obj); err != nil && r.e == nil {
		r.e = err
	}
}

func (r *rowWriter) flush() {
	if r.csv != nil {
		r.csv.Flush()
	}
}

func (r *rowWriter) err() error {
	if r.csv != nil {
		return r.csv.Error()
	}
	return r.e
}

// jsonValue converts an engine-neutral value (lakegate's values.go) to
// one encoding/json renders faithfully: numbers as numbers (exact for
// decimals and big integers), NaN and infinities as strings, times per
// the column type.
func jsonValue(v any, typ string) any {
	switch x := v.(type) {
	case nil, bool, string, int64, int32, int16, int8, int, uint64, uint32, uint16, uint8, json.Number, lakegate.Interval:
		return x
	case float64:
		return floatJSON(x)
	case float32:
		return floatJSON(float64(x))
	case *big.Int:
		return json.Number(x.String())
	case time.Time:
		return timeText(x, typ)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, "")
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e, "")
		}
		return out
	case lakegate.Map:
		obj := orderedObject{keys: make([]string, len(x.Keys)), vals: make([]any, len(x.Keys))}
		for i, k := range x.Keys {
			obj.keys[i], obj.vals[i] = mapKey(k), jsonValue(x.Values[i], "")
		}
		return obj
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// mapKey renders a MAP key as a JSON object key.
func mapKey(k any) string {
	if s, ok := jsonValue(k, "").(string); ok {
		return s
	}
	return fmt.Sprint(jsonValue(k, ""))
}

// orderedObject is a JSON object that keeps a DuckDB MAP's key order.
type orderedObject struct {
	keys []string
	vals []any
}

func (o orderedObject) MarshalJSON() ([]byte, error) {
	buf := []byte{'{'}
	for i, k := range o.keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(o.vals[i])
		if err != nil {
			return nil, err
		}
		buf = append(append(append(buf, kb...), ':'), vb...)
	}
	return append(buf, '}'), nil
}

func floatJSON(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}

// timeText renders DATE as 2026-01-02, TIME as 15:04:05.999999 and
// timestamps as RFC 3339 in UTC.
func timeText(t time.Time, typ string) string {
	switch typ {
	case "DATE":
		return t.UTC().Format(time.DateOnly)
	case "TIME", "TIME WITH TIME ZONE":
		return t.UTC().Format("15:04:05.999999999")
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Text renders one value as the CSV answer does (also for the CLI's
// tables): NULL is empty, timestamps and floats as DuckDB writes CSV,
// nested values JSON.
func Text(v any, typ string) string { return csvValue(v, typ) }

// JSONValue converts one value as the JSON answer does.
func JSONValue(v any, typ string) any { return jsonValue(v, typ) }

// csvValue renders one CSV field as DuckDB's own COPY writes it, so that
// every path (exports, cursors, jobs, the CLI) gives the same text:
// NULL is empty, timestamps 2018-01-23 14:23:19.082 (UTC; with +00 for
// TIMESTAMPTZ), floats nan and inf, nested values JSON.
func csvValue(v any, typ string) string {
	switch x := v.(type) {
	case time.Time:
		return csvTime(x, typ)
	case float64:
		return csvFloat(x, 64)
	case float32:
		return csvFloat(float64(x), 32)
	}
	switch x := jsonValue(v, typ).(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	case int64, int32, int16, int8, int, uint64, uint32, uint16, uint8:
		return fmt.Sprint(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
}

// csvTime renders a time as DuckDB's CSV does.
func csvTime(t time.Time, typ string) string {
	switch typ {
	case "DATE", "TIME", "TIME WITH TIME ZONE":
		return timeText(t, typ)
	case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
		return t.UTC().Format("2006-01-02 15:04:05.999999") + "+00"
	}
	return t.UTC().Format("2006-01-02 15:04:05.999999999")
}

// csvFloat renders a float as DuckDB's CSV does: shortest text, nan, inf.
func csvFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}
