// Package presto is the Presto engine: it runs a tenant's read-only SQL on
// a PrestoDB coordinator (github.com/prestodb/presto-go-client/v2) whose
// hive catalog reads lakegate's own metastore (catalog/hms) and the lake.
//
// Each query runs as the tenant's user: with the hive catalog's metastore
// impersonation on, the metastore then answers with that tenant's tables
// only, and Presto's access control (deploy/presto) lets a user select,
// nothing more, from the hive catalog alone. lakegate's own statement
// check runs first. Results stream batch by batch, values engine-neutral
// (lakegate's values.go), column types named as DuckDB names them.
package presto

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	presto "github.com/prestodb/presto-go-client/v2"

	"github.com/lakegate/lakegate"
)

// Options configures the engine.
type Options struct {
	URL     string // the coordinator, http://host:port
	Catalog string // its catalog over lakegate's metastore; default "hive"
	// Health is how long a health answer is trusted (default 2s).
	Health time.Duration
	// MaxMemory caps one query's memory, on the cluster and on each node
	// (Presto's query_max_memory and query_max_memory_per_node session
	// properties, e.g. "512MB"); "" keeps the cluster's limits.
	MaxMemory string
}

// Client is the connection to one coordinator, shared by every tenant's
// engine.
type Client struct {
	opt    Options
	client *presto.Client
	http   *http.Client

	mu      sync.Mutex
	checked time.Time
	healthy error

	queuedAt time.Time
	queued   int
}

// New checks nothing: Presto may start after the gateway. Health says
// whether it answers.
func New(opt Options) (*Client, error) {
	if opt.Catalog == "" {
		opt.Catalog = "hive"
	}
	if opt.Health <= 0 {
		opt.Health = 2 * time.Second
	}
	c, err := presto.NewClient(strings.TrimRight(opt.URL, "/"))
	if err != nil {
		return nil, lakegate.Wrap(lakegate.EINVALID, err, "presto_url %q is not a usable URL", opt.URL)
	}
	hc := &http.Client{Timeout: 0}
	c.HTTPClient(hc)
	return &Client{opt: opt, client: c, http: &http.Client{Timeout: 3 * time.Second}}, nil
}

// Health is nil when the coordinator answers and has started, else an
// EUNAVAILABLE error naming it; answers are kept for a moment.
func (c *Client) Health(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) < c.opt.Health {
		return c.healthy
	}
	c.checked, c.healthy = time.Now(), c.probe(ctx)
	return c.healthy
}

func (c *Client) probe(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(c.opt.URL, "/")+"/v1/info", nil)
	res, err := c.http.Do(req)
	if err != nil {
		return lakegate.Wrap(lakegate.EUNAVAILABLE, err, "presto at %s is unreachable", c.opt.URL)
	}
	defer res.Body.Close()
	var info struct {
		Starting bool `json:"starting"`
	}
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&info) != nil {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "presto at %s answers %s", c.opt.URL, res.Status)
	}
	if info.Starting {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "presto at %s is still starting; retry in a minute", c.opt.URL)
	}
	return nil
}

// Queued is how many queries wait in the cluster (/v1/cluster), -1 when
// it does not say; answers are kept as long as health answers.
func (c *Client) Queued(ctx context.Context) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.queuedAt) < c.opt.Health {
		return c.queued
	}
	c.queuedAt, c.queued = time.Now(), -1
	qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if st, _, err := c.client.NewSession().User("lakegate").GetClusterInfo(qctx); err == nil {
		c.queued = st.QueuedQueries
	}
	return c.queued
}

// Engine is tenant's engine: its queries run as the tenant's user.
func (c *Client) Engine(tenant string) *DB { return &DB{c: c, tenant: tenant} }

// DB is one tenant's Presto engine.
type DB struct {
	c      *Client
	tenant string
}

var _ lakegate.Engine = (*DB)(nil)

func (db *DB) Name() string { return "presto" }

func (db *DB) Close() error { return nil }

// session is a fresh session of the tenant: catalog hive, schema default,
// times in UTC.
func (db *DB) session() *presto.Session {
	s := db.c.client.NewSession().User(db.tenant).Catalog(db.c.opt.Catalog).Schema("default").
		TimeZone("UTC").Source("lakegate")
	if m := db.c.opt.MaxMemory; m != "" {
		// The per-node cap is checked at each allocation; the cluster-wide
		// one only every second, which a short query outruns.
		s = s.SessionParam("query_max_memory", m).SessionParam("query_max_memory_per_node", m)
	}
	return s
}

// submitTimeout bounds handing a query to the coordinator; the query
// itself then runs under the caller's deadline.
const submitTimeout = 15 * time.Second

// Query checks q, submits it and returns a cursor over its batches. It
// returns what lakegate.Engine documents; the messages say Presto
// answered.
func (db *DB) Query(ctx context.Context, q lakegate.Query) (lakegate.Rows, error) {
	if err := checkReadOnly(q.SQL); err != nil {
		return nil, err
	}
	if err := db.c.Health(ctx); err != nil {
		return nil, err
	}
	text, opts, err := bind(q)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, submitTimeout)
	defer cancel()
	s := db.session()
	qr, _, err := s.Query(sctx, text, opts...)
	if err != nil {
		return nil, mapError(ctx, err, db.c.opt.URL)
	}
	return newRows(ctx, s, qr, db.c.opt.URL)
}
