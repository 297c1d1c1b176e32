package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/tenancy"
)

func runIngest(ctx context.Context, a *app, args []string) error {
	fs := a.flagSet("ingest", "assessments FILE...", "flatten nested assessment JSON (array or NDJSON, plain or gzip) into Parquet tables in the lake")
	cl := config.Bind(fs, tenantKeys...)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs(fs, pos, 2, "assessments"); err != nil {
		return err
	}
	s, err := a.open(cl)
	if err != nil {
		return err
	}
	defer s.Close()
	sum, err := a.ingest(ctx, s, pos[1:]...)
	fmt.Fprintln(a.stdout, sum.String())
	return err
}

// ingest lands files and shows progress when stderr is a terminal.
func (a *app) ingest(ctx context.Context, s *stack, paths ...string) (ingest.Summary, error) {
	opt := ingest.Options{Store: s.store, Catalog: s.catalog, Logger: s.log}
	if f, ok := a.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		opt.Progress = f
	}
	return ingest.Assessments(ctx, opt, paths...)
}

// ingestInto lands an uploaded file into tenant, for the server's POST
// /v1/ingest/assessments: the same ingest as the command's, on the
// tenant's part of the lake and view of the catalog.
func (s *stack) ingestInto(ctx context.Context, tenant, path string) (lakegate.IngestSummary, error) {
	var sum lakegate.IngestSummary
	store, err := tenancy.Store(s.root.Root(), tenant)
	if err != nil {
		return sum, err
	}
	cat, err := catalog.ForTenant(s.shared, tenant)
	if err != nil {
		return sum, err
	}
	sum, err = ingest.Assessments(ctx, ingest.Options{Store: store, Catalog: cat, Logger: s.log}, path)
	if err != nil {
		return sum, err
	}
	if sum.FailedFiles > 0 {
		return sum, lakegate.Errorf(lakegate.EINVALID, "the upload could not be ingested: %s", strings.Join(sum.Notes, "; "))
	}
	return sum, nil
}
