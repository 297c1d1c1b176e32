package server

import (
	"testing"

	"github.com/lakegate/lakegate/config"
)

// TestServerDefaults: a zero limit takes its setting's default from
// config's table, so the server and `lakegate serve` never disagree.
func TestServerDefaults(t *testing.T) {
	var o Options
	o.withDefaults()
	d := config.Defaults()
	for name, pair := range map[string][2]any{
		"max_rows":                {o.MaxRows, d.MaxRows},
		"query_timeout":           {o.Timeout, d.QueryTimeout},
		"max_body_bytes":          {o.MaxBodyBytes, d.MaxBodyBytes},
		"max_concurrent":          {o.MaxConcurrent, d.MaxConcurrent},
		"max_concurrent_per_user": {o.MaxConcurrentPerUser, d.MaxConcurrentPerUser},
		"queue_wait":              {o.QueueWait, d.QueueWait},
		"max_ingest_bytes":        {o.MaxIngestBytes, d.MaxIngestBytes},
		"job_ttl":                 {o.JobTTL, d.JobTTL},
	} {
		if pair[0] != pair[1] {
			t.Errorf("%s: server %v, setting %v", name, pair[0], pair[1])
		}
	}
}
