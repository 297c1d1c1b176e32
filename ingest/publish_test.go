package ingest

import (
	"context"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

// crashStore fails every rename to a final name (steps 5) or every
// removal, as a process killed at that point would leave things.
type crashStore struct {
	lakegate.Store
	failUnhide, failRemove bool
}

func (c *crashStore) Rename(ctx context.Context, from, to string) error {
	if c.failUnhide && strings.HasSuffix(from, ".pending") {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "crashed")
	}
	return c.Store.Rename(ctx, from, to)
}

func (c *crashStore) Remove(ctx context.Context, p string) error {
	if c.failRemove {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "crashed")
	}
	return c.Store.Remove(ctx, p)
}

// visible lists the files of partition directories a Hive reader would
// read: names not starting with "." or "_".
func visible(t *testing.T, e *env) []string {
	var out []string
	for _, f := range lakeFiles(t, e.store.Root()) {
		if !strings.HasPrefix(f, "_") && !strings.HasPrefix(path.Base(f), ".") {
			out = append(out, f)
		}
	}
	return out
}

// TestCrashAfterCommitRollsForward: a batch committed but killed before
// its files took their final names is landed whole by the next Recover.
func TestCrashAfterCommitRollsForward(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.Store = &crashStore{Store: e.store, failUnhide: true}
	s, err := Assessments(context.Background(), o, "testdata/quirks.ndjson")
	if err != nil || s.Landed == 0 {
		t.Fatalf("%v\n%s", err, s)
	}
	if v := visible(t, e); len(v) != 0 {
		t.Fatalf("files visible before they took their names: %v", v)
	}
	fwd, _ := Recover(context.Background(), e.store, e.cat, e.opts().Logger, fixedNow())
	if fwd != 1 {
		t.Fatalf("rolled forward %d batches", fwd)
	}
	att := e.readTable(t, tableAttempts) // reads the files the catalog lists
	if int64(len(att)) != s.Landed {
		t.Fatalf("%d attempts readable, %d landed", len(att), s.Landed)
	}
	if _, err := e.store.List(context.Background(), stagingRoot+"/"+s.Batches[0]); lakegate.ErrorCode(err) != lakegate.ENOTFOUND {
		t.Errorf("staging left: %v", err)
	}
}

// TestCrashBeforeCommitShowsNothing: files moved next to their partition
// but never committed stay hidden, and the next Recover, once they are
// stale, removes them.
func TestCrashBeforeCommitShowsNothing(t *testing.T) {
	e := newEnv(t)
	o := e.opts()
	o.Store, o.Catalog = &crashStore{Store: e.store, failRemove: true}, failCatalog{e.cat}
	if _, err := Assessments(context.Background(), o, "testdata/quirks.ndjson"); err == nil {
		t.Fatal("the commit did not fail")
	}
	if v := visible(t, e); len(v) != 0 {
		t.Fatalf("uncommitted files visible: %v", v)
	}
	if fwd, _ := Recover(context.Background(), e.store, e.cat, e.opts().Logger, fixedNow()); fwd != 0 {
		t.Fatal("an uncommitted batch was rolled forward")
	}
	_, removed := Recover(context.Background(), e.store, e.cat, e.opts().Logger, time.Now().Add(2*staleStaging))
	if left := lakeFiles(t, e.store.Root()); removed != 1 || len(left) != 0 {
		t.Fatalf("removed %d batches, left %v", removed, left)
	}
}
