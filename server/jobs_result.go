package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// writeJobResult renders a job's spill file in format.
func (s *Server) writeJobResult(res *echo.Response, f *os.File, format string, st jobStatus) error {
	fm, _ := formatNamed(format)
	setColumns(res.Header(), st.Columns)
	switch format {
	case lakegate.FormatCSV:
		return writeJobCSV(res, f, ',')
	case lakegate.FormatTSV:
		return writeJobCSV(res, f, '\t')
	case lakegate.FormatNDJSON:
		return writeJobNDJSON(res, f, st.Columns)
	case lakegate.FormatArrow, lakegate.FormatParquet:
		res.Header().Set(echo.HeaderContentType, fm.responseType())
		res.WriteHeader(http.StatusOK)
		_, err := io.Copy(bodyWriter{res}, f)
		return err
	}
	return s.writeJobJSON(res, f, st)
}

// writeJobCSV renders a job's spill file as CSV (or TSV) like the query
// answer: a header line, NULL as an empty field, nested values as JSON.
func writeJobCSV(res *echo.Response, f io.Reader, comma rune) error {
	r := bufio.NewReaderSize(f, 1<<16)
	head, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	var h jobFileHead
	if err := json.Unmarshal(head, &h); err != nil {
		return err
	}
	contentType := "text/csv; charset=utf-8"
	if comma == '\t' {
		contentType = "text/tab-separated-values; charset=utf-8"
	}
	res.Header().Set(echo.HeaderContentType, contentType)
	res.WriteHeader(http.StatusOK)
	w := csv.NewWriter(res)
	w.Comma = comma
	record := make([]string, len(h.Columns))
	for i, col := range h.Columns {
		record[i] = col.Name
	}
	w.Write(record)
	err = eachRow(r, func(vals []json.RawMessage) (err error) {
		for i, v := range vals {
			if record[i], err = csvField(v, h.Columns[i].Type); err != nil {
				return err
			}
		}
		return w.Write(record)
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// eachRow calls fn with the values of every row line left in r.
func eachRow(r *bufio.Reader, fn func(vals []json.RawMessage) error) error {
	var vals []json.RawMessage
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			return nil
		}
		if err != nil {
			return err
		}
		vals = vals[:0]
		if err := json.Unmarshal(line, &vals); err != nil {
			return err
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
}

// csvField turns one stored JSON value into its CSV text, as the CSV
// answer renders it (csvValue): strings unquoted, null empty, timestamps
// and special floats as DuckDB writes them, numbers, booleans and nested
// values as stored.
func csvField(v json.RawMessage, typ string) (string, error) {
	switch {
	case bytes.Equal(v, []byte("null")):
		return "", nil
	case len(v) > 0 && v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return storedText(s, typ), nil
	}
	return string(v), nil
}

// storedText turns the JSON answer's text of a timestamp or special float
// back into the CSV text.
func storedText(s, typ string) string {
	switch typ {
	case "DOUBLE", "FLOAT":
		switch s {
		case "NaN":
			return "nan"
		case "Infinity":
			return "inf"
		case "-Infinity":
			return "-inf"
		}
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ":
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return csvTime(t, typ)
		}
	}
	return s
}

// writeJobJSON writes the spill file as one JSON answer.
func (s *Server) writeJobJSON(res *echo.Response, f io.Reader, st jobStatus) error {
	r := bufio.NewReaderSize(f, 1<<16)
	if _, err := r.ReadBytes('\n'); err != nil { // the columns line; st has them
		return err
	}
	cols, _ := json.Marshal(st.Columns)
	res.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	res.WriteHeader(http.StatusOK)
	w := bufio.NewWriterSize(res, 1<<16)
	fmt.Fprintf(w, `{"ok":true,"job_id":%q,"query_id":%q,"engine":%q,"route_reason":%q,"columns":%s,"rows":[`, st.JobID, st.QueryID, st.Engine, st.RouteReason, cols)
	for n := 0; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil {
			return err
		}
		if n > 0 {
			w.WriteByte(',')
		}
		w.Write(line[:len(line)-1])
	}
	fmt.Fprintf(w, `],"row_count":%d,"truncated":false,"elapsed_ms":%v}`+"\n", st.Rows, st.ElapsedMS)
	return w.Flush()
}

// writeJobNDJSON renders the spill file as one JSON object per row, the
// stored values as they are, keys in column order.
func writeJobNDJSON(res *echo.Response, f io.Reader, cols []lakegate.Column) error {
	r := bufio.NewReaderSize(f, 1<<16)
	if _, err := r.ReadBytes('\n'); err != nil { // the columns line
		return err
	}
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i], _ = json.Marshal(c.Name)
	}
	res.Header().Set(echo.HeaderContentType, "application/x-ndjson")
	res.WriteHeader(http.StatusOK)
	w := bufio.NewWriterSize(res, 1<<16)
	err := eachRow(r, func(vals []json.RawMessage) error {
		w.WriteByte('{')
		for i, v := range vals {
			if i > 0 {
				w.WriteByte(',')
			}
			w.Write(keys[i])
			w.WriteByte(':')
			w.Write(v)
		}
		_, err := w.WriteString("}\n")
		return err
	})
	if err != nil {
		return err
	}
	return w.Flush()
}

// exportJob writes a binary-format job through the engine's export, so
// the job's memory stays flat and its columns keep their types.
func (s *Server) exportJob(ctx context.Context, j *job) error {
	ex := j.engine.(lakegate.Exporter) // newJob checked
	ef, err := ex.Export(ctx, lakegate.Query{ID: j.id, SQL: j.sql, Params: j.params}, j.format, 0)
	if err != nil {
		return err
	}
	defer ef.Close()
	j.mu.Lock()
	j.cols = ef.Columns()
	j.mu.Unlock()
	f, err := os.Create(j.path)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the job's result to spill_dir")
	}
	defer f.Close()
	if _, err := io.Copy(f, ef); err != nil {
		if ctx.Err() != nil || lakegate.ErrorCode(err) != lakegate.EINTERNAL {
			return err
		}
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the job's result to spill_dir")
	}
	j.rows.Store(ef.Rows())
	return f.Close()
}

// listJobs answers the caller's jobs, newest first.
func (s *Server) listJobs(c echo.Context) error {
	user := userOf(c)
	s.jobs.mu.Lock()
	mine := make([]*job, 0, len(s.jobs.byID))
	for _, j := range s.jobs.byID {
		if j.user == user {
			mine = append(mine, j)
		}
	}
	s.jobs.mu.Unlock()
	sort.Slice(mine, func(a, b int) bool { return mine[a].created.After(mine[b].created) })
	out := make([]jobStatus, len(mine))
	for i, j := range mine {
		out[i] = j.status()
	}
	return c.JSON(http.StatusOK, jobsAnswer{OK: true, Jobs: out})
}
