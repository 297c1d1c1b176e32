package catalog

import (
	"context"
	"os"
	"testing"

	"github.com/lakegate/lakegate"
)

// A failed append leaves the catalog as it was and reports EUNAVAILABLE.
func TestFailedAppendChangesNothing(t *testing.T) {
	e, err := OpenEmbedded(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	cols := []lakegate.Column{{Name: "a", Type: "BIGINT"}}
	file := func(p string) lakegate.Change {
		return change(cols, nil, lakegate.Partition{Files: []lakegate.File{{Path: p}}})
	}
	if _, err := e.Commit(ctx, file("db/t/1.parquet")); err != nil {
		t.Fatal(err)
	}
	rw := e.log
	ro, err := os.Open(e.logPath) // writes to it fail
	if err != nil {
		t.Fatal(err)
	}
	e.log = ro
	_, err = e.Commit(ctx, file("db/t/2.parquet"))
	if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE {
		t.Fatalf("Commit on an unwritable log: %v", err)
	}
	if v, _ := e.Version(ctx); v != 1 {
		t.Fatalf("Version = %d after a failed append", v)
	}
	if tb, _ := e.Table(ctx, "db", "t"); tb.Stats.Files != 1 {
		t.Fatalf("stats = %+v after a failed append", tb.Stats)
	}
	e.log = rw
	ro.Close()
	if v, err := e.Commit(ctx, file("db/t/2.parquet")); err != nil || v != 2 {
		t.Fatalf("Commit after recovery = %d, %v", v, err)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	dir := t.TempDir()
	w, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	os.Chmod(dir+"/"+LogFile, 0o444)
	r, err := OpenEmbedded(dir)
	if err != nil {
		t.Fatalf("read-only open: %v", err)
	}
	defer r.Close()
	_, err = r.Commit(context.Background(), change([]lakegate.Column{{Name: "a", Type: "BIGINT"}}, nil))
	if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE {
		t.Fatalf("Commit on a read-only catalog: %v", err)
	}
}
