package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/server"
)

// TestWireCache: a wire answer read to its end is kept in the result
// cache and replayed; a catalog commit makes it stale; an answer read
// halfway keeps nothing.
func TestWireCache(t *testing.T) {
	f := newFixture(t, server.Options{CacheBytes: 1 << 20})
	const sql = "SELECT user_exam_id, exam_name, correct FROM assessments.attempts ORDER BY user_exam_id"
	read := func(max int) [][]any {
		rs, err := f.srv.Open(context.Background(), lakegate.Anonymous, lakegate.WireQuery{Query: lakegate.Query{SQL: sql}, Protocol: lakegate.ProtocolPG})
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out [][]any
		for len(out) != max && rs.Next() {
			out = append(out, append([]any(nil), rs.Values()...))
		}
		if err := rs.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := read(-1)
	if again := read(-1); !reflect.DeepEqual(again, first) || len(first) != 5 {
		t.Fatalf("the replayed answer differs: %v\nwant %v", again, first)
	}
	f.lake.Land(t, "assessments", "attempts", "2026-01-04", `SELECT * FROM (VALUES ('u6', 'Biology', 4, CAST('2026-01-04 08:00:00' AS TIMESTAMP))) AS t(user_exam_id, exam_name, correct, started_at)`)
	read(2) // halfway: nothing kept
	if after := read(-1); len(after) != 6 {
		t.Errorf("after a commit: %d rows, want 6 (a stale answer was replayed)", len(after))
	}
	read(-1)
	if got, want := cachedFlags(t, f.logs), []bool{false, true, false, false, true}; !reflect.DeepEqual(got, want) {
		t.Errorf("cached flags of the five queries %v, want %v", got, want)
	}
}

// cachedFlags are the "cached" fields of the logged queries, in order.
func cachedFlags(t *testing.T, logs *bytes.Buffer) []bool {
	var out []bool
	sc := bufio.NewScanner(bytes.NewReader(logs.Bytes()))
	for sc.Scan() {
		var line struct {
			Msg    string `json:"msg"`
			Cached bool   `json:"cached"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "query" {
			out = append(out, line.Cached)
		}
	}
	return out
}
