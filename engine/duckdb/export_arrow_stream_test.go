//go:build duckdb_arrow

package duckdb_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// TestArrowExportStreams: an unlimited Arrow export streams from DuckDB's
// streaming result in the query's order, with nothing spilled; an empty
// answer still carries its schema; a failure after the answer started
// ends the stream with the error; a deadline interrupts the query.
func TestArrowExportStreams(t *testing.T) {
	db, spill := openSpill(t)
	for _, c := range []struct {
		sql  string
		rows int64
	}{
		{"SELECT i, 'row ' || i AS s FROM range(3000000) t(i) ORDER BY i DESC", 3000000},
		{"SELECT 1::BIGINT AS i, 'x' AS s WHERE false", 0},
	} {
		f, err := db.Export(context.Background(), lakegate.Query{SQL: c.sql}, "arrow", 0)
		if err != nil {
			t.Fatal(err)
		}
		spillEmpty(t, spill) // streamed, not spilled
		r, err := ipc.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Schema().Field(1).Name; got != "s" {
			t.Errorf("%s: schema %v", c.sql, r.Schema())
		}
		next, n := c.rows-1, int64(0)
		for r.Next() {
			col := r.RecordBatch().Column(0)
			for i := 0; i < col.Len(); i++ {
				if v := col.ValueStr(i); v != fmt.Sprint(next) {
					t.Fatalf("%s: row %d is %s, want %d", c.sql, n, v, next)
				}
				next--
				n++
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Release()
		io.Copy(io.Discard, f)
		if n != c.rows || f.Rows() != c.rows {
			t.Errorf("%s: read %d rows, Rows() %d, want %d", c.sql, n, f.Rows(), c.rows)
		}
		f.Close()
	}
	// The error comes after the rows that DuckDB may buffer ahead of the
	// writer (arrowStreamBuffer): earlier ones are reported before the
	// answer, with the JSON shape.
	f, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT CASE WHEN i = 19000000 THEN 'x'::INT ELSE i END AS i FROM range(20000000) t(i)"}, "arrow", 0)
	if err != nil {
		t.Fatalf("a late error came before the answer: %v", err)
	}
	if _, err := io.Copy(io.Discard, f); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("late error: %v", err)
	}
	f.Close()
	if _, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT 'x'::INT AS i"}, "arrow", 0); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("early error: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	f, err = db.Export(ctx, lakegate.Query{SQL: "SELECT i, i * 2 AS j FROM range(10000000000) t(i)"}, "arrow", 0)
	if err == nil {
		_, err = io.Copy(io.Discard, f)
		f.Close()
	}
	if code := lakegate.ErrorCode(err); code != lakegate.ETIMEOUT || time.Since(start) > 5*time.Second {
		t.Errorf("deadline: %v after %s", err, time.Since(start))
	}
	// Closing before the end interrupts the query and frees the connection.
	f, err = db.Export(context.Background(), lakegate.Query{SQL: "SELECT i FROM range(100000000) t(i)"}, "arrow", 0)
	if err != nil {
		t.Fatal(err)
	}
	io.CopyN(io.Discard, f, 1<<20)
	f.Close()
	if got := enginetest.Scalar(t, db, "SELECT 42", nil); got != "42" {
		t.Errorf("after an early close: %s", got)
	}
}

// TestArrowExportBufferReset checks that the streaming buffer an Arrow
// export widens is its connection's for the export only: the pooled
// connections answer other queries (the wire protocol's streamed ones)
// with DuckDB's default, after a full export and after one closed early.
func TestArrowExportBufferReset(t *testing.T) {
	db, _ := openSpill(t)
	const setting = "SELECT current_setting('streaming_buffer_size')"
	def := enginetest.Scalar(t, db, setting, nil)
	for _, n := range []int64{-1, 1 << 20} {
		f, err := db.Export(context.Background(), lakegate.Query{SQL: "SELECT i FROM range(30000000) t(i)"}, "arrow", 0)
		if err != nil {
			t.Fatal(err)
		}
		if n < 0 {
			io.Copy(io.Discard, f)
		} else {
			io.CopyN(io.Discard, f, n)
		}
		f.Close()
		for range 8 {
			if got := enginetest.Scalar(t, db, setting, nil); got != def {
				t.Fatalf("after an export, a connection's streaming_buffer_size is %s, want %s", got, def)
			}
		}
	}
	if _, err := db.Query(context.Background(), lakegate.Query{SQL: "SET streaming_buffer_size='1GB'"}); lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
		t.Errorf("a user's SET of the open setting: %v", err)
	}
}
