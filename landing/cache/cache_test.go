package cache_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/landing/cache"
	"github.com/lakegate/lakegate/landing/landingtest"
)

// counting counts the files a store opens.
type counting struct {
	lakegate.Store
	opens atomic.Int64
}

func (c *counting) Open(ctx context.Context, p string) (lakegate.ReadFile, error) {
	c.opens.Add(1)
	return c.Store.Open(ctx, p)
}

func put(t *testing.T, s lakegate.Store, p, data string) lakegate.File {
	t.Helper()
	landingtest.Put(t, s, p, data)
	sum := sha256.Sum256([]byte(data))
	return lakegate.File{Path: p, Bytes: int64(len(data)), Checksum: hex.EncodeToString(sum[:])}
}

func setup(t *testing.T, max int64) (*counting, *cache.Cache) {
	t.Helper()
	lake, err := landing.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(t.TempDir(), max)
	if err != nil {
		t.Fatal(err)
	}
	return &counting{Store: lake}, c
}

func TestFetchCopiesOnceAndKeepsPartitions(t *testing.T) {
	store, c := setup(t, 1<<20)
	f := put(t, store, "db/t/ingest_date=2026-01-02/a.parquet", "hello")
	v := c.View(store, "tenants/acme")
	p := v.Path(f)
	if !strings.HasPrefix(p, v.Dir()) || !strings.Contains(p, "/tenants/acme/db/t/ingest_date=2026-01-02/a.parquet.5-") {
		t.Fatalf("path %s", p)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			release, err := v.Fetch(context.Background(), []lakegate.File{f})
			if err != nil {
				t.Error(err)
				return
			}
			defer release()
			if b, _ := os.ReadFile(p); string(b) != "hello" {
				t.Errorf("copy holds %q", b)
			}
		})
	}
	wg.Wait()
	if n := store.opens.Load(); n != 1 {
		t.Errorf("the file was downloaded %d times, want once", n)
	}
}

func TestEvictsLeastRecentlyUsedButNotHeld(t *testing.T) {
	store, c := setup(t, 10)
	v := c.View(store, "")
	a, b, d := put(t, store, "a", "123456"), put(t, store, "b", "abcdef"), put(t, store, "d", "xyzxyz")
	ctx := context.Background()
	relA, err := v.Fetch(ctx, []lakegate.File{a})
	if err != nil {
		t.Fatal(err)
	}
	relB, _ := v.Fetch(ctx, []lakegate.File{b}) // 12 bytes > 10, but a and b are held
	if bytes, files := c.Stats(); files != 2 || bytes != 12 {
		t.Fatalf("held copies evicted: %d bytes, %d files", bytes, files)
	}
	relA()
	relB()
	relD, _ := v.Fetch(ctx, []lakegate.File{d}) // a is the least recently used
	defer relD()
	if _, err := os.Stat(v.Path(a)); !os.IsNotExist(err) {
		t.Error("a was not evicted")
	}
	if _, err := os.Stat(v.Path(d)); err != nil {
		t.Error("d is missing")
	}
}

func TestChangedFileRefused(t *testing.T) {
	store, c := setup(t, 1<<20)
	f := put(t, store, "a", "one")
	f.Checksum = strings.Repeat("0", 64)
	_, err := c.View(store, "").Fetch(context.Background(), []lakegate.File{f})
	if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE || !strings.Contains(lakegate.ErrorMessage(err), "changed in the lake") {
		t.Fatalf("%v", err)
	}
	_, err = c.View(store, "").Fetch(context.Background(), []lakegate.File{{Path: "missing", Bytes: 1}})
	if lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Fatalf("missing file: %v", err)
	}
}

func TestReopenKeepsCopies(t *testing.T) {
	store, c := setup(t, 1<<20)
	f := put(t, store, "a", "data")
	rel, err := c.View(store, "").Fetch(context.Background(), []lakegate.File{f})
	if err != nil {
		t.Fatal(err)
	}
	rel()
	os.WriteFile(c.Dir()+"/.part-123", []byte("half"), 0o600)
	c2, err := cache.New(c.Dir(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if bytes, files := c2.Stats(); files != 1 || bytes != 4 {
		t.Fatalf("reopened: %d bytes, %d files", bytes, files)
	}
	if _, err := os.Stat(c.Dir() + "/.part-123"); !os.IsNotExist(err) {
		t.Error("an unfinished copy was kept")
	}
	before := store.opens.Load()
	rel, _ = c2.View(store, "").Fetch(context.Background(), []lakegate.File{f})
	rel()
	if store.opens.Load() != before {
		t.Error("a kept copy was downloaded again")
	}
}
