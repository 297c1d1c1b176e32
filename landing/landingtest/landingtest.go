// Package landingtest is the conformance suite every lakegate.Store runs:
// the local lake now, HDFS later.
package landingtest

import (
	"context"
	"io"
	"testing"

	"github.com/lakegate/lakegate"
)

// Run checks the Store contract on a fresh, empty store from open.
func Run(t *testing.T, open func(t *testing.T) lakegate.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, lakegate.Store)
	}{
		{"create then open reads the bytes", testRoundTrip},
		{"create refuses an existing path", testCreateExisting},
		{"rename publishes atomically", testRename},
		{"rename refuses to overwrite", testRenameExisting},
		{"rename of a missing file", testRenameMissing},
		{"list shows files and directories", testList},
		{"remove a file and a directory", testRemove},
		{"missing paths are not_found", testNotFound},
		{"paths must stay inside the store", testBadPaths},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var ctx = context.Background()

// Put writes data at p and fails the test on any error.
func Put(tb testing.TB, s lakegate.Store, p, data string) {
	tb.Helper()
	w, err := s.Create(ctx, p)
	if err != nil {
		tb.Fatalf("create %s: %v", p, err)
	}
	if _, err := io.WriteString(w, data); err != nil {
		tb.Fatalf("write %s: %v", p, err)
	}
	if err := w.Close(); err != nil {
		tb.Fatalf("close %s: %v", p, err)
	}
}

// Get reads p whole.
func Get(tb testing.TB, s lakegate.Store, p string) string {
	tb.Helper()
	f, err := s.Open(ctx, p)
	if err != nil {
		tb.Fatalf("open %s: %v", p, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		tb.Fatalf("read %s: %v", p, err)
	}
	if f.Size() != int64(len(b)) {
		tb.Fatalf("%s: Size() = %d, read %d bytes", p, f.Size(), len(b))
	}
	return string(b)
}

func wantCode(tb testing.TB, what string, err error, code string) {
	tb.Helper()
	if got := lakegate.ErrorCode(err); got != code {
		tb.Fatalf("%s: error code %q (%v), want %q", what, got, err, code)
	}
}

func testRoundTrip(t *testing.T, s lakegate.Store) {
	Put(t, s, "db/t/part=1/a.parquet", "hello lake")
	if got := Get(t, s, "db/t/part=1/a.parquet"); got != "hello lake" {
		t.Fatalf("read %q", got)
	}
	f, err := s.Open(ctx, "db/t/part=1/a.parquet")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4)
	if _, err := f.ReadAt(buf, 6); err != nil || string(buf) != "lake" {
		t.Fatalf("ReadAt = %q, %v", buf, err)
	}
	if s.URI("db/t/part=1/a.parquet") == "" {
		t.Fatal("URI is empty")
	}
}

func testCreateExisting(t *testing.T, s lakegate.Store) {
	Put(t, s, "a", "1")
	_, err := s.Create(ctx, "a")
	wantCode(t, "create existing", err, lakegate.ECONFLICT)
	if Get(t, s, "a") != "1" {
		t.Fatal("existing file changed")
	}
}

func testRename(t *testing.T, s lakegate.Store) {
	Put(t, s, "_staging/b1/x.parquet", "data")
	if err := s.Rename(ctx, "_staging/b1/x.parquet", "db/t/d=1/x.parquet"); err != nil {
		t.Fatal(err)
	}
	if Get(t, s, "db/t/d=1/x.parquet") != "data" {
		t.Fatal("renamed file lost its bytes")
	}
	_, err := s.Open(ctx, "_staging/b1/x.parquet")
	wantCode(t, "open old name", err, lakegate.ENOTFOUND)
}

func testRenameExisting(t *testing.T, s lakegate.Store) {
	Put(t, s, "a", "new")
	Put(t, s, "b", "old")
	wantCode(t, "rename onto existing", s.Rename(ctx, "a", "b"), lakegate.ECONFLICT)
	if Get(t, s, "b") != "old" || Get(t, s, "a") != "new" {
		t.Fatal("a refused rename changed files")
	}
}

func testRenameMissing(t *testing.T, s lakegate.Store) {
	wantCode(t, "rename missing", s.Rename(ctx, "nope", "b"), lakegate.ENOTFOUND)
}

func testList(t *testing.T, s lakegate.Store) {
	Put(t, s, "db/t/d=1/a", "12345")
	Put(t, s, "db/t/d=2/b", "1")
	Put(t, s, "db/t/readme", "xy")
	got, err := s.List(ctx, "db/t")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]lakegate.FileInfo{
		"db/t/d=1": {Dir: true}, "db/t/d=2": {Dir: true}, "db/t/readme": {Size: 2},
	}
	if len(got) != len(want) {
		t.Fatalf("List = %+v", got)
	}
	for _, fi := range got {
		w, ok := want[fi.Path]
		if !ok || w.Dir != fi.Dir || (!fi.Dir && w.Size != fi.Size) {
			t.Fatalf("unexpected entry %+v in %+v", fi, got)
		}
	}
}

func testRemove(t *testing.T, s lakegate.Store) {
	Put(t, s, "db/t/d=1/a", "1")
	Put(t, s, "db/t/d=1/b", "2")
	if err := s.Remove(ctx, "db/t/d=1/a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, "db/t"); err != nil {
		t.Fatal(err)
	}
	_, err := s.List(ctx, "db/t")
	wantCode(t, "list removed dir", err, lakegate.ENOTFOUND)
}

func testNotFound(t *testing.T, s lakegate.Store) {
	_, err := s.Open(ctx, "no/such/file")
	wantCode(t, "open", err, lakegate.ENOTFOUND)
	_, err = s.List(ctx, "no/such/dir")
	wantCode(t, "list", err, lakegate.ENOTFOUND)
	wantCode(t, "remove", s.Remove(ctx, "no/such/file"), lakegate.ENOTFOUND)
}

func testBadPaths(t *testing.T, s lakegate.Store) {
	for _, p := range []string{"", "/etc/passwd", "../x", "a/../../x", `a\b`} {
		_, err := s.Create(ctx, p)
		wantCode(t, "create "+p, err, lakegate.EINVALID)
		_, err = s.Open(ctx, p)
		wantCode(t, "open "+p, err, lakegate.EINVALID)
		wantCode(t, "remove "+p, s.Remove(ctx, p), lakegate.EINVALID)
	}
}
