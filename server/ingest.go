package server

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// Ingester lands one file of nested assessment-attempt JSON (an array or
// NDJSON, plain or gzip) into a tenant, as `lakegate ingest assessments
// --tenant` does.
// name is what the landed rows' source_file records: the upload's own
// name, or http-upload:<id>.
type Ingester func(ctx context.Context, tenant, path, name string) (lakegate.IngestSummary, error)

// ingestAnswer is the JSON answer of POST /v1/ingest/assessments.
type ingestAnswer struct {
	OK     bool                   `json:"ok"`
	Tenant string                 `json:"tenant"`
	Ingest lakegate.IngestSummary `json:"ingest"`
}

// postIngest (publisher) spools the body to the spill directory, then
// lands it into the caller's tenant: an admin may name another with
// ?tenant=; all tenants at once is refused.
func (s *Server) postIngest(c echo.Context) error {
	if s.opt.Ingest == nil {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "this server does not ingest; run `lakegate ingest assessments FILE --tenant T`")
	}
	scope, err := s.scopeOf(c)
	if err != nil {
		return err
	}
	tenant := principalOf(c).Tenant
	if s.opt.Tenancy != nil {
		tenant = scope
	}
	if tenant == lakegate.AllTenants {
		return lakegate.Errorf(lakegate.EINVALID, "ingest lands in one tenant: name it with ?tenant=NAME, not all")
	}
	path, err := s.spoolIngest(c)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	res, err := s.opt.Ingest(c.Request().Context(), tenant, path, uploadName(c))
	if err != nil {
		return err
	}
	s.metrics.CountIngest(res.Landed, res.Duplicates, res.Rejected)
	return c.JSON(http.StatusOK, ingestAnswer{OK: true, Tenant: tenant, Ingest: res})
}

// spoolIngest writes the request body to a temporary file of at most
// MaxIngestBytes.
func (s *Server) spoolIngest(c echo.Context) (string, error) {
	f, err := os.CreateTemp(s.opt.SpillDir, "lakegate-ingest-*.json")
	if err != nil {
		return "", lakegate.Wrap(lakegate.EUNAVAILABLE, err, "cannot spool the upload to spill_dir")
	}
	body := http.MaxBytesReader(c.Response(), c.Request().Body, s.opt.MaxIngestBytes)
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		return f.Name(), nil
	}
	os.Remove(f.Name())
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return "", lakegate.Errorf(lakegate.ETOOLARGE,
			"the upload is larger than max_ingest_bytes (%d bytes); split it, or ingest it with `lakegate ingest`", s.opt.MaxIngestBytes)
	}
	if c.Request().Context().Err() != nil {
		return "", lakegate.Wrap(lakegate.ECANCELED, err, "the upload was canceled")
	}
	return "", lakegate.Wrap(lakegate.EINVALID, err, "the upload could not be read")
}

// uploadName is what an upload is recorded as: ?name=, else the filename of
// a Content-Disposition header (curl -T, browsers), else http-upload:<id>.
// Only the base name is kept, at most 200 bytes of it.
func uploadName(c echo.Context) string {
	name := c.QueryParam("name")
	if name == "" {
		if _, params, err := mime.ParseMediaType(c.Request().Header.Get("Content-Disposition")); err == nil {
			name = params["filename"]
		}
	}
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	if name == "." || name == "/" || name == "" || !utf8.ValidString(name) {
		return "http-upload:" + uuid.NewString()
	}
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	return name
}
