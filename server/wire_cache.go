package server

import (
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// Wire queries share the result cache with HTTP. An HTTP entry is a
// rendered body; a wire entry holds the rows themselves (engine-neutral
// values), since each client asks for its own mix of text and binary
// columns. Keys are HTTP's, with the protocol's name as the format and no
// row limit, so the two kinds never meet. A result is kept only when the
// client read it to its end without an error and it stayed under the
// cache's entry bound; a portal closed halfway keeps nothing.

// wireResult is a cached wire answer.
type wireResult struct {
	cols []lakegate.Column
	rows [][]any
	size int64
}

// wireCapture collects a result's rows for the cache while they are read.
type wireCapture struct {
	key     string
	version int64
	max     int64
	res     wireResult
	over    bool // too big: nothing is kept
	drained bool // Next returned false
}

// wireCacheKey is q's cache key and the catalog version it is read at;
// ok is false when the cache is off or the version unknown.
func (s *Server) wireCacheKey(c echo.Context, q *call) (key string, version int64, ok bool) {
	if s.cache == nil {
		return "", 0, false
	}
	v, err := s.opt.Catalog.Version(c.Request().Context())
	if err != nil {
		return "", 0, false
	}
	return cacheKey(q, q.Engine.Name()+"@"+q.Scope), v, true
}

// cachedWire answers q from the cache, or returns nil and a capture that
// stores q's answer once read.
func (s *Server) cachedWire(c echo.Context, q *call) (lakegate.Rows, *wireCapture) {
	key, v, ok := s.wireCacheKey(c, q)
	if !ok {
		return nil, nil
	}
	if e := s.cache.get(key, v); e != nil && e.wire != nil {
		s.metrics.cacheHits.Inc()
		q.Cached = true
		return &cachedRows{res: e.wire}, nil
	}
	s.metrics.cacheMisses.Inc()
	return nil, &wireCapture{key: key, version: v, max: s.cache.maxEntry}
}

// add keeps a copy of one row (its values are the engine's until Next).
func (w *wireCapture) add(vals []any) {
	if w.over {
		return
	}
	row := append([]any(nil), vals...)
	w.res.size += 24 + 16*int64(len(row))
	for _, v := range row {
		switch x := v.(type) {
		case string:
			w.res.size += int64(len(x))
		case []byte:
			w.res.size += int64(len(x))
		}
	}
	if w.res.size > w.max {
		w.over, w.res.rows = true, nil
		return
	}
	w.res.rows = append(w.res.rows, row)
}

// storeWire keeps the captured answer when it is whole.
func (s *Server) storeWire(w *wireCapture, cols []lakegate.Column, rows int, err error) {
	if w == nil || w.over || !w.drained || err != nil {
		return
	}
	w.res.cols = cols
	s.cache.put(&cacheEntry{key: w.key, version: w.version, wire: &w.res, rows: rows})
}

// cachedRows replays a cached wire answer.
type cachedRows struct {
	res *wireResult
	i   int
}

func (r *cachedRows) Columns() []lakegate.Column { return r.res.cols }
func (r *cachedRows) Values() []any              { return r.res.rows[r.i-1] }
func (r *cachedRows) Err() error                 { return nil }
func (r *cachedRows) Close() error               { return nil }

func (r *cachedRows) Next() bool {
	if r.i >= len(r.res.rows) {
		return false
	}
	r.i++
	return true
}
