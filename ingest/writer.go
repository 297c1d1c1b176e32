package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/lakegate/lakegate"
)

// Bounds that keep memory flat: a row group is flushed at rowGroupRows rows
// or rowGroupBytes of buffered values, whichever comes first; a file rolls
// over to a new part after fileBytes.
const (
	rowGroupRows  = 128 * 1024
	rowGroupBytes = 8 << 20
	fileBytes     = 512 << 20
)

// stagedFile is one complete Parquet file in the batch's staging area.
type stagedFile struct {
	table    string
	part     int
	staged   string // store path under _staging
	final    string // store path once landed
	bytes    int64
	rows     int64
	checksum string // sha256 hex of the file
}

// tableWriter buffers one table's rows in Arrow builders and writes them as
// Parquet row groups to staged files through the Store.
type tableWriter struct {
	ctx    context.Context
	store  lakegate.Store
	spec   tableSpec
	schema *arrow.Schema
	props  *parquet.WriterProperties
	rowBuf           // the rows buffered for the next row group
	cl     *clusters // with spec.clusterBy: one rowBuf per value (cluster.go)

	stagingDir string // _staging/<batch>/<table>
	finalDir   string // <db>/<table>/ingest_date=<date>
	batch      string

	fw       *pqarrow.FileWriter
	out      *hashWriter
	cur      stagedFile
	files    []stagedFile
	total    int64 // rows written to files
	released bool
}

func newTableWriter(ctx context.Context, store lakegate.Store, spec tableSpec, batch, stagingDir, finalDir string) *tableWriter {
	schema := arrowSchema(spec.catalogColumns())
	opts := []parquet.WriterProperty{
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(1),
		parquet.WithMaxRowGroupLength(rowGroupRows),
		parquet.WithCreatedBy("lakegate ingest " + lakegate.Version),
	}
	for _, c := range spec.noDict {
		opts = append(opts, parquet.WithDictionaryFor(c, false))
	}
	w := &tableWriter{
		ctx: ctx, store: store, spec: spec, schema: schema,
		props:      parquet.NewWriterProperties(opts...),
		rowBuf:     newRowBuf(schema),
		stagingDir: stagingDir, finalDir: finalDir, batch: batch,
	}
	w.cl = newClusters(spec)
	return w
}

// rowBuf is one row group's rows, in Arrow builders.
type rowBuf struct {
	rb    *array.RecordBuilder
	f     []array.Builder // rb's field builders
	rows  int64           // rows buffered
	bytes int64           // bytes buffered (estimate)
}

func newRowBuf(schema *arrow.Schema) rowBuf {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	return rowBuf{rb: rb, f: rb.Fields()}
}

// added records one appended row of n bytes and flushes a full row group.
func (w *tableWriter) added(n int64) error {
	w.rows++
	w.bytes += n
	if w.cl != nil {
		w.cl.total += n
	}
	if w.rows >= rowGroupRows || w.bytes >= rowGroupBytes {
		return w.flush()
	}
	if w.cl != nil {
		return w.cl.overBudget(w)
	}
	return nil
}

// flush writes the buffered rows as one row group, opening a file first if
// needed; no file is created for a table without rows.
func (w *tableWriter) flush() error {
	if w.rows == 0 {
		return nil
	}
	rows := int(w.rows)
	var sizes [32]int
	for i, b := range w.f {
		if sb, ok := b.(*array.StringBuilder); ok && i < len(sizes) {
			sizes[i] = sb.DataLen()
		}
	}
	rec := w.rb.NewRecordBatch()
	if w.cl != nil {
		w.cl.total -= w.bytes
	}
	defer func() {
		rec.Release()
		if w.cl != nil {
			return // a key's builders stay empty until its next rows
		}
		// Reserve what this row group needed once its buffers are gone,
		// so builders neither regrow (and copy) nor hold both at once.
		w.rb.Reserve(rows)
		for i, b := range w.f {
			if sb, ok := b.(*array.StringBuilder); ok && i < len(sizes) {
				sb.ReserveData(sizes[i] + sizes[i]/16)
			}
		}
	}()
	w.rows, w.bytes = 0, 0
	return w.writeRecord(rec)
}

// writeRecord writes rec as one row group of the open file, and rolls
// over to a new file past fileBytes.
func (w *tableWriter) writeRecord(rec arrow.RecordBatch) error {
	if w.fw == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	if err := w.fw.Write(rec); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "write %s", w.cur.staged)
	}
	w.cur.rows += rec.NumRows()
	w.total += rec.NumRows()
	if w.out.n >= fileBytes {
		return w.closeFile()
	}
	return nil
}

func (w *tableWriter) open() error {
	part := len(w.files)
	w.cur = stagedFile{
		table:  w.spec.name,
		part:   part,
		staged: fmt.Sprintf("%s/part-%05d.parquet", w.stagingDir, part),
		final:  fmt.Sprintf("%s/part-%s-%05d.parquet", w.finalDir, w.batch, part),
	}
	wc, err := w.store.Create(w.ctx, w.cur.staged)
	if err != nil {
		return err
	}
	w.out = &hashWriter{w: wc, h: sha256.New()}
	fw, err := pqarrow.NewFileWriter(w.schema, w.out, w.props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		wc.Close()
		return lakegate.Wrap(lakegate.EINTERNAL, err, "open a Parquet writer for %s", w.cur.staged)
	}
	w.fw = fw
	return nil
}

// closeFile writes the footer and closes the staged file, which makes it
// durable.
func (w *tableWriter) closeFile() error {
	if w.fw == nil {
		return nil
	}
	fw := w.fw
	w.fw = nil
	if err := fw.Close(); err != nil { // also closes w.out and the store file
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "close %s", w.cur.staged)
	}
	w.cur.bytes = w.out.n
	w.cur.checksum = hex.EncodeToString(w.out.h.Sum(nil))
	w.files = append(w.files, w.cur)
	return nil
}

// finish flushes the last rows and closes the open file.
func (w *tableWriter) finish() error {
	flush := w.flush
	if w.cl != nil {
		flush = func() error { return w.cl.flushAll(w) }
	}
	if err := flush(); err != nil {
		return err
	}
	err := w.closeFile()
	w.release()
	return err
}

func (w *tableWriter) release() {
	if !w.released {
		w.released = true
		if w.cl != nil {
			w.cl.release(w)
			return
		}
		w.rb.Release()
	}
}

// abort drops buffered rows and closes any open file (which is removed
// with the batch's staging directory).
func (w *tableWriter) abort() {
	if w.fw != nil {
		w.fw.Close()
		w.fw = nil
	}
	w.release()
}

// hashWriter counts and hashes what it passes on.
type hashWriter struct {
	w io.WriteCloser
	h hash.Hash
	n int64
}

func (h *hashWriter) Write(p []byte) (int, error) {
	n, err := h.w.Write(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func (h *hashWriter) Close() error { return h.w.Close() }
