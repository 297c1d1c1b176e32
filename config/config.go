// Package config loads lakegate settings: defaults, then an optional YAML
// file, then LAKEGATE_* environment variables, then command-line flags. Every
// setting is named once, in Settings, with its default and help text; unknown
// keys in any source are errors that name the key.
package config

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
)

// Config is the effective configuration of one lakegate process.
type Config struct {
	Lake                 string        // landing root
	Catalog              string        // "embedded" or a postgres:// URL
	Tenant               string        // the tenant ingest, catalog and query commands work on
	Addr                 string        // HTTP listen address
	Auth                 string        // "token" (API tokens required) or "none" (every request is an admin)
	TLSCert, TLSKey      string        // PEM files; both set: serve HTTPS
	RateLimit            float64       // requests per second per token (0 = no limit)
	RateBurst            int           // requests a token may send at once beyond the rate
	MaxPerToken          int           // requests in flight per token (0 = no limit)
	MaxRows              int           // rows returned as JSON before truncation
	QueryTimeout         time.Duration // per-query deadline
	MaxBodyBytes         int64         // largest accepted request body
	MaxIngestBytes       int64         // largest upload to POST /v1/ingest/assessments
	MaxConcurrent        int           // queries running at once, all users
	MaxConcurrentPerUser int           // queries running at once, per user
	MaxQueued            int           // queries waiting for a slot before 429
	QueueWait            time.Duration // longest wait for a slot before 429
	CacheBytes           int64         // result cache size (0 disables it)
	JobTTL               time.Duration // how long finished async job results are kept
	SpillDir             string        // temporary files of streamed exports and jobs ("" = OS temp dir)
	QueriesDir           string        // extra read-only canned queries, one .sql file each ("" = none)
	Threads              int           // DuckDB threads (0 = one per core)
	MemoryLimit          string        // DuckDB memory limit ("" = DuckDB's default)
	LogFormat            string        // text or json
	LogLevel             string        // debug, info, warn, error
}

// Setting is one named configuration key.
type Setting struct {
	Key     string // YAML key; flag is --key with dashes, env is LAKEGATE_KEY
	Default string
	Help    string
	Secret  bool // never printed in full
	set     func(c *Config, v string) error
	get     func(c *Config) string
}

// Flag is the command-line flag name of the setting.
func (s Setting) Flag() string { return strings.ReplaceAll(s.Key, "_", "-") }

// Env is the environment variable of the setting.
func (s Setting) Env() string { return "LAKEGATE_" + strings.ToUpper(s.Key) }

// Settings lists every key, in documentation order.
var Settings = []Setting{
	{Key: "lake", Default: "./lake", Help: "landing root directory where Parquet tables are written",
		set: func(c *Config, v string) error { c.Lake = v; return nonEmpty(v) },
		get: func(c *Config) string { return c.Lake }},
	{Key: "catalog", Default: "embedded", Secret: true,
		Help: `catalog store: "embedded" (kept under <lake>/_catalog) or a postgres:// URL`,
		set:  func(c *Config, v string) error { c.Catalog = v; return nonEmpty(v) },
		get:  func(c *Config) string { return c.Catalog }},
	{Key: "tenant", Default: "default", Help: "the tenant (customer) whose data ingest, catalog and query commands work on; serve serves every tenant",
		set: func(c *Config, v string) error { c.Tenant = v; return lakegate.ValidTenant(v) },
		get: func(c *Config) string { return c.Tenant }},
	{Key: "addr", Default: ":8080", Help: "HTTP listen address (host:port)",
		set: func(c *Config, v string) error { c.Addr = v; return nonEmpty(v) },
		get: func(c *Config) string { return c.Addr }},
	{Key: "auth", Default: "token",
		Help: `who may call: "token" (API tokens from lakegate token create, as Bearer or Basic) or "none" (no authentication: every request acts as an admin; local use only)`,
		set:  func(c *Config, v string) error { c.Auth = v; return oneOf(v, "token", "none") },
		get:  func(c *Config) string { return c.Auth }},
	{Key: "tls_cert", Default: "", Help: "PEM certificate (chain) file; with tls_key, serve HTTPS (empty: plain HTTP)",
		set: func(c *Config, v string) error { c.TLSCert = v; return nil },
		get: func(c *Config) string { return c.TLSCert }},
	{Key: "tls_key", Default: "", Help: "PEM private key file of tls_cert",
		set: func(c *Config, v string) error { c.TLSKey = v; return nil },
		get: func(c *Config) string { return c.TLSKey }},
	{Key: "rate_limit", Default: "50", Help: "requests per second one API token may send, beyond bursts of rate_burst; more get 429 with Retry-After (0: no limit)",
		set: func(c *Config, v string) error { return nonNegativeFloat(v, &c.RateLimit) },
		get: func(c *Config) string { return strconv.FormatFloat(c.RateLimit, 'g', -1, 64) }},
	{Key: "rate_burst", Default: "100", Help: "requests one API token may send at once before rate_limit applies",
		set: func(c *Config, v string) error { return positiveInt(v, &c.RateBurst) },
		get: func(c *Config) string { return strconv.Itoa(c.RateBurst) }},
	{Key: "max_concurrent_per_token", Default: "16", Help: "requests in flight (streams included) for one API token; more get 429 with Retry-After (0: no limit)",
		set: func(c *Config, v string) error { return nonNegativeInt(v, &c.MaxPerToken) },
		get: func(c *Config) string { return strconv.Itoa(c.MaxPerToken) }},
	{Key: "max_rows", Default: "10000", Help: "most rows a JSON answer carries; more sets \"truncated\": true (CSV streams all rows)",
		set: func(c *Config, v string) error { return positiveInt(v, &c.MaxRows) },
		get: func(c *Config) string { return strconv.Itoa(c.MaxRows) }},
	{Key: "query_timeout", Default: "30s", Help: "deadline of one query (Go duration: 500ms, 30s, 5m); a request may ask for less, never more",
		set: func(c *Config, v string) error { return positiveDuration(v, &c.QueryTimeout) },
		get: func(c *Config) string { return c.QueryTimeout.String() }},
	{Key: "max_body_bytes", Default: "1048576", Help: "largest accepted request body in bytes",
		set: func(c *Config, v string) error { return positiveInt64(v, &c.MaxBodyBytes) },
		get: func(c *Config) string { return strconv.FormatInt(c.MaxBodyBytes, 10) }},
	{Key: "max_ingest_bytes", Default: "1073741824", Help: "largest upload to POST /v1/ingest/assessments in bytes; bigger files go through `lakegate ingest`",
		set: func(c *Config, v string) error { return positiveInt64(v, &c.MaxIngestBytes) },
		get: func(c *Config) string { return strconv.FormatInt(c.MaxIngestBytes, 10) }},
	{Key: "max_concurrent", Default: "8", Help: "queries running at once, all users together",
		set: func(c *Config, v string) error { return positiveInt(v, &c.MaxConcurrent) },
		get: func(c *Config) string { return strconv.Itoa(c.MaxConcurrent) }},
	{Key: "max_concurrent_per_user", Default: "4", Help: "queries running at once for one user",
		set: func(c *Config, v string) error { return positiveInt(v, &c.MaxConcurrentPerUser) },
		get: func(c *Config) string { return strconv.Itoa(c.MaxConcurrentPerUser) }},
	{Key: "max_queued", Default: "64", Help: "queries waiting for a free slot; beyond it requests get 429 with Retry-After",
		set: func(c *Config, v string) error { return nonNegativeInt(v, &c.MaxQueued) },
		get: func(c *Config) string { return strconv.Itoa(c.MaxQueued) }},
	{Key: "queue_wait", Default: "10s", Help: "longest a query waits for a free slot before 429 (Go duration)",
		set: func(c *Config, v string) error { return positiveDuration(v, &c.QueueWait) },
		get: func(c *Config) string { return c.QueueWait.String() }},
	{Key: "cache_bytes", Default: "67108864", Help: "size of the result cache in bytes (0 turns it off)",
		set: func(c *Config, v string) error { return nonNegativeInt64(v, &c.CacheBytes) },
		get: func(c *Config) string { return strconv.FormatInt(c.CacheBytes, 10) }},
	{Key: "job_ttl", Default: "1h0m0s", Help: "how long a finished async job's result is kept (Go duration)",
		set: func(c *Config, v string) error { return positiveDuration(v, &c.JobTTL) },
		get: func(c *Config) string { return c.JobTTL.String() }},
	{Key: "spill_dir", Default: "", Help: "directory for temporary files of streamed exports and job results (empty: the OS temp directory)",
		set: func(c *Config, v string) error { c.SpillDir = v; return nil },
		get: func(c *Config) string { return c.SpillDir }},
	{Key: "queries_dir", Default: "", Help: "folder of extra read-only canned queries, one .sql file each, served beside the built-in ones (empty: none)",
		set: func(c *Config, v string) error { c.QueriesDir = v; return nil },
		get: func(c *Config) string { return c.QueriesDir }},
	{Key: "threads", Default: "0", Help: "DuckDB worker threads (0: one per core)",
		set: func(c *Config, v string) error { return nonNegativeInt(v, &c.Threads) },
		get: func(c *Config) string { return strconv.Itoa(c.Threads) }},
	{Key: "memory_limit", Default: "512MB", Help: `DuckDB memory limit of each engine (one per tenant in use) such as "4GB"; bigger joins and sorts spill to disk beyond it (empty: DuckDB's default, 80% of RAM)`,
		set: func(c *Config, v string) error { c.MemoryLimit = v; return nil },
		get: func(c *Config) string { return c.MemoryLimit }},
	{Key: "log_format", Default: "text", Help: "log format: text or json",
		set: func(c *Config, v string) error { c.LogFormat = v; return oneOf(v, "text", "json") },
		get: func(c *Config) string { return c.LogFormat }},
	{Key: "log_level", Default: "info", Help: "log level: debug, info, warn or error",
		set: func(c *Config, v string) error { c.LogLevel = v; return oneOf(v, "debug", "info", "warn", "error") },
		get: func(c *Config) string { return c.LogLevel }},
}

// Lookup finds a setting by key.
func Lookup(key string) (Setting, bool) {
	for _, s := range Settings {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// Keys lists every known key, sorted, for error messages.
func Keys() []string {
	keys := make([]string, len(Settings))
	for i, s := range Settings {
		keys[i] = s.Key
	}
	sort.Strings(keys)
	return keys
}

// Defaults returns the configuration with every default applied.
func Defaults() *Config {
	c := &Config{}
	for _, s := range Settings {
		if err := s.set(c, s.Default); err != nil && s.Default != "" {
			panic(fmt.Sprintf("config: bad default for %s: %v", s.Key, err))
		}
	}
	return c
}

// Value returns the setting's current value; secrets are masked.
func (c *Config) Value(key string) string {
	s, ok := Lookup(key)
	if !ok {
		return ""
	}
	v := s.get(c)
	if s.Secret {
		return Mask(v)
	}
	return v
}

// Mask hides the password of a URL-like value (postgres://u:pw@h/db).
func Mask(v string) string {
	at := strings.LastIndex(v, "@")
	scheme := strings.Index(v, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return v
	}
	creds := v[scheme+3 : at]
	if colon := strings.Index(creds, ":"); colon >= 0 {
		return v[:scheme+3] + creds[:colon] + ":****" + v[at:]
	}
	return v
}

func nonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("must not be empty")
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

func positiveInt(v string, dst *int) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a positive whole number", v)
	}
	*dst = n
	return nil
}

func nonNegativeInt(v string, dst *int) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a whole number >= 0", v)
	}
	*dst = n
	return nil
}

func positiveInt64(v string, dst *int64) error {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q is not a positive whole number", v)
	}
	*dst = n
	return nil
}

func nonNegativeInt64(v string, dst *int64) error {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("%q is not a whole number >= 0", v)
	}
	*dst = n
	return nil
}

func nonNegativeFloat(v string, dst *float64) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("%q is not a number >= 0", v)
	}
	*dst = f
	return nil
}

func positiveDuration(v string, dst *time.Duration) error {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return fmt.Errorf("%q is not a positive duration such as 30s or 2m", v)
	}
	*dst = d
	return nil
}
