package duckdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

var _ lakegate.Exporter = (*DB)(nil)

// copyOptions are the COPY options of each export format. NDJSON gets its
// timestamps as ISO-8601 UTC text from projection (textExpr); the
// TIMESTAMPFORMAT here covers any left (six fraction digits).
var copyOptions = map[string]string{
	lakegate.FormatCSV:     `FORMAT csv, HEADER`,
	lakegate.FormatTSV:     `FORMAT csv, HEADER, DELIMITER '\t'`,
	lakegate.FormatNDJSON:  `FORMAT json, TIMESTAMPFORMAT '%Y-%m-%dT%H:%M:%S.%fZ'`,
	lakegate.FormatParquet: `FORMAT parquet, COMPRESSION zstd`,
	// Converted to Arrow while read: uncompressed and without dictionaries
	// (DICTIONARY_SIZE_LIMIT 0 writes PLAIN), the cheapest Parquet for
	// DuckDB to write and for pqarrow to read.
	lakegate.FormatArrow: `FORMAT parquet, COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 0`,
}

// Export writes the answer of q to a file in the engine's spill
// directory with DuckDB's own COPY, which streams rows to disk instead
// of holding the result in memory, and returns that file to be streamed.
//
// The user's text is spliced into COPY (\n<sql>\n) TO ..., but only after
// checkReadOnly proved it is one read-only statement; the newlines keep a
// trailing -- comment from swallowing the closing parenthesis, and the
// COPY itself is prepared and must be one COPY statement before it runs.
// Parameters are bound to the COPY as to a query: DuckDB accepts them.
func (db *DB) Export(ctx context.Context, q lakegate.Query, format string, limit int) (lakegate.ExportFile, error) {
	opts, ok := copyOptions[format]
	if !ok {
		return nil, lakegate.Errorf(lakegate.EINVALID, "unknown export format %q: use csv, tsv, ndjson, arrow or parquet", format)
	}
	if limit < 0 {
		return nil, lakegate.Errorf(lakegate.EINVALID, "limit must be 0 (all rows) or positive, got %d", limit)
	}
	conn, args, err := db.begin(ctx, q)
	if err != nil {
		return nil, err
	}
	held := true // until exportTail takes the connection over
	defer func() {
		if held {
			db.closeConn(conn)
		}
	}()
	body, err := db.exportable(ctx, conn, q)
	if err != nil {
		return nil, db.mapError(ctx, err)
	}
	cols, err := probeColumns(ctx, conn, body, args)
	if err != nil {
		return nil, db.mapError(ctx, err)
	}
	sel := "SELECT " + projection(cols, format) + " FROM (\n" + body + "\n) AS lakegate_export"
	if limit > 0 {
		sel += fmt.Sprintf(" LIMIT %d", limit+1) // one more tells a truncated answer
	}
	path := filepath.Join(db.spill, spillName(q.ID, format))
	if arrowStreaming && format == lakegate.FormatArrow && limit == 0 && len(args) == 0 {
		held = false
		return db.exportArrowStream(ctx, conn, sel, cols)
	}
	if tailable(format, limit) {
		held = false
		t, err := db.exportTail(ctx, conn, sel, path, opts, args, cols)
		if err != nil {
			return nil, err
		}
		return t, nil
	}
	n, err := db.copyTo(ctx, conn, sel, path, opts, args)
	if err != nil {
		os.Remove(path)
		return nil, db.mapError(ctx, err)
	}
	f := &exportFile{cols: cols, rows: n, size: -1}
	if limit > 0 && n > int64(limit) {
		f.rows, f.truncated = int64(limit), true
	}
	if format == lakegate.FormatParquet && f.truncated {
		if path, err = db.cutParquet(ctx, conn, path, limit); err != nil {
			return nil, db.mapError(ctx, err)
		}
	}
	if err := f.open(ctx, path, format); err != nil {
		f.Close()
		return nil, db.mapError(ctx, err)
	}
	return f, nil
}

// exportable checks q as Query does and returns its text without a
// trailing semicolon, ready to be wrapped in a subquery.
func (db *DB) exportable(ctx context.Context, conn *sql.Conn, q lakegate.Query) (string, error) {
	text := aliasQueryLog(ctx, conn, q.SQL)
	v, err := db.checkReadOnly(conn, text)
	if err == nil {
		err = checkArgs(q.Params, v.params)
	}
	if err != nil {
		return "", err
	}
	if v.typ != duckdb.STATEMENT_TYPE_SELECT {
		return "", lakegate.Errorf(lakegate.EINVALID, "only queries that return rows can be exported, not EXPLAIN; ask for format=json to see a plan")
	}
	return stripTerminator(text), nil
}

// stripTerminator cuts the text at its first semicolon outside quotes and
// comments when only blanks, comments and semicolons follow it: the
// statement is known to be single, so that is its terminator.
func stripTerminator(text string) string {
	cut := -1 // where the trailing run of semicolons starts
	for t := range sqlscan.Tokens(text) {
		switch {
		case t.Kind != sqlscan.Punct || t.Text != ";":
			cut = -1
		case cut < 0:
			cut = t.Pos
		}
	}
	if cut < 0 {
		return text
	}
	return text[:cut]
}

// probeColumns learns the answer's column names and types as Query
// reports them, without running the query.
func probeColumns(ctx context.Context, conn *sql.Conn, body string, args []any) ([]lakegate.Column, error) {
	rs, err := conn.QueryContext(ctx, "SELECT * FROM (\n"+body+"\n) AS lakegate_export LIMIT 0", args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	types, err := rs.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]lakegate.Column, len(types))
	for i, t := range types {
		nullable, _ := t.Nullable()
		cols[i] = lakegate.Column{Name: t.Name(), Type: t.DatabaseTypeName(), Nullable: nullable}
	}
	return cols, rs.Err()
}

// copyTo runs COPY (sel) TO path and returns the rows written. The COPY
// is prepared first and must be exactly one COPY statement.
func (db *DB) copyTo(ctx context.Context, conn *sql.Conn, sel, path, opts string, args []any) (int64, error) {
	stmt := "COPY (\n" + sel + "\n) TO " + quoteString(path) + " (" + opts + ")"
	typ, _, err := inspect(conn, stmt)
	if err != nil {
		return 0, err
	}
	if typ != duckdb.STATEMENT_TYPE_COPY {
		return 0, lakegate.Errorf(lakegate.EFORBIDDEN, "%s; the query cannot be exported", readOnlyHelp)
	}
	res, err := conn.ExecContext(ctx, stmt, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// cutParquet rewrites the first limit rows of a truncated Parquet export
// (written with one extra row) and removes the original.
func (db *DB) cutParquet(ctx context.Context, conn *sql.Conn, path string, limit int) (string, error) {
	defer os.Remove(path)
	cut := strings.TrimSuffix(path, ".parquet") + "-cut.parquet"
	sel := fmt.Sprintf("SELECT * FROM read_parquet(%s) LIMIT %d", quoteString(path), limit)
	if _, err := db.copyTo(ctx, conn, sel, cut, copyOptions[lakegate.FormatParquet], nil); err != nil {
		os.Remove(cut)
		return "", err
	}
	return cut, nil
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// spillName is the file name of one export: the query id when it is a
// plain token (it becomes part of a SQL literal and a path), plus random
// bytes so that names cannot be guessed or collide.
func spillName(id, format string) string {
	var b [16]byte
	rand.Read(b[:])
	if !safeID.MatchString(id) {
		id = "export"
	}
	ext := format
	if format == lakegate.FormatArrow {
		ext = "arrow.parquet"
	}
	return id + "-" + hex.EncodeToString(b[:]) + "." + ext
}

// projection renders, for the text formats, the values the JSON answer
// renders differently from DuckDB's COPY: BLOB as base64, nested values
// as JSON in CSV/TSV, NaN and infinities as the strings "NaN",
// "Infinity", "-Infinity" (COPY json would write invalid JSON), and
// timestamps as ISO-8601 UTC text (isoTime). Timestamps inside nested
// values keep DuckDB's rendering (2018-01-23 14:23:19). Other columns pass as they are. It
// falls back to * when column names repeat (they cannot be referenced).
func projection(cols []lakegate.Column, format string) string {
	if format == lakegate.FormatParquet || format == lakegate.FormatArrow {
		return "*"
	}
	seen := map[string]bool{}
	exprs := make([]string, len(cols))
	changed := false
	for i, c := range cols {
		if seen[c.Name] {
			return "*"
		}
		seen[c.Name] = true
		col := quoteIdent(c.Name)
		e := textExpr(col, c.Type, format)
		if e != col {
			changed = true
		}
		exprs[i] = e + " AS " + col
	}
	if !changed {
		return "*"
	}
	return strings.Join(exprs, ", ")
}

// textExpr is the projection of one column in a text export. CSV and TSV
// carry timestamps and floats as DuckDB writes them (2018-01-23
// 14:23:19.082, 2018-01-23 14:23:19.5+00, nan, inf): any projection costs
// a full pass of string work on exports of millions of rows
// (BENCHMARKS.md, exports). NDJSON follows the JSON answer (ISO 8601 with
// T and Z, "NaN").
func textExpr(col, typ, format string) string {
	nested := strings.HasSuffix(typ, "]") || strings.HasPrefix(typ, "STRUCT") || strings.HasPrefix(typ, "MAP") || strings.HasPrefix(typ, "UNION")
	csvLike := format == lakegate.FormatCSV || format == lakegate.FormatTSV
	switch {
	case typ == "BLOB":
		return "base64(" + col + ")"
	case csvLike && !nested:
		return col
	case typ == "TIMESTAMP WITH TIME ZONE" || typ == "TIMESTAMPTZ":
		return isoTime("timezone('UTC', "+col+")", "%f")
	case typ == "TIMESTAMP" || typ == "TIMESTAMP_MS" || typ == "TIMESTAMP_S":
		return isoTime(col, "%f")
	case typ == "TIMESTAMP_NS":
		return isoTime(col, "%n")
	case typ == "DOUBLE" || typ == "FLOAT":
		special := "CASE WHEN isnan(%[1]s) THEN 'NaN' WHEN %[1]s = 'infinity' THEN 'Infinity' WHEN %[1]s = '-infinity' THEN '-Infinity' END"
		return fmt.Sprintf("CASE WHEN isfinite(%[1]s) OR %[1]s IS NULL THEN to_json(%[1]s) ELSE to_json("+special+") END", col)
	case nested && format != lakegate.FormatNDJSON:
		return "CAST(to_json(" + col + ") AS VARCHAR)"
	}
	return col
}

// isoTime renders a UTC timestamp as the JSON answer does (Go's
// RFC 3339 with trailing fraction zeros dropped): 2018-01-23T14:23:19.082Z,
// 2018-01-23T14:23:19Z.
func isoTime(ts, frac string) string {
	return fmt.Sprintf("CASE WHEN %[1]s IS NULL THEN NULL WHEN epoch_ns(%[1]s) %% 1000000000 = 0 THEN strftime(%[1]s, '%%Y-%%m-%%dT%%H:%%M:%%SZ') "+
		"ELSE rtrim(strftime(%[1]s, '%%Y-%%m-%%dT%%H:%%M:%%S.%[2]s'), '0') || 'Z' END", ts, frac)
}

// exportFile is one finished export, already unlinked from the spill
// directory where possible: other statements cannot see it while it is
// streamed, and the disk space returns when it is closed.
type exportFile struct {
	cols      []lakegate.Column
	rows      int64
	truncated bool
	size      int64
	path      string
	file      *os.File
	r         io.Reader
	closer    func() error // stops an Arrow conversion
}

func (f *exportFile) Columns() []lakegate.Column { return f.cols }
func (f *exportFile) Rows() int64                { return f.rows }
func (f *exportFile) Truncated() bool            { return f.truncated }
func (f *exportFile) Size() int64                { return f.size }
func (f *exportFile) Read(p []byte) (int, error) { return f.r.Read(p) }

// open opens the spill file, removes its name and prepares the reader:
// the file as it is, cut after limit records when truncated, or an Arrow
// stream converted from it.
func (f *exportFile) open(ctx context.Context, path, format string) error {
	f.path = path
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	f.file = file
	if os.Remove(path) == nil {
		f.path = ""
	}
	switch format {
	case lakegate.FormatArrow:
		conv, err := arrowStream(ctx, file, f.rows)
		if err != nil {
			return err
		}
		f.r, f.closer = conv, conv.stop
		return nil
	case lakegate.FormatCSV, lakegate.FormatTSV, lakegate.FormatNDJSON:
		end, err := file.Seek(0, io.SeekEnd)
		if err != nil {
			return err
		}
		if f.truncated {
			// header + rows records for CSV, rows lines for NDJSON
			records := f.rows
			if format != lakegate.FormatNDJSON {
				records++
			}
			if end, err = recordsEnd(file, records, format != lakegate.FormatNDJSON); err != nil {
				return err
			}
		}
		return f.body(end)
	default:
		st, err := file.Stat()
		if err != nil {
			return err
		}
		return f.body(st.Size())
	}
}

// body reads the first size bytes of the file, through an
// io.LimitedReader over the *os.File itself: WriteTo hands that to a
// writer with ReadFrom (net/http's response), which sends it with
// sendfile instead of copying it through user space.
func (f *exportFile) body(size int64) error {
	if _, err := f.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	f.size, f.r = size, &io.LimitedReader{R: f.file, N: size}
	return nil
}

// WriteTo copies the rest of the answer to w; io.Copy prefers it to
// Read, so a file-backed answer reaches w's ReadFrom unwrapped.
func (f *exportFile) WriteTo(w io.Writer) (int64, error) {
	if lr, ok := f.r.(*io.LimitedReader); ok {
		return io.Copy(w, lr)
	}
	if wt, ok := f.r.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.Copy(w, struct{ io.Reader }{f.r})
}

// Close stops any conversion and deletes the file.
func (f *exportFile) Close() error {
	var errs []error
	if f.closer != nil {
		errs = append(errs, f.closer())
	}
	if f.file != nil {
		errs = append(errs, f.file.Close())
	}
	if f.path != "" {
		if err := os.Remove(f.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// recordsEnd returns the offset just after the first n records of a file
// DuckDB wrote. In CSV a quoted field may hold a newline, so quotes are
// followed ("" inside quotes toggles twice and needs no care); NDJSON
// lines never hold a raw newline.
func recordsEnd(r io.ReaderAt, n int64, quoted bool) (int64, error) {
	buf := make([]byte, 64<<10)
	var off int64
	inQuote := false
	for n > 0 {
		m, err := r.ReadAt(buf, off)
		for i := 0; i < m; i++ {
			switch buf[i] {
			case '"':
				inQuote = quoted && !inQuote
			case '\n':
				if !inQuote {
					if n--; n == 0 {
						return off + int64(i) + 1, nil
					}
				}
			}
		}
		off += int64(m)
		if err == io.EOF {
			return off, nil
		}
		if err != nil {
			return 0, err
		}
	}
	return off, nil
}
