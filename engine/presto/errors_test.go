package presto_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/engine/enginetest"
	"github.com/lakegate/lakegate/engine/presto"
	"github.com/lakegate/lakegate/internal/prestotest"
)

// TestErrorCodes: Presto's own errors get lakegate's codes, and every
// message says Presto answered.
func TestErrorCodes(t *testing.T) {
	e := open(t, lakeWithAttempts(t))
	for _, c := range []struct{ sql, code string }{
		{"SELECT 1 +", lakegate.EINVALID},                                            // Presto's syntax error
		{"SELECT no_such_column FROM assessments.attempts", lakegate.EINVALID},       // semantic
		{"SELECT * FROM system.runtime.nodes", lakegate.EFORBIDDEN},                  // access control
		{"SELECT * FROM jmx.current.\"java.lang:type=runtime\"", lakegate.ENOTFOUND}, // no jmx catalog here
	} {
		_, err := enginetest.Query(context.Background(), e, c.sql, nil)
		enginetest.ExpectCode(t, c.sql, err, c.code)
		if !strings.Contains(lakegate.ErrorMessage(err), "presto") {
			t.Errorf("%s: message %q does not name presto", c.sql, lakegate.ErrorMessage(err))
		}
	}
}

// TestMemoryLimit: a query past its memory cap (MaxMemory, Presto's
// query_max_memory) is out_of_memory. The cap is tiny so that the query
// stays small: a query that truly filled the peer's heap could kill it
// (Presto's accounting of array_agg lags what it holds).
func TestMemoryLimit(t *testing.T) {
	url := prestotest.URL(t)
	prestotest.Serve(t, prestotest.Tenants{})
	c, err := presto.New(presto.Options{URL: url, MaxMemory: "1MB"})
	if err != nil {
		t.Fatal(err)
	}
	q := "SELECT count(DISTINCT x * 100000 + y) FROM UNNEST(sequence(1, 1000)) a(x) CROSS JOIN UNNEST(sequence(1, 1000)) b(y)"
	_, err = enginetest.Query(context.Background(), c.Engine("acme"), q, nil)
	enginetest.ExpectCode(t, "past query_max_memory", err, lakegate.ENOMEM)
	if !strings.Contains(lakegate.ErrorMessage(err), "presto") {
		t.Errorf("message %q does not name presto", lakegate.ErrorMessage(err))
	}
}

// TestUnreachable: a coordinator nobody answers at is 503, naming it.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := presto.New(presto.Options{URL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = enginetest.Query(context.Background(), c.Engine("acme"), "SELECT 1", nil)
	enginetest.ExpectCode(t, "unreachable presto", err, lakegate.EUNAVAILABLE)
	if !strings.Contains(lakegate.ErrorMessage(err), addr) {
		t.Errorf("message %q does not name %s", lakegate.ErrorMessage(err), addr)
	}
}
