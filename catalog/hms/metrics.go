package hms

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts the metastore's calls by method and outcome (ok, error:
// an exception answered, broken: the connection failed) and times them,
// for the server's /metrics.
type Metrics struct {
	calls    *prometheus.CounterVec
	seconds  *prometheus.HistogramVec
	refusals prometheus.Counter
}

// NewMetrics registers the metastore's metrics in reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lakegate_metastore_calls_total",
			Help: "Hive metastore API calls, by method and outcome (ok, error, broken)."}, []string{"method", "outcome"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lakegate_metastore_call_seconds",
			Help: "Hive metastore API call durations.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 8)}, []string{"method"}),
		refusals: prometheus.NewCounter(prometheus.CounterOpts{Name: "lakegate_metastore_connections_refused_total",
			Help: "Metastore connections closed at once because max connections were open."}),
	}
	reg.MustRegister(m.calls, m.seconds, m.refusals)
	return m
}

func (m *Metrics) count(method, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(method, outcome).Inc()
	m.seconds.WithLabelValues(method).Observe(d.Seconds())
}

func (m *Metrics) refused() {
	if m != nil {
		m.refusals.Inc()
	}
}
