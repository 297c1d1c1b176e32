package server

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// format is one answer format.
type format struct {
	name        string
	contentType string
	streamed    bool // rows stream (no JSON envelope); ?limit=0 exports every row
}

// responseType is the Content-Type of an answer: text formats say their
// charset.
func (f format) responseType() string {
	if strings.HasPrefix(f.contentType, "text/") {
		return f.contentType + "; charset=utf-8"
	}
	return f.contentType
}

// formats are the answer formats, in the order error messages list them.
var formats = []format{
	{"json", "application/json", false},
	{"ndjson", "application/x-ndjson", true},
	{"csv", "text/csv", true},
	{"tsv", "text/tab-separated-values", true},
	{"arrow", "application/vnd.apache.arrow.stream", true},
	{"parquet", "application/vnd.apache.parquet", true},
}

func formatNamed(name string) (format, bool) {
	for _, f := range formats {
		if f.name == name {
			return f, true
		}
	}
	return format{}, false
}

func formatList() string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// chooseFormat picks the answer format: the route's suffix, then the
// body's "format", then ?format=, then the Accept header (its most
// preferred type that names a format), then JSON.
func chooseFormat(route, body string, c echo.Context) (string, error) {
	f := route
	for _, candidate := range []string{body, c.QueryParam("format")} {
		if f == "" {
			f = strings.ToLower(strings.TrimSpace(candidate))
		}
	}
	if f == "" {
		f = acceptFormat(c.Request().Header.Get(echo.HeaderAccept))
	}
	if _, ok := formatNamed(f); !ok {
		return "", lakegate.Errorf(lakegate.EINVALID, "unknown format %q: use one of %s (or the routes /v1/query.<format>)", f, formatList())
	}
	return f, nil
}

// acceptFormat reads an Accept header: the known type with the highest
// q wins (the earlier one on a tie); no known type means JSON.
func acceptFormat(accept string) string {
	type choice struct {
		name string
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		for _, f := range formats {
			if mt == f.contentType && q > 0 {
				choices = append(choices, choice{f.name, q})
			}
		}
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	if len(choices) == 0 {
		return "json"
	}
	return choices[0].name
}

// chooseLimit reads ?limit=: the most rows to return. JSON answers are
// always capped at MaxRows (a larger limit, or 0, is MaxRows); streamed
// formats default to MaxRows and ?limit=0 streams every row.
func (s *Server) chooseLimit(c echo.Context, name string) (int, error) {
	p := c.QueryParam("limit")
	if p == "" {
		return s.opt.MaxRows, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p))
	if err != nil || n < 0 {
		return 0, lakegate.Errorf(lakegate.EINVALID, "bad limit %q: send a whole number of rows, 0 for all rows (csv, tsv, ndjson, arrow, parquet), at most %d for json", p, s.opt.MaxRows)
	}
	if f, _ := formatNamed(name); !f.streamed && (n == 0 || n > s.opt.MaxRows) {
		return s.opt.MaxRows, nil
	}
	return n, nil
}

// columnsHeader carries the answer's column names and types with every
// format, e.g. [{"name":"n","type":"BIGINT"}], when they fit in
// maxColumnsHeader bytes. Longer ones (thousands of columns, or a 600 KB
// unaliased expression as a name) would break clients and proxies, which
// refuse header lines past 8 to 64 KB: the header then says
// columnsOmitted and the names and types travel only in the answer
// itself (the JSON "columns", the CSV header line, the Arrow or Parquet
// schema).
const (
	columnsHeader    = "X-Lakegate-Columns"
	maxColumnsHeader = 8 << 10
	columnsOmitted   = "omitted: longer than 8 KiB; the answer's own columns or schema carry them"
)

// truncatedHeader says a streamed answer stopped at its limit.
const truncatedHeader = "X-Lakegate-Truncated"

func setColumns(h http.Header, cols []lakegate.Column) {
	type col struct {
		Name string `json:"name"`
		Type string `json:"type"`
	}
	out := make([]col, len(cols))
	for i, c := range cols {
		out[i] = col{c.Name, c.Type}
	}
	b, _ := json.Marshal(out)
	if len(b) > maxColumnsHeader {
		h.Set(columnsHeader, columnsOmitted)
		return
	}
	h.Set(columnsHeader, string(b))
}

// stream answers q in a streamed format: through the engine's export
// (a spill file, flat memory) when it has one, else from the cursor.
func (s *Server) stream(c echo.Context, q *call) error {
	if ex, ok := q.Engine.(lakegate.Exporter); ok && exports(ex, q.Format) {
		return s.export(c, q, ex)
	}
	switch q.Format {
	case "csv", "tsv", "ndjson":
		return s.streamRows(c, q)
	}
	return lakegate.Errorf(lakegate.EINVALID, "format %s needs an engine that exports files; the %s engine answers json, ndjson, csv and tsv", q.Format, q.Engine.Name())
}

// exports says whether ex writes format (every format, unless it is a
// PartialExporter).
func exports(ex lakegate.Exporter, format string) bool {
	p, ok := ex.(lakegate.PartialExporter)
	return !ok || p.Exports(format)
}

// export streams the engine's export file. The engine's early errors
// come before the first byte is sent, so they keep the JSON error shape;
// a failure after the answer started (unlimited text exports stream while
// the engine writes them) cuts the stream. The deadline covers the
// engine's work, not the client's download of a finished file.
func (s *Server) export(c echo.Context, q *call, ex lakegate.Exporter) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), q.Timeout)
	defer cancel()
	f, err := ex.Export(ctx, lakegate.Query{ID: q.ID, SQL: q.SQL, Params: q.Params}, q.Format, q.Limit)
	if err != nil {
		return err
	}
	defer f.Close() // deletes the spill file, also when the client went away
	res := c.Response()
	fm, _ := formatNamed(q.Format)
	res.Header().Set(echo.HeaderContentType, fm.responseType())
	setColumns(res.Header(), f.Columns())
	if f.Truncated() {
		res.Header().Set(truncatedHeader, "true")
	}
	if f.Size() >= 0 {
		res.Header().Set(echo.HeaderContentLength, strconv.FormatInt(f.Size(), 10))
	}
	res.WriteHeader(http.StatusOK)
	q.Bytes, err = io.Copy(bodyWriter{res}, f)
	q.Rows = int(max(f.Rows(), 0)) // final only once the file was read to its end
	if err == nil {
		return nil
	}
	if c.Request().Context().Err() != nil {
		return lakegate.Wrap(lakegate.ECANCELED, err, "the client went away during the export")
	}
	s.log.Error("export cut short", "query_id", q.ID, "format", q.Format, "bytes", q.Bytes, "err", err)
	panic(http.ErrAbortHandler) // a cut answer must not look complete
}

// bodyWriter writes a response body and passes ReadFrom through to the
// http.ResponseWriter under echo's Response (which has none), so that an
// export file goes out with sendfile; it keeps the Response's Size.
type bodyWriter struct{ res *echo.Response }

func (w bodyWriter) Write(p []byte) (int, error) { return w.res.Write(p) }

func (w bodyWriter) ReadFrom(r io.Reader) (int64, error) {
	rf, ok := w.res.Writer.(io.ReaderFrom)
	if !ok {
		return io.Copy(struct{ io.Writer }{w.res}, r)
	}
	n, err := rf.ReadFrom(r)
	w.res.Size += n
	return n, err
}
