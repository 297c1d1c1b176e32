package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/lakegate/lakegate/generate"
	"github.com/spf13/cobra"
)

func (a *app) generateCmd() *cobra.Command {
	var opt generate.Options
	var gz bool
	var out string
	cmd := &cobra.Command{Use: "generate assessments", Short: "write realistic nested assessment-attempt JSON, deterministic for a seed",
		Args: a.args(1, 1), ValidArgs: []string{"assessments"}}
	cmd.Flags().IntVar(&opt.Attempts, "attempts", 3280, "number of attempt records, duplicates included")
	cmd.Flags().Int64Var(&opt.Seed, "seed", 1, "random seed; the same seed writes the same bytes")
	cmd.Flags().StringVar(&opt.Format, "format", "array", "`FORMAT`: array (one JSON array, like the public file) or ndjson")
	cmd.Flags().BoolVar(&gz, "gzip", false, "gzip the output")
	cmd.Flags().StringVarP(&out, "output", "o", "-", "output `FILE` (- for standard output)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if args[0] != "assessments" {
			return a.usageError(cmd, "unknown dataset %q (known: assessments)", args[0])
		}
		start := time.Now()
		st, err := generateTo(out, gz, opt, a.stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "generated %d attempts (%d unique, %d duplicates, %d without counts, %d test rows), %d bytes in %s\n",
			st.Records, st.Unique, st.Duplicates, st.MissingCounts, st.TestRows, st.Bytes, time.Since(start).Round(time.Millisecond))
		return nil
	}
	return cmd
}

// generateTo writes to path atomically (temporary file, then rename), or
// to stdout for "-".
func generateTo(path string, gz bool, opt generate.Options, stdout io.Writer) (generate.Stats, error) {
	if path == "-" {
		return generateStream(stdout, gz, opt)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return generate.Stats{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return generate.Stats{}, err
	}
	defer os.Remove(tmp.Name())
	st, err := generateStream(tmp, gz, opt)
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp makes 0600; the result is a normal data file
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, err
	}
	return st, os.Rename(tmp.Name(), path)
}

func generateStream(w io.Writer, gz bool, opt generate.Options) (generate.Stats, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	var dst io.Writer = bw
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(bw)
		dst = zw
	}
	st, err := generate.Assessments(dst, opt)
	if err != nil {
		return st, err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return st, err
		}
	}
	return st, bw.Flush()
}
