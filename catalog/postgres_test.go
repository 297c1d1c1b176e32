package catalog_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
	"github.com/lakegate/lakegate/catalog/pgtest"
)

// TestMain shares one PostgreSQL cluster among the package's tests (each
// test gets a fresh database) and stops it at the end.
func TestMain(m *testing.M) { pgtest.Main(m) }

func openPG(t testing.TB, dsn string) *catalog.Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := catalog.OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestPostgresConformance(t *testing.T) {
	ct.Run(t, func(t *testing.T) (lakegate.Catalog, func(t *testing.T) lakegate.Catalog) {
		dsn := pgtest.StartShared(t) // a fresh database per subtest
		another := func(t *testing.T) lakegate.Catalog { return openPG(t, dsn) }
		return another(t), another
	})
}

func TestPostgresMigrationsIdempotent(t *testing.T) {
	dsn := pgtest.StartShared(t)
	// Concurrent opens of a fresh database: each migration applies once.
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			c, err := catalog.OpenPostgres(context.Background(), dsn)
			if err == nil {
				c.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent OpenPostgres: %v", err)
		}
	}
	a := openPG(t, dsn)
	ct.MustCommit(t, a, ct.AddFiles("db", "t", "2026-11-21", "db/t/a.parquet"))
	b := openPG(t, dsn) // reopening keeps the data
	if v, err := b.Version(context.Background()); err != nil || v != 1 {
		t.Fatalf("Version after reopen = %d, %v", v, err)
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n, distinct int
	if err := conn.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT version) FROM lakegate.schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != distinct {
		t.Fatalf("schema_migrations has %d rows for %d versions", n, distinct)
	}
	// A catalog from a newer lakegate is refused, not misread.
	if _, err := conn.Exec(context.Background(),
		`INSERT INTO lakegate.schema_migrations (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	_, err = catalog.OpenPostgres(context.Background(), dsn)
	ct.WantError(t, err, lakegate.EUNAVAILABLE, "schema version 9999", "upgrade lakegate")
}

// Two pools (two gateways) committing to one table and partition at once:
// every file lands, versions are 1..n with no gaps, both see the same.
func TestPostgresConcurrentWriters(t *testing.T) {
	dsn := pgtest.StartShared(t)
	a, b := openPG(t, dsn), openPG(t, dsn)
	const each = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for i, c := range []*catalog.Postgres{a, b} {
		for w := range 2 {
			wg.Go(func() {
				for j := range each / 2 {
					p := fmt.Sprintf("db/t/g%d-w%d-%d.parquet", i, w, j)
					if _, err := c.Commit(context.Background(), ct.AddFiles("db", "t", "2026-11-21", p)); err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Commit: %v", err)
	}
	if n := ct.CountFiles(t, b, "db", "t"); n != 2*each {
		t.Fatalf("%d files landed, want %d", n, 2*each)
	}
	tb, err := a.Table(context.Background(), "db", "t")
	if err != nil || tb.Stats.Files != 2*each || tb.Stats.Rows != 10*2*each || tb.Version != 2*each {
		t.Fatalf("Table = %+v, %v", tb, err)
	}
	ct.SameSnap(t, ct.Snap(t, a), ct.Snap(t, b))
}

// The server stops under an open store: calls fail with EUNAVAILABLE naming
// the server but not the password, and succeed again once it is back,
// without reopening.
func TestPostgresDownAndRecovery(t *testing.T) {
	cl := pgtest.NewCluster(t)
	dsn := cl.CreateDB(t)
	c := openPG(t, dsn)
	ctx := context.Background()
	ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-21", "db/t/a.parquet"))

	cl.Stop(t)
	addr := fmt.Sprintf("127.0.0.1:%d", cl.Port())
	_, err := c.Version(ctx)
	ct.WantError(t, err, lakegate.EUNAVAILABLE, "PostgreSQL catalog at "+addr, "unavailable")
	_, err = c.Commit(ctx, ct.AddFiles("db", "t", "2026-11-21", "db/t/b.parquet"))
	ct.WantError(t, err, lakegate.EUNAVAILABLE, addr)
	_, err = c.Partitions(ctx, "db", "t")
	ct.WantError(t, err, lakegate.EUNAVAILABLE, addr)
	if strings.Contains(err.Error(), pgtest.Password) {
		t.Fatalf("the error shows the password: %v", err)
	}
	_, err = catalog.OpenPostgres(ctx, dsn)
	ct.WantError(t, err, lakegate.EUNAVAILABLE, addr)
	if strings.Contains(err.Error(), pgtest.Password) {
		t.Fatalf("the open error shows the password: %v", err)
	}

	cl.Start(t)
	if v, err := c.Version(ctx); err != nil || v != 1 {
		t.Fatalf("Version after the server came back = %d, %v", v, err)
	}
	if v := ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-21", "db/t/b.parquet")); v != 2 {
		t.Fatalf("commit after recovery = version %d", v)
	}
	// A restart while the pool holds idle connections: the next calls
	// reconnect by themselves.
	cl.Restart(t)
	if n := ct.CountFiles(t, c, "db", "t"); n != 2 {
		t.Fatalf("%d files after restart", n)
	}
	if v := ct.MustCommit(t, c, ct.AddFiles("db", "t", "2026-11-21", "db/t/c.parquet")); v != 3 {
		t.Fatalf("commit after restart = version %d", v)
	}
}

func TestPostgresOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := catalog.OpenPostgres(ctx, "postgres://u:hunter2@127.0.0.1:notaport/db")
	ct.WantError(t, err, lakegate.EINVALID, "u:****@127.0.0.1")
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if !pgtest.Available() {
		t.Skip("no PostgreSQL for the login test")
	}
	dsn := pgtest.StartShared(t)
	u, _ := url.Parse(dsn)
	u.User = url.UserPassword(u.User.Username(), "wrong-pw")
	wrong := u.String()
	_, err = catalog.OpenPostgres(ctx, wrong)
	ct.WantError(t, err, lakegate.EUNAVAILABLE, "refused the login")
	if strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("the error shows the password: %v", err)
	}
}

// Changes from a second handle reads what the first committed: changed
// tables and dropped ones, and nothing before since.
func TestPostgresChanges(t *testing.T) {
	dsn := pgtest.StartShared(t)
	w, r := openPG(t, dsn), openPG(t, dsn)
	ctx := context.Background()
	ct.MustCommit(t, w, ct.AddFiles("db", "a", "2026-11-21", "db/a/1.parquet"))
	v1 := ct.MustCommit(t, w, ct.AddFiles("db", "b", "2026-11-21", "db/b/1.parquet"))
	d, err := r.Changes(ctx, 0)
	if err != nil || d.Version != v1 || len(d.Tables) != 2 || len(d.Dropped) != 0 {
		t.Fatalf("Changes(0) = %+v, %v", d, err)
	}
	v2 := ct.MustCommit(t, w, lakegate.Change{DropTables: []lakegate.TableRef{{Database: "db", Name: "a"}},
		Tables: ct.AddFiles("db", "b", "2026-11-22", "db/b/2.parquet").Tables})
	d, err = r.Changes(ctx, v1)
	if err != nil || d.Version != v2 || len(d.Tables) != 1 || d.Tables[0].Name != "b" || d.Tables[0].Stats.Files != 2 ||
		len(d.Dropped) != 1 || d.Dropped[0] != (lakegate.TableRef{Database: "db", Name: "a"}) {
		t.Fatalf("Changes(%d) = %+v, %v", v1, d, err)
	}
	if d, err := r.Changes(ctx, v2); err != nil || d.Version != v2 || len(d.Tables)+len(d.Dropped) != 0 {
		t.Fatalf("Changes(current) = %+v, %v", d, err)
	}
	_, err = r.Changes(ctx, v2+1)
	ct.WantError(t, err, lakegate.EINVALID, "the catalog is at version")
	// Re-created: a table again, no longer dropped.
	v3 := ct.MustCommit(t, w, ct.AddFiles("db", "a", "2026-11-23", "db/a/1.parquet"))
	d, err = r.Changes(ctx, v1)
	if err != nil || d.Version != v3 || len(d.Tables) != 2 || len(d.Dropped) != 0 {
		t.Fatalf("Changes after re-creation = %+v, %v", d, err)
	}
}
