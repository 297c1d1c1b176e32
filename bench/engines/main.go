// Command engines times every canned query (their defaults) over HTTP on
// each engine a gateway offers (bench/engines.sh): engine duckdb, engine
// presto and engine auto, as POST /v1/saved/NAME/run?engine=E with
// Cache-Control: no-cache, plus `SELECT 1` on Presto (its fixed cost per
// query). Presto's rounds run first, alone; then DuckDB's and auto's,
// interleaved, three times as many, so that the VM's drift and Presto's
// background work fall on neither of the two. It prints a Markdown table of medians, the
// engine auto chose, and auto's time over the faster engine's.
//
//	engines -url http://127.0.0.1:PORT [-n 10] [-warmup 2]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/lakegate/lakegate/queries"
)

var engines = []string{"duckdb", "presto", "auto"}

func main() {
	base := flag.String("url", "", "the gateway's base URL")
	n := flag.Int("n", 10, "timed runs per query and engine")
	warm := flag.Int("warmup", 2, "untimed runs per query and engine first")
	flag.Parse()
	if *base == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: engines -url http://HOST:PORT [-n 10] [-warmup 2]")
		os.Exit(2)
	}
	if err := run(strings.TrimRight(*base, "/"), *n, *warm); err != nil {
		fmt.Fprintln(os.Stderr, "engines:", err)
		os.Exit(1)
	}
}

type answer struct {
	OK     bool    `json:"ok"`
	Engine string  `json:"engine"`
	Rows   [][]any `json:"rows"`
	Error  *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// timed runs one request and returns its time in ms and its answer.
func timed(method, u, body string) (float64, answer, error) {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, answer{}, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	ms := float64(time.Since(start).Microseconds()) / 1000
	var a answer
	if err == nil {
		err = json.Unmarshal(b, &a)
	}
	if err == nil && !a.OK {
		err = fmt.Errorf("%s: %s", u, b)
	}
	return ms, a, err
}

func run(base string, n, warm int) error {
	qs, err := queries.All()
	if err != nil {
		return err
	}
	fmt.Println("| query | rows | duckdb ms | presto ms | auto ms | auto chose | presto / duckdb | auto / faster |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- |")
	var ratios []float64
	for _, q := range qs {
		times := map[string][]float64{}
		var chose string
		var rows int
		// Presto first, alone; then DuckDB and auto interleaved (three
		// times the rounds) once Presto is idle, so that its background
		// work does not fall on either.
		for round := range warm + n {
			ms, a, err := timed("POST", base+"/v1/saved/"+q.Name+"/run?engine=presto", "")
			if err != nil {
				return err
			}
			if round >= warm {
				times["presto"] = append(times["presto"], ms)
			}
			rows = len(a.Rows)
		}
		time.Sleep(2 * time.Second)
		for round := range warm + 3*n {
			for i := range 2 {
				e := []string{"duckdb", "auto"}[(round+i)%2]
				ms, a, err := timed("POST", base+"/v1/saved/"+q.Name+"/run?engine="+e, "")
				if err != nil {
					return err
				}
				if round >= warm {
					times[e] = append(times[e], ms)
				}
				if e == "auto" {
					chose = a.Engine
				}
			}
		}
		d, p, a := median(times["duckdb"]), median(times["presto"]), median(times["auto"])
		r := a / math.Min(d, p)
		ratios = append(ratios, r)
		fmt.Printf("| %s | %d | %.1f | %.1f | %.1f | %s | %.2f | %.2f |\n", q.Name, rows, d, p, a, chose, p/d, r)
	}
	fmt.Printf("| **worst auto / faster** | | | | | | | **%.2f** |\n", slicesMax(ratios))
	return fixedCost(base, n)
}

// fixedCost times SELECT 1 on each engine: Presto's cost per query.
func fixedCost(base string, n int) error {
	fmt.Println()
	fmt.Println("| SELECT 1 | duckdb ms | presto ms |")
	fmt.Println("| --- | --- | --- |")
	times := map[string][]float64{}
	for range n + 2 {
		for _, e := range engines[:2] {
			ms, _, err := timed("POST", base+"/v1/query?engine="+e, `{"sql":"SELECT 1 AS one"}`)
			if err != nil {
				return err
			}
			times[e] = append(times[e], ms)
		}
	}
	fmt.Printf("| median of %d | %.1f | %.1f |\n", n, median(times["duckdb"][2:]), median(times["presto"][2:]))
	return nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return math.NaN()
	}
	return s[len(s)/2]
}

func slicesMax(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
