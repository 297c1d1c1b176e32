package web_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/engine/duckdb"
	"github.com/lakegate/lakegate/generate"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/internal/testlog"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/queries"
	"github.com/lakegate/lakegate/server"
	"github.com/lakegate/lakegate/web"
)

var update = flag.Bool("update", false, "also write the screenshots to testdata/screenshots (and docs/query-page.png)")

// gateway is a real server (DuckDB engine, embedded catalog, generated
// assessments ingested into a temporary lake) serving the page on a
// loopback port.
type gateway struct {
	URL  string
	logs *syncBuffer
}

// syncBuffer is a log buffer safe for the server's goroutines and the test.
type syncBuffer = testlog.Buffer

// lakeOnce builds the lake once per test binary; each gateway copies
// nothing and opens it read-only through its own engine.
var (
	lakeOnce sync.Once
	lakeDir  string
	lakeErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if lakeDir != "" {
		os.RemoveAll(lakeDir)
	}
	os.Exit(code)
}

func testLake(t *testing.T) string {
	t.Helper()
	lakeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lakegate-web-test-")
		if err != nil {
			lakeErr = err
			return
		}
		lakeDir = dir
		lakeErr = buildLake(dir)
	})
	if lakeErr != nil {
		t.Fatalf("building the test lake: %v", lakeErr)
	}
	return lakeDir
}

func buildLake(dir string) error {
	src := filepath.Join(dir, "_incoming", "assessments.json")
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		return err
	}
	f, err := os.Create(src)
	if err != nil {
		return err
	}
	_, err = generate.Assessments(f, generate.Options{Attempts: 600, Seed: 1})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	store, err := landing.NewLocal(dir)
	if err != nil {
		return err
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(store.Root(), "_catalog"))
	if err != nil {
		return err
	}
	defer cat.Close()
	_, err = ingest.Assessments(context.Background(), ingest.Options{Store: store, Catalog: cat}, src)
	return err
}

// newGateway serves the test lake with the page; opt's engine, catalog,
// saved queries (the canned ones and the catalog's store), logger and UI
// are filled in. Authentication is off unless withAuth is given: then the
// catalog's token store checks tokens and withAuth can add some to it.
func newGateway(t *testing.T, opt server.Options, withAuth func(lakegate.TokenStore)) *gateway {
	t.Helper()
	dir := testLake(t)
	store, err := landing.NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.OpenEmbedded(filepath.Join(store.Root(), "_catalog"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	db, err := duckdb.Open(context.Background(), duckdb.Options{Catalog: cat, Store: store, LakeDir: store.Root(), Threads: 2, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	opt.Auth.None = true
	if withAuth != nil {
		opt.Auth.None, opt.Auth.Tokens = false, cat.Tokens()
		withAuth(cat.Tokens())
	}
	all, err := queries.All()
	if err != nil {
		t.Fatal(err)
	}
	if opt.Queries, err = queries.NewLibrary(cat.SavedQueries(), all); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	opt.Engine, opt.Catalog, opt.UI = db, cat, web.Handler()
	opt.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	srv := server.New(opt)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &gateway{URL: "http://" + ln.Addr().String(), logs: logs}
}

// chromium finds the browser: Debian's chromium, else another Chrome.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH: the browser tests need Debian's chromium (.ci/run installs it)")
	}
	t.Skip("no Chromium on PATH: install Debian's chromium (apt-get install chromium) to run the browser tests")
	return ""
}

// newBrowser starts headless Chromium for one test; width and height set
// the window (0: a laptop screen).
func newBrowser(t *testing.T, width, height int) context.Context {
	t.Helper()
	if width == 0 {
		width, height = 1366, 860
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.WindowSize(width, height),
		chromedp.NoSandbox, // tests often run as root, where Chromium's sandbox cannot start
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser now, so its failure is clear
		t.Fatalf("starting Chromium: %v", err)
	}
	console := &syncBuffer{}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			fmt.Fprintln(console, m.String())
		}
	}()
	ctx = context.WithValue(ctx, consoleKey{}, console)
	// Each step of a test gets its own deadline (below); the browser
	// lives as long as the test.
	return ctx
}

type consoleKey struct{}

// failed fails the test with a screenshot and the page's console.
func failed(t *testing.T, ctx context.Context, what string, err error) {
	t.Helper()
	shot(t, ctx, "failed-"+strings.ReplaceAll(t.Name(), "/", "_"))
	if c, ok := ctx.Value(consoleKey{}).(*syncBuffer); ok && c.String() != "" {
		t.Logf("the page's console:\n%s", c.String())
	}
	t.Fatalf("%s: %v", what, err)
}

// stepTimeout bounds one do or get call.
const stepTimeout = 60 * time.Second

// do runs steps and fails the test, with a screenshot, on error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		failed(t, ctx, what, err)
	}
}

// get runs one action and returns its value; it fails the test on error.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		failed(t, ctx, what, err)
	}
	return v
}

// shot writes a screenshot of the page to the artifacts directory
// ($LAKEGATE_ARTIFACTS/web, else a temporary directory named in the log)
// and, with -update, to testdata/screenshots.
func shot(t *testing.T, ctx context.Context, name string) []byte {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return nil
	}
	dirs := []string{artifacts()}
	if *update {
		dirs = append(dirs, filepath.Join("testdata", "screenshots"))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(d, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
	return png
}

var (
	artifactsOnce sync.Once
	artifactsDir  string
)

func artifacts() string {
	if d := os.Getenv("LAKEGATE_ARTIFACTS"); d != "" {
		return filepath.Join(d, "web")
	}
	artifactsOnce.Do(func() { artifactsDir, _ = os.MkdirTemp("", "lakegate-web-screenshots-") })
	return artifactsDir
}

// css selects by CSS selector.
func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

// typeSQL replaces the editor's text by typing sql into it as a user does.
func typeSQL(sql string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(css(".cm-content")),
		chromedp.Click(css(".cm-content")),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Delete),
		chromedp.SendKeys(css(".cm-content"), sql),
		// Typing opens the completion list; Escape closes it so the
		// keys that follow are not taken as a choice.
		chromedp.KeyEvent(kb.Escape),
	)
}

// runKeys presses Ctrl+Enter in the editor.
func runKeys() chromedp.Action[chromedp.Void] {
	return chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl))
}

// waitJS polls a JavaScript condition until it is true.
func waitJS(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingTimeout(30*time.Second))
}

// gridRows reads the result grid: the header cells, then each row's cells.
func gridRows() chromedp.Action[[][]string] {
	return chromedp.Evaluate[[][]string](`[...document.querySelectorAll("#result tr")].map(tr => [...tr.cells].map(c => c.innerText.trim()))`)
}

// text reads an element's rendered text.
func text(sel string) chromedp.Action[string] {
	return chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, sel))
}

// allowDownloads saves the page's downloads into dir under their own names.
func allowDownloads(dir string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir,
		})
		return err
	})
}

// waitFile waits for a download to land and returns its bytes.
func waitFile(t *testing.T, path string) []byte {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return b
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(filepath.Dir(path))
			t.Fatalf("no %s after 15s (the directory holds %v)", path, entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// enter presses Enter as a keyboard does for an editor that acts on
// keydown (rawKeyDown and keyUp, no char event that would add a newline).
func enter() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
			}); err != nil {
				return err
			}
		}
		return nil
	})
}

// retype replaces a field's value by selecting it all and typing.
func retype(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(css(sel)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.SendKeys(css(sel), value),
	)
}
