package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/server"
)

// These tests drive the query page in real headless Chromium against a
// real gateway. They skip without Chromium, except in CI (CI=true).

const topExams = `SELECT exam_name, count(*) AS attempts, round(avg(score), 3) AS avg_score FROM assessments.attempts GROUP BY exam_name ORDER BY attempts DESC, exam_name LIMIT 8`

func TestPageRunsTypedQueryAndSortsGrid(t *testing.T) {
	g := newGateway(t, server.Options{CacheBytes: 8 << 20, MaxRows: 100}, nil)
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
	do(t, ctx, "open a table in the catalog", chromedp.Click(css("#catalog-tree .table summary")))
	if png := shot(t, ctx, "grid"); *update && png != nil {
		// The README shows this one.
		if err := os.WriteFile(filepath.Join("..", "docs", "query-page.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	do(t, ctx, "sort by attempts",
		chromedp.Click(css(`#result th:nth-child(2) button`)),
		chromedp.WaitVisible(css(`#result th[aria-sort=ascending]`)),
	)
	sorted := get(t, ctx, "read the sorted grid", gridRows())
	if sorted[1][1] != rows[8][1] || sorted[8][1] != rows[1][1] {
		t.Errorf("ascending sort by attempts: got first %s last %s, want %s and %s", sorted[1][1], sorted[8][1], rows[8][1], rows[1][1])
	}

	// The link in the address bar brings the same query back; run again,
	// the result cache answers and the page says so.
	do(t, ctx, "open the shared link and run it",
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(loc),
		chromedp.WaitVisible(css(".cm-content")),
		chromedp.Click(css("#run")),
		waitJS(`/^8 rows .* · cached$/.test(document.querySelector("#meta").innerText)`),
	)
	if doc := get(t, ctx, "read the editor", text(".cm-content")); doc != topExams {
		t.Errorf("the shared link's editor holds %q", doc)
	}

	// More rows than max_rows: the grid shows the first ones and a notice.
	do(t, ctx, "run past max_rows",
		typeSQL(`SELECT * FROM assessments.attempts`),
		runKeys(),
		waitJS(`/^100 rows/.test(document.querySelector("#meta").innerText)`),
		chromedp.WaitVisible(css("#truncated")),
	)

	// History lists what ran; a click loads it into the editor.
	do(t, ctx, "load a query from the history",
		chromedp.Click(css("#tab-history")),
		waitJS(`[...document.querySelectorAll("#history-list button")].some(b => b.innerText.startsWith("SELECT exam_name, count(*) AS attempts, round"))`),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll("#history-list button")].find(b => b.innerText.startsWith("SELECT exam_name, count(*) AS attempts, round")).click()`),
	)
	if doc := get(t, ctx, "read the editor", text(".cm-content")); doc != topExams {
		t.Errorf("after a click in the history the editor holds %q", doc)
	}
	shot(t, ctx, "history")
}

func TestPageShowsErrorWithPosition(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
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
	g := newGateway(t, server.Options{}, nil)
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

// TestPageChartsOneAxisPerMeasure: counts in the hundreds beside 0-1
// scores get a panel and axis each, so the small bars stay visible.
func TestPageChartsOneAxisPerMeasure(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "chart counts and scores",
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT exam_name, count(*) * 100 AS attempts, avg(score) AS score FROM assessments.attempts WHERE score > 0 GROUP BY 1 ORDER BY 1 LIMIT 6`),
		runKeys(),
		waitJS(`/rows? ·/.test(document.querySelector("#meta").innerText)`),
		chromedp.Click(css("#chart-tab")),
		chromedp.WaitVisible(css("#chart svg")),
	)
	panels := get(t, ctx, "count the panels", chromedp.Evaluate[string](`document.querySelector("#chart svg").dataset.panels`))
	// The tallest score bar must fill most of its panel, as tall as the
	// tallest count bar does in its own.
	tallest := get(t, ctx, "measure the bars", chromedp.Evaluate[[]float64](
		`[...document.querySelectorAll("#chart g.plot")].map(g => Math.max(...[...g.querySelectorAll("rect.bar")].map(r => r.getBBox().height)))`))
	if panels != "2" || len(tallest) != 2 || tallest[1] < 0.5*tallest[0] {
		t.Errorf("want 2 panels whose tallest bars are alike, got %s panels, tallest %v", panels, tallest)
	}
	shot(t, ctx, "chart-two-measures")
}

func TestPageCancelsLongQuery(t *testing.T) {
	g := newGateway(t, server.Options{Timeout: 2 * time.Minute}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "start a long query, then cancel it",
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT count(*) FROM range(200000) a, range(200000) b WHERE (a.range * 7 + b.range) % 1000003 = 1`),
		runKeys(),
		waitJS(`document.querySelector("#cancel").disabled === false`),
		chromedp.Sleep(700*time.Millisecond),
		chromedp.Click(css("#cancel")),
		waitJS(`/^Canceled after [0-9.]+ s\./.test(document.querySelector("#meta").innerText)`),
	)
	waitCanceled(t, g, 1)
	shot(t, ctx, "canceled")
	do(t, ctx, "run it again and cancel it with Escape",
		chromedp.Click(css("#run")),
		waitJS(`document.querySelector("#cancel").disabled === false`),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.KeyEvent(kb.Escape),
		waitJS(`/^Canceled after/.test(document.querySelector("#meta").innerText) && document.querySelector("#run").disabled === false`),
	)
	waitCanceled(t, g, 2)
}

// waitCanceled waits until the server has logged n canceled queries.
func waitCanceled(t *testing.T, g *gateway, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(g.logs.String(), `"code":"canceled"`) < n {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not log %d canceled queries; logs:\n%s", n, g.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPageDownloadsCSV(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	dir := t.TempDir()
	do(t, ctx, "run and download as CSV",
		allowDownloads(dir),
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT exam_name, count(*) AS attempts FROM assessments.attempts GROUP BY 1 ORDER BY 1 LIMIT 3`),
		runKeys(),
		waitJS(`/^3 rows/.test(document.querySelector("#meta").innerText)`),
		chromedp.SetValue(css("#dl-format"), "csv"),
		chromedp.Click(css("#download")),
	)
	data := waitFile(t, filepath.Join(dir, "lakegate-result.csv"))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 4 || lines[0] != "exam_name,attempts" {
		t.Errorf("CSV: want a header and 3 rows, got %q", data)
	}
	do(t, ctx, "download as Parquet",
		chromedp.SetValue(css("#dl-format"), "parquet"),
		chromedp.Click(css("#download")),
	)
	if pq := waitFile(t, filepath.Join(dir, "lakegate-result.parquet")); !bytes.HasPrefix(pq, []byte("PAR1")) || !bytes.HasSuffix(pq, []byte("PAR1")) {
		t.Errorf("the Parquet download is not a Parquet file (%d bytes)", len(pq))
	}
}

func TestPageRunsSavedQueryWithParameter(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "pick pass_rate in the saved panel",
		chromedp.Navigate(g.URL+"/"),
		chromedp.Click(css("#tab-saved")),
		waitJS(`document.querySelector("#saved-select option[value=pass_rate]") !== null`),
		// A user picks with the mouse or the keyboard; either way the
		// select fires change, which is what the page listens to.
		chromedp.Evaluate[chromedp.Void](`(s => { s.value = "pass_rate"; s.dispatchEvent(new Event("change")); })(document.querySelector("#saved-select"))`),
		chromedp.WaitVisible(css("#param-threshold")),
	)
	if v := get(t, ctx, "read the default", chromedp.Value(css("#param-threshold"))); v != "0.7" {
		t.Errorf("threshold field: want the default 0.7, got %q", v)
	}
	do(t, ctx, "set threshold to 0.5 and run",
		typeSQL(`SELECT 'something else'`),
		retype("#param-threshold", "0.5"),
		chromedp.Click(css("#saved-run")),
		waitJS(`/^Pass rate: 1 row ·/.test(document.querySelector("#meta").innerText)`),
	)
	// The editor shows what ran: the saved query's SQL.
	if got := get(t, ctx, "read the editor", text(".cm-content")); !strings.Contains(got, "$threshold") || strings.Contains(got, "something else") {
		t.Errorf("after running pass_rate the editor shows %q", got)
	}
	rows := get(t, ctx, "read the grid", gridRows())
	want := savedRun(t, g, "pass_rate", "threshold=0.5")
	if len(rows) != 2 || !strings.HasPrefix(rows[0][0], "pass_rate") || rows[1][0] != want {
		t.Errorf("pass_rate at 0.5: want pass_rate %s, got %q", want, rows)
	}
	if other := savedRun(t, g, "pass_rate", "threshold=0.7"); other == want {
		t.Errorf("pass_rate is %s at both 0.5 and 0.7: the parameter made no difference", want)
	}
	if loc := get(t, ctx, "read the URL", chromedp.Location()); !strings.Contains(loc, "#saved=pass_rate&p.threshold=0.5") {
		t.Errorf("the saved query and its parameter are not in the URL: %s", loc)
	}
	shot(t, ctx, "saved")
	do(t, ctx, "open the shared link of the saved run",
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(g.URL+"/#saved=pass_rate&p.threshold=0.55"),
		chromedp.WaitVisible(css("#param-threshold")),
	)
	if v := get(t, ctx, "read the shared parameter", chromedp.Value(css("#param-threshold"))); v != "0.55" {
		t.Errorf("the shared link's threshold field holds %q, want 0.55", v)
	}

	// Save the editor's SQL as a new query; it shows up in the list with
	// its parameter, and runs.
	// The lake lives as long as the test binary (-count=2 runs twice).
	name := fmt.Sprintf("exams_like_%d", time.Now().UnixNano()%1e9)
	do(t, ctx, "save a new query",
		typeSQL(`SELECT exam_name, count(*) AS attempts FROM assessments.attempts WHERE exam_name LIKE $pattern GROUP BY 1 ORDER BY 2 DESC`),
		chromedp.Click(css("#save-new summary")),
		chromedp.SendKeys(css("#save-name"), name),
		chromedp.SendKeys(css("#save-title"), "Exams like a pattern"),
		chromedp.Click(css("#save-form button[type=submit]")),
		waitJS(fmt.Sprintf(`document.querySelector("#save-status").innerText === "Saved as %s."`, name)),
		chromedp.WaitVisible(css("#param-pattern")),
		chromedp.SendKeys(css("#param-pattern"), "%Python%"),
		chromedp.Click(css("#saved-run")),
		waitJS(`/rows? ·/.test(document.querySelector("#meta").innerText) && document.querySelector("#result td") !== null`),
	)
	for _, r := range get(t, ctx, "read the grid", gridRows())[1:] {
		if !strings.Contains(r[0], "Python") {
			t.Errorf("exams_like %%Python%%: row %q does not match", r)
		}
	}
}

// savedRun runs a saved query over HTTP and returns its first cell.
func savedRun(t *testing.T, g *gateway, name, query string) string {
	t.Helper()
	res, err := http.Get(g.URL + "/v1/saved/" + name + "/run?format=csv&" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if res.StatusCode != 200 || len(lines) < 2 {
		t.Fatalf("%s?%s: %d %s", name, query, res.StatusCode, b)
	}
	return strings.Split(lines[1], ",")[0]
}

func TestPageSignsInWithToken(t *testing.T) {
	var token string
	g := newGateway(t, server.Options{}, func(store lakegate.TokenStore) {
		tok, rec, err := lakegate.NewToken(lakegate.Principal{User: "ada", Tenant: lakegate.DefaultTenant, Role: lakegate.RoleAnalyst}, 0, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Create(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		token = tok
	})
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "load the page: it asks for a token",
		chromedp.Navigate(g.URL+"/"),
		chromedp.WaitVisible(css("#signin #token")),
	)
	shot(t, ctx, "signin")
	do(t, ctx, "a wrong token is refused and asked again",
		chromedp.SendKeys(css("#token"), "lg_0000000000000000_"+strings.Repeat("0", 64)),
		chromedp.Click(css("#signin-submit")),
		waitJS(`document.querySelector("#signin").open && /not accepted/.test(document.querySelector("#signin-reason").innerText)`),
	)
	do(t, ctx, "the right token lets the page in",
		chromedp.SendKeys(css("#token"), token),
		chromedp.Click(css("#signin-submit")),
		waitJS(`!document.querySelector("#signin").open`),
		waitJS(`document.querySelectorAll("#catalog-tree .table").length > 0`),
		typeSQL(`SELECT count(*) AS attempts FROM assessments.attempts`),
		runKeys(),
		waitJS(`/^1 row/.test(document.querySelector("#meta").innerText)`),
	)
	if got := get(t, ctx, "read the kept token", chromedp.Evaluate[string](`sessionStorage.getItem("lakegate.token")`)); got != token {
		t.Errorf("sessionStorage keeps %q, want the token", got)
	}
	// The download goes through fetch with the same header.
	dir := t.TempDir()
	do(t, ctx, "download as JSON with the token", allowDownloads(dir),
		chromedp.SetValue(css("#dl-format"), "json"),
		chromedp.Click(css("#download")),
	)
	if b := waitFile(t, filepath.Join(dir, "lakegate-result.json")); !strings.Contains(string(b), `"attempts"`) {
		t.Errorf("JSON download: %s", b)
	}
	if !strings.Contains(g.logs.String(), `"user":"ada"`) {
		t.Errorf("the server did not see ada's queries; logs:\n%s", g.logs.String())
	}
}

func TestPageOnNarrowWindowByKeyboard(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "load on a phone-sized window",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(g.URL+"/"),
		waitJS(`document.querySelectorAll("#catalog-tree .table").length > 0`),
	)
	// No horizontal scrolling of the page itself: the grid scrolls inside
	// its own box.
	if w := get(t, ctx, "measure", chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`)); w > 0 {
		t.Errorf("the page is %dpx wider than the window", w)
	}
	// Keyboard only: Tab from the start reaches the skip link, which
	// lands on the editor; Ctrl+Enter runs; Tab reaches Run.
	do(t, ctx, "skip link, type, run by keyboard",
		chromedp.KeyEvent(kb.Tab),
		waitJS(`document.activeElement.classList.contains("skip")`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.KeyEvent(kb.Tab),
		waitJS(`document.activeElement.classList.contains("cm-content")`),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Delete),
		chromedp.KeyEvent("SELECT exam_name, count(*) AS n FROM assessments.attempts GROUP BY 1 ORDER BY 2 DESC LIMIT 5"),
		chromedp.KeyEvent(kb.Escape),
		runKeys(),
		waitJS(`/^5 rows/.test(document.querySelector("#meta").innerText)`),
	)
	shot(t, ctx, "narrow")
}

// TestPageErrorCaretNarrow: on a 390 px window the line in error and its
// caret do not wrap, and the caret sits under the character it marks.
func TestPageErrorCaretNarrow(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "a syntax error far along a long line, on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(g.URL+"/"),
		typeSQL(`SELECT exam_name, count(*) AS attempts, avg(score) AS average_score FROM assessments.attempts GROUP BY 1 ORDERR BY 2`),
		runKeys(),
		chromedp.WaitVisible(css("#error .snippet")),
	)
	// x of the caret, x of the character above it, lines the snippet
	// takes, and its line height.
	m := get(t, ctx, "measure the caret", chromedp.Evaluate[[]float64](`(() => {
		const pre = document.querySelector("#error .snippet"), node = pre.firstChild, t = node.textContent;
		const at = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1); return r.getBoundingClientRect(); };
		const nl = t.indexOf("\n"), caret = t.indexOf("^", nl);
		const lh = parseFloat(getComputedStyle(pre).lineHeight) || at(0).height;
		return [at(caret).left, at(caret - nl - 1).left, pre.scrollHeight / lh, lh];
	})()`))
	if len(m) != 4 || m[0] != m[1] || m[2] > 2.5 {
		t.Errorf("caret at x=%.1f, its character at x=%.1f, snippet %.1f lines (want 2)", m[0], m[1], m[2])
	}
	// The caret is scrolled into view.
	if in := get(t, ctx, "is the caret in view", chromedp.Evaluate[bool](`(() => {
		const pre = document.querySelector("#error .snippet"), node = pre.firstChild, t = node.textContent;
		const r = document.createRange(), i = t.lastIndexOf("^"); r.setStart(node, i); r.setEnd(node, i + 1);
		const c = r.getBoundingClientRect(), box = pre.getBoundingClientRect();
		return c.left >= box.left && c.right <= box.right;
	})()`)); !in {
		t.Error("the caret is scrolled out of view")
	}
	shot(t, ctx, "error-narrow")
}

func TestEditorCompletesCatalogNames(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "type a table prefix",
		chromedp.Navigate(g.URL+"/"),
		waitJS(`document.querySelectorAll("#catalog-tree .table").length > 0`),
		chromedp.Click(css(".cm-content")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Delete),
		chromedp.SendKeys(css(".cm-content"), "SELECT * FROM assessments.att"),
		chromedp.WaitVisible(css(".cm-tooltip-autocomplete")),
	)
	options := get(t, ctx, "read the completions", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".cm-tooltip-autocomplete li")].map(li => li.innerText)`))
	if !slices.ContainsFunc(options, func(o string) bool { return strings.HasPrefix(o, "attempts") }) {
		t.Errorf("completions for assessments.att: %q lack attempts", options)
	}
	shot(t, ctx, "completion")
	do(t, ctx, "accept it and complete a column",
		enter(),
		chromedp.SendKeys(css(".cm-content"), " WHERE exam_"),
		chromedp.WaitVisible(css(".cm-tooltip-autocomplete")),
	)
	options = get(t, ctx, "read the completions", chromedp.Evaluate[[]string](`[...document.querySelectorAll(".cm-tooltip-autocomplete li")].map(li => li.innerText)`))
	if !slices.ContainsFunc(options, func(o string) bool { return strings.HasPrefix(o, "exam_name") }) {
		t.Errorf("completions for exam_: %q lack exam_name", options)
	}
	// Clicking a column in the catalog inserts its name.
	do(t, ctx, "insert from the catalog",
		chromedp.KeyEvent(kb.Escape),
		chromedp.Click(css("#catalog-tree .table summary")),
		chromedp.Click(css("#catalog-tree .table .cols button.ins")),
	)
	col := get(t, ctx, "read the first column", text("#catalog-tree .table .cols button.ins"))
	if doc := get(t, ctx, "read the editor", text(".cm-content")); !strings.Contains(doc, "FROM assessments.attempts WHERE exam_"+col) {
		t.Errorf("editor after completion and insert: %q", doc)
	}
}

// The engine selector sends its engine: DuckDB answers and says so, and a
// gateway without Presto says plainly that it has none.
func TestPageEngineSelector(t *testing.T) {
	g := newGateway(t, server.Options{}, nil)
	ctx := newBrowser(t, 0, 0)
	do(t, ctx, "run on duckdb",
		chromedp.Navigate(g.URL+"/"),
		chromedp.WaitVisible(css(".cm-content")),
		chromedp.SetValue(css("#engine"), "duckdb"),
		typeSQL(`SELECT 1 AS one`),
		runKeys(),
		waitJS(`/^1 row/.test(document.querySelector("#meta").innerText)`),
	)
	if meta := get(t, ctx, "read the meta line", text("#meta")); !strings.Contains(meta, "duckdb") {
		t.Errorf("meta %q does not name the engine", meta)
	}
	do(t, ctx, "ask for presto", chromedp.SetValue(css("#engine"), "presto"), runKeys(), chromedp.WaitVisible(css("#error")))
	if box := get(t, ctx, "read the error", text("#error")); !strings.Contains(box, "engine presto is not configured") {
		t.Errorf("error %q does not say Presto is not configured", box)
	}
}
