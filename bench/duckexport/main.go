// Command duckexport supports the export benchmark (bench/export.sh):
//
//	duckexport make DIR ROWS     write a synthetic table of ROWS rows as Parquet under DIR
//	duckexport copy SRC FORMAT OUT
//	                             DuckDB's own COPY (SELECT * FROM read_parquet(SRC)) TO OUT,
//	                             FORMAT csv or parquet: the baseline lakegate's exports are
//	                             measured against
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: duckexport make DIR ROWS | duckexport copy SRC FORMAT OUT")
		os.Exit(2)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		fail(err)
	}
	defer db.Close()
	var stmt string
	switch os.Args[1] {
	case "make":
		stmt = fmt.Sprintf(`COPY (SELECT i AS id, 'user-' || (i %% 100000) AS user_name,
			(i %% 1000) / 1000.0 AS score, TIMESTAMP '2018-01-01' + to_seconds(i) AS at, i %% 7 = 0 AS flag
			FROM range(%s) t(i)) TO '%s/part-0.parquet' (FORMAT parquet, COMPRESSION zstd)`, os.Args[3], quote(os.Args[2]))
		if err := os.MkdirAll(os.Args[2], 0o755); err != nil {
			fail(err)
		}
	case "copy":
		// csv; parquet: uncompressed, the columnar counterpart of Arrow IPC;
		// parquet-default: DuckDB's default Parquet (snappy); parquet-zstd:
		// what lakegate's Parquet exports write.
		opts := map[string]string{
			"csv":             "FORMAT csv, HEADER",
			"parquet":         "FORMAT parquet, COMPRESSION uncompressed",
			"parquet-default": "FORMAT parquet",
			"parquet-zstd":    "FORMAT parquet, COMPRESSION zstd",
		}[os.Args[3]]
		if opts == "" {
			fail(fmt.Errorf("unknown copy format %q: csv, parquet, parquet-default or parquet-zstd", os.Args[3]))
		}
		stmt = fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s')) TO '%s' (%s)`, quote(os.Args[2]), quote(os.Args[4]), opts)
	default:
		fail(fmt.Errorf("unknown command %q", os.Args[1]))
	}
	start := time.Now()
	if _, err := db.Exec(stmt); err != nil {
		fail(err)
	}
	fmt.Printf("%.3f %d\n", time.Since(start).Seconds(), peakRSSMB())
}

// peakRSSMB is this process's peak resident set (VmHWM) in MB, 0 where
// /proc is missing.
func peakRSSMB() int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.Atoi(f[1])
			return kb / 1024
		}
	}
	return 0
}

func quote(s string) string { return strings.ReplaceAll(s, "'", "''") }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "duckexport:", err)
	os.Exit(1)
}
