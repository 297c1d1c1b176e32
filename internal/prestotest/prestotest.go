// Package prestotest runs lakegate's metastore where the Presto peer's
// hive catalog expects it (LAKEGATE_TEST_HMS_ADDR), over tenants a test
// gives, so the real Presto (LAKEGATE_TEST_PRESTO) reads the test's lakes.
//
// The address is one fixed port that every test package wanting Presto
// shares, and go test runs packages at once: an exclusive file lock
// (flock) serializes them, held from Serve until the test ends.
package prestotest

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	presto "github.com/prestodb/presto-go-client/v2"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/hms"
	"github.com/lakegate/lakegate/internal/peertest"
)

// Tenants is a fixed set of tenants for the metastore.
type Tenants map[string]Tenant

// Tenant is one tenant's catalog and store.
type Tenant struct {
	Catalog lakegate.Catalog
	Store   lakegate.Store
}

// Tenant implements hms.Tenants.
func (ts Tenants) Tenant(name string) (lakegate.Catalog, lakegate.Store, error) {
	t, ok := ts[name]
	if !ok {
		return nil, nil, lakegate.Errorf(lakegate.ENOTFOUND, "no tenant %q in this test", name)
	}
	return t.Catalog, t.Store, nil
}

// URL returns the Presto peer's URL, skipping the test (failing under
// CI=true) when the peer is not up.
func URL(tb testing.TB) string {
	tb.Helper()
	return peertest.Env(tb, "LAKEGATE_TEST_PRESTO", "presto")
}

// Serve takes the metastore port for the rest of the test and serves
// tenants on it.
func Serve(tb testing.TB, tenants hms.Tenants) {
	tb.Helper()
	addr := peertest.Env(tb, "LAKEGATE_TEST_HMS_ADDR", "presto")
	Lock(tb, addr)
	ln := listen(tb, addr)
	srv := hms.New(hms.Options{Tenants: tenants})
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
}

// Lock holds the metastore port's lock until the test ends; a test that
// runs its own lakegate on the port calls it before starting one.
func Lock(tb testing.TB, addr string) {
	tb.Helper()
	name := filepath.Join(os.TempDir(), "lakegate-hms-"+strings.ReplaceAll(addr, ":", "-")+".lock")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		tb.Fatalf("lock %s: %v", name, err)
	}
	tb.Cleanup(func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() })
}

// listen retries a little: the previous holder's socket may linger.
func listen(tb testing.TB, addr string) net.Listener {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
		if err == nil {
			return ln
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the metastore port %s stays taken (is a lakegate serve --hms-addr running on it?): %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Run runs q on the Presto peer as user, bypassing lakegate, and returns
// its rows as JSON text, or Presto's error.
func Run(tb testing.TB, user, q string) (string, error) {
	tb.Helper()
	c, err := presto.NewClient(URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	s := c.NewSession().User(user).Catalog("hive").Schema("default")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	qr, _, err := s.Query(ctx, q)
	var out strings.Builder
	for err == nil {
		if qr.Error != nil {
			return out.String(), errors.New(qr.Error.Message)
		}
		for _, row := range qr.Data {
			out.Write(row)
		}
		if qr.NextUri == nil {
			break
		}
		qr, _, err = s.FetchNextBatch(ctx, *qr.NextUri)
	}
	return out.String(), err
}

// WaitState waits (20 s at most) until the Presto query whose text holds
// tag is in state (RUNNING, FAILED, ...), as lakegate_admin reads
// system.runtime.queries, and fails the test if it never is.
func WaitState(tb testing.TB, tag, state string) {
	tb.Helper()
	q := "SELECT state FROM system.runtime.queries WHERE strpos(query, '" + tag + "') > 0 AND strpos(query, 'system.runtime') = 0"
	var got string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		rows, err := Run(tb, "lakegate_admin", q)
		if err != nil {
			tb.Fatalf("system.runtime.queries as lakegate_admin: %v", err)
		}
		if got = rows; strings.Contains(rows, state) {
			return
		}
	}
	tb.Errorf("presto query %s: state %s, want %s", tag, got, state)
}
