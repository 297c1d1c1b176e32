package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// exportFormats pairs each of lakegate's streamed formats with the DuckDB
// COPY it is measured against (bench/duckexport): CSV with CSV, Arrow IPC
// with uncompressed Parquet (its columnar counterpart), Parquet with the
// same zstd Parquet that lakegate writes. (Against DuckDB's default,
// snappy, the ratio measured the codec: zstd costs DuckDB's own COPY
// 1.66-1.73 s against 1.30-1.41 s for 10M rows, for a file 3.6x smaller.)
var exportFormats = []struct{ format, duck string }{{"csv", "csv"}, {"arrow", "parquet"}, {"parquet", "parquet-zstd"}}

// exports streams a c.exportRows-row table in each format from a fresh
// server (so each format's peak memory is its own), beside DuckDB's own
// COPY of the same table; both write a file in the work folder.
func exports(c *config, r *results) error {
	lake := filepath.Join(c.dir, fmt.Sprintf("export-lake-%d", c.exportRows))
	table := filepath.Join(lake, "tenants", "default", "bench", "rows")
	if fileSize(filepath.Join(table, "part-0.parquet")) == 0 {
		os.RemoveAll(lake)
		if _, err := runTool(c.duckexport, "make", table, strconv.Itoa(c.exportRows)); err != nil {
			return err
		}
		if _, err := runTool(c.lakegate, "catalog", "register", "--lake", lake, "--db", "bench", "--table", "rows",
			"--location", "bench/rows", "--log-level", "warn"); err != nil {
			return err
		}
	}
	for _, f := range exportFormats {
		run, err := exportFormat(c, lake, filepath.Join(table, "part-0.parquet"), f.format, f.duck)
		if err != nil {
			return fmt.Errorf("%s: %w", f.format, err)
		}
		r.Exports = append(r.Exports, run)
		logf("export %s: lakegate %.2f s, DuckDB %.2f s", f.format, summarize(run.Seconds).Med, summarize(run.DuckSecs).Med)
	}
	return nil
}

func exportFormat(c *config, lake, src, format, duck string) (exportRun, error) {
	run := exportRun{Rows: c.exportRows, Format: format, DuckFormat: duck}
	g, err := serve(c, lake, false)
	if err != nil {
		return run, err
	}
	defer g.stop()
	out := filepath.Join(c.dir, "export.out")
	defer os.Remove(out)
	for i := 0; i < 4; i++ { // one warm-up round, then three
		secs, n, err := fetchTo(g, format, out)
		if err != nil {
			return run, err
		}
		ds, mb, err := duckCopy(c, src, duck, out+".duck")
		if err != nil {
			return run, err
		}
		if i > 0 {
			run.Seconds, run.DuckSecs, run.Bytes = append(run.Seconds, secs), append(run.DuckSecs, ds), n
			run.DuckPeakMB = max(run.DuckPeakMB, mb)
		}
	}
	run.PeakMB = g.peakMB()
	return run, nil
}

// fetchTo streams every row of bench.rows in format into a file.
func fetchTo(g *gateway, format, out string) (float64, int64, error) {
	u := g.base + "/v1/query." + format + "?limit=0&sql=" + url.QueryEscape("SELECT * FROM bench.rows")
	start := time.Now()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	req.Header.Set("Cache-Control", "no-cache")
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return 0, 0, fmt.Errorf("status %d: %.300s", res.StatusCode, b)
	}
	f, err := os.Create(out)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.Copy(f, res.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return time.Since(start).Seconds(), n, err
}

// duckCopy runs DuckDB's own COPY; duckexport prints "SECONDS PEAK_MB".
func duckCopy(c *config, src, format, out string) (float64, float64, error) {
	defer os.Remove(out)
	b, err := execOutput(c.duckexport, "copy", src, format, out)
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("duckexport printed %q", b)
	}
	secs, _ := strconv.ParseFloat(f[0], 64)
	mb, _ := strconv.ParseFloat(f[1], 64)
	return secs, mb, nil
}
