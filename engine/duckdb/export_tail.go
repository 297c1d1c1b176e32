package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"time"

	"github.com/lakegate/lakegate"
)

// Unlimited text exports (csv, tsv, ndjson with limit 0) are streamed
// while COPY still writes them: sending overlaps the engine's work, where
// waiting for COPY to finish would add the whole send phase to the
// answer's time (BENCHMARKS.md, exports). The answer starts only after
// the first tailCommitBytes were written or COPY finished, so that a
// query failing early (a bad cast, a missing column at run time) still
// answers with the JSON error shape; a failure after that can only cut
// the stream, which the server does so that it cannot look complete.
// A limited export is not tailed: its row count and truncation must be
// known before the answer starts.
const tailCommitBytes = 4 << 20

// tailPoll is how often a reader that caught up with COPY looks again.
const tailPoll = 2 * time.Millisecond

// tailable tells whether an export of format with limit is streamed
// while it is written. Parquet and Arrow need the whole file (the
// Parquet footer comes last).
func tailable(format string, limit int) bool {
	switch format {
	case lakegate.FormatCSV, lakegate.FormatTSV, lakegate.FormatNDJSON:
		return limit == 0
	}
	return false
}

// tailFile is an export being written by a COPY that runs in its own
// goroutine and owns conn until it returns.
type tailFile struct {
	cols   []lakegate.Column
	file   *os.File
	path   string
	cancel context.CancelFunc
	done   chan struct{} // closed when COPY returned; then rows and err are set
	rows   int64
	err    error
}

// exportTail starts COPY (sel) TO path and returns once the answer may
// start (see tailCommitBytes). It takes over conn.
func (db *DB) exportTail(ctx context.Context, conn *sql.Conn, sel, path, opts string, args []any, cols []lakegate.Column) (*tailFile, error) {
	ctx, cancel := context.WithCancel(ctx)
	t := &tailFile{cols: cols, path: path, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		defer db.closeConn(conn)
		t.rows, t.err = db.copyTo(ctx, conn, sel, path, opts, args)
		if t.err != nil {
			t.err = db.mapError(ctx, t.err)
		}
	}()
	if err := t.waitCommit(); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// waitCommit waits until the file holds tailCommitBytes or COPY ended,
// and opens it. COPY's error, if it failed by then, is returned.
func (t *tailFile) waitCommit() error {
	tick := time.NewTicker(tailPoll)
	defer tick.Stop()
	for {
		select {
		case <-t.done:
			if t.err != nil {
				return t.err
			}
			return t.open()
		case <-tick.C:
		}
		if st, err := os.Stat(t.path); err == nil && st.Size() >= tailCommitBytes {
			return t.open()
		}
	}
}

func (t *tailFile) open() error {
	f, err := os.Open(t.path)
	if err != nil {
		return err
	}
	t.file = f
	return nil
}

// Read returns what COPY has written so far, waits for more when it caught
// up, and returns COPY's error, if it fails, instead of io.EOF.
func (t *tailFile) Read(p []byte) (int, error) {
	for {
		n, err := t.file.Read(p)
		if n > 0 || (err != nil && !errors.Is(err, io.EOF)) {
			return n, err
		}
		select {
		case <-t.done:
			if t.err != nil {
				return 0, t.err
			}
			// COPY is done: what the file holds now is the whole answer.
			if n, err = t.file.Read(p); n > 0 {
				return n, nil
			}
			return 0, err
		case <-time.After(tailPoll):
		}
	}
}

func (t *tailFile) Columns() []lakegate.Column { return t.cols }

// Rows is the number of rows written; final once Read returned io.EOF.
func (t *tailFile) Rows() int64 {
	select {
	case <-t.done:
		return t.rows
	default:
		return -1
	}
}

func (t *tailFile) Truncated() bool { return false }
func (t *tailFile) Size() int64     { return -1 }

// Close stops COPY if it still runs and removes the file.
func (t *tailFile) Close() error {
	t.cancel()
	<-t.done
	if t.file != nil {
		t.file.Close()
	}
	os.Remove(t.path)
	return nil
}
