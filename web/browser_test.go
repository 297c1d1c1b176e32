package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/lakegate/lakegate/server"
)

// These tests drive the query page in real headless Chromium against a
// real gateway. They skip without Chromium, except in CI (CI=true).

const topExams = `SELECT exam_name, count(*) AS attempts, round(avg(score), 3) AS avg_score FROM assessments.attempts GROUP BY exam_name ORDER BY attempts DESC, exam_name LIMIT 8`

func TestPageRunsTypedQueryAndSortsGrid(t *testing.T) {
	g := newGateway(t, server.Options{})
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "load the page",
		chromedp.Navigate(g.URL+"/"),
		chromedp.WaitVisible(css(".cm-content")),
		waitJS(`document.querySelectorAll("#catalog-tree .table").length > 0`),
	)
	do(t, ctx, "type a query and run it with Ctrl+Enter",
		typeSQL(topExams),
		runKeys(),
		waitJS(`/^8 rows/.test(document.querySelector("#meta").innerText)`),
	)
	rows := get(t, ctx, "read the grid", gridRows())
	if len(rows) != 9 || strings.Join(rows[0], "|") != "exam_name VARCHAR|attempts BIGINT|avg_score DOUBLE" {
		t.Fatalf("grid: want a header and 8 rows, got %q", rows)
	}
	meta := get(t, ctx, "read the meta line", text("#meta"))
	for _, want := range []string{"8 rows", " ms", "duckdb", "not cached"} {
		if !strings.Contains(meta, want) {
			t.Errorf("meta %q lacks %q", meta, want)
		}
	}
	loc := get(t, ctx, "read the URL", chromedp.Location())
	if !strings.Contains(loc, "#sql=SELECT+exam_name") {
		t.Errorf("the query is not in the URL: %s", loc)
	}
	shot(t, ctx, "grid")

	do(t, ctx, "sort by attempts",
		chromedp.Click(css(`#result th:nth-child(2) button`)),
		chromedp.WaitVisible(css(`#result th[aria-sort=ascending]`)),
	)
	sorted := get(t, ctx, "read the sorted grid", gridRows())
	if sorted[1][1] != rows[8][1] || sorted[8][1] != rows[1][1] {
		t.Errorf("ascending sort by attempts: got first %s last %s, want %s and %s", sorted[1][1], sorted[8][1], rows[8][1], rows[1][1])
	}

	// The link in the address bar brings the same query back.
	do(t, ctx, "open the shared link and run it",
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(loc),
		chromedp.WaitVisible(css(".cm-content")),
		chromedp.Click(css("#run")),
		waitJS(`/^8 rows/.test(document.querySelector("#meta").innerText)`),
	)
}

func TestPageShowsErrorWithPosition(t *testing.T) {
	g := newGateway(t, server.Options{})
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "run a query with a typo",
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT exam_name FROM assessments.attempts WHERE scoer > 1`),
		runKeys(),
		chromedp.WaitVisible(css("#error")),
	)
	msg := get(t, ctx, "read the message", text("#error .message"))
	box := get(t, ctx, "read the error box", text("#error"))
	if !strings.Contains(msg, "scoer") {
		t.Errorf("error message %q does not name the bad column", msg)
	}
	if !strings.Contains(box, "Error (invalid)") || !strings.Contains(box, "Line 1, column 50") {
		t.Errorf("error box %q lacks the code or the position (line 1, column 50)", box)
	}
	shot(t, ctx, "error")
}

func TestPageChartsResult(t *testing.T) {
	g := newGateway(t, server.Options{})
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "chart a grouped count",
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT exam_name, count(*) AS attempts FROM assessments.attempts GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12`),
		runKeys(),
		waitJS(`/^12 rows/.test(document.querySelector("#meta").innerText)`),
		chromedp.Click(css("#chart-tab")),
		chromedp.WaitVisible(css("#chart svg")),
	)
	kind := get(t, ctx, "read the chart kind", chromedp.Evaluate[string](`document.querySelector("#chart svg").dataset.kind`))
	bars := get(t, ctx, "count the bars", chromedp.Evaluate[int](`document.querySelectorAll("#chart rect.bar").length`))
	if kind != "bar" || bars != 12 {
		t.Errorf("labels by exam: want 12 bars, got a %q chart with %d bars", kind, bars)
	}
	shot(t, ctx, "chart-bar")
	do(t, ctx, "switch to a line",
		chromedp.Click(css(`input[name=chart-kind][value=line]`)),
		chromedp.WaitVisible(css("#chart svg polyline")),
	)
	do(t, ctx, "chart a time series",
		chromedp.Click(css("#table-tab")),
		typeSQL(`SELECT CAST(started_at AS DATE) AS day, count(*) AS attempts, count(score) AS scored FROM assessments.attempts GROUP BY 1 ORDER BY 1`),
		runKeys(),
		waitJS(`(document.querySelector("#result th") || {innerText: ""}).innerText.startsWith("day")`),
		chromedp.Click(css("#chart-tab")),
		chromedp.WaitVisible(css("#chart svg polyline")),
	)
	if kind := get(t, ctx, "read the chart kind", chromedp.Evaluate[string](`document.querySelector("#chart svg").dataset.kind`)); kind != "line" {
		t.Errorf("by day: want a line chart, got %q", kind)
	}
	shot(t, ctx, "chart-line")
}

func TestPageCancelsLongQuery(t *testing.T) {
	g := newGateway(t, server.Options{Timeout: 2 * time.Minute})
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "start a long query, then cancel it",
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT count(*) FROM range(200000) a, range(200000) b WHERE (a.range * 7 + b.range) % 1000003 = 1`),
		runKeys(),
		waitJS(`document.querySelector("#cancel").disabled === false`),
		chromedp.Sleep(700*time.Millisecond),
		chromedp.Click(css("#cancel")),
		waitJS(`document.querySelector("#meta").innerText === "Canceled."`),
	)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(g.logs.String(), `"code":"canceled"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not log the query as canceled; logs:\n%s", g.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	shot(t, ctx, "canceled")
}

func TestPageDownloadsCSV(t *testing.T) {
	g := newGateway(t, server.Options{})
	ctx := newBrowser(t, 0, 0)
	dir := t.TempDir()
	allow := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		})
		return err
	})
	do(t, ctx, "run and download as CSV",
		allow,
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT exam_name, count(*) AS attempts FROM assessments.attempts GROUP BY 1 ORDER BY 1 LIMIT 3`),
		runKeys(),
		waitJS(`/^3 rows/.test(document.querySelector("#meta").innerText)`),
		chromedp.SetValue(css("#dl-format"), "csv"),
		chromedp.Click(css("#download")),
	)
	path := filepath.Join(dir, "lakegate-result.csv")
	var data []byte
	for deadline := time.Now().Add(15 * time.Second); ; {
		b, err := os.ReadFile(path)
		if err == nil && len(b) > 0 {
			data = b
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("no %s after 15s (the directory holds %v)", path, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 4 || lines[0] != "exam_name,attempts" {
		t.Errorf("CSV: want a header and 3 rows, got %q", data)
	}
}
