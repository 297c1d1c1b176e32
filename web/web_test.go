package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerServesThePageAndAssets(t *testing.T) {
	tests := []struct{ path, ctype, want string }{
		{"/", "text/html", `src="ui/app.js"`},
		{"/app.js", "javascript", "/v1/query"},
		{"/api.js", "javascript", "Authorization"},
		{"/chart.js", "javascript", "svg"},
		{"/grid.js", "javascript", "aria-sort"},
		{"/panels.js", "javascript", "/v1/saved"},
		{"/editor.js", "javascript", "LakegateEditor"},
		{"/app.css", "text/css", "body"},
	}
	h := Handler()
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), tt.ctype) || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s: %d %q, body lacks %q", tt.path, rec.Code, rec.Header().Get("Content-Type"), tt.want)
		}
	}
}
