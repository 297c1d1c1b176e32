package duckdb

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

// A remote lake (HDFS) is read through local copies (Options.Files):
// views name the copies' paths, and before a statement is checked or run,
// the files of every table it may read are fetched and held until its
// connection is closed, so a copy is never evicted under a running query.
// Which tables a statement reads is judged from its words: every table
// whose name appears as a word or quoted identifier is fetched (a column
// of the same name fetches one table too many, never one too few).

// pins holds, per connection, the release of its fetched files.
type pins struct {
	mu sync.Mutex
	m  map[*sql.Conn]func()
}

// fetch copies the files of the tables text names and holds them for
// conn. Without a remote lake it does nothing.
func (db *DB) fetch(ctx context.Context, conn *sql.Conn, text string) error {
	if db.opt.Files == nil {
		return nil
	}
	keys, files := db.tablesNamed(text)
	var release func()
	err := whileLanding(ctx, func() (err error) {
		release, err = db.opt.Files.Fetch(ctx, files)
		return err
	})
	if err != nil {
		return err
	}
	if err := db.makeViews(ctx, keys); err != nil {
		release()
		return err
	}
	db.pins.mu.Lock()
	defer db.pins.mu.Unlock()
	if db.pins.m == nil {
		db.pins.m = map[*sql.Conn]func(){}
	}
	db.pins.m[conn] = release
	return nil
}

// closeConn closes a statement's connection and lets its files go.
func (db *DB) closeConn(conn *sql.Conn) error {
	err := conn.Close()
	db.pins.mu.Lock()
	release := db.pins.m[conn]
	delete(db.pins.m, conn)
	db.pins.mu.Unlock()
	if release != nil {
		release()
	}
	return err
}

// makeViews creates the views of keys that wait for their files.
func (db *DB) makeViews(ctx context.Context, keys []string) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, key := range keys {
		body, ok := db.pending[key]
		if !ok {
			continue
		}
		database, name, _ := strings.Cut(key, ".")
		if err := db.createView(ctx, database, name, body); err != nil {
			return err
		}
		delete(db.pending, key)
	}
	return nil
}

// tablesNamed lists the tables whose names text mentions, and their files.
func (db *DB) tablesNamed(text string) ([]string, []lakegate.File) {
	words := map[string]bool{}
	for t := range sqlscan.Tokens(text) {
		switch t.Kind {
		case sqlscan.Word:
			words[strings.ToLower(t.Text)] = true
		case sqlscan.Ident:
			words[strings.ToLower(strings.ReplaceAll(strings.Trim(t.Text, `"`), `""`, `"`))] = true
		}
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	var keys []string
	var out []lakegate.File
	for key, files := range db.files {
		if _, table, _ := strings.Cut(key, "."); words[strings.ToLower(table)] {
			keys = append(keys, key)
			out = append(out, files...)
		}
	}
	return keys, out
}

// localPath is where the engine reads a lake file: its copy when the lake
// is remote, else the store's own path.
func (db *DB) localPath(f lakegate.File) string {
	if db.opt.Files != nil {
		return db.opt.Files.Path(f)
	}
	return db.opt.Store.URI(f.Path)
}

// whileLanding runs fn again, for up to a second, while it fails because a
// committed file is missing: an ingest gives its files their final names
// just after its commit (ingest/publish.go), and a statement may fall in
// between.
func whileLanding(ctx context.Context, fn func() error) error {
	err := fn()
	for i := 0; i < 20 && err != nil && fileMissing(err); i++ {
		select {
		case <-ctx.Done():
			return err
		case <-time.After(50 * time.Millisecond):
		}
		err = fn()
	}
	return err
}

// fileMissing tells an error about a lake file that is not there.
func fileMissing(err error) bool {
	if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "No files found") || strings.Contains(msg, "No such file") || strings.Contains(msg, "Could not open file")
}
