package catalog

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lakegate/lakegate"
)

// Commit validates the change with State's rules against the latest rows
// and writes it in one transaction, returning the new version.
//
// Writers serialize on the catalog version row (SELECT ... FOR UPDATE), so
// two gateways committing to one table at once both land, one after the
// other. Under that lock the commit loads only what the change names
// (catalog.ScopeOf: its databases, tables, partitions, file paths and
// batch ids) into a partial State: Prepare looks at nothing else, so it
// decides exactly as on the whole catalog, at a cost proportional to the
// change. The plan's drops, tables, partitions, files and batches are
// written, the version bumped, and NOTIFY lakegate_catalog '<version>'
// sent on commit.
//
// Errors: State's EINVALID, ENOTFOUND and ECONFLICT unchanged; ECONFLICT
// when the database refuses a row as a duplicate; EUNAVAILABLE when the
// server cannot be reached (nothing committed); ECANCELED/ETIMEOUT when
// ctx ends first.
func (p *Postgres) Commit(ctx context.Context, c lakegate.Change) (int64, error) {
	if p.closed.Load() {
		return 0, errClosed()
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	// Like the embedded store, validate the change as it encodes: what is
	// written is then exactly what Prepare saw (JSON replaces invalid UTF-8).
	_, c, err := encodeRecord(0, time.Time{}, c)
	if err != nil {
		return 0, err
	}
	v, sent, err := p.commitOnce(ctx, c)
	if !sent && retryable(ctx, err) {
		// A pooled connection that died while idle: nothing was committed.
		v, _, err = p.commitOnce(ctx, c)
	}
	return v, p.fail(ctx, err)
}

// commitOnce runs the commit transaction; sent reports whether COMMIT was
// sent (after which a failure leaves the outcome unknown).
func (p *Postgres) commitOnce(ctx context.Context, c lakegate.Change) (v int64, sent bool, err error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return 0, false, err
	}
	defer tx.Rollback(context.Background())
	st, err := loadState(ctx, tx, c)
	if err != nil {
		return 0, false, err
	}
	// Microseconds: what timestamptz keeps, so a reread time equals this one.
	at := now().Truncate(time.Microsecond)
	plan, err := st.Prepare(c, st.Version()+1, at)
	if err != nil {
		return 0, false, err
	}
	if err := writePlan(ctx, tx, plan); err != nil {
		return 0, false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, true, err
	}
	return plan.Version(), true, nil
}

// scopeArrays is a Scope as parallel arrays for unnest.
type scopeArrays struct {
	tDB, tName         []string // tables
	pDB, pTable, pName []string // partitions named
	fDB, fTable, fPath []string // file paths added
	dDB, dTable, dName []string // partitions dropped: loaded with all their files
}

func arraysOf(sc Scope, c lakegate.Change) scopeArrays {
	var a scopeArrays
	for _, ref := range sc.Tables {
		a.tDB, a.tName = append(a.tDB, ref.Database), append(a.tName, ref.Name)
		for _, name := range sc.Partitions[ref] {
			a.pDB, a.pTable, a.pName = append(a.pDB, ref.Database), append(a.pTable, ref.Name), append(a.pName, name)
		}
		for _, path := range sc.Files[ref] {
			a.fDB, a.fTable, a.fPath = append(a.fDB, ref.Database), append(a.fTable, ref.Name), append(a.fPath, path)
		}
	}
	for _, pr := range c.DropPartitions {
		a.dDB, a.dTable, a.dName = append(a.dDB, pr.Database), append(a.dTable, pr.Table), append(a.dName, pr.Name)
	}
	return a
}

// loaded collects the rows of a partial State while a batch is read.
type loaded struct {
	tables  []lakegate.Table
	parts   map[lakegate.TableRef]map[string]*lakegate.Partition
	offsets []lakegate.StreamOffset
}

func (l *loaded) part(ref lakegate.TableRef, p lakegate.Partition) *lakegate.Partition {
	m := l.parts[ref]
	if m == nil {
		m = map[string]*lakegate.Partition{}
		l.parts[ref] = m
	}
	if have := m[p.Name]; have != nil {
		return have
	}
	p.Files = []lakegate.File{}
	m[p.Name] = &p
	return &p
}

const partColumns = `t.database, t.name, p.name, p.vals, p.location, p.row_count, p.byte_count, p.created`

// partitionByName finds partition w.pname of table t through the unique
// (table_id, name) index. LATERAL with OFFSET 0 (not flattened into the
// join) keeps both conditions on the index scan whatever the statistics
// say: a plain join, on a freshly loaded catalog without statistics, read
// all of a table's partitions and filtered on name (3 ms at 10,000).
const partitionByName = `SELECT * FROM lakegate.partitions p WHERE p.table_id = t.id AND p.name = w.pname OFFSET 0`

// loadState locks the version row and loads what the change names into a
// partial State at the current version, in one round trip: the tables with
// their stored stats, the partitions named, each partition holding one of
// the change's file paths (with those files: a duplicate is ECONFLICT), and
// the dropped partitions with all their files (dropping subtracts them).
func loadState(ctx context.Context, tx pgx.Tx, c lakegate.Change) (*State, error) {
	sc := ScopeOf(c)
	a := arraysOf(sc, c)
	var version int64
	var dbs []lakegate.Database
	var batches []lakegate.Batch
	l := &loaded{parts: map[lakegate.TableRef]map[string]*lakegate.Partition{}}
	b := &pgx.Batch{}
	b.Queue(`SELECT version FROM lakegate.catalog_version FOR UPDATE`).QueryRow(func(row pgx.Row) error {
		return row.Scan(&version)
	})
	b.Queue(`SELECT doc FROM lakegate.databases WHERE name = ANY($1)`, sc.Databases).Query(func(rows pgx.Rows) (err error) {
		dbs, err = pgx.CollectRows(rows, scanJSON[lakegate.Database])
		return err
	})
	b.Queue(`
		SELECT t.doc FROM lakegate.tables t
		JOIN unnest($1::text[], $2::text[]) AS w(db, name) ON t.database = w.db AND t.name = w.name`,
		a.tDB, a.tName).Query(func(rows pgx.Rows) (err error) {
		l.tables, err = pgx.CollectRows(rows, scanTable)
		return err
	})
	b.Queue(`
		SELECT `+partColumns+`
		FROM unnest($1::text[], $2::text[], $3::text[]) AS w(db, tname, pname)
		JOIN lakegate.tables t ON t.database = w.db AND t.name = w.tname
		JOIN LATERAL (`+partitionByName+`) p ON true`,
		a.pDB, a.pTable, a.pName).Query(func(rows pgx.Rows) error {
		return forEach(rows, func() error {
			ref, part, err := scanPartition(rows)
			l.part(ref, part)
			return err
		})
	})
	scanFiles := func(rows pgx.Rows) error {
		return forEach(rows, func() error { return l.scanFile(rows) })
	}
	if len(a.fPath) > 0 {
		b.Queue(`
			SELECT `+partColumns+`, f.path, f.byte_count, f.row_count, f.checksum
			FROM unnest($1::text[], $2::text[], $3::text[]) AS w(db, tname, path)
			JOIN lakegate.tables t ON t.database = w.db AND t.name = w.tname
			JOIN LATERAL (SELECT * FROM lakegate.files f WHERE f.table_id = t.id AND f.path = w.path OFFSET 0) f ON true
			JOIN lakegate.partitions p ON p.id = f.partition_id
			ORDER BY f.id`, a.fDB, a.fTable, a.fPath).Query(scanFiles)
	}
	if len(a.dName) > 0 {
		b.Queue(`
			SELECT `+partColumns+`, f.path, f.byte_count, f.row_count, f.checksum
			FROM unnest($1::text[], $2::text[], $3::text[]) AS w(db, tname, pname)
			JOIN lakegate.tables t ON t.database = w.db AND t.name = w.tname
			JOIN LATERAL (`+partitionByName+`) p ON true
			JOIN lakegate.files f ON f.partition_id = p.id
			ORDER BY f.id`, a.dDB, a.dTable, a.dName).Query(scanFiles)
	}
	b.Queue(`SELECT doc FROM lakegate.batches WHERE id = ANY($1)`, sc.Batches).Query(func(rows pgx.Rows) (err error) {
		batches, err = pgx.CollectRows(rows, scanJSON[lakegate.Batch])
		return err
	})
	if len(sc.Offsets) > 0 {
		streams, parts := make([]string, len(sc.Offsets)), make([]int32, len(sc.Offsets))
		for i, o := range sc.Offsets {
			streams[i], parts[i] = o.Stream, o.Partition
		}
		b.Queue(`
			SELECT o.stream, o.partition, o.from_offset, o.next_offset
			FROM unnest($1::text[], $2::int[]) AS w(stream, partition)
			JOIN lakegate.stream_offsets o ON o.stream = w.stream AND o.partition = w.partition`,
			streams, parts).Query(func(rows pgx.Rows) (err error) {
			l.offsets, err = pgx.CollectRows(rows, scanOffset)
			return err
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return l.state(version, dbs, batches)
}

func (l *loaded) state(version int64, dbs []lakegate.Database, batches []lakegate.Batch) (*State, error) {
	s := NewStateAt(version)
	for _, d := range dbs {
		s.LoadDatabase(d)
	}
	for _, t := range l.tables {
		ref := lakegate.TableRef{Database: t.Database, Name: t.Name}
		parts := make([]lakegate.Partition, 0, len(l.parts[ref]))
		for _, p := range l.parts[ref] {
			parts = append(parts, *p)
		}
		if err := s.LoadTable(t, parts); err != nil {
			return nil, err
		}
	}
	for _, b := range batches {
		s.LoadBatch(b)
	}
	for _, o := range l.offsets {
		s.LoadOffset(o)
	}
	return s, nil
}

func scanPartition(rows pgx.Rows, more ...any) (lakegate.TableRef, lakegate.Partition, error) {
	var ref lakegate.TableRef
	var part lakegate.Partition
	var vals []byte
	dest := append([]any{&ref.Database, &ref.Name, &part.Name, &vals, &part.Location, &part.Rows, &part.Bytes, &part.Created}, more...)
	if err := rows.Scan(dest...); err != nil {
		return ref, part, err
	}
	if err := json.Unmarshal(vals, &part.Values); err != nil {
		return ref, part, lakegate.Wrap(lakegate.EINTERNAL, err, "the PostgreSQL catalog holds a corrupt partition %q", part.Name)
	}
	part.Created = part.Created.UTC()
	return ref, part, nil
}

func (l *loaded) scanFile(rows pgx.Rows) error {
	var f lakegate.File
	ref, part, err := scanPartition(rows, &f.Path, &f.Bytes, &f.Rows, &f.Checksum)
	if err != nil {
		return err
	}
	p := l.part(ref, part)
	for _, have := range p.Files {
		if have.Path == f.Path {
			return nil // found by path and by its dropped partition
		}
	}
	p.Files = append(p.Files, f)
	return nil
}

func forEach(rows pgx.Rows, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fileRows is the files of one commit as parallel arrays for unnest.
type fileRows struct {
	db, table, part, path, sum []string
	bytes, rows                []int64
}

// writePlan writes what the plan drops, creates and changes, bumps the
// version and notifies, in one round trip.
func writePlan(ctx context.Context, tx pgx.Tx, plan *Plan) error {
	b := &pgx.Batch{}
	version := plan.Version()
	for _, ref := range plan.DroppedTables() {
		// Partitions and files go with the table (ON DELETE CASCADE).
		b.Queue(`DELETE FROM lakegate.tables WHERE database = $1 AND name = $2`, ref.Database, ref.Name)
		b.Queue(`
			INSERT INTO lakegate.dropped_tables (database, name, version) VALUES ($1, $2, $3)
			ON CONFLICT (database, name) DO UPDATE SET version = excluded.version`, ref.Database, ref.Name, version)
	}
	for _, db := range plan.NewDatabases() {
		doc, err := json.Marshal(db)
		if err != nil {
			return lakegate.Wrap(lakegate.EINVALID, err, "database %q cannot be encoded as JSON", db.Name)
		}
		b.Queue(`INSERT INTO lakegate.databases (name, doc) VALUES ($1, $2)`, db.Name, doc)
	}
	var files fileRows
	for _, w := range plan.Writes() {
		if err := queueTable(b, w, version, &files); err != nil {
			return err
		}
	}
	queueFiles(b, files)
	queueOffsets(b, plan.Offsets(), version)
	if err := queueBatches(b, plan.Batches(), version); err != nil {
		return err
	}
	b.Queue(`UPDATE lakegate.catalog_version SET version = $1`, version)
	b.Queue(`SELECT pg_notify($1, $2)`, NotifyChannel, strconv.FormatInt(version, 10))
	return tx.SendBatch(ctx, b).Close()
}

func queueTable(b *pgx.Batch, w TableWrite, version int64, files *fileRows) error {
	t := w.Table
	doc, err := json.Marshal(t)
	if err != nil {
		return lakegate.Wrap(lakegate.EINVALID, err, "table %q cannot be encoded as JSON", t.FullName())
	}
	if w.New {
		b.Queue(`INSERT INTO lakegate.tables (database, name, version, doc) VALUES ($1, $2, $3, $4)`,
			t.Database, t.Name, version, doc)
		b.Queue(`DELETE FROM lakegate.dropped_tables WHERE database = $1 AND name = $2`, t.Database, t.Name)
	} else {
		b.Queue(`UPDATE lakegate.tables SET version = $3, doc = $4 WHERE database = $1 AND name = $2`,
			t.Database, t.Name, version, doc)
	}
	if len(w.DroppedPartitions) > 0 {
		b.Queue(`
			DELETE FROM lakegate.partitions p USING lakegate.tables t
			WHERE p.table_id = t.id AND t.database = $1 AND t.name = $2 AND p.name = ANY($3)`,
			t.Database, t.Name, w.DroppedPartitions)
	}
	for _, pw := range w.Partitions {
		part := pw.Partition
		for _, f := range pw.Added {
			files.db, files.table = append(files.db, t.Database), append(files.table, t.Name)
			files.part, files.path = append(files.part, part.Name), append(files.path, f.Path)
			files.sum = append(files.sum, f.Checksum)
			files.bytes, files.rows = append(files.bytes, f.Bytes), append(files.rows, f.Rows)
		}
		if !pw.New {
			if len(pw.Added) > 0 {
				b.Queue(`
					UPDATE lakegate.partitions p SET row_count = $4, byte_count = $5 FROM lakegate.tables t
					WHERE p.table_id = t.id AND t.database = $1 AND t.name = $2 AND p.name = $3`,
					t.Database, t.Name, part.Name, part.Rows, part.Bytes)
			}
			continue
		}
		vals, err := json.Marshal(cloneSlice(part.Values))
		if err != nil {
			return lakegate.Wrap(lakegate.EINVALID, err, "partition %q cannot be encoded as JSON", part.Name)
		}
		b.Queue(`
			INSERT INTO lakegate.partitions (table_id, name, vals, location, row_count, byte_count, created)
			SELECT id, $3, $4, $5, $6, $7, $8 FROM lakegate.tables WHERE database = $1 AND name = $2`,
			t.Database, t.Name, part.Name, vals, part.Location, part.Rows, part.Bytes, part.Created)
	}
	return nil
}

// queueFiles inserts all files of the commit with one statement, in the
// change's order (file ids order a partition's files).
func queueFiles(b *pgx.Batch, f fileRows) {
	if len(f.path) == 0 {
		return
	}
	want := int64(len(f.path))
	b.Queue(`
		INSERT INTO lakegate.files (table_id, partition_id, path, byte_count, row_count, checksum)
		SELECT t.id, p.id, w.path, w.bytes, w.rows, w.sum
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[])
		     WITH ORDINALITY AS w(db, tname, pname, path, bytes, rows, sum, ord)
		JOIN lakegate.tables t ON t.database = w.db AND t.name = w.tname
		JOIN LATERAL (`+partitionByName+`) p ON true
		ORDER BY w.ord`,
		f.db, f.table, f.part, f.path, f.bytes, f.rows, f.sum).Exec(func(tag pgconn.CommandTag) error {
		if tag.RowsAffected() != want {
			return lakegate.Errorf(lakegate.EINTERNAL,
				"the PostgreSQL catalog registered %d of the commit's %d files", tag.RowsAffected(), want)
		}
		return nil
	})
}

func queueBatches(b *pgx.Batch, batches []lakegate.Batch, version int64) error {
	if len(batches) == 0 {
		return nil
	}
	ids, sums, docs := make([]string, len(batches)), make([]string, len(batches)), make([]string, len(batches))
	for i, bt := range batches {
		doc, err := json.Marshal(bt)
		if err != nil {
			return lakegate.Wrap(lakegate.EINVALID, err, "batch %q cannot be encoded as JSON", bt.ID)
		}
		ids[i], sums[i], docs[i] = bt.ID, bt.Checksum, string(doc)
	}
	b.Queue(`
		INSERT INTO lakegate.batches (id, checksum, version, doc)
		SELECT w.id, w.sum, $4, w.doc::jsonb
		FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS w(id, sum, doc, ord)
		ORDER BY w.ord`, ids, sums, docs, version)
	return nil
}

// queueOffsets upserts the streams' positions the plan advances (loadState
// read them under the version row's lock, so Prepare's check holds).
func queueOffsets(b *pgx.Batch, offs []lakegate.StreamOffset, version int64) {
	for _, o := range offs {
		b.Queue(`
			INSERT INTO lakegate.stream_offsets (stream, partition, from_offset, next_offset, version)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (stream, partition) DO UPDATE
			SET from_offset = EXCLUDED.from_offset, next_offset = EXCLUDED.next_offset, version = EXCLUDED.version`,
			o.Stream, o.Partition, o.From, o.Next, version)
	}
}
