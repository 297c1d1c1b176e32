// Package cache keeps local copies of a remote lake's files (HDFS) for an
// engine that reads local files only. A copy's name holds the file's
// size and checksum as the catalog recorded them, so a file replaced on
// HDFS never reads as its old copy; copies are evicted least recently
// used first once the folder holds more than its bound, but never while a
// query holds them.
package cache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/sync/singleflight"

	"github.com/lakegate/lakegate"
)

// Cache is one bounded folder of copies, shared by every engine of the
// process; View gives each engine its part.
type Cache struct {
	dir string
	max int64

	mu     sync.Mutex
	used   int64
	lru    *simplelru.LRU[string, *entry] // by local path
	pinned map[string]int                 // local path -> queries holding it
	flight singleflight.Group
}

type entry struct{ size int64 }

// New opens the cache folder dir (created if needed) bounded to max bytes.
// Copies left by an earlier process are kept and counted.
func New(dir string, max int64) (*Cache, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "cache_dir %q: not a usable path", dir)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cache_dir %q: cannot create it", dir)
	}
	c := &Cache{dir: abs, max: max, pinned: map[string]int{}}
	c.lru, _ = simplelru.NewLRU(math.MaxInt, c.evicted)
	return c, c.adopt()
}

// Dir is the cache folder.
func (c *Cache) Dir() string { return c.dir }

// evicted removes an evicted copy's file (called under c.mu).
func (c *Cache) evicted(p string, e *entry) {
	c.used -= e.size
	os.Remove(p)
}

// adopt counts the copies already in the folder and removes unfinished
// ones (a process killed while copying).
func (c *Cache) adopt() error {
	return filepath.WalkDir(c.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".part-") {
			return os.Remove(p)
		}
		if info, err := d.Info(); err == nil {
			c.lru.Add(p, &entry{size: info.Size()})
			c.used += info.Size()
		}
		return nil
	})
}

// View is the part of the cache under prefix (a tenant's part of the
// lake, tenants/acme, or "" for the whole lake), fed from store.
func (c *Cache) View(store lakegate.Store, prefix string) lakegate.LocalFiles {
	return &view{c: c, store: store, dir: filepath.Join(c.dir, filepath.FromSlash(prefix))}
}

type view struct {
	c     *Cache
	store lakegate.Store
	dir   string
}

func (v *view) Dir() string { return v.dir }

// Path mirrors the file's lake path, so that key=value directories still
// name partitions, with the size and checksum in the file name.
func (v *view) Path(f lakegate.File) string {
	ck := f.Checksum
	if len(ck) > 16 {
		ck = ck[:16]
	}
	name := fmt.Sprintf("%s.%d-%s.parquet", path.Base(f.Path), f.Bytes, ck)
	return filepath.Join(v.dir, filepath.FromSlash(path.Dir(f.Path)), name)
}

// Fetch copies the missing files and pins them all until release.
func (v *view) Fetch(ctx context.Context, files []lakegate.File) (func(), error) {
	var held []string
	release := func() { v.c.unpin(held) }
	for _, f := range files {
		p := v.Path(f)
		if err := v.fetch(ctx, f, p); err != nil {
			release()
			return nil, err
		}
		held = append(held, p)
	}
	v.c.trim()
	return release, nil
}

// fetch pins p, copying f there first unless a copy is present; queries
// wanting the same file wait for one copy.
func (v *view) fetch(ctx context.Context, f lakegate.File, p string) error {
	if v.c.pin(p) {
		return nil
	}
	_, err, _ := v.c.flight.Do(p, func() (any, error) {
		if v.c.present(p) {
			return nil, nil
		}
		// One query going away must not fail the others waiting for the
		// same copy: the copy runs to its end (HDFS calls time out).
		return nil, v.copy(context.WithoutCancel(ctx), f, p)
	})
	if err != nil {
		return err
	}
	v.c.add(p, f.Bytes)
	return nil
}

// copy downloads f to p through a temporary name, checking its size and
// checksum against the catalog's.
func (v *view) copy(ctx context.Context, f lakegate.File, p string) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cache: cannot create a folder for %s", f.Path)
	}
	src, err := v.store.Open(ctx, f.Path)
	if err != nil {
		return err // the store's error names the lake and the file
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(p), ".part-*")
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cache: cannot write the copy of %s", f.Path)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, src})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if lakegate.ErrorCode(err) != lakegate.EINTERNAL {
			return err
		}
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cache: copying %s failed", f.Path)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); n != f.Bytes || (f.Checksum != "" && sum != f.Checksum) {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "%s changed in the lake since the catalog registered it (%d bytes, want %d); run lakegate catalog repair", f.Path, n, f.Bytes)
	}
	return os.Rename(tmp.Name(), p)
}

// ctxReader stops a copy when its query is canceled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(b)
}

// pin holds p when its copy is present, and says whether it is.
func (c *Cache) pin(p string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.lru.Get(p); !ok {
		return false
	}
	c.pinned[p]++
	return true
}

func (c *Cache) present(p string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.lru.Peek(p)
	return ok
}

// add records a fresh copy (or one another query just made) and pins it.
func (c *Cache) add(p string, size int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.lru.Get(p); !ok {
		c.lru.Add(p, &entry{size: size})
		c.used += size
	}
	c.pinned[p]++
}

func (c *Cache) unpin(paths []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range paths {
		if c.pinned[p]--; c.pinned[p] <= 0 {
			delete(c.pinned, p)
		}
	}
}

// trim evicts least recently used copies no query holds until the folder
// is within its bound (pinned copies may keep it above for a while).
func (c *Cache) trim() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.lru.Keys() { // oldest first
		if c.used <= c.max {
			return
		}
		if c.pinned[p] == 0 {
			c.lru.Remove(p)
		}
	}
}

// Stats are the bytes and copies held.
func (c *Cache) Stats() (bytes int64, files int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, c.lru.Len()
}
