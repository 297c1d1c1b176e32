package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/server"
)

// failingEngine fails every query with an unexpected error that carries a
// server detail, as a bug would.
type failingEngine struct{}

func (failingEngine) Name() string { return "failing" }
func (failingEngine) Query(context.Context, lakegate.Query) (lakegate.Rows, error) {
	return nil, errors.New("boom at /srv/secret/lake")
}
func (failingEngine) Close() error { return nil }

func TestInternalErrorHidden(t *testing.T) {
	f := newFixture(t, server.Options{})
	logs := &bytes.Buffer{}
	srv := server.New(server.Options{Auth: server.AuthOptions{None: true}, Engine: failingEngine{}, Catalog: f.lake.Catalog, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	f.srv = srv
	rec := f.do(t, "POST", "/v1/query", "text/plain", "SELECT 1")
	if rec.Code != 500 {
		t.Errorf("status %d, want 500", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("internal details reached the client: %s", rec.Body)
	}
	golden(t, "error_internal", rec.Body.Bytes())
	if !strings.Contains(logs.String(), "boom at /srv/secret/lake") {
		t.Errorf("the details were not logged:\n%s", logs)
	}
}
