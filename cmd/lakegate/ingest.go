package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/tenancy"
)

func (a *app) ingestCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "ingest assessments FILE... | ingest kafka ...",
		Short: "flatten nested assessment JSON (array or NDJSON, plain or gzip) into Parquet tables in the lake",
		Args:  a.args(2, -1), ValidArgs: []string{"assessments"}}
	cl := config.Bind(cmd.Flags(), ingestKeys...)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if args[0] != "assessments" {
			return a.usageError(cmd, "unknown dataset %q (known: assessments)", args[0])
		}
		s, err := a.open(cl)
		if err != nil {
			return err
		}
		defer s.Close()
		sum, err := a.ingest(cmd.Context(), s, args[1:]...)
		fmt.Fprintln(a.stdout, sum.String())
		return err
	}
	cmd.AddCommand(a.ingestKafkaCmd())
	return cmd
}

// ingest lands files and shows progress when stderr is a terminal.
func (a *app) ingest(ctx context.Context, s *stack, paths ...string) (ingest.Summary, error) {
	opt := ingest.Options{Store: s.store, Catalog: s.catalog, Logger: s.log, ClusterBy: s.cfg.ClusterAttemptsBy}
	if f, ok := a.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		opt.Progress = f
	}
	return ingest.Assessments(ctx, opt, paths...)
}

// ingestInto lands an uploaded file into tenant, for the server's POST
// /v1/ingest/assessments: the same ingest as the command's, on the
// tenant's part of the lake and view of the catalog.
func (s *stack) ingestInto(ctx context.Context, tenant, path, name string) (lakegate.IngestSummary, error) {
	var sum lakegate.IngestSummary
	store, err := tenancy.Store(s.root, tenant)
	if err != nil {
		return sum, err
	}
	cat, err := catalog.ForTenant(s.shared, tenant)
	if err != nil {
		return sum, err
	}
	sum, err = ingest.Assessments(ctx, ingest.Options{Store: store, Catalog: cat, Logger: s.log, SourceName: name,
		MaxDecompressedBytes: s.cfg.MaxIngestDecompressedBytes, ClusterBy: s.cfg.ClusterAttemptsBy}, path)
	if err != nil {
		return sum, err
	}
	if sum.FailedFiles > 0 {
		return sum, lakegate.Errorf(lakegate.EINVALID, "the upload could not be ingested: %s", strings.Join(sum.Notes, "; "))
	}
	return sum, nil
}
