package server

import (
	"log/slog"

	"github.com/lakegate/lakegate/config"
)

// withDefaults gives every zero limit its setting's default from config's
// table, the one place defaults live (TestServerDefaults).
func (o *Options) withDefaults() {
	d := config.Defaults()
	positive(&o.MaxRows, d.MaxRows)
	positive(&o.Timeout, d.QueryTimeout)
	positive(&o.MaxBodyBytes, d.MaxBodyBytes)
	positive(&o.MaxConcurrent, d.MaxConcurrent)
	positive(&o.MaxConcurrentPerUser, d.MaxConcurrentPerUser)
	positive(&o.QueueWait, d.QueueWait)
	positive(&o.MaxIngestBytes, d.MaxIngestBytes)
	positive(&o.JobTTL, d.JobTTL)
	positive(&o.MaxEventBytes, d.MaxEventBytes)
	if o.EventTypeField == "" {
		o.EventTypeField = d.EventTypeField
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// positive sets *v to def unless it is positive.
func positive[T ~int | ~int64 | ~float64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
