package duckdb

import (
	"context"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// arrowBatchRows is the size of the record batches of an Arrow export:
// memory holds one batch (per column) at a time, whatever the row count.
const arrowBatchRows = 64 << 10

// arrowStream converts a Parquet spill file to an Arrow IPC stream while
// it is read, batch by batch, with at most rows rows. The schema comes
// from the file, so names and types travel with the stream; the schema
// message is written even when there are no rows. stop ends the
// conversion early (a client that went away); the caller closes f.
func arrowStream(ctx context.Context, f *os.File, rows int64) (r io.Reader, stop func() error, err error) {
	pf, err := file.NewParquetReader(f)
	if err != nil {
		return nil, nil, err
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: arrowBatchRows}, memory.DefaultAllocator)
	if err != nil {
		return nil, nil, err
	}
	// The conversion outlives the query's deadline, which bounds the
	// engine's work, not the client's download; stop or Close ends it.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer rr.Release()
		w := ipc.NewWriter(pw, ipc.WithSchema(rr.Schema()), ipc.WithAllocator(memory.DefaultAllocator))
		left := rows
		for left > 0 && rr.Next() {
			rec := rr.RecordBatch()
			if rec.NumRows() > left {
				rec = rec.NewSlice(0, left)
				defer rec.Release()
			}
			if err := w.Write(rec); err != nil {
				pw.CloseWithError(err)
				return
			}
			left -= rec.NumRows()
		}
		if err := rr.Err(); err != nil && left > 0 {
			pw.CloseWithError(err)
			return
		}
		pw.CloseWithError(w.Close())
	}()
	stop = func() error {
		cancel()
		pr.Close() // unblocks a pending write
		<-done
		return nil // the caller closes the file
	}
	return pr, stop, nil
}
