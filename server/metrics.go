package server

import (
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lakegate/lakegate"
)

// Metrics are the Prometheus metrics of one lakegate process, in a
// registry of their own (not the global one), served at GET /metrics.
// Create them before the server when code outside it counts too (demo's
// ingest) and pass them in Options.Metrics; otherwise New makes them.
type Metrics struct {
	reg *prometheus.Registry

	queries      *prometheus.CounterVec // engine, status
	routes       *prometheus.CounterVec // engine, rule
	duration     *prometheus.HistogramVec
	rows, bytes  prometheus.Counter
	cacheHits    prometheus.Counter
	cacheMisses  prometheus.Counter
	cacheEvicted prometheus.Counter
	ingest       *prometheus.CounterVec // outcome
	events       *prometheus.CounterVec // outcome: accepted, refused
	eventReqs    *prometheus.CounterVec // status: ok or the error code
	logErrors    prometheus.Counter
}

// Ingest record outcomes, the values of lakegate_ingest_records_total's
// outcome label.
const (
	IngestLanded    = "landed"
	IngestDuplicate = "duplicate"
	IngestRejected  = "rejected"
)

// NewMetrics registers lakegate's metrics and the Go runtime's in a new
// registry.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.queries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_queries_total",
		Help: "Queries answered, by engine and status: ok or the error code (invalid, forbidden, not_found, timeout, busy, ...)."}, []string{"engine", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lakegate_query_duration_seconds",
		Help:    "Server time of a query, from request to last byte, cache hits included.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"engine"})
	m.rows = prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_query_rows_total", Help: "Rows returned by queries."})
	m.bytes = prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_query_bytes_total", Help: "Body bytes returned by queries."})
	m.cacheHits = prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_cache_hits_total", Help: "Queries answered from the result cache."})
	m.cacheMisses = prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_cache_misses_total",
		Help: "Cacheable queries the result cache could not answer (bypasses not counted)."})
	m.cacheEvicted = prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_cache_evictions_total",
		Help: "Result cache entries evicted to stay within cache_bytes."})
	m.ingest = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_ingest_records_total",
		Help: "Records ingested by this process (demo's ingest; a separate lakegate ingest process is not counted), by outcome: landed, duplicate, rejected."},
		[]string{"outcome"})
	m.logErrors = prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_query_log_errors_total",
		Help: "Query log entries the engine's query log table could not store (the log line is still written)."})
	m.routes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_routes_total",
		Help: "Queries by the engine chosen and the router's rule: named, all_tenants, no_presto, small, large, presto_down, presto_busy (only: a gateway with one engine)."},
		[]string{"engine", "rule"})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_events_total",
		Help: "Events sent to POST/GET /v1/events in valid requests, by outcome: accepted (durable, answered 202) or refused (the log or broker could not take them: 429, 503)."},
		[]string{"outcome"})
	m.eventReqs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_event_requests_total",
		Help: "Requests to POST/GET /v1/events, by status: ok (202) or the error code (invalid, too_large, busy, unavailable, ...)."},
		[]string{"status"})
	m.events.WithLabelValues("accepted") // present at 0 before the first event
	m.events.WithLabelValues("refused")
	m.reg.MustRegister(m.events, m.eventReqs)
	m.reg.MustRegister(m.routes, m.queries, m.duration, m.rows, m.bytes, m.cacheHits, m.cacheMisses, m.cacheEvicted, m.ingest, m.logErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, o := range []string{IngestLanded, IngestDuplicate, IngestRejected} {
		m.ingest.WithLabelValues(o) // present at 0 before the first ingest
	}
	return m
}

// CountEvents counts events accepted (durable) and refused.
func (m *Metrics) CountEvents(accepted, refused int) {
	m.events.WithLabelValues("accepted").Add(float64(accepted))
	m.events.WithLabelValues("refused").Add(float64(refused))
}

// countEventRequest counts one events request by its answer.
func (m *Metrics) countEventRequest(err error) {
	status := "ok"
	if err != nil {
		status = lakegate.ErrorCode(err)
	}
	m.eventReqs.WithLabelValues(status).Inc()
}

// CountIngest adds one ingest run's record counts.
func (m *Metrics) CountIngest(landed, duplicates, rejected int64) {
	m.ingest.WithLabelValues(IngestLanded).Add(float64(landed))
	m.ingest.WithLabelValues(IngestDuplicate).Add(float64(duplicates))
	m.ingest.WithLabelValues(IngestRejected).Add(float64(rejected))
}

// gauge registers a gauge read when scraped. Metrics serve one server:
// a second server on the same Metrics keeps the first one's gauges.
func (m *Metrics) gauge(name, help string, f func() float64) {
	_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// observe counts one finished query.
func (m *Metrics) observe(engine, status string, seconds float64, rows int, bytes int64) {
	m.queries.WithLabelValues(engine, status).Inc()
	m.duration.WithLabelValues(engine).Observe(seconds)
	// -1 rows: not counted (an Arrow job's export may not say); a
	// Prometheus counter panics on a negative add.
	if rows > 0 {
		m.rows.Add(float64(rows))
	}
	if bytes > 0 {
		m.bytes.Add(float64(bytes))
	}
}

// routed counts the router's choice of one query (none for a query
// refused before it was routed).
func (m *Metrics) routed(engine, rule string) {
	if rule != "" {
		m.routes.WithLabelValues(engine, rule).Inc()
	}
}

// handler serves the registry in the Prometheus text format.
func (m *Metrics) handler() echo.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return func(c echo.Context) error {
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	}
}

// Registerer is the registry /metrics serves, for metrics counted outside
// the server (the metastore's).
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }
