package main

import (
	"context"
	"fmt"
	"os"

	"github.com/lakegate/lakegate/config"
	"github.com/lakegate/lakegate/ingest"
	"github.com/mattn/go-isatty"
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
