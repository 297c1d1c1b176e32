package server

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"
)

// writeJobCSV renders a job's spill file as CSV like the query answer: a
// header line, NULL as an empty field, nested values as JSON.
func writeJobCSV(res *echo.Response, f io.Reader) error {
	r := bufio.NewReaderSize(f, 1<<16)
	head, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	var h struct {
		Columns []struct {
			Name string `json:"name"`
		} `json:"columns"`
	}
	if err := json.Unmarshal(head, &h); err != nil {
		return err
	}
	res.Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	res.WriteHeader(http.StatusOK)
	w := csv.NewWriter(res)
	record := make([]string, len(h.Columns))
	for i, col := range h.Columns {
		record[i] = col.Name
	}
	w.Write(record)
	var vals []json.RawMessage
	for {
		line, err := r.ReadBytes('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil {
			return err
		}
		vals = vals[:0]
		if err := json.Unmarshal(line, &vals); err != nil {
			return err
		}
		for i, v := range vals {
			if record[i], err = csvField(v); err != nil {
				return err
			}
		}
		w.Write(record)
	}
	w.Flush()
	return w.Error()
}

// csvField turns one stored JSON value into its CSV text: strings
// unquoted, null empty, numbers, booleans and nested values as written.
func csvField(v json.RawMessage) (string, error) {
	switch {
	case bytes.Equal(v, []byte("null")):
		return "", nil
	case len(v) > 0 && v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	}
	return string(v), nil
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
	fmt.Fprintf(w, `{"ok":true,"job_id":%q,"query_id":%q,"engine":%q,"columns":%s,"rows":[`, st.JobID, st.QueryID, s.opt.Engine.Name(), cols)
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
