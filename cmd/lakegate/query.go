package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/server"
	"github.com/spf13/cobra"
)

// paramFlag collects repeated --param name=value flags.
type paramFlag map[string]any

func (p paramFlag) String() string {
	if len(p) == 0 {
		return "" // no "(default map[])" in --help
	}
	return fmt.Sprint(map[string]any(p))
}

func (p paramFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want name=value, got %q", v)
	}
	p[k] = val
	return nil
}

func (p paramFlag) Type() string { return "name=value" }

func (a *app) queryCmd() *cobra.Command {
	var format, saved, engine string
	var list bool
	params := paramFlag{}
	cmd := &cobra.Command{Use: `query "SQL" | - | --saved NAME | --list`,
		Short: "run one read-only SQL query, or a saved query, in-process on the lake and print the result (- reads the SQL from stdin)"}
	cmd.Flags().StringVar(&format, "format", "table", "output `FORMAT`: table, csv or json")
	cmd.Flags().StringVar(&saved, "saved", "", "run the saved or canned query `NAME` instead of SQL (--list shows them)")
	cmd.Flags().StringVar(&engine, "engine", "auto", "`ENGINE` to run on: auto (the router's choice), duckdb or presto (needs presto_url); the choice and its reason go to stderr")
	cmd.Flags().BoolVar(&list, "list", false, "list the saved and canned queries with their parameters")
	cmd.Flags().Var(params, "param", "a parameter (repeatable): $name of the SQL, or a parameter of --saved")
	cl := config.Bind(cmd.Flags(), queryKeys...)
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if saved != "" || list {
			if len(args) > 0 {
				return a.usageError(cmd, "give either SQL or --saved/--list, not both")
			}
			return nil
		}
		return a.args(1, -1)(cmd, args)
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if format != "table" && format != "csv" && format != "json" {
			return a.usageError(cmd, "--format %q: use table, csv or json", format)
		}
		s, err := a.open(cl)
		if err != nil {
			return err
		}
		defer s.Close()
		if list {
			return listSaved(cmd.Context(), a, s)
		}
		return a.runQuery(cmd.Context(), s, args, saved, params, format, engine)
	}
	return cmd
}

func (a *app) runQuery(ctx context.Context, s *stack, args []string, saved string, params paramFlag, format, engine string) error {
	q := lakegate.Query{}
	var err error
	if saved != "" {
		q, err = savedQuery(ctx, s, saved, params)
	} else {
		q.SQL, err = readSQL(args)
		if len(params) > 0 {
			q.Params = map[string]any(params)
		}
	}
	if err != nil {
		return err
	}
	if err := s.openEngine(ctx); err != nil {
		return err
	}
	rt, err := s.router()
	if err != nil {
		return err
	}
	route, err := rt.Route(ctx, s.cfg.Tenant, q, engine)
	if err != nil {
		return err
	}
	if engine != lakegate.EngineAuto || s.cfg.PrestoURL != "" {
		fmt.Fprintf(a.stderr, "-- engine %s: %s\n", route.Engine.Name(), route.Reason)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
	defer cancel()
	rows, err := route.Engine.Query(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	return printRows(a.stdout, rows, format, s.cfg.MaxRows)
}

func readSQL(pos []string) (string, error) {
	if len(pos) == 1 && pos[0] == "-" {
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	}
	return strings.Join(pos, " "), nil
}

// printRows writes a result as an aligned table or JSON (both capped at
// max rows), or as CSV (every row), rendering values as the HTTP API does.
func printRows(w io.Writer, rows lakegate.Rows, format string, max int) error {
	switch format {
	case "csv":
		return printCSV(w, rows)
	case "json":
		return printJSON(w, rows, max)
	}
	cols := rows.Columns()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = c.Name
	}
	fmt.Fprintln(tw, strings.Join(cells, "\t"))
	n := 0
	for ; rows.Next() && n < max; n++ {
		for i, v := range rows.Values() {
			cells[i] = server.Text(v, cols[i].Type)
			if v == nil {
				cells[i] = "NULL"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n == max && rows.Next() {
		fmt.Fprintf(w, "(stopped at %d rows: raise --max-rows or use --format csv for all of them)\n", max)
	} else {
		fmt.Fprintf(w, "(%d rows)\n", n)
	}
	return rows.Err()
}

func printCSV(w io.Writer, rows lakegate.Rows) error {
	cols := rows.Columns()
	cw := csv.NewWriter(w)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Name
	}
	cw.Write(rec)
	for rows.Next() {
		for i, v := range rows.Values() {
			rec[i] = server.Text(v, cols[i].Type)
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := rows.Err(); err != nil {
		return err
	}
	return cw.Error()
}

// printJSON writes the HTTP API's JSON shape (without the query id).
func printJSON(w io.Writer, rows lakegate.Rows, max int) error {
	cols := rows.Columns()
	out := struct {
		OK        bool              `json:"ok"`
		Columns   []lakegate.Column `json:"columns"`
		Rows      [][]any           `json:"rows"`
		RowCount  int               `json:"row_count"`
		Truncated bool              `json:"truncated"`
	}{OK: true, Columns: cols, Rows: [][]any{}}
	for rows.Next() {
		if len(out.Rows) == max {
			out.Truncated = true
			break
		}
		row := make([]any, len(cols))
		for i, v := range rows.Values() {
			row[i] = server.JSONValue(v, cols[i].Type)
		}
		out.Rows = append(out.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	out.RowCount = len(out.Rows)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
