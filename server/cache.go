package server

import (
	"crypto/sha256"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/labstack/echo/v4"
)

// The result cache keeps whole rendered answers (status, headers, body)
// of successful queries, keyed by everything that shapes an answer: the
// user, the SQL text, the parameters (canonical JSON), the engine, the
// format and the row limit. Each entry remembers the catalog version it
// was computed at; any later version makes it unreachable, and the lookup
// that finds it stale evicts it. The version is global, so any commit
// invalidates every entry: per-table versions would need the tables a
// query reads, which only the engine knows.
//
// The version is read before the query runs, so an entry is never younger
// than its label: a commit racing the query makes the entry stale early,
// never wrong.

// CacheHeader tells whether an answer came from the result cache: hit,
// miss (computed, and stored when small enough) or bypass (the cache was
// off, the client sent Cache-Control: no-cache or no-store, or the answer
// is an unlimited stream).
const CacheHeader = "X-Lakegate-Cache"

// maxEntryShare: no entry may take more than 1/maxEntryShare of the cache,
// so one big answer cannot flush everything else.
const maxEntryShare = 8

// cachePendingKey holds, in the echo context, the capture of an answer to
// store once the query succeeded (see storeCached).
const cachePendingKey = "lakegate.cache.pending"

// serveCached answers q from the result cache when it can; otherwise it
// arranges for the answer to be captured and stored by storeCached.
func (s *Server) serveCached(c echo.Context, q *call) (hit bool, err error) {
	h := c.Response().Header()
	noCache, noStore := cacheControl(c.Request().Header)
	q.NoCache = noCache || noStore
	if s.cache == nil || q.Limit <= 0 || noStore {
		h.Set(CacheHeader, "bypass")
		return false, nil
	}
	v, err := s.opt.Catalog.Version(c.Request().Context())
	if err != nil {
		h.Set(CacheHeader, "bypass") // the engine reports the catalog's trouble
		return false, nil
	}
	key := cacheKey(q, q.Engine.Name()+"@"+q.Scope)
	if !noCache {
		if e := s.cache.get(key, v); e != nil {
			q.Cached, q.Rows = true, e.rows
			s.metrics.cacheHits.Inc()
			return true, e.replay(c, q)
		}
		s.metrics.cacheMisses.Inc()
		h.Set(CacheHeader, "miss")
	} else {
		h.Set(CacheHeader, "bypass")
	}
	res := c.Response()
	t := &tee{ResponseWriter: res.Writer, max: s.cache.maxEntry}
	res.Writer = t
	c.Set(cachePendingKey, &pending{key: key, version: v, tee: t})
	return false, nil
}

// storeCached keeps the captured answer of a successful query.
func (s *Server) storeCached(c echo.Context, q *call, err error) {
	p, ok := c.Get(cachePendingKey).(*pending)
	if !ok || err != nil || p.tee.over || c.Response().Status != http.StatusOK {
		return
	}
	h := c.Response().Header().Clone()
	h.Del("X-Query-Id")
	h.Del(CacheHeader)
	h.Del(echo.HeaderContentLength)
	h.Del("Trailer") // trailer values were known by the end: replayed as headers
	e := &cacheEntry{key: p.key, version: p.version, header: h, body: p.tee.buf, rows: q.Rows}
	if isJSON(h.Get(echo.HeaderContentType)) {
		e.tmpl = newTemplate(e.body)
	}
	s.cache.put(e)
}

// cacheControl reads the request's Cache-Control: no-cache skips the
// lookup (and refreshes the entry), no-store skips the cache altogether.
func cacheControl(h http.Header) (noCache, noStore bool) {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			switch strings.ToLower(strings.TrimSpace(d)) {
			case "no-cache":
				noCache = true
			case "no-store":
				noStore = true
			}
		}
	}
	return noCache, noStore
}

// cacheKey hashes everything that shapes an answer. Fields are separated
// by NUL, which none of them can hold unescaped.
func cacheKey(q *call, engine string) string {
	h := sha256.New()
	for _, f := range []string{q.User, q.SQL, canonicalParams(q.Params), engine, q.Format, strconv.Itoa(q.Limit)} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return string(h.Sum(nil))
}

// canonicalParams renders parameters as JSON with sorted keys, keeping
// integers and floats apart (1 and 1.0 bind as different types).
func canonicalParams(p any) string {
	if p == nil {
		return ""
	}
	b, err := json.Marshal(typedNumbers(p))
	if err != nil {
		return "unencodable" // decodeParams only produces encodable values
	}
	return string(b)
}

func typedNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return x
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return json.Number(s)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = typedNumbers(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = typedNumbers(e)
		}
		return out
	}
	return v
}

// pending is an answer being captured for the cache.
type pending struct {
	key     string
	version int64
	tee     *tee
}

// tee passes the body through and keeps a copy of up to max bytes; a
// longer body is not cached.
type tee struct {
	http.ResponseWriter
	buf  []byte
	max  int64
	over bool
}

func (t *tee) Write(p []byte) (int, error) {
	if !t.over {
		if int64(len(t.buf)+len(p)) > t.max {
			t.over, t.buf = true, nil
		} else {
			t.buf = append(t.buf, p...)
		}
	}
	return t.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the writer's Flush.
func (t *tee) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// cacheEntry is one stored answer.
type cacheEntry struct {
	key     string
	version int64
	header  http.Header
	body    []byte
	tmpl    *template // for JSON bodies: where query_id, cached and elapsed_ms go
	rows    int
	wire    *wireResult // a wire protocol's answer (wire_cache.go), instead of a body
}

func (e *cacheEntry) size() int64 {
	n := int64(len(e.body)+len(e.key)) + 256
	if e.wire != nil {
		n += e.wire.size
	}
	return n
}

// replay writes the stored answer. A JSON body gets this query's id, its
// elapsed time and "cached": true.
func (e *cacheEntry) replay(c echo.Context, q *call) error {
	res := c.Response()
	h := res.Header()
	for k, v := range e.header {
		h[k] = v
	}
	h.Set(CacheHeader, "hit")
	if e.tmpl == nil {
		h.Set(echo.HeaderContentLength, strconv.Itoa(len(e.body)))
		res.WriteHeader(http.StatusOK)
		_, err := res.Write(e.body)
		return err
	}
	elapsed := math.Round(float64(time.Since(q.Start).Microseconds())/10) / 100
	vals := [holeKinds][]byte{
		holeQueryID: strconv.AppendQuote(nil, q.ID),
		holeCached:  []byte("true"),
		holeElapsed: strconv.AppendFloat(nil, elapsed, 'f', -1, 64),
	}
	n := 0
	for _, p := range e.tmpl.parts {
		n += len(p)
	}
	for _, k := range e.tmpl.holes {
		n += len(vals[k])
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(n))
	res.WriteHeader(http.StatusOK)
	for i, p := range e.tmpl.parts {
		if _, err := res.Write(p); err != nil {
			return err
		}
		if i < len(e.tmpl.holes) {
			if _, err := res.Write(vals[e.tmpl.holes[i]]); err != nil {
				return err
			}
		}
	}
	return nil
}

func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), echo.MIMEApplicationJSON)
}

// resultCache is a size-bounded LRU of answers.
type resultCache struct {
	max, maxEntry int64

	mu    sync.Mutex
	used  int64                               // bytes of the entries held
	lru   *simplelru.LRU[string, *cacheEntry] // bounded by used, not by count
	evict func()                              // counts evictions (metrics)
}

// newResultCache returns nil when size is 0: the cache is off. The LRU
// holds any number of entries; put evicts by their bytes.
func newResultCache(size int64, evict func()) *resultCache {
	if size <= 0 {
		return nil
	}
	rc := &resultCache{max: size, maxEntry: size / maxEntryShare, evict: evict}
	rc.lru, _ = simplelru.NewLRU(math.MaxInt, func(_ string, e *cacheEntry) { rc.used -= e.size() })
	return rc
}

// get returns the entry of key computed at catalog version v; an entry of
// an older version is evicted.
func (rc *resultCache) get(key string, v int64) *cacheEntry {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	e, ok := rc.lru.Peek(key)
	switch {
	case !ok:
		return nil
	case e.version < v:
		rc.lru.Remove(key)
		return nil
	case e.version > v:
		return nil // stored by a query that saw a newer catalog than this one
	}
	rc.lru.Get(key) // now the most recently used
	return e
}

// put stores e, replacing the entry of the same key, and evicts the least
// recently used entries beyond the size bound.
func (rc *resultCache) put(e *cacheEntry) {
	if e.size() > rc.maxEntry {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if old, ok := rc.lru.Peek(e.key); ok {
		if old.version > e.version {
			return // a newer answer is already there
		}
		rc.lru.Remove(e.key)
	}
	rc.lru.Add(e.key, e)
	rc.used += e.size()
	for rc.used > rc.max {
		rc.lru.RemoveOldest()
		if rc.evict != nil {
			rc.evict()
		}
	}
}

// stats returns the entries and bytes held.
func (rc *resultCache) stats() (entries int, bytes int64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.lru.Len(), rc.used
}
