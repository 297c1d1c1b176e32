package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lakegate/lakegate"
)

// Postgres is the catalog store that several gateways share: every row of
// the catalog lives in PostgreSQL (schema "lakegate"), and each commit is
// one transaction. The rules (validation, schema evolution, stats) are
// State's: a commit loads into a State only the rows its change names,
// prepares the change there and writes back what the plan says.
//
// It is safe for concurrent use by goroutines and by processes: writers
// serialize on the catalog version row.
type Postgres struct {
	pool     *pgxpool.Pool
	addr     string // host:port, for messages
	password string // scrubbed from every message
	closed   atomic.Bool
}

var _ lakegate.Catalog = (*Postgres)(nil)

// NotifyChannel is the channel every commit notifies with its new version.
const NotifyChannel = "lakegate_catalog"

// defaultConnectTimeout bounds a connection attempt when the URL does not
// set connect_timeout, so that a down server fails fast with EUNAVAILABLE.
const defaultConnectTimeout = 5 * time.Second

// OpenPostgres connects to the PostgreSQL catalog at dsn (a postgres:// or
// postgresql:// URL, or a key=value string) and applies the schema
// migrations this build knows that the database lacks.
//
// Errors: EINVALID for a malformed dsn, EUNAVAILABLE when the server cannot
// be reached, refuses the login or holds a newer catalog schema. Messages
// never include the password.
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, lakegate.Errorf(lakegate.EINVALID,
			"catalog URL %s is not a valid PostgreSQL connection string: %s",
			maskDSN(dsn), scrub(parseErrorText(err), dsnPassword(dsn)))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "lakegate"
	}
	p := &Postgres{
		addr:     net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))),
		password: cfg.ConnConfig.Password,
	}
	if strings.HasPrefix(cfg.ConnConfig.Host, "/") {
		p.addr = cfg.ConnConfig.Host // a unix socket directory
	}
	// NewWithConfig does not connect: the first query does, and a pool
	// dials again whenever it has no live connection, so the store recovers
	// by itself when the server comes back.
	p.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, p.fail(ctx, err)
	}
	if err := p.migrate(ctx); err != nil {
		p.pool.Close()
		return nil, err
	}
	return p, nil
}

// parseErrorText is the reason a connection string did not parse, without
// the string itself.
func parseErrorText(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		if _, after, ok := strings.Cut(pe.Error(), "`: "); ok {
			return after
		}
	}
	return "unrecognized format"
}

// maskDSN hides the password of a URL, as config.Mask does (catalog does
// not import config), even when the URL does not parse.
func maskDSN(dsn string) string {
	if pw := dsnPassword(dsn); pw != "" {
		return strings.Replace(dsn, ":"+pw+"@", ":****@", 1)
	}
	return dsn
}

// dsnPassword finds the password of a DSN, parsable or not: user:pw@ of a
// URL, or password= of a key=value string.
func dsnPassword(dsn string) string {
	if scheme := strings.Index(dsn, "://"); scheme >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > scheme {
			if _, pw, ok := strings.Cut(dsn[scheme+3:at], ":"); ok {
				return pw
			}
		}
		return ""
	}
	for _, f := range strings.Fields(dsn) {
		if v, ok := strings.CutPrefix(f, "password="); ok {
			return strings.Trim(v, "'")
		}
	}
	return ""
}

func scrub(s, password string) string {
	if password == "" {
		return s
	}
	s = strings.ReplaceAll(s, password, "****")
	return strings.ReplaceAll(s, url.QueryEscape(password), "****")
}

// fail maps an error from pgx to an application error. Errors that are
// already application errors (State's rules) pass through unchanged, and
// so do the caller's context errors.
func (p *Postgres) fail(ctx context.Context, err error) error {
	var le *lakegate.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &le):
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	case p.closed.Load():
		return errClosed()
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return p.serverError(pe, err)
	}
	// Not an answer from the server: refused, reset, timed out, DNS.
	cause := err.Error()
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && ce.Unwrap() != nil {
		cause = ce.Unwrap().Error() // without the user and database prefix
	}
	cause = oneLine(cause)
	return lakegate.Wrap(lakegate.EUNAVAILABLE, errors.New(scrub(err.Error(), p.password)),
		"the PostgreSQL catalog at %s is unavailable: %s; retrying on the next request",
		p.addr, scrub(cause, p.password))
}

// oneLine joins the distinct lines of a multi-line cause (pgx lists one
// line per address tried).
func oneLine(s string) string {
	var lines []string
	seen := map[string]bool{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

func (p *Postgres) serverError(pe *pgconn.PgError, err error) error {
	cause := errors.New(scrub(err.Error(), p.password))
	msg := scrub(pe.Message, p.password)
	switch {
	case pe.Code == "23505": // unique_violation
		return lakegate.Wrap(lakegate.ECONFLICT, cause,
			"the PostgreSQL catalog refused the change: %s; it collides with the catalog", msg)
	case pe.Code == "40001", pe.Code == "40P01": // serialization failure, deadlock
		return lakegate.Wrap(lakegate.ECONFLICT, cause,
			"the PostgreSQL catalog aborted the change (%s): it collided with a concurrent one; retry it", msg)
	case strings.HasPrefix(pe.Code, "22"): // data exception: e.g. a NUL character in text
		return lakegate.Wrap(lakegate.EINVALID, cause,
			"the PostgreSQL catalog cannot store the change: %s; remove NUL and invalid characters from names and descriptions", msg)
	case pe.Code == "28P01", pe.Code == "28000": // bad password, no pg_hba entry
		return lakegate.Wrap(lakegate.EUNAVAILABLE, cause,
			"the PostgreSQL catalog at %s refused the login: %s; check the user and password of the catalog URL", p.addr, msg)
	case pe.Code == "3D000": // database does not exist
		return lakegate.Wrap(lakegate.EUNAVAILABLE, cause,
			"the PostgreSQL catalog at %s: %s; create the database or fix the catalog URL", p.addr, msg)
	case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"),
		strings.HasPrefix(pe.Code, "57P"): // connection, resources, shutdown
		return lakegate.Wrap(lakegate.EUNAVAILABLE, cause,
			"the PostgreSQL catalog at %s is unavailable: %s; retrying on the next request", p.addr, msg)
	}
	return lakegate.Wrap(lakegate.EINTERNAL, cause, "the PostgreSQL catalog failed: %s (SQLSTATE %s)", msg, pe.Code)
}

// retryable reports whether a read that failed with err may simply run
// again: a connection that died while idle in the pool (the server
// restarted) fails once, and the pool dials a new one.
func retryable(ctx context.Context, err error) bool {
	var pe *pgconn.PgError
	if err == nil || ctx.Err() != nil || errors.As(err, &pe) && !strings.HasPrefix(pe.Code, "57P") {
		return false
	}
	var le *lakegate.Error
	return !errors.As(err, &le)
}

// read runs a read-only function, once more if its connection had died.
func (p *Postgres) read(ctx context.Context, fn func() error) error {
	if p.closed.Load() {
		return errClosed()
	}
	err := fn()
	if retryable(ctx, err) {
		err = fn()
	}
	return p.fail(ctx, err)
}

// Version returns the latest committed version: one indexed single-row read.
func (p *Postgres) Version(ctx context.Context) (int64, error) {
	var v int64
	err := p.read(ctx, func() error {
		return p.pool.QueryRow(ctx, `SELECT version FROM lakegate.catalog_version`).Scan(&v)
	})
	return v, err
}

// Databases returns all databases sorted by name.
func (p *Postgres) Databases(ctx context.Context) ([]lakegate.Database, error) {
	var out []lakegate.Database
	err := p.read(ctx, func() error {
		rows, _ := p.pool.Query(ctx, `SELECT doc FROM lakegate.databases`)
		var err error
		out, err = pgx.CollectRows(rows, scanJSON[lakegate.Database])
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Tables returns the tables of a database sorted by name; ENOTFOUND for an
// unknown database.
func (p *Postgres) Tables(ctx context.Context, database string) ([]lakegate.Table, error) {
	var out []lakegate.Table
	var dbExists bool
	err := p.read(ctx, func() error {
		err := p.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM lakegate.databases WHERE name = $1)`,
			database).Scan(&dbExists)
		if err != nil || !dbExists {
			return err
		}
		rows, _ := p.pool.Query(ctx, `SELECT doc FROM lakegate.tables WHERE database = $1`, database)
		out, err = pgx.CollectRows(rows, scanTable)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !dbExists {
		return nil, lakegate.Errorf(lakegate.ENOTFOUND, "database %q not found", database)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Table returns one table; ENOTFOUND when the database or table is unknown.
func (p *Postgres) Table(ctx context.Context, database, name string) (lakegate.Table, error) {
	var t lakegate.Table
	var id int64
	err := p.read(ctx, func() error {
		var doc []byte
		var err error
		id, doc, err = p.lookupTable(ctx, database, name)
		if err != nil || id == 0 {
			return err
		}
		t, err = decodeTable(doc)
		return err
	})
	return t, err
}

// lookupTable returns the id and record of a table, or ENOTFOUND naming
// the database or the table that is missing.
func (p *Postgres) lookupTable(ctx context.Context, database, name string) (int64, []byte, error) {
	var dbExists bool
	var id *int64
	var doc []byte
	err := p.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM lakegate.databases WHERE name = $1), t.id, t.doc
		FROM (SELECT 1) AS one
		LEFT JOIN lakegate.tables t ON t.database = $1 AND t.name = $2`,
		database, name).Scan(&dbExists, &id, &doc)
	switch {
	case err != nil:
		return 0, nil, err
	case !dbExists:
		return 0, nil, lakegate.Errorf(lakegate.ENOTFOUND, "database %q not found", database)
	case id == nil:
		return 0, nil, lakegate.Errorf(lakegate.ENOTFOUND, "table %q not found", database+"."+name)
	}
	return *id, doc, nil
}

// Partitions returns a table's partitions sorted by name, each with its
// files in registration order; ENOTFOUND when the database or table is
// unknown.
func (p *Postgres) Partitions(ctx context.Context, database, table string) ([]lakegate.Partition, error) {
	var out []lakegate.Partition
	err := p.read(ctx, func() error {
		id, _, err := p.lookupTable(ctx, database, table)
		if err != nil {
			return err
		}
		out, err = p.partitions(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (p *Postgres) partitions(ctx context.Context, tableID int64) ([]lakegate.Partition, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT p.id, p.name, p.vals, p.location, p.row_count, p.byte_count, p.created,
		       f.path, f.byte_count, f.row_count, f.checksum
		FROM lakegate.partitions p
		LEFT JOIN lakegate.files f ON f.partition_id = p.id
		WHERE p.table_id = $1
		ORDER BY p.id, f.id`, tableID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []lakegate.Partition{}
	var last int64
	for rows.Next() {
		var id int64
		var part lakegate.Partition
		var vals []byte
		var path, sum *string
		var fbytes, frows *int64
		if err := rows.Scan(&id, &part.Name, &vals, &part.Location, &part.Rows, &part.Bytes, &part.Created,
			&path, &fbytes, &frows, &sum); err != nil {
			return nil, err
		}
		if id != last {
			last = id
			if err := json.Unmarshal(vals, &part.Values); err != nil {
				return nil, lakegate.Wrap(lakegate.EINTERNAL, err, "the PostgreSQL catalog holds a corrupt partition %q", part.Name)
			}
			if part.Values == nil {
				part.Values = []string{}
			}
			part.Created = part.Created.UTC()
			part.Files = []lakegate.File{}
			out = append(out, part)
		}
		if path != nil {
			cur := &out[len(out)-1]
			cur.Files = append(cur.Files, lakegate.File{Path: *path, Bytes: *fbytes, Rows: *frows, Checksum: *sum})
		}
	}
	return out, rows.Err()
}

// Offsets returns the stream's landed positions by partition.
func (p *Postgres) Offsets(ctx context.Context, stream string) ([]lakegate.StreamOffset, error) {
	out := []lakegate.StreamOffset{}
	err := p.read(ctx, func() error {
		rows, _ := p.pool.Query(ctx, `SELECT stream, partition, from_offset, next_offset FROM lakegate.stream_offsets
			WHERE stream = $1 ORDER BY partition`, stream)
		got, err := pgx.CollectRows(rows, scanOffset)
		out = append(out[:0], got...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func scanOffset(row pgx.CollectableRow) (lakegate.StreamOffset, error) {
	var o lakegate.StreamOffset
	err := row.Scan(&o.Stream, &o.Partition, &o.From, &o.Next)
	return o, err
}

// Batches returns the committed batches whose source had this checksum,
// oldest first.
func (p *Postgres) Batches(ctx context.Context, checksum string) ([]lakegate.Batch, error) {
	var out []lakegate.Batch
	err := p.read(ctx, func() error {
		rows, _ := p.pool.Query(ctx, `SELECT doc FROM lakegate.batches WHERE checksum = $1 ORDER BY seq`, checksum)
		var err error
		out, err = pgx.CollectRows(rows, scanJSON[lakegate.Batch])
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []lakegate.Batch{}
	}
	return out, nil
}

// Changes returns what changed after version since: the tables whose
// version is greater, as they are now, and the tables dropped after it and
// not re-created (a table created and dropped after since is reported
// dropped), with the current version. It reads one consistent snapshot and
// only the rows that changed. EINVALID when since is negative or ahead of
// the catalog.
func (p *Postgres) Changes(ctx context.Context, since int64) (lakegate.Delta, error) {
	var d lakegate.Delta
	if since < 0 {
		return d, lakegate.Errorf(lakegate.EINVALID, "changes since version %d: versions start at 0", since)
	}
	err := p.read(ctx, func() error {
		var err error
		d, err = p.changes(ctx, since)
		return err
	})
	return d, err
}

// changes reads the delta in one round trip: a batch in one repeatable-read
// transaction, so the version and the rows come from one snapshot.
func (p *Postgres) changes(ctx context.Context, since int64) (lakegate.Delta, error) {
	d := lakegate.Delta{Tables: []lakegate.Table{}, Dropped: []lakegate.TableRef{}}
	b := &pgx.Batch{}
	b.Queue(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`)
	b.Queue(`SELECT version FROM lakegate.catalog_version`).QueryRow(func(row pgx.Row) error {
		return row.Scan(&d.Version)
	})
	b.Queue(`SELECT doc FROM lakegate.tables WHERE version > $1`, since).Query(func(rows pgx.Rows) error {
		tables, err := pgx.CollectRows(rows, scanTable)
		d.Tables = append(d.Tables, tables...)
		return err
	})
	b.Queue(`SELECT database, name FROM lakegate.dropped_tables WHERE version > $1`, since).Query(func(rows pgx.Rows) error {
		refs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[lakegate.TableRef])
		d.Dropped = append(d.Dropped, refs...)
		return err
	})
	b.Queue(`COMMIT`)
	if err := p.pool.SendBatch(ctx, b).Close(); err != nil {
		return d, err
	}
	if since < 0 || since > d.Version {
		return lakegate.Delta{}, lakegate.Errorf(lakegate.EINVALID,
			"changes since version %d: the catalog is at version %d; ask for a version from 0 to %d",
			since, d.Version, d.Version)
	}
	sort.Slice(d.Tables, func(i, j int) bool {
		return lessRef(d.Tables[i].Database, d.Tables[i].Name, d.Tables[j].Database, d.Tables[j].Name)
	})
	sort.Slice(d.Dropped, func(i, j int) bool {
		return lessRef(d.Dropped[i].Database, d.Dropped[i].Name, d.Dropped[j].Database, d.Dropped[j].Name)
	})
	return d, nil
}

// Close closes the pool. Calls after Close return EUNAVAILABLE.
func (p *Postgres) Close() error {
	if !p.closed.Swap(true) {
		p.pool.Close()
	}
	return nil
}

func scanJSON[T any](row pgx.CollectableRow) (T, error) {
	var doc []byte
	var v T
	if err := row.Scan(&doc); err != nil {
		return v, err
	}
	if err := json.Unmarshal(doc, &v); err != nil {
		return v, lakegate.Wrap(lakegate.EINTERNAL, err, "the PostgreSQL catalog holds a corrupt record")
	}
	return v, nil
}

func scanTable(row pgx.CollectableRow) (lakegate.Table, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		return lakegate.Table{}, err
	}
	return decodeTable(doc)
}

// decodeTable decodes a table record; slices come back non-nil, as State
// returns them.
func decodeTable(doc []byte) (lakegate.Table, error) {
	var t lakegate.Table
	if err := json.Unmarshal(doc, &t); err != nil {
		return t, lakegate.Wrap(lakegate.EINTERNAL, err, "the PostgreSQL catalog holds a corrupt table record")
	}
	return copyTable(t), nil
}
