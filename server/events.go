package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	json "github.com/goccy/go-json"
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// EventLogs gives the durable log of a tenant's collected events (Kafka or
// the local log; cmd/lakegate wires it).
type EventLogs func(tenant string) (lakegate.EventLog, error)

// eventsAnswer is the answer of POST and GET /v1/events/{stream}: 202 once
// every event is durable.
type eventsAnswer struct {
	OK       bool   `json:"ok"`
	Tenant   string `json:"tenant"`
	Accepted int    `json:"accepted"`
}

var streamRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// postEvents (sender) takes one JSON object or an NDJSON batch.
func (s *Server) postEvents(c echo.Context) error {
	body := http.MaxBytesReader(c.Response(), c.Request().Body, s.opt.MaxEventBytes)
	data, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return lakegate.Errorf(lakegate.ETOOLARGE, "the events are over max_event_bytes (%d bytes); send smaller batches", s.opt.MaxEventBytes)
	}
	if err != nil {
		return lakegate.Wrap(lakegate.ECANCELED, err, "reading the events")
	}
	var events []map[string]any
	if err := eachLine(data, func(n int, line []byte) error {
		ev, err := decodeObject(line)
		if err != nil {
			return lakegate.Errorf(lakegate.EINVALID, "line %d: %s; send one JSON object, or one object per line (NDJSON)", n, err)
		}
		events = append(events, ev)
		return nil
	}); err != nil {
		return err
	}
	if len(events) == 0 {
		return lakegate.Errorf(lakegate.EINVALID, "no events in the body: send one JSON object, or one object per line (NDJSON)")
	}
	return s.acceptEvents(c, events)
}

// getEvent (sender) takes one event from the query parameters, as a
// tracking pixel or a link would send it.
func (s *Server) getEvent(c echo.Context) error {
	ev := map[string]any{}
	for k, vs := range c.QueryParams() {
		if k != "tenant" && len(vs) > 0 {
			ev[k] = vs[len(vs)-1]
		}
	}
	return s.acceptEvents(c, []map[string]any{ev})
}

// eachLine calls fn for every non-blank line, numbered from 1.
func eachLine(data []byte, fn func(n int, line []byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			if err := fn(n, line); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func decodeObject(line []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("not JSON (%s)", err)
	}
	if ev == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value on the line")
	}
	return ev, nil
}

// acceptEvents completes the events (type, headers, received_at), makes
// them durable in the caller's tenant and answers 202.
func (s *Server) acceptEvents(c echo.Context, events []map[string]any) error {
	stream := c.Param("stream")
	if !streamRE.MatchString(stream) {
		return lakegate.Errorf(lakegate.EINVALID, "stream %q is not a name: use letters, digits and _ . -", stream)
	}
	if s.opt.Events == nil {
		return lakegate.Errorf(lakegate.EUNAVAILABLE, "this server does not collect events")
	}
	tenant, err := s.eventsTenant(c)
	if err != nil {
		return err
	}
	log, err := s.opt.Events(tenant)
	if err != nil {
		return err
	}
	out, err := s.completeEvents(c, stream, events)
	if err != nil {
		return err
	}
	if err := log.Append(c.Request().Context(), out); err != nil {
		s.metrics.CountEvents(0, len(events))
		return retryLater(c, err)
	}
	s.metrics.CountEvents(len(events), 0)
	return c.JSON(http.StatusAccepted, eventsAnswer{OK: true, Tenant: tenant, Accepted: len(out)})
}

// eventsTenant is the caller's tenant (an admin may name one).
func (s *Server) eventsTenant(c echo.Context) (string, error) {
	scope, err := s.scopeOf(c)
	if err != nil {
		return "", err
	}
	tenant := principalOf(c).Tenant
	if s.opt.Tenancy != nil {
		tenant = scope
	}
	if tenant == lakegate.AllTenants {
		return "", lakegate.Errorf(lakegate.EINVALID, "events land in one tenant: name it with ?tenant=NAME, not all")
	}
	return tenant, nil
}

// completeEvents adds what the server knows to each event: its type (the
// stream's name when it names none), the configured request headers and
// received_at.
func (s *Server) completeEvents(c echo.Context, stream string, events []map[string]any) ([][]byte, error) {
	headers := map[string]any{}
	for _, h := range s.opt.EventHeaders {
		if v := requestHeader(c.Request(), h); v != "" {
			headers[h] = v
		}
	}
	at := time.Now().UTC().Format(time.RFC3339Nano)
	out := make([][]byte, len(events))
	for i, ev := range events {
		if t, ok := ev[s.opt.EventTypeField]; !ok || t == nil || t == "" {
			ev[s.opt.EventTypeField] = stream
		} else if _, ok := t.(string); !ok {
			return nil, lakegate.Errorf(lakegate.EINVALID, "event %d: %s must be a string, not %v", i+1, s.opt.EventTypeField, t)
		}
		for k, v := range headers {
			ev[k] = v
		}
		ev["received_at"] = at
		b, err := json.Marshal(ev)
		if err != nil {
			return nil, lakegate.Wrap(lakegate.EINVALID, err, "event %d cannot be encoded", i+1)
		}
		out[i] = b
	}
	return out, nil
}

// requestHeader reads a header; Go keeps Host out of the header map.
func requestHeader(r *http.Request, name string) string {
	if http.CanonicalHeaderKey(name) == "Host" {
		return r.Host
	}
	return r.Header.Get(name)
}

// retryLater sets Retry-After on the answers that ask the client to come
// back: 429 (busy) and 503 (the broker or disk cannot take events now).
func retryLater(c echo.Context, err error) error {
	switch lakegate.ErrorCode(err) {
	case lakegate.EBUSY:
		c.Response().Header().Set("Retry-After", "1")
	case lakegate.EUNAVAILABLE:
		c.Response().Header().Set("Retry-After", "5")
	}
	return err
}
