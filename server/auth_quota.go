package server

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/lakegate/lakegate"
)

// quotas bounds each token's request rate (a token bucket per token,
// golang.org/x/time/rate) and requests in flight. Requests without a token (authentication off) are
// not bounded here; the query limits (limits.go) still apply.
type quotas struct {
	rate        float64 // tokens per second; 0: no rate limit
	burst       int
	maxInFlight int // 0: no bound
	now         func() time.Time

	mu       sync.Mutex
	buckets  map[string]*rate.Limiter
	inFlight map[string]int
}

func newQuotas(o AuthOptions) *quotas {
	q := &quotas{rate: o.RateLimit, burst: o.RateBurst, maxInFlight: o.MaxConcurrentPerToken, now: o.Now,
		buckets: map[string]*rate.Limiter{}, inFlight: map[string]int{}}
	if q.burst <= 0 {
		q.burst = int(math.Max(1, math.Ceil(q.rate)))
	}
	if q.now == nil {
		q.now = time.Now
	}
	return q
}

// admit lets one request of token id start, or answers EBUSY (429) with a
// Retry-After header. The caller calls release when the request is done.
func (q *quotas) admit(c echo.Context, id string) (release func(), err error) {
	if id == "" {
		return func() {}, nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if wait := q.take(id); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
		return nil, lakegate.Errorf(lakegate.EBUSY,
			"token %s sent more than %g requests per second (rate_limit); retry after %d s", id, q.rate, secs)
	}
	if q.maxInFlight > 0 && q.inFlight[id] >= q.maxInFlight {
		c.Response().Header().Set("Retry-After", "1")
		return nil, lakegate.Errorf(lakegate.EBUSY,
			"token %s already has %d requests in flight (max_concurrent_per_token); retry when one is done", id, q.maxInFlight)
	}
	q.inFlight[id]++
	return func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.inFlight[id]--; q.inFlight[id] <= 0 {
			delete(q.inFlight, id)
		}
	}, nil
}

// take spends one request from id's bucket, or says how long until one is
// there. Holds q.mu.
func (q *quotas) take(id string) time.Duration {
	if q.rate <= 0 {
		return 0
	}
	now := q.now()
	b, ok := q.buckets[id]
	if !ok {
		b = rate.NewLimiter(rate.Limit(q.rate), q.burst)
		q.buckets[id] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // refused: it spends nothing
		return d
	}
	return 0
}
