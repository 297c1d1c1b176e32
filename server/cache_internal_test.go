package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

func entry(key string, version int64, size int) *cacheEntry {
	return &cacheEntry{key: key, version: version, body: make([]byte, size)}
}

func TestResultCacheBound(t *testing.T) {
	evicted := 0
	rc := newResultCache(8*1024, func() { evicted++ })
	if newResultCache(0, nil) != nil {
		t.Error("size 0 must turn the cache off")
	}
	rc.put(entry("big", 1, 1024)) // larger than 1/8 of the cache with its overhead
	if rc.get("big", 1) != nil {
		t.Error("an entry above 1/8 of the cache was stored")
	}
	for i := range 10 {
		rc.put(entry(fmt.Sprint(i), 1, 500))
	}
	n, used := rc.stats()
	if used > rc.max || n != 10 {
		t.Errorf("%d entries, %d bytes, want 10 within %d", n, used, rc.max)
	}
	rc.get("0", 1) // most recently used now
	for i := 10; i < 14; i++ {
		rc.put(entry(fmt.Sprint(i), 1, 500))
	}
	if _, used = rc.stats(); used > rc.max || evicted == 0 {
		t.Errorf("%d bytes after %d evictions, bound %d", used, evicted, rc.max)
	}
	if rc.get("0", 1) == nil {
		t.Error("the recently used entry was evicted")
	}
	if rc.get("1", 1) != nil {
		t.Error("the least recently used entry survived")
	}
}

func TestResultCacheVersions(t *testing.T) {
	rc := newResultCache(1<<20, nil)
	rc.put(entry("q", 3, 10))
	if rc.get("q", 3) == nil {
		t.Fatal("miss at the entry's version")
	}
	if rc.get("q", 2) != nil {
		t.Error("an entry computed at a newer version answered an older reader")
	}
	rc.put(entry("q", 2, 10)) // a slow query that saw version 2 finishes late
	if e := rc.get("q", 3); e == nil || e.version != 3 {
		t.Error("an older answer replaced a newer one")
	}
	if rc.get("q", 4) != nil {
		t.Error("a stale entry answered")
	}
	if n, _ := rc.stats(); n != 0 {
		t.Errorf("the stale entry was not evicted: %d entries", n)
	}
}

func TestCacheKey(t *testing.T) {
	base := call{User: "ada", SQL: "SELECT $x", Params: map[string]any{"x": int64(1), "y": "a"}, Format: "json", Limit: 10}
	same := base
	same.Params = map[string]any{"y": "a", "x": int64(1)}
	if cacheKey(&base, "duckdb") != cacheKey(&same, "duckdb") {
		t.Error("parameter order changed the key")
	}
	for name, change := range map[string]func(c *call){
		"user":   func(c *call) { c.User = "bob" },
		"sql":    func(c *call) { c.SQL = "SELECT $x " },
		"float":  func(c *call) { c.Params = map[string]any{"x": 1.0, "y": "a"} },
		"string": func(c *call) { c.Params = map[string]any{"x": "1", "y": "a"} },
		"format": func(c *call) { c.Format = "csv" },
		"limit":  func(c *call) { c.Limit = 11 },
	} {
		c := base
		change(&c)
		if cacheKey(&c, "duckdb") == cacheKey(&base, "duckdb") {
			t.Errorf("a different %s gave the same key", name)
		}
	}
	if cacheKey(&base, "presto") == cacheKey(&base, "duckdb") {
		t.Error("a different engine gave the same key")
	}
}

func TestTemplate(t *testing.T) {
	vals := [holeKinds][]byte{holeQueryID: []byte(`"new"`), holeCached: []byte("true"), holeElapsed: []byte("0.01")}
	for _, c := range []struct{ in, want string }{
		{`{"ok":true,"query_id":"old","rows":[["query_id",{"cached":1}]],"elapsed_ms":12.5}` + "\n",
			`{"ok":true,"query_id":"new","cached":true,"rows":[["query_id",{"cached":1}]],"elapsed_ms":0.01}` + "\n"},
		{`{"ok":true,"query_id":"old","cached":false,"s":"a\"}","elapsed_ms":3}`,
			`{"ok":true,"query_id":"new","cached":true,"s":"a\"}","elapsed_ms":0.01}`},
		{`{ "ok" : true , "n" : [1, {"x": "]"}] }`, `{ "ok" : true,"cached":true , "n" : [1, {"x": "]"}] }`},
	} {
		tm := newTemplate([]byte(c.in))
		if tm == nil {
			t.Fatalf("cannot scan %s", c.in)
		}
		var out bytes.Buffer
		for i, p := range tm.parts {
			out.Write(p)
			if i < len(tm.holes) {
				out.Write(vals[tm.holes[i]])
			}
		}
		if out.String() != c.want {
			t.Errorf("replay of %s\n got %s\nwant %s", c.in, out.String(), c.want)
		}
		if !json.Valid(out.Bytes()) {
			t.Errorf("replay is not JSON: %s", out.String())
		}
	}
	for _, bad := range []string{``, `[1]`, `{"a":}`, `{"a":"x`, `{"a":1`} {
		if newTemplate([]byte(bad)) != nil {
			t.Errorf("scanned the malformed %q", bad)
		}
	}
}
