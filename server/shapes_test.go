package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/server"
)

// routeShapes is every route with the top-level keys of its JSON answer
// ("" for routes that answer another format). A job's status carries
// columns, result and expires_at once it succeeded, deleted once deleted. TestRouteShapes fails when
// a route is missing here or answers other keys.
var routeShapes = []struct {
	method, path string // as registered
	target, body string // a request that succeeds
	keys         string
}{
	{"POST", "/v1/query", "/v1/query", `{"sql":"SELECT 1 AS n"}`, "cached columns elapsed_ms engine ok query_id route_reason row_count rows truncated"},
	{"GET", "/v1/query.json", "/v1/query.json?sql=SELECT+1", "", "cached columns elapsed_ms engine ok query_id route_reason row_count rows truncated"},
	{"GET", "/v1/query.csv", "/v1/query.csv?sql=SELECT+1", "", ""},
	{"GET", "/v1/query.tsv", "/v1/query.tsv?sql=SELECT+1", "", ""},
	{"GET", "/v1/query.ndjson", "/v1/query.ndjson?sql=SELECT+1", "", ""},
	{"GET", "/v1/query.arrow", "/v1/query.arrow?sql=SELECT+1", "", ""},
	{"GET", "/v1/query.parquet", "/v1/query.parquet?sql=SELECT+1", "", ""},
	{"GET", "/v1/tables", "/v1/tables", "", "ok tables"},
	{"POST", "/v1/ingest/assessments", "/v1/ingest/assessments", "[]", "ingest ok tenant"},
	{"POST", "/v1/events/:stream", "/v1/events/web", `{"event_type":"click"}`, "accepted ok tenant"},
	{"GET", "/v1/events/:stream", "/v1/events/web?event_type=click&x=1", "", "accepted ok tenant"},
	{"GET", "/healthz", "/healthz", "", "engine lake ok status version"},
	{"GET", "/metrics", "/metrics", "", ""},
	{"GET", "/v1/catalog/databases", "/v1/catalog/databases", "", "databases ok"},
	{"GET", "/v1/catalog/databases/:db/tables", "/v1/catalog/databases/assessments/tables", "", "database ok tables"},
	{"GET", "/v1/catalog/tables/:db/:table", "/v1/catalog/tables/assessments/attempts", "", "ok table"},
	{"GET", "/v1/catalog/tables/:db/:table/partitions", "/v1/catalog/tables/assessments/attempts/partitions", "", "database limit next_offset offset ok partitions table total"},
	{"POST", "/v1/jobs", "/v1/jobs", `{"sql":"SELECT 1"}`, "created elapsed_ms engine job_id ok query_id route_reason rows state"},
	{"GET", "/v1/jobs", "/v1/jobs", "", "jobs ok"},
	{"GET", "/v1/jobs/:id", "/v1/jobs/{job}", "", "columns created elapsed_ms engine expires_at job_id ok query_id result route_reason rows state"},
	{"GET", "/v1/jobs/:id/result", "/v1/jobs/{job}/result", "", "columns elapsed_ms engine job_id ok query_id route_reason row_count rows truncated"},
	{"DELETE", "/v1/jobs/:id", "/v1/jobs/{job}", "", "columns created deleted elapsed_ms engine job_id ok query_id route_reason rows state"},
	{"GET", "/v1/history", "/v1/history", "", "ok queries"},
	{"GET", "/v1/saved", "/v1/saved", "", "ok queries"},
	{"POST", "/v1/saved", "/v1/saved", newQuery, "ok query"},
	{"GET", "/v1/saved/:name", "/v1/saved/mine", "", "ok query"},
	{"GET", "/v1/saved/:name/run", "/v1/saved/mine/run", "", "cached columns elapsed_ms engine ok query_id route_reason row_count rows truncated"},
	{"POST", "/v1/saved/:name/run", "/v1/saved/mine/run", "", "cached columns elapsed_ms engine ok query_id route_reason row_count rows truncated"},
	{"DELETE", "/v1/saved/:name", "/v1/saved/mine", "", "deleted ok"},
	{"GET", "/", "/", "", ""},
	{"GET", "/ui/*", "/ui/x", "", ""},
}

func TestRouteShapes(t *testing.T) {
	opt := server.Options{MaxRows: 3, UI: http.NotFoundHandler(),
		Ingest: func(context.Context, string, string, string) (lakegate.IngestSummary, error) {
			return lakegate.IngestSummary{Files: 1}, nil
		},
		Events: func(string) (lakegate.EventLog, error) { return &memLog{}, nil }}
	f := savedFixture(t, opt)
	var have []string
	for _, r := range f.srv.Handler().(*echo.Echo).Routes() {
		have = append(have, r.Method+" "+r.Path)
	}
	var listed []string
	for _, r := range routeShapes {
		listed = append(listed, r.method+" "+r.path)
	}
	for _, r := range have {
		if !slices.Contains(listed, r) {
			t.Errorf("route %s is missing from routeShapes", r)
		}
	}
	job := ""
	for _, r := range routeShapes {
		if !slices.Contains(have, r.method+" "+r.path) {
			t.Errorf("routeShapes lists %s %s, which the server does not have", r.method, r.path)
			continue
		}
		target := strings.ReplaceAll(r.target, "{job}", job)
		rec := f.do(t, r.method, target, "application/json", r.body) // as the admin of auth none
		if rec.Code >= 300 && r.path != "/" && r.path != "/ui/*" {
			t.Errorf("%s %s: status %d: %s", r.method, target, rec.Code, rec.Body)
			continue
		}
		if r.keys == "" {
			continue
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("%s %s: not a JSON object: %v", r.method, target, err)
			continue
		}
		if got := sortedKeys(body); got != r.keys {
			t.Errorf("%s %s: keys %q, want %q", r.method, r.path, got, r.keys)
		}
		if r.method == "POST" && r.path == "/v1/jobs" {
			json.Unmarshal(body["job_id"], &job)
			await(t, f, "", job)
		}
	}
}

func sortedKeys(m map[string]json.RawMessage) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}
