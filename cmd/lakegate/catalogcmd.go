package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/admin"
	"github.com/lakegate/lakegate/config"
)

// catalogCommands are the subcommands of `lakegate catalog`.
func catalogCommands() []command {
	return []command{
		{"ls", "[DB]", "list the tables of every database, or of DB", runCatalogLs},
		{"describe", "DB.TABLE", "show a table's columns, partition keys, location, type and statistics", runCatalogDescribe},
		{"partitions", "DB.TABLE", "list a table's partitions with their files, rows and bytes", runCatalogPartitions},
		{"register", "--db DB --table TABLE --location PATH", "register Parquet files already in the lake as an external table (CREATE EXTERNAL TABLE); again: adds new files only", runCatalogRegister},
		{"repair", "DB.TABLE [--dry-run]", "bring a table's partitions in line with the files on storage (MSCK REPAIR TABLE)", runCatalogRepair},
		{"drop", "DB.TABLE [--partition NAME]", "drop a table or one partition; a managed table's files are removed, an external one's kept", runCatalogDrop},
	}
}

func runCatalog(ctx context.Context, a *app, args []string) error {
	switch {
	case len(args) == 0:
		catalogUsage(a.stderr)
		return errUsage
	case args[0] == "help":
		catalogUsage(a.stdout)
		return nil
	case args[0] == "-h" || args[0] == "--help":
		catalogUsage(a.stderr) // where every --help goes, as the flag package does
		return nil
	}
	for _, c := range catalogCommands() {
		if c.name == args[0] {
			return c.run(ctx, a, args[1:])
		}
	}
	fmt.Fprintf(a.stderr, "unknown catalog command %q\n\n", args[0])
	catalogUsage(a.stderr)
	return errUsage
}

func catalogUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: lakegate catalog COMMAND [flags] [args]\n\nBrowse the catalog; register, repair and drop tables.\n\nCommands:\n")
	for _, c := range catalogCommands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `lakegate catalog COMMAND --help` for its flags; every command takes the storage settings (--lake, --catalog, --log-*).\n")
}

// catalogCmd parses a catalog subcommand's command line and opens the
// storage: flags are bound by bind before parsing, positional arguments
// are checked against want.
type catalogCmd struct {
	a   *app
	fs  *flag.FlagSet
	cl  *config.Loader
	pos []string
}

func (a *app) parseCatalog(name, args, summary string, bind func(fs *flag.FlagSet), argv []string, want int) (*catalogCmd, error) {
	fs := a.flagSet("catalog "+name, args, summary)
	if bind != nil {
		bind(fs)
	}
	cl := config.Bind(fs, tenantKeys...)
	pos, err := parse(fs, argv)
	if err != nil {
		return nil, err
	}
	if len(pos) > want {
		fmt.Fprintf(fs.Output(), "too many arguments: %s\n\n", strings.Join(pos[want:], " "))
		fs.Usage()
		return nil, errUsage
	}
	return &catalogCmd{a: a, fs: fs, cl: cl, pos: pos}, nil
}

// ref reads the positional DB.TABLE argument.
func (c *catalogCmd) ref() (string, string, error) {
	if len(c.pos) == 0 {
		fmt.Fprintf(c.fs.Output(), "missing arguments: want DB.TABLE\n\n")
		c.fs.Usage()
		return "", "", errUsage
	}
	db, table, ok := strings.Cut(c.pos[0], ".")
	if !ok || db == "" || table == "" || strings.Contains(table, ".") {
		fmt.Fprintf(c.fs.Output(), "%q is not a table name: want DB.TABLE, like assessments.attempts\n\n", c.pos[0])
		c.fs.Usage()
		return "", "", errUsage
	}
	return db, table, nil
}

// openRef reads the DB.TABLE argument and opens the storage.
func (a *app) openRef(c *catalogCmd) (s *stack, db, table string, err error) {
	if db, table, err = c.ref(); err != nil {
		return nil, "", "", err
	}
	s, err = a.open(c.cl)
	return s, db, table, err
}

func runCatalogLs(ctx context.Context, a *app, args []string) error {
	c, err := a.parseCatalog("ls", "[DB]", "list the tables of every database, or of DB", nil, args, 1)
	if err != nil {
		return err
	}
	s, err := a.open(c.cl)
	if err != nil {
		return err
	}
	defer s.Close()
	var dbs []string
	if len(c.pos) == 1 {
		dbs = c.pos
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

func runCatalogDescribe(ctx context.Context, a *app, args []string) error {
	c, err := a.parseCatalog("describe", "DB.TABLE", "show a table's columns, partition keys, location, type and statistics", nil, args, 1)
	if err != nil {
		return err
	}
	s, db, table, err := a.openRef(c)
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
	tw.Flush()
	tw = tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCOLUMN\tTYPE\tNULLABLE\tCOMMENT")
	for _, col := range t.Columns {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", col.Name, col.Type, yesNo(col.Nullable), col.Comment)
	}
	tw.Flush()
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

func runCatalogPartitions(ctx context.Context, a *app, args []string) error {
	c, err := a.parseCatalog("partitions", "DB.TABLE", "list a table's partitions with their files, rows and bytes", nil, args, 1)
	if err != nil {
		return err
	}
	s, db, table, err := a.openRef(c)
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
	tw.Flush()
	fmt.Fprintf(a.stdout, "(%s)\n", plural(len(parts), "partition"))
	return nil
}

func runCatalogRegister(ctx context.Context, a *app, args []string) error {
	var db, table, location *string
	c, err := a.parseCatalog("register", "--db DB --table TABLE --location PATH",
		"register the Parquet files under PATH (relative to the lake root, or an absolute path inside it) as the external table DB.TABLE; "+
			"key=value directories become partitions. Registering again adds only new files",
		func(fs *flag.FlagSet) {
			db = fs.String("db", "", "database of the table (required)")
			table = fs.String("table", "", "name of the table (required)")
			location = fs.String("location", "", "directory of the Parquet files: relative to the lake root, or absolute inside the lake (required)")
		}, args, 0)
	if err != nil {
		return err
	}
	if *db == "" || *table == "" || *location == "" {
		fmt.Fprintf(c.fs.Output(), "missing flags: --db, --table and --location are required\n\n")
		c.fs.Usage()
		return errUsage
	}
	s, err := a.open(c.cl)
	if err != nil {
		return err
	}
	defer s.Close()
	loc, err := lakeRelative(s.store.Root(), *location)
	if err != nil {
		return err
	}
	before, _ := s.catalog.Table(ctx, *db, *table)
	t, err := admin.Register(ctx, s.catalog, s.store, *db, *table, loc)
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

func runCatalogRepair(ctx context.Context, a *app, args []string) error {
	var dry *bool
	c, err := a.parseCatalog("repair", "DB.TABLE",
		"compare a table's partitions and files with storage and fix the catalog: add what is only on storage, drop what is gone (MSCK REPAIR TABLE)",
		func(fs *flag.FlagSet) { dry = fs.Bool("dry-run", false, "only report what repair would change") }, args, 1)
	if err != nil {
		return err
	}
	s, db, table, err := a.openRef(c)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := admin.Repair(ctx, s.catalog, s.store, db, table, !*dry)
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
	tw.Flush()
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

func runCatalogDrop(ctx context.Context, a *app, args []string) error {
	var partition *string
	c, err := a.parseCatalog("drop", "DB.TABLE",
		"drop a table, or one partition of it, from the catalog; a managed table's files are then removed from the lake, an external table's are kept",
		func(fs *flag.FlagSet) {
			partition = fs.String("partition", "", "drop only this partition, named as `catalog partitions` lists it (e.g. ingest_date=2026-11-21)")
		}, args, 1)
	if err != nil {
		return err
	}
	s, db, table, err := a.openRef(c)
	if err != nil {
		return err
	}
	defer s.Close()
	var d admin.Dropped
	what := db + "." + table
	if *partition != "" {
		d, err = admin.DropPartition(ctx, s.catalog, s.store, db, table, *partition)
		what = "partition " + *partition + " of " + what
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
