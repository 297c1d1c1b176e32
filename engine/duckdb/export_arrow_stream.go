//go:build duckdb_arrow

package duckdb

import (
	"bufio"
	"context"
	"database/sql"
	"database/sql/driver"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	bindings "github.com/duckdb/duckdb-go-bindings"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/lakegate/lakegate"
)

// An unlimited Arrow export without parameters streams straight from
// DuckDB: the query runs as a streaming result (duckdb_pending_prepared_
// streaming) and each chunk DuckDB produces is converted to Arrow by
// DuckDB itself (duckdb_data_chunk_to_arrow) and written to the IPC
// stream. Nothing is spilled and memory stays flat: DuckDB pauses the
// query while the client reads slowly. duckdb-go (v2.10505) only runs
// materialized queries, whose results sit whole in memory, so this path
// calls the C API through duckdb-go-bindings on the connection duckdb-go
// opened. The answer starts once the first chunk exists, so errors until
// then keep the JSON error shape; later ones cut the stream.

// arrowStreamFile is an Arrow export being streamed by a goroutine that
// owns the connection until the query ends.
type arrowStreamFile struct {
	cols   []lakegate.Column
	cancel context.CancelFunc
	done   chan struct{} // closed when the query ended and the connection is back
	rows   atomic.Int64
	// The goroutine writes the stream to the writer it gets on dest, and
	// then sends its error on result: WriteTo hands it the response
	// itself; Read, a pipe.
	dest   chan io.Writer
	result chan error
	once   sync.Once
	pr     *io.PipeReader
}

// arrowStreaming tells that this build streams Arrow exports.
const arrowStreaming = true

// arrowStreamBuffer is how far DuckDB may run ahead of an Arrow export's
// writer. DuckDB produces a streaming result only while its buffer has
// room, and at the default (~1 MB) the scan waited on the writer and used
// about one core of two: the suite's 10M-row export took 2.38 s, 1.37 s
// with 64 MB (BENCHMARKS.md, exports). The setting is the connection's and
// is reset when the export ends, so the wire protocol's streamed results
// keep the default and its flat memory.
const arrowStreamBuffer = "64MB"

// exportArrowStream runs sel (checked, without parameters) and returns
// once its first chunk exists. It takes over conn.
func (db *DB) exportArrowStream(ctx context.Context, conn *sql.Conn, sel string, cols []lakegate.Column) (lakegate.ExportFile, error) {
	raw, err := rawConn(conn)
	if err != nil {
		db.closeConn(conn)
		return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "duckdb engine: no raw connection for the Arrow export")
	}
	if _, err := conn.ExecContext(ctx, "SET streaming_buffer_size="+quoteString(arrowStreamBuffer)); err != nil {
		db.closeConn(conn)
		return nil, db.mapError(ctx, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	f := &arrowStreamFile{cols: cols, cancel: cancel, done: make(chan struct{}),
		dest: make(chan io.Writer), result: make(chan error, 1)}
	started := make(chan error, 1)
	go func() {
		defer close(f.done)
		defer db.closeConn(conn)
		stop := interruptOnCancel(ctx, raw)
		err := f.stream(ctx, raw, sel, started)
		stop()
		resetStreamBuffer(conn)
		if err != nil {
			err = db.mapError(ctx, err)
		}
		select {
		case started <- err: // failed before the first chunk
		default:
		}
		f.result <- err
	}()
	if err := <-started; err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// resetStreamBuffer gives the connection back its default streaming
// buffer before the pool does; one that cannot be reset is dropped.
func resetStreamBuffer(conn *sql.Conn) {
	if _, err := conn.ExecContext(context.Background(), "RESET streaming_buffer_size"); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// interruptOnCancel interrupts raw's query when ctx ends, until the
// returned stop is called. stop waits for an interrupt under way: after
// it the connection may be closed (an interrupt of a closed connection,
// or of a closed database, is a segmentation fault).
func interruptOnCancel(ctx context.Context, raw bindings.Connection) (stop func()) {
	var mu sync.Mutex
	done := false
	after := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			bindings.Interrupt(raw)
		}
	})
	return func() {
		after()
		mu.Lock()
		done = true
		mu.Unlock()
	}
}

// stream runs sel as a streaming query and writes its IPC stream to the
// writer it then gets on dest; started gets nil once the first chunk was
// fetched (or the query ended without rows).
func (f *arrowStreamFile) stream(ctx context.Context, raw bindings.Connection, sel string, started chan<- error) error {
	res, err := streamingResult(raw, sel)
	if err != nil {
		return err
	}
	defer bindings.DestroyResult(res)
	opts := bindings.ResultGetArrowOptions(res)
	defer bindings.DestroyArrowOptions(&opts)
	schema, err := resultSchema(res, opts)
	if err != nil {
		return err
	}
	var bw *bufio.Writer
	var iw *ipc.Writer
	begin := func() error { // the answer starts: wait for its writer
		started <- nil
		select {
		case w := <-f.dest:
			bw = bufio.NewWriterSize(w, arrowBufBytes)
			iw = ipc.NewWriter(bw, ipc.WithSchema(schema), ipc.WithAllocator(arrowAlloc))
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for first := true; ; first = false {
		chunk := bindings.FetchChunk(*res)
		if chunk.Ptr == nil {
			if msg := bindings.ResultError(res); msg != "" {
				return &duckdb.Error{Type: duckdb.ErrorType(bindings.ResultErrorType(res)), Msg: msg}
			}
			break
		}
		rec, ed := bindings.DataChunkToArrowArray(opts, schema, chunk)
		bindings.DestroyDataChunk(&chunk)
		if err := errorData(ed); err != nil {
			return err
		}
		if first {
			if err := begin(); err != nil {
				rec.Release()
				return err
			}
		}
		err := iw.Write(rec)
		f.rows.Add(rec.NumRows())
		rec.Release()
		if err != nil {
			return err
		}
	}
	if iw == nil { // no rows: the answer is the schema alone
		if err := begin(); err != nil {
			return err
		}
	}
	if err := iw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// streamingResult prepares sel and starts it as a streaming query. The
// caller destroys the result.
func streamingResult(raw bindings.Connection, sel string) (*bindings.Result, error) {
	var stmt bindings.PreparedStatement
	defer bindings.DestroyPrepare(&stmt)
	if bindings.Prepare(raw, sel, &stmt) == bindings.StateError {
		return nil, messageError(bindings.PrepareError(stmt))
	}
	return startStreaming(stmt)
}

// startStreaming runs a prepared (and bound) statement as a streaming
// query: DuckDB produces its chunks as they are fetched. The caller
// destroys the result; stmt may be destroyed once it returned.
func startStreaming(stmt bindings.PreparedStatement) (*bindings.Result, error) {
	var pending bindings.PendingResult
	defer bindings.DestroyPending(&pending)
	if bindings.PendingPreparedStreaming(stmt, &pending) == bindings.StateError {
		return nil, messageError(bindings.PendingError(pending))
	}
	res := new(bindings.Result)
	if bindings.ExecutePending(pending, res) == bindings.StateError {
		defer bindings.DestroyResult(res)
		return nil, &duckdb.Error{Type: duckdb.ErrorType(bindings.ResultErrorType(res)), Msg: bindings.ResultError(res)}
	}
	return res, nil
}

// resultSchema is the Arrow schema of a result, as DuckDB converts it.
func resultSchema(res *bindings.Result, opts bindings.ArrowOptions) (*arrow.Schema, error) {
	n := bindings.ColumnCount(res)
	types := make([]bindings.LogicalType, n)
	names := make([]string, n)
	for i := range n {
		names[i] = bindings.ColumnName(res, i)
		types[i] = bindings.ColumnLogicalType(res, i)
	}
	defer func() {
		for i := range types {
			bindings.DestroyLogicalType(&types[i])
		}
	}()
	schema, ed := bindings.NewArrowSchema(opts, types, names)
	return schema, errorData(ed)
}

func errorData(ed bindings.ErrorData) error {
	defer bindings.DestroyErrorData(&ed)
	if !bindings.ErrorDataHasError(ed) {
		return nil
	}
	return messageError(bindings.ErrorDataMessage(ed))
}

// messageError types a C API error message by its prefix ("Conversion
// Error: ..."), as duckdb-go does, for mapError.
func messageError(msg string) error {
	prefix, _, _ := strings.Cut(msg, " Error: ")
	typ, ok := errorPrefixes[prefix]
	if !ok {
		typ = duckdb.ErrorTypeInvalidInput
	}
	return &duckdb.Error{Type: typ, Msg: msg}
}

var errorPrefixes = map[string]duckdb.ErrorType{
	"Out of Memory": duckdb.ErrorTypeOutOfMemory, "INTERRUPT": duckdb.ErrorTypeInterrupt,
	"Permission": duckdb.ErrorTypePermission, "Catalog": duckdb.ErrorTypeCatalog,
	"IO": duckdb.ErrorTypeIO, "INTERNAL": duckdb.ErrorTypeInternal,
	"Binder": duckdb.ErrorTypeBinder, "Parser": duckdb.ErrorTypeParser,
	"Conversion": duckdb.ErrorTypeConversion,
}

// WriteTo writes the stream straight to w (the response), without a pipe.
func (f *arrowStreamFile) WriteTo(w io.Writer) (int64, error) {
	direct := false
	f.once.Do(func() { direct = true })
	if !direct { // Read came first (or Close): go on from its pipe
		if f.pr == nil {
			return 0, nil
		}
		return io.Copy(w, struct{ io.Reader }{f.pr})
	}
	cw := &countWriter{w: w}
	select {
	case f.dest <- cw:
	case <-f.done: // it ended (canceled) before the answer started
	}
	err := <-f.result
	return cw.n, err
}

// Read reads the stream through a pipe, for callers that do not use
// WriteTo.
func (f *arrowStreamFile) Read(p []byte) (int, error) {
	f.once.Do(func() {
		pr, pw := io.Pipe()
		f.pr = pr
		go func() {
			select {
			case f.dest <- pw:
			case <-f.done:
			}
			pw.CloseWithError(<-f.result)
		}()
	})
	if f.pr == nil {
		return 0, io.EOF // WriteTo wrote it all
	}
	return f.pr.Read(p)
}

func (f *arrowStreamFile) Columns() []lakegate.Column { return f.cols }

// Rows is the number of rows sent; final once Read returned io.EOF.
func (f *arrowStreamFile) Rows() int64 {
	select {
	case <-f.done:
		return f.rows.Load()
	default:
		return -1
	}
}

func (f *arrowStreamFile) Truncated() bool { return false }
func (f *arrowStreamFile) Size() int64     { return -1 }

// Close interrupts the query if it still runs and waits for it.
func (f *arrowStreamFile) Close() error {
	f.cancel()
	f.once.Do(func() {}) // no pipe from now on
	if f.pr != nil {
		f.pr.Close()
	}
	<-f.done
	return nil
}
