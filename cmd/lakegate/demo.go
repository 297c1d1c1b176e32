package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/generate"
	"github.com/lakegate/lakegate/server"
	"github.com/spf13/cobra"
)

func (a *app) demoCmd() *cobra.Command {
	var attempts int
	var seed int64
	var insecure bool
	cmd := &cobra.Command{Use: "demo", Short: "generate assessment data, ingest it into the lake and serve it on HTTP (no authentication, 127.0.0.1 only)", Args: a.args(0, 0)}
	cmd.Flags().IntVar(&attempts, "attempts", 3280, "number of attempts to generate (the public file has 3,280)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "generator seed")
	cmd.Flags().BoolVar(&insecure, "insecure-listen", false, "allow --addr beyond this machine although the demo has no authentication (a warning is printed)")
	cl := config.Bind(cmd.Flags(), serverKeys...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		s, err := a.open(cl)
		if err != nil {
			return err
		}
		defer s.Close()
		s.cfg.Auth = "none" // the demo is for one's own machine: no tokens (serve warns)
		s.insecureListen = insecure
		return a.runDemo(cmd.Context(), s, attempts, seed)
	}
	return cmd
}

func (a *app) runDemo(ctx context.Context, s *stack, attempts int, seed int64) error {
	// The generated file is kept beside the tables (outside any table
	// directory): the same seed and size make the same bytes, so a second
	// demo run finds it already ingested and lands nothing twice.
	incoming := filepath.Join(s.root.Dir(), "_incoming")
	if s.root.Dir() == "" { // an HDFS lake: the source stays on this machine
		incoming = filepath.Join(os.TempDir(), "lakegate-demo")
	}
	src := filepath.Join(incoming, fmt.Sprintf("assessments-%d-seed%d.json", attempts, seed))
	if _, err := os.Stat(src); err != nil {
		fmt.Fprintf(a.stderr, "generating %d attempts into %s\n", attempts, src)
		if _, err := generateTo(src, false, generate.Options{Attempts: attempts, Seed: seed, Format: "array"}, nil); err != nil {
			return err
		}
	}
	sum, err := a.ingest(ctx, s, src)
	s.metrics = server.NewMetrics() // the serving process's registry counts its own ingest
	s.metrics.CountIngest(sum.Landed, sum.Duplicates, sum.Rejected)
	fmt.Fprintln(a.stderr, sum.String())
	if err != nil {
		return err
	}
	return a.serve(ctx, s, func(base string) { printExamples(a.stdout, base) })
}

// printExamples shows copy-paste lines that work against this server.
func printExamples(w io.Writer, base string) {
	q := url.QueryEscape("SELECT count(*) AS attempts FROM assessments.attempts")
	fmt.Fprintf(w, `
lakegate is serving the demo lake at %[1]s

Try:
  curl -s %[1]s/v1/query -d '{"sql":"SELECT exam_name, count(*) AS n FROM assessments.attempts GROUP BY 1 ORDER BY n DESC LIMIT 5"}'
  curl -s '%[1]s/v1/query?format=csv' -H 'Content-Type: application/sql' --data-binary 'SELECT * FROM assessments.questions LIMIT 100' > q.csv
  curl -s %[1]s/v1/tables
  python3 -c "import pandas as pd; print(pd.read_csv('%[1]s/v1/query.csv?sql=%[2]s'))"

Press Ctrl+C to stop.
`, base, q)
}
