// Package rowexport gives any engine Arrow and Parquet exports: it reads
// the engine's cursor batch by batch into Arrow records and writes them to
// a spill file (an Arrow IPC stream, or Parquet through pqarrow), so an
// answer of any size costs one batch of memory. The Presto engine, which
// has only a cursor, exports through it; DuckDB has its own exporter.
//
// Column types are DuckDB's names (every engine reports them): lists,
// maps, structs, decimals, dates, timestamps (with and without zone),
// times, blobs and intervals become their Arrow twins; anything else
// (UUID, JSON, HUGEINT, ...) is written as a string.
package rowexport

import (
	"context"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakegate/lakegate"
)

// BatchRows is how many rows one record (and one Parquet row group at
// most) holds: what the export keeps in memory.
const BatchRows = 64 << 10

// Exporter exports the answers of Engine into spill files in Dir ("" is
// the OS temp directory).
type Exporter struct {
	Engine lakegate.Engine
	Dir    string
}

var _ lakegate.PartialExporter = (*Exporter)(nil)

// Exports says which formats Export writes: arrow and parquet. The server
// streams the text formats from the engine's cursor.
func (x *Exporter) Exports(format string) bool {
	return format == lakegate.FormatArrow || format == lakegate.FormatParquet
}

// Export runs q on the engine and writes at most limit rows (0: all) in
// format to a spill file. It returns the engine's errors, EINVALID for a
// format other than arrow or parquet, and EUNAVAILABLE when the spill
// file cannot be written.
func (x *Exporter) Export(ctx context.Context, q lakegate.Query, format string, limit int) (lakegate.ExportFile, error) {
	if !x.Exports(format) {
		return nil, lakegate.Errorf(lakegate.EINVALID, "the %s engine exports arrow and parquet files; format %s streams from its rows", x.Engine.Name(), format)
	}
	rows, err := x.Engine.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f, err := os.CreateTemp(x.Dir, "lakegate-export-*."+format)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot create an export file in the spill directory %q", x.Dir)
	}
	out := &file{File: f, cols: rows.Columns()}
	if err := out.write(ctx, rows, format, limit); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}

// file is a written export, read from its start; Close removes it.
type file struct {
	*os.File
	cols      []lakegate.Column
	rows      int64
	truncated bool
	size      int64
}

func (f *file) Columns() []lakegate.Column { return f.cols }
func (f *file) Rows() int64                { return f.rows }
func (f *file) Truncated() bool            { return f.truncated }
func (f *file) Size() int64                { return f.size }

func (f *file) Close() error {
	err := f.File.Close()
	os.Remove(f.Name())
	return err
}

// write fills the file and rewinds it for reading.
func (f *file) write(ctx context.Context, rows lakegate.Rows, format string, limit int) error {
	schema := schemaOf(f.cols, format)
	w, err := newWriter(f.File, schema, format)
	if err != nil {
		return err
	}
	if err := f.copyRows(ctx, rows, schema, w, limit); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot finish the %s export file", format)
	}
	st, err := f.Stat()
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot read back the export file")
	}
	f.size = st.Size()
	_, err = f.Seek(0, 0)
	return err
}

// copyRows reads the cursor into records of BatchRows rows and writes
// them; one row past the limit marks the answer truncated.
func (f *file) copyRows(ctx context.Context, rows lakegate.Rows, schema *arrow.Schema, w recordWriter, limit int) error {
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	n := 0
	for rows.Next() {
		if limit > 0 && int(f.rows) == limit {
			f.truncated = true
			break
		}
		for i, v := range rows.Values() {
			if err := appendValue(b.Field(i), v); err != nil {
				return lakegate.Wrap(lakegate.EINTERNAL, err, "export: column %s", f.cols[i].Name)
			}
		}
		f.rows++
		if n++; n == BatchRows {
			if err := flush(ctx, b, w); err != nil {
				return err
			}
			n = 0
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush(ctx, b, w)
}

func flush(ctx context.Context, b *array.RecordBuilder, w recordWriter) error {
	if err := ctx.Err(); err != nil {
		return lakegate.Wrap(lakegate.ECANCELED, err, "the export was canceled")
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if rec.NumRows() == 0 && !w.wantsEmpty() {
		return nil
	}
	if err := w.Write(rec); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot write the export file (is the spill directory full?)")
	}
	return nil
}

// schemaOf is the Arrow schema of the columns. Parquet has no writer for
// Arrow's month-day-nano intervals: there an INTERVAL is a struct of
// months, days and micros, as its JSON is.
func schemaOf(cols []lakegate.Column, format string) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		t := arrowType(c.Type)
		if format == lakegate.FormatParquet && t.ID() == arrow.INTERVAL_MONTH_DAY_NANO {
			t = intervalStruct
		}
		fields[i] = arrow.Field{Name: c.Name, Type: t, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// recordWriter is an Arrow IPC or Parquet writer.
type recordWriter interface {
	Write(rec arrow.RecordBatch) error
	Close() error
	wantsEmpty() bool
}

type ipcWriter struct{ *ipc.Writer }

func (ipcWriter) wantsEmpty() bool { return false }

type parquetWriter struct{ *pqarrow.FileWriter }

func (parquetWriter) wantsEmpty() bool { return false }

func newWriter(f *os.File, schema *arrow.Schema, format string) (recordWriter, error) {
	if format == lakegate.FormatArrow {
		return ipcWriter{ipc.NewWriter(f, ipc.WithSchema(schema))}, nil
	}
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy), parquet.WithMaxRowGroupLength(BatchRows))
	// Only io.Writer: the parquet writer would close an io.Closer, and the
	// file is read back after it.
	w, err := pqarrow.NewFileWriter(schema, struct{ io.Writer }{f}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "cannot start a parquet export")
	}
	return parquetWriter{w}, nil
}

// Wrap gives e Arrow and Parquet exports through an Exporter.
func Wrap(e lakegate.Engine, dir string) lakegate.Engine {
	return exporting{Engine: e, Exporter: &Exporter{Engine: e, Dir: dir}}
}

type exporting struct {
	lakegate.Engine
	*Exporter
}
