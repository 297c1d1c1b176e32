package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// History limits: GET /v1/history returns DefaultHistoryLimit queries
// unless ?limit= asks for up to HistorySize, the number kept per user.
const (
	DefaultHistoryLimit = 50
	HistorySize         = 1000
)

// historyEntry is one query as GET /v1/history shows it.
type historyEntry struct {
	QueryID   string          `json:"query_id"`
	StartedAt time.Time       `json:"started_at"`
	SQL       string          `json:"sql"`
	Params    json.RawMessage `json:"params"` // null when none
	Engine    string          `json:"engine"`
	// RouteReason says why Engine ran it.
	RouteReason string  `json:"route_reason"`
	Format      string  `json:"format"`
	Status      int     `json:"status"`
	Code        string  `json:"code"` // "" on success
	Error       string  `json:"error"`
	Rows        int     `json:"rows"`
	Bytes       int64   `json:"bytes"`
	ElapsedMS   float64 `json:"elapsed_ms"`
	Cached      bool    `json:"cached"`
}

// history keeps each user's latest queries in memory. It is the server's,
// not the engine's, so it works on every engine; it starts empty when the
// process starts (the engine's query_log table is the longer record).
type history struct {
	mu    sync.Mutex
	users map[string]*ring
}

type ring struct {
	entries [HistorySize]historyEntry
	next    int // where the next entry goes
	n       int // entries held
}

func newHistory() *history { return &history{users: map[string]*ring{}} }

func (h *history) add(user string, e historyEntry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.users[user]
	if r == nil {
		r = &ring{}
		h.users[user] = r
	}
	r.entries[r.next] = e
	r.next = (r.next + 1) % HistorySize
	r.n = min(r.n+1, HistorySize)
}

// latest returns up to limit of the user's queries, newest first.
func (h *history) latest(user string, limit int) []historyEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []historyEntry{}
	r := h.users[user]
	if r == nil {
		return out
	}
	for i := 1; i <= min(limit, r.n); i++ {
		out = append(out, r.entries[(r.next-i+HistorySize)%HistorySize])
	}
	return out
}

// getHistory answers GET /v1/history?limit=N with the caller's own latest
// queries, newest first.
func (s *Server) getHistory(c echo.Context) error {
	limit := DefaultHistoryLimit
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > HistorySize {
			return lakegate.Errorf(lakegate.EINVALID, "bad limit %q: send a whole number from 1 to %d", v, HistorySize)
		}
		limit = n
	}
	return c.JSON(http.StatusOK, historyAnswer{OK: true, Queries: s.history.latest(userOf(c), limit)})
}
