package server

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// admit waits for a slot to run q and returns the function that frees it.
// A full queue or a wait past QueueWait is EBUSY (429) with a Retry-After
// header; a client that goes away while waiting is ECANCELED.
func (s *Server) admit(c echo.Context, q *call) (release func(), err error) {
	release, q.Queued, err = s.limits.acquire(c.Request().Context(), q.User)
	if lakegate.ErrorCode(err) == lakegate.EBUSY {
		c.Response().Header().Set("Retry-After", strconv.Itoa(s.limits.retryAfter()))
	}
	return release, err
}

// limiter bounds running queries, globally (max) and per user (perUser),
// and queues the rest first come, first served: at most maxQueued wait, each
// for at most wait. Queued queries of a user at their own limit let other
// users' queries pass them.
//
// Active, Queued and Rejected are the counters for metrics; they are safe
// to read at any time.
type limiter struct {
	max, perUser, maxQueued int
	wait                    time.Duration

	mu       sync.Mutex
	active   int
	byUser   map[string]int // running queries per user; absent = 0
	queue    []*ticket      // waiting, oldest first
	rejected int64
	avgHold  time.Duration // moving average of how long a slot is held
}

// ticket is one query's claim on a slot. ready closes when it is granted.
type ticket struct {
	l       *limiter
	user    string
	ready   chan struct{}
	granted bool // under l.mu
	since   time.Time
	once    sync.Once
}

func newLimiter(max, perUser, maxQueued int, wait time.Duration) *limiter {
	return &limiter{max: max, perUser: perUser, maxQueued: maxQueued, wait: wait, byUser: map[string]int{}}
}

// Active is the number of queries holding a slot (running).
func (l *limiter) Active() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.active
}

// Queued is the number of queries waiting for a slot.
func (l *limiter) Queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// Rejected is the number of queries refused with EBUSY since the start.
func (l *limiter) Rejected() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rejected
}

// acquire takes a slot for user, waiting in the queue if needed, and
// returns its release function and how long it waited.
func (l *limiter) acquire(ctx context.Context, user string) (release func(), waited time.Duration, err error) {
	start := time.Now()
	t, err := l.enter(user)
	if err != nil {
		return nil, 0, err
	}
	err = t.wait(ctx)
	if err != nil {
		return nil, time.Since(start), err
	}
	return t.release, time.Since(start), nil
}

// enter grants a slot at once or queues a ticket; it fails with EBUSY when
// the queue is full. Call wait on the ticket, then release.
func (l *limiter) enter(user string) (*ticket, error) {
	t := &ticket{l: l, user: user, ready: make(chan struct{})}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.free(user) {
		l.grant(t)
		return t, nil
	}
	if len(l.queue) >= l.maxQueued {
		l.rejected++
		return nil, lakegate.Errorf(lakegate.EBUSY, "the server is busy: %s and %d waiting, the most allowed (max_concurrent %d, max_concurrent_per_user %d, max_queued %d); retry in %d s",
			l.running(user), len(l.queue), l.max, l.perUser, l.maxQueued, l.retryAfterLocked())
	}
	l.queue = append(l.queue, t)
	return t, nil
}

// running describes the running queries for messages.
func (l *limiter) running(user string) string {
	return fmt.Sprintf("%d queries running (%d yours)", l.active, l.byUser[user])
}

// started tells whether the ticket already holds a slot (no wait needed).
func (t *ticket) started() bool {
	t.l.mu.Lock()
	defer t.l.mu.Unlock()
	return t.granted
}

// wait blocks until the ticket is granted, QueueWait passes (EBUSY) or ctx
// ends (ECANCELED or ETIMEOUT).
func (t *ticket) wait(ctx context.Context) error {
	select {
	case <-t.ready:
		return nil
	default:
	}
	timer := time.NewTimer(t.l.wait)
	defer timer.Stop()
	var err error
	select {
	case <-t.ready:
		return nil
	case <-timer.C:
		err = t.l.busyAfterWait(t.user)
	case <-ctx.Done():
		err = lakegate.Wrap(lakegate.ErrorCode(ctx.Err()), ctx.Err(), "the query was canceled while it waited for a free slot")
	}
	if !t.l.leave(t) {
		return nil // granted just as the wait ended: run after all
	}
	return err
}

func (l *limiter) busyAfterWait(user string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rejected++
	return lakegate.Errorf(lakegate.EBUSY, "the server is busy: no query slot freed within queue_wait (%s) with %s (max_concurrent %d, max_concurrent_per_user %d); retry in %d s",
		l.wait, l.running(user), l.max, l.perUser, l.retryAfterLocked())
}

// leave removes a waiting ticket from the queue; it reports false when the
// ticket was granted meanwhile.
func (l *limiter) leave(t *ticket) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.granted {
		return false
	}
	for i, w := range l.queue {
		if w == t {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			break
		}
	}
	return true
}

// release frees the ticket's slot and hands it to the oldest waiting
// query that may run. Calling it again does nothing.
func (t *ticket) release() {
	t.once.Do(func() {
		l := t.l
		l.mu.Lock()
		defer l.mu.Unlock()
		l.active--
		if l.byUser[t.user]--; l.byUser[t.user] <= 0 {
			delete(l.byUser, t.user)
		}
		held := time.Since(t.since)
		if l.avgHold == 0 {
			l.avgHold = held
		} else {
			l.avgHold = (l.avgHold*7 + held) / 8
		}
		l.dispatch()
	})
}

// dispatch grants waiting tickets in order while slots are free, skipping
// users at their own limit. Under l.mu.
func (l *limiter) dispatch() {
	for i := 0; i < len(l.queue) && l.active < l.max; {
		t := l.queue[i]
		if !l.free(t.user) {
			i++
			continue
		}
		l.queue = append(l.queue[:i], l.queue[i+1:]...)
		l.grant(t)
	}
}

// free tells whether user may start a query now. Under l.mu.
func (l *limiter) free(user string) bool {
	return l.active < l.max && l.byUser[user] < l.perUser
}

// grant gives t a slot. Under l.mu.
func (l *limiter) grant(t *ticket) {
	l.active++
	l.byUser[t.user]++
	t.granted, t.since = true, time.Now()
	close(t.ready)
}

// retryAfter estimates in whole seconds (1 to 60) when a slot frees up:
// the average time a slot is held, times the queries ahead per slot.
func (l *limiter) retryAfter() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.retryAfterLocked()
}

func (l *limiter) retryAfterLocked() int {
	est := l.avgHold.Seconds() * float64(len(l.queue)+1) / float64(l.max)
	return int(min(60, max(1, math.Ceil(est))))
}
