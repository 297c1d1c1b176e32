// Package config loads lakegate settings: defaults, then an optional YAML
// file, then LAKEGATE_* environment variables, then command-line flags. Every
// setting is named once, in Settings, with its default and help text; unknown
// keys in any source are errors that name the key.
package config

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lakegate/lakegate"
)

// Config is the effective configuration of one lakegate process.
type Config struct {
	Lake                       string        // landing root: a directory or hdfs:// URL
	LakeCacheDir               string        // local copies of an HDFS lake's files
	LakeCacheBytes             int64         // bound of LakeCacheDir
	Catalog                    string        // "embedded" or a postgres:// URL
	Tenant                     string        // the tenant ingest, catalog and query commands work on
	Addr                       string        // HTTP listen address
	HMSAddr                    string        // Hive metastore API listen address ("" = off)
	HMSAuth                    string        // "user" or "token"
	PGAuth                     string        // scram-sha-256 or password
	PGAddr                     string        // PostgreSQL wire protocol listen address ("" = off)
	PGMaxConns                 int           // wire connections in total
	PGMaxConnsPerUser          int           // wire connections of one user
	PGIdleTimeout              time.Duration // a wire connection's longest wait between messages
	HMSDefaultTenant           string        // tenant of metastore connections that name none
	PrestoURL                  string        // the Presto coordinator ("": DuckDB only)
	PrestoThreshold            int64         // bytes from which engine auto picks Presto
	PrestoMaxQueued            int           // Presto's queue beyond which auto stays on DuckDB
	PrestoMaxMemory            string        // one Presto query's memory cap (query_max_memory)
	Auth                       string        // "token" (API tokens required) or "none" (every request is an admin)
	TLSCert, TLSKey            string        // PEM files; both set: serve HTTPS
	RateLimit                  float64       // requests per second per token (0 = no limit)
	RateBurst                  int           // requests a token may send at once beyond the rate
	MaxPerToken                int           // requests in flight per token (0 = no limit)
	MaxRows                    int           // rows returned as JSON before truncation
	QueryTimeout               time.Duration // per-query deadline
	MaxBodyBytes               int64         // largest accepted request body
	MaxIngestBytes             int64         // largest upload to POST /v1/ingest/assessments
	MaxIngestDecompressedBytes int64         // most bytes one gzip upload may unpack to
	MaxConcurrent              int           // queries running at once, all users
	MaxConcurrentPerUser       int           // queries running at once, per user
	MaxQueued                  int           // queries waiting for a slot before 429
	QueueWait                  time.Duration // longest wait for a slot before 429
	CacheBytes                 int64         // result cache size (0 disables it)
	JobTTL                     time.Duration // how long finished async job results are kept
	SpillDir                   string        // temporary files of streamed exports and jobs ("" = OS temp dir)
	QueriesDir                 string        // extra read-only canned queries, one .sql file each ("" = none)
	KafkaBrokers               string        // Kafka bootstrap brokers ("" = collected events go to the local log)
	EventsTopic                string        // the topic collected events are sent to
	EventTypeField             string        // the field that routes an event to its table
	EventHeaders               string        // request headers added to every collected event
	MaxEventBytes              int64         // largest body of POST /v1/events
	EventsTrigger              time.Duration // how often the local log's events land
	EventsDir                  string        // the local events log ("" = <lake>/_events on a local lake)
	Threads                    int           // DuckDB threads (0 = one per core)
	MemoryLimit                string        // DuckDB memory limit ("" = DuckDB's default)
	ClusterAttemptsBy          string        // attempts column whose values get row groups of their own ("" = arrival order)
	LogFormat                  string        // text or json
	LogLevel                   string        // debug, info, warn, error
}

// Setting is one named configuration key.
type Setting struct {
	Key     string // YAML key; flag is --key with dashes, env is LAKEGATE_KEY
	Default string
	Arg     string // what the value is, in --help: N, BYTES, DURATION, DIR, ...
	Help    string
	Secret  bool // never printed in full
	set     func(c *Config, v string) error
	get     func(c *Config) string
}

// Flag is the command-line flag name of the setting.
func (s Setting) Flag() string { return strings.ReplaceAll(s.Key, "_", "-") }

// Env is the environment variable of the setting.
func (s Setting) Env() string { return "LAKEGATE_" + strings.ToUpper(s.Key) }

// Settings lists every key, in documentation order: the one place a
// setting and its default are named. The loader, every command's --help
// and the README's table (TestREADMESettings) read it. A new setting is
// one line here and a field of Config.
var Settings = []Setting{
	text("lake", "./lake", "DIR|URL", "landing root where Parquet tables are written: a local directory, or hdfs://HOST:PORT/path (the HDFS user is HADOOP_USER_NAME)", func(c *Config) *string { return &c.Lake }, nonEmpty),
	text("lake_cache_dir", "", "DIR", "with an hdfs:// lake, the local folder of the copies queries read (empty: the user's cache folder, ~/.cache/lakegate/lake-cache)", func(c *Config) *string { return &c.LakeCacheDir }, nil),
	byteSize("lake_cache_bytes", "10737418240", "with an hdfs:// lake, the most bytes of copies kept in lake_cache_dir; the least recently used go first", func(c *Config) *int64 { return &c.LakeCacheBytes }, 1),
	secret(text("catalog", "embedded", "STORE", `catalog store: "embedded" (kept under <lake>/_catalog; for an hdfs:// lake in ~/.config/lakegate/catalogs/), "embedded:DIR", or a postgres://user:password@host:5432/db URL (the password is never printed)`, func(c *Config) *string { return &c.Catalog }, nonEmpty)),
	text("tenant", "default", "NAME", "the tenant (customer) whose data ingest, catalog and query commands work on; serve serves every tenant", func(c *Config) *string { return &c.Tenant }, lakegate.ValidTenant),
	text("addr", "127.0.0.1:8080", "HOST:PORT", "HTTP listen address; listening beyond this machine (e.g. :8080) with auth none needs --insecure-listen", func(c *Config) *string { return &c.Addr }, nonEmpty),
	text("auth", "token", "MODE", `who may call: "token" (API tokens from lakegate token create, as Bearer or Basic) or "none" (no authentication: every request acts as an admin; local use only)`, func(c *Config) *string { return &c.Auth }, oneOf("token", "none")),
	text("tls_cert", "", "FILE", "PEM certificate (chain) file; with tls_key, serve HTTPS (empty: plain HTTP)", func(c *Config) *string { return &c.TLSCert }, nil),
	text("tls_key", "", "FILE", "PEM private key file of tls_cert", func(c *Config) *string { return &c.TLSKey }, nil),
	text("hms_addr", "", "HOST:PORT", "serve the Hive Metastore Thrift API (for Presto, Spark and Hive clients) on this address, e.g. 127.0.0.1:9083 (empty: off); beyond loopback a warning is printed unless hms_auth is token", func(c *Config) *string { return &c.HMSAddr }, nil),
	text("hms_auth", "user", "MODE", `how a metastore client says its tenant (set_ugi's user): "user" (the tenant's name, or an API token) or "token" (an API token only)`, func(c *Config) *string { return &c.HMSAuth }, oneOf("user", "token")),
	text("hms_default_tenant", "default", "NAME", "the tenant of metastore connections that name none (empty: they must)", func(c *Config) *string { return &c.HMSDefaultTenant }, nil),
	text("pg_addr", "", "HOST:PORT", "speak the PostgreSQL wire protocol on this address, e.g. 127.0.0.1:5433, for psql, JDBC, psycopg and BI tools (password: an API token; empty: off)", func(c *Config) *string { return &c.PGAddr }, nil),
	text("pg_auth", "scram-sha-256", "MODE", `how a PostgreSQL client proves its token (the password): "scram-sha-256" (a proof; the token never travels) or "password" (sent as is, so use TLS; for tokens made before lakegate kept SCRAM verifiers and clients without SCRAM). With auth none nobody is asked`, func(c *Config) *string { return &c.PGAuth }, oneOf("scram-sha-256", "password")),
	integer("pg_max_conns", "100", "N", "PostgreSQL wire connections at once, all users together; more get SQLSTATE 53300", func(c *Config) *int { return &c.PGMaxConns }, 1),
	integer("pg_max_conns_per_user", "20", "N", "PostgreSQL wire connections at once for one user", func(c *Config) *int { return &c.PGMaxConnsPerUser }, 1),
	duration("pg_idle_timeout", "30m0s", "DURATION", "a PostgreSQL wire connection idle this long between queries is closed", func(c *Config) *time.Duration { return &c.PGIdleTimeout }),
	text("presto_url", "", "URL", "a PrestoDB coordinator, http://HOST:PORT, whose hive catalog reads this gateway's metastore (hms_addr); queries may then run there (engine auto or presto) as the tenant's user (empty: DuckDB only)", func(c *Config) *string { return &c.PrestoURL }, httpURL),
	byteSize("presto_threshold", "10737418240", "engine auto sends a query to Presto when the tables it names hold at least this many bytes (catalog statistics); smaller ones run on DuckDB", func(c *Config) *int64 { return &c.PrestoThreshold }, 0),
	integer("presto_max_queued", "16", "N", "engine auto keeps queries on DuckDB while more than this many wait in Presto's queue (0: no limit)", func(c *Config) *int { return &c.PrestoMaxQueued }, 0),
	text("presto_max_memory", "", "SIZE", `memory cap of one query on Presto, on the cluster and on each node (its query_max_memory and query_max_memory_per_node session properties), such as "512MB"; beyond it the query answers out_of_memory (empty: the cluster's limits)`, func(c *Config) *string { return &c.PrestoMaxMemory }, nil),
	number("rate_limit", "50", "PER_SECOND", "requests per second one API token may send, beyond bursts of rate_burst; more get 429 with Retry-After (0: no limit)", func(c *Config) *float64 { return &c.RateLimit }, 0),
	integer("rate_burst", "100", "N", "requests one API token may send at once before rate_limit applies", func(c *Config) *int { return &c.RateBurst }, 1),
	integer("max_concurrent_per_token", "16", "N", "requests in flight (streams included) for one API token; more get 429 with Retry-After (0: no limit)", func(c *Config) *int { return &c.MaxPerToken }, 0),
	integer("max_rows", "10000", "N", `most rows an answer carries, in every format; more sets "truncated": true (JSON) or X-Lakegate-Truncated (streamed formats); ?limit=0 exports every row`, func(c *Config) *int { return &c.MaxRows }, 1),
	duration("query_timeout", "30s", "DURATION", "deadline of one query (500ms, 30s, 5m); a request may ask for less, never more", func(c *Config) *time.Duration { return &c.QueryTimeout }),
	byteSize("max_body_bytes", "1048576", "largest accepted request body in bytes", func(c *Config) *int64 { return &c.MaxBodyBytes }, 1),
	text("cluster_attempts_by", "exam_name", "COLUMN", `text column of assessments.attempts (exam_name, base_exam_id, user_exam_id, ...) whose values ingest writes in row groups of their own, so a filter on it (one course's takers) skips the rest by their statistics; "" keeps arrival order`, func(c *Config) *string { return &c.ClusterAttemptsBy }, nil),
	byteSize("max_ingest_bytes", "1073741824", "largest upload to POST /v1/ingest/assessments in bytes, as sent (gzip included); bigger files go through lakegate ingest", func(c *Config) *int64 { return &c.MaxIngestBytes }, 1),
	byteSize("max_ingest_decompressed_bytes", "10737418240", "most bytes one gzip upload to POST /v1/ingest/assessments may unpack to; more is refused with 413", func(c *Config) *int64 { return &c.MaxIngestDecompressedBytes }, 1),
	integer("max_concurrent", "8", "N", "queries running at once, all users together", func(c *Config) *int { return &c.MaxConcurrent }, 1),
	integer("max_concurrent_per_user", "4", "N", "queries running at once for one user", func(c *Config) *int { return &c.MaxConcurrentPerUser }, 1),
	integer("max_queued", "64", "N", "queries waiting for a free slot; beyond it requests get 429 with Retry-After", func(c *Config) *int { return &c.MaxQueued }, 0),
	duration("queue_wait", "10s", "DURATION", "longest a query waits for a free slot before 429", func(c *Config) *time.Duration { return &c.QueueWait }),
	byteSize("cache_bytes", "67108864", "size of the result cache in bytes (0 turns it off)", func(c *Config) *int64 { return &c.CacheBytes }, 0),
	duration("job_ttl", "1h0m0s", "DURATION", "how long a finished async job's result is kept", func(c *Config) *time.Duration { return &c.JobTTL }),
	text("spill_dir", "", "DIR", "directory for temporary files of streamed exports and job results (empty: the OS temp directory)", func(c *Config) *string { return &c.SpillDir }, nil),
	text("kafka_brokers", "", "HOST:PORT,...", "Kafka bootstrap brokers: POST /v1/events sends events there (acks=all) and `lakegate ingest kafka` reads from there (empty: events go to a local write-ahead log under the lake, landed by the server itself)", func(c *Config) *string { return &c.KafkaBrokers }, nil),
	text("events_topic", "events", "TOPIC", "the Kafka topic collected events are sent to (tenants other than default: TOPIC.TENANT)", func(c *Config) *string { return &c.EventsTopic }, nonEmpty),
	text("event_type_field", "event_type", "NAME", "the field every collected event must have (a non-empty string, else 400): it names the event's type, and so its table events.<type>", func(c *Config) *string { return &c.EventTypeField }, nonEmpty),
	text("event_headers", "Host,User-Agent", "NAME,...", "request headers added to every collected event as fields of the same name, e.g. Host, User-Agent (empty: none)", func(c *Config) *string { return &c.EventHeaders }, nil),
	byteSize("max_event_bytes", "1048576", "largest body of POST /v1/events (one event or an NDJSON batch); more answers 413", func(c *Config) *int64 { return &c.MaxEventBytes }, 1),
	text("events_dir", "", "DIR", "without kafka_brokers: the local directory of the events' write-ahead log, one folder per tenant (empty: _events in a local lake; an HDFS lake needs one)", func(c *Config) *string { return &c.EventsDir }, nil),
	duration("events_trigger", "10s", "DURATION", "without kafka_brokers: how often the server lands the events of its local log (one micro-batch per period)", func(c *Config) *time.Duration { return &c.EventsTrigger }),
	text("queries_dir", "", "DIR", "folder of extra read-only canned queries, one .sql file each, served beside the built-in ones (empty: none)", func(c *Config) *string { return &c.QueriesDir }, nil),
	integer("threads", "0", "N", "DuckDB worker threads (0: one per core)", func(c *Config) *int { return &c.Threads }, 0),
	text("memory_limit", "512MB", "SIZE", `DuckDB memory limit of each engine (one per tenant in use) such as "4GB"; bigger joins and sorts spill to disk beyond it (empty: DuckDB's default, 80% of RAM)`, func(c *Config) *string { return &c.MemoryLimit }, nil),
	text("log_format", "text", "FORMAT", "log format: text or json", func(c *Config) *string { return &c.LogFormat }, oneOf("text", "json")),
	text("log_level", "info", "LEVEL", "log level: debug, info, warn or error", func(c *Config) *string { return &c.LogLevel }, oneOf("debug", "info", "warn", "error")),
}

// ClientVariables are LAKEGATE_* variables that clients read (curl lines,
// scripts, the README's examples), not the server: the loader leaves
// them alone.
var ClientVariables = []string{"LAKEGATE_TOKEN", "LAKEGATE_URL", "LAKEGATE_CONFIG"}

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

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		if slices.Contains(allowed, v) {
			return nil
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

// MarkdownTable is the README's table of settings, made from Settings.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| key | default | meaning |\n| --- | --- | --- |\n")
	for _, s := range Settings {
		def := "`" + s.Default + "`"
		if s.Default == "" {
			def = "(none)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", s.Key, def, mdEscape.Replace(s.Help))
	}
	return b.String()
}

var mdEscape = strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;")

// httpURL accepts "" or an http(s)://host:port URL.
func httpURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http://HOST:PORT URL", v)
	}
	return nil
}
