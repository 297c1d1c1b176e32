package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"

	_ "github.com/duckdb/duckdb-go/v2"
)

// Systems of the SELECT 1 table that are not lakegate: what bounds the
// gateway's own cost on this machine, measured beside it.
const (
	ceilingDuckDB = "DuckDB alone, in process"
	ceilingHTTP   = "Go net/http, a fixed answer"
)

// ceilings measures SELECT 1 without lakegate, at the same client counts:
// DuckDB answering it in process with no HTTP (every uncached query runs in
// DuckDB), and a bare Go net/http handler sending lakegate's own JSON answer
// under the same wrk load (every cached answer goes out through Go's HTTP
// server). Neither can be beaten by a gateway built on them.
func (s *systems) ceilings(ctx context.Context) error {
	one, err := s.gw.sql(ctx, "SELECT 1 AS one", false)
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	base, stop, err := fixedServer(one.raw)
	if err != nil {
		return err
	}
	defer stop()
	for _, n := range s.c.clientSteps {
		lr, err := load(s.c, n, func(ctx context.Context) error {
			var one int
			return db.QueryRowContext(ctx, "SELECT 1 AS one").Scan(&one)
		})
		if err != nil {
			return fmt.Errorf("SELECT 1 in DuckDB, %d goroutines: %w", n, err)
		}
		lr.Size, lr.Query, lr.System, lr.Client = s.size, "SELECT 1", ceilingDuckDB, "the suite's goroutines"
		s.r.Small = append(s.r.Small, lr)
	}
	for _, n := range s.c.clientSteps {
		if lr, ok, err := wrkLoad(s.c, &gateway{base: base}, n, true); ok {
			if err != nil {
				return fmt.Errorf("net/http, %d clients: %w", n, err)
			}
			lr.Size, lr.Query, lr.System, lr.Client = s.size, "SELECT 1", ceilingHTTP, "wrk"
			s.r.Small = append(s.r.Small, lr)
		}
	}
	return nil
}

// fixedServer serves body to every request on a free loopback port.
func fixedServer(body []byte) (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
