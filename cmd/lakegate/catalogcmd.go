package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/admin"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/ingest"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// catalogCmd is `lakegate catalog` and its subcommands.
func (a *app) catalogCmd() *cobra.Command {
	return a.group("catalog", "browse the catalog; register, repair and drop tables",
		a.catalogLeaf("ls [DB]", "list the tables of every database, or of DB", 0, 1, nil, catalogLs),
		a.catalogLeaf("describe DB.TABLE", "show a table's columns, partition keys, location, type and statistics", 1, 1, nil, catalogDescribe),
		a.catalogLeaf("partitions DB.TABLE", "list a table's partitions with their files, rows and bytes", 1, 1, nil, catalogPartitions),
		a.catalogLeaf("offsets STREAM", "show how far a stream (kafka:TOPIC, log:events) has landed, per partition", 1, 1, nil, catalogOffsets),
		a.catalogRegisterCmd(),
		a.catalogRepairCmd(),
		a.catalogDropCmd(),
	)
}

// catalogCall is one run of a catalog subcommand: its positional
// arguments and the loader of its settings (the tenant's storage).
type catalogCall struct {
	a    *app
	cmd  *cobra.Command
	cl   *config.Loader
	args []string
}

// catalogLeaf makes a catalog subcommand taking from min to max
// positional arguments; bind adds its own flags.
func (a *app) catalogLeaf(use, short string, min, max int, bind func(fs *pflag.FlagSet), run func(ctx context.Context, c *catalogCall) error) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: a.args(min, max)}
	if bind != nil {
		bind(cmd.Flags())
	}
	cl := config.Bind(cmd.Flags(), tenantKeys...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return run(cmd.Context(), &catalogCall{a: a, cmd: cmd, cl: cl, args: args})
	}
	return cmd
}

// ref reads the positional DB.TABLE argument.
func (c *catalogCall) ref() (string, string, error) {
	db, table, ok := strings.Cut(c.args[0], ".")
	if !ok || db == "" || table == "" || strings.Contains(table, ".") {
		return "", "", c.a.usageError(c.cmd, "%q is not a table name: want DB.TABLE, like assessments.attempts", c.args[0])
	}
	return db, table, nil
}

// openRef reads the DB.TABLE argument and opens the storage.
func (c *catalogCall) openRef() (s *stack, db, table string, err error) {
	if db, table, err = c.ref(); err != nil {
		return nil, "", "", err
	}
	s, err = c.a.open(c.cl)
	return s, db, table, err
}

func catalogLs(ctx context.Context, c *catalogCall) error {
	a := c.a
	s, err := a.open(c.cl)
	if err != nil {
		return err
	}
	defer s.Close()
	var dbs []string
	if len(c.args) == 1 {
		dbs = c.args
	} else {
		all, err := s.catalog.Databases(ctx)
		if err != nil {
			return err
		}
		for _, d := range all {
			dbs = append(dbs, d.Name)
		}
	}
	var tables []lakegate.Table
	for _, d := range dbs {
		ts, err := s.catalog.Tables(ctx, d)
		if err != nil {
			return err
		}
		tables = append(tables, ts...)
	}
	if len(tables) == 0 {
		fmt.Fprintln(a.stdout, "(no tables: land data with `lakegate ingest` or register files with `lakegate catalog register`)")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tTYPE\tPARTITIONS\tFILES\tROWS\tBYTES\tLOCATION")
	for _, t := range tables {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", t.FullName(), t.Type,
			t.Stats.Partitions, t.Stats.Files, t.Stats.Rows, t.Stats.Bytes, t.Location)
	}
	return tw.Flush()
}

func catalogDescribe(ctx context.Context, c *catalogCall) error {
	a := c.a
	s, db, table, err := c.openRef()
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.catalog.Table(ctx, db, table)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"table", t.FullName()}, {"type", t.Type}, {"location", t.Location}, {"format", t.Format},
		{"description", t.Description},
		{"stats", fmt.Sprintf("%s, %s, %s, %s", plural(int(t.Stats.Rows), "row"), plural(int(t.Stats.Files), "file"),
			plural(int(t.Stats.Partitions), "partition"), plural(int(t.Stats.Bytes), "byte"))},
		{"schema version", fmt.Sprint(t.SchemaVersion)}, {"version", fmt.Sprint(t.Version)},
		{"created", stamp(t.Created)}, {"updated", stamp(t.Updated)},
	} {
		if kv[1] != "" {
			fmt.Fprintf(tw, "%s\t%s\n", kv[0], kv[1])
		}
	}
	for _, k := range sortedKeys(t.Properties) {
		fmt.Fprintf(tw, "property\t%s=%s\n", k, t.Properties[k])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	tw = tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCOLUMN\tTYPE\tNULLABLE\tCOMMENT")
	for _, col := range t.Columns {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", col.Name, col.Type, yesNo(col.Nullable), col.Comment)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(t.PartitionKeys) == 0 {
		fmt.Fprintln(a.stdout, "\n(not partitioned)")
		return nil
	}
	tw = tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPARTITION KEY\tTYPE\tCOMMENT")
	for _, k := range t.PartitionKeys {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", k.Name, k.Type, k.Comment)
	}
	return tw.Flush()
}

func catalogPartitions(ctx context.Context, c *catalogCall) error {
	a := c.a
	s, db, table, err := c.openRef()
	if err != nil {
		return err
	}
	defer s.Close()
	parts, err := s.catalog.Partitions(ctx, db, table)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tFILES\tROWS\tBYTES\tCREATED\tLOCATION")
	for _, p := range parts {
		name := p.Name
		if name == "" {
			name = "(unpartitioned)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\n", name, len(p.Files), p.Rows, p.Bytes, stamp(p.Created), p.Location)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "(%s)\n", plural(len(parts), "partition"))
	return nil
}

// catalogOffsets lists a stream's landed offsets; LANDED sums the
// partitions' messages from the first offset ever landed.
func catalogOffsets(ctx context.Context, c *catalogCall) error {
	s, err := c.a.open(c.cl)
	if err != nil {
		return err
	}
	defer s.Close()
	offs, err := s.catalog.Offsets(ctx, c.args[0])
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tLAST BATCH FROM\tNEXT")
	var next int64
	for _, o := range offs {
		fmt.Fprintf(tw, "%d\t%d\t%d\n", o.Partition, o.From, o.Next)
		next += o.Next
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(c.a.stdout, "(%s; next offsets sum to %d)\n", plural(len(offs), "partition"), next)
	return nil
}

func (a *app) catalogRegisterCmd() *cobra.Command {
	var db, table, location string
	return a.catalogLeaf("register --db DB --table TABLE --location PATH",
		"register the Parquet files under PATH (relative to the lake root, or an absolute path inside it) as the external table DB.TABLE; "+
			"key=value directories become partitions. Registering again adds only new files", 0, 0,
		func(fs *pflag.FlagSet) {
			fs.StringVar(&db, "db", "", "`DB` of the table (required)")
			fs.StringVar(&table, "table", "", "name of the `TABLE` (required)")
			fs.StringVar(&location, "location", "", "`PATH` of the Parquet files: relative to the lake root, or absolute inside the lake (required)")
		},
		func(ctx context.Context, c *catalogCall) error { return catalogRegister(ctx, c, db, table, location) })
}

func catalogRegister(ctx context.Context, c *catalogCall, db, table, location string) error {
	a := c.a
	if db == "" || table == "" || location == "" {
		return a.usageError(c.cmd, "missing flags: --db, --table and --location are required")
	}
	s, err := a.open(c.cl)
	if err != nil {
		return err
	}
	defer s.Close()
	loc, err := lakeRelative(s.store.Dir(), location)
	if err != nil {
		return err
	}
	before, _ := s.catalog.Table(ctx, db, table)
	t, err := admin.Register(ctx, s.catalog, s.store, db, table, loc)
	if err != nil {
		return err
	}
	if added := t.Stats.Files - before.Stats.Files; before.Name != "" && added == 0 {
		fmt.Fprintf(a.stdout, "nothing new: %s already lists every Parquet file under %s\n", t.FullName(), t.Location)
		return nil
	}
	verb := "registered"
	if before.Name != "" {
		verb = "added " + plural(int(t.Stats.Files-before.Stats.Files), "file") + " to"
	}
	fmt.Fprintf(a.stdout, "%s %s (%s) at %s: %s, %s, %s, %s\n", verb, t.FullName(), t.Type, t.Location,
		plural(int(t.Stats.Partitions), "partition"), plural(int(t.Stats.Files), "file"),
		plural(int(t.Stats.Rows), "row"), plural(int(t.Stats.Bytes), "byte"))
	return nil
}

// lakeRelative turns --location into a store path: relative paths are
// taken as relative to the lake root; absolute ones must lie inside it.
func lakeRelative(root, loc string) (string, error) {
	if !filepath.IsAbs(loc) {
		return filepath.ToSlash(filepath.Clean(loc)), nil
	}
	if root == "" {
		return "", lakegate.Errorf(lakegate.EINVALID, "location %s: on an HDFS lake give the location relative to the lake (or the tenant's part of it)", loc)
	}
	rel, err := filepath.Rel(root, filepath.Clean(loc))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		// The same directory may be reached through a symlink.
		r, rerr := filepath.EvalSymlinks(root)
		l, lerr := filepath.EvalSymlinks(loc)
		if rerr == nil && lerr == nil {
			if rel2, err2 := filepath.Rel(r, l); err2 == nil && rel2 != ".." && !strings.HasPrefix(rel2, ".."+string(filepath.Separator)) {
				return filepath.ToSlash(rel2), nil
			}
		}
		return "", lakegate.Errorf(lakegate.EINVALID,
			"location %s is outside the lake %s; copy the files into the lake, or point --lake at a directory that contains them", loc, root)
	}
	return filepath.ToSlash(rel), nil
}

func (a *app) catalogRepairCmd() *cobra.Command {
	var dry bool
	return a.catalogLeaf("repair DB.TABLE",
		"compare a table's partitions and files with storage and fix the catalog: add what is only on storage, drop what is gone (MSCK REPAIR TABLE)", 1, 1,
		func(fs *pflag.FlagSet) { fs.BoolVar(&dry, "dry-run", false, "only report what repair would change") },
		func(ctx context.Context, c *catalogCall) error { return catalogRepair(ctx, c, dry) })
}

func catalogRepair(ctx context.Context, c *catalogCall, dry bool) error {
	a := c.a
	s, db, table, err := c.openRef()
	if err != nil {
		return err
	}
	defer s.Close()
	if !dry {
		// Finish or undo what crashed ingests left first: a committed file
		// still under its hidden name must not read as gone.
		if fwd, removed := ingest.Recover(ctx, s.store, s.catalog, s.log, time.Now()); fwd+removed > 0 {
			fmt.Fprintf(a.stdout, "crashed ingests: finished %d committed batch(es), removed %d uncommitted one(s)\n", fwd, removed)
		}
	}
	r, err := admin.Repair(ctx, s.catalog, s.store, db, table, !dry)
	if err != nil {
		return err
	}
	full := db + "." + table
	if r.InSync() {
		fmt.Fprintf(a.stdout, "%s is in sync with storage: nothing to repair\n", full)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FOUND\tPARTITION\tFILE")
	for _, g := range []struct {
		what string
		pf   []admin.PartitionFiles
	}{
		{"new partition", r.NewPartitions}, {"new file", r.NewFiles},
		{"partition gone", r.GonePartitions}, {"file gone", r.GoneFiles},
	} {
		for _, p := range g.pf {
			for _, f := range p.Files {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", g.what, p.Partition, f)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	counts := fmt.Sprintf("%d new, %d with new files, %d gone, %d with files gone",
		len(r.NewPartitions), len(r.NewFiles), len(r.GonePartitions), len(r.GoneFiles))
	if !r.Applied {
		fmt.Fprintf(a.stdout, "dry run: partitions %s; nothing changed (run without --dry-run to apply)\n", counts)
		return nil
	}
	fmt.Fprintf(a.stdout, "repaired %s at catalog version %d: added %s, dropped %s, re-committed %s without their missing files\n",
		full, r.Version, plural(countFiles(r.NewPartitions)+countFiles(r.NewFiles), "file"),
		plural(len(r.GonePartitions), "partition"), plural(len(r.GoneFiles), "partition"))
	return nil
}

func (a *app) catalogDropCmd() *cobra.Command {
	var partition string
	return a.catalogLeaf("drop DB.TABLE",
		"drop a table, or one partition of it, from the catalog; a managed table's files are then removed from the lake, an external table's are kept", 1, 1,
		func(fs *pflag.FlagSet) {
			fs.StringVar(&partition, "partition", "", "drop only the partition `NAME`, as 'lakegate catalog partitions' lists it (e.g. ingest_date=2026-11-21)")
		},
		func(ctx context.Context, c *catalogCall) error { return catalogDrop(ctx, c, partition) })
}

func catalogDrop(ctx context.Context, c *catalogCall, partition string) error {
	a := c.a
	s, db, table, err := c.openRef()
	if err != nil {
		return err
	}
	defer s.Close()
	var d admin.Dropped
	what := db + "." + table
	if partition != "" {
		d, err = admin.DropPartition(ctx, s.catalog, s.store, db, table, partition)
		what = "partition " + partition + " of " + what
	} else {
		d, err = admin.DropTable(ctx, s.catalog, s.store, db, table)
		what = "table " + what
	}
	if d.Table.Name == "" {
		return err // nothing was dropped
	}
	var files, rows int64
	for _, p := range d.Partitions {
		files += int64(len(p.Files))
		rows += p.Rows
	}
	fmt.Fprintf(a.stdout, "dropped %s (%s): %s, %s, %d rows\n", what, d.Table.Type,
		plural(len(d.Partitions), "partition"), plural(int(files), "file"), rows)
	switch {
	case len(d.Removed) > 0:
		for _, p := range d.Removed {
			fmt.Fprintf(a.stdout, "removed %s\n", p)
		}
	case d.Table.Type == lakegate.TableExternal:
		fmt.Fprintf(a.stdout, "files kept under %s (external table)\n", d.Table.Location)
	}
	return err
}

func countFiles(pf []admin.PartitionFiles) int {
	n := 0
	for _, p := range pf {
		n += len(p.Files)
	}
	return n
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
