package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
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

// countEvents counts the answers of an events route by status.
func (s *Server) countEvents(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := h(c)
		s.metrics.countEventRequest(err)
		return err
	}
}

// postEvents (sender) takes one JSON object or an NDJSON batch.
func (s *Server) postEvents(c echo.Context) error {
	to, err := s.eventsTarget(c)
	if err != nil {
		return err
	}
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
		if err := s.checkType(ev); err != nil {
			return lakegate.Errorf(lakegate.EINVALID, "line %d: %s", n, err)
		}
		events = append(events, ev)
		return nil
	}); err != nil {
		return err
	}
	if len(events) == 0 {
		return lakegate.Errorf(lakegate.EINVALID, "no events in the body: send one JSON object, or one object per line (NDJSON)")
	}
	return s.acceptEvents(c, to, events)
}

// getEvent (sender) takes one event from the query parameters, as a
// tracking pixel or a link would send it; values are strings. tenant is
// the request's scope, not a field.
func (s *Server) getEvent(c echo.Context) error {
	to, err := s.eventsTarget(c)
	if err != nil {
		return err
	}
	ev := map[string]any{}
	for k, vs := range c.QueryParams() {
		if k != "tenant" && len(vs) > 0 {
			ev[k] = vs[len(vs)-1]
		}
	}
	if err := s.checkType(ev); err != nil {
		return lakegate.Errorf(lakegate.EINVALID, "the query parameters: %s, e.g. ?%s=page_view&page=home", err, s.opt.EventTypeField)
	}
	return s.acceptEvents(c, to, []map[string]any{ev})
}

// checkType requires the event type field, a non-empty string: it names
// the event's table, events.<type>.
func (s *Server) checkType(ev map[string]any) error {
	switch t := ev[s.opt.EventTypeField].(type) {
	case string:
		if strings.TrimSpace(t) != "" {
			return nil
		}
		return fmt.Errorf("%s is empty: it names the event's table, events.<%s>", s.opt.EventTypeField, s.opt.EventTypeField)
	case nil:
		if _, ok := ev[s.opt.EventTypeField]; ok {
			return fmt.Errorf("%s is null: it must be a string naming the event's table, events.<%s>", s.opt.EventTypeField, s.opt.EventTypeField)
		}
		return fmt.Errorf("no %s: every event needs one, a string naming its table, events.<%s>", s.opt.EventTypeField, s.opt.EventTypeField)
	default:
		return fmt.Errorf("%s must be a string, not %s", s.opt.EventTypeField, valueKind(t))
	}
}

// valueKind names a decoded JSON value's kind for a message.
func valueKind(v any) string {
	switch v.(type) {
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
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

// decodeObject decodes one line's JSON object, numbers kept as written.
func decodeObject(line []byte) (map[string]any, error) {
	if line[0] != '{' {
		if json.Valid(line) {
			return nil, fmt.Errorf("%s, not a JSON object", describeJSON(line))
		}
		return nil, fmt.Errorf("not JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil {
		return nil, fmt.Errorf("not JSON (%s)", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value on the line")
	}
	return ev, nil
}

// describeJSON names a valid JSON value that is not an object.
func describeJSON(v []byte) string {
	switch v[0] {
	case '[':
		return "a JSON array"
	case '"':
		return "a JSON string"
	case 't', 'f':
		return "a JSON boolean"
	case 'n':
		return "JSON null"
	}
	return "a JSON number"
}

// eventsTo is where a request's events go.
type eventsTo struct {
	stream, tenant string
	log            lakegate.EventLog
}

// eventsTarget checks the stream's name and finds the caller's tenant's
// log, before the body is read.
func (s *Server) eventsTarget(c echo.Context) (eventsTo, error) {
	to := eventsTo{stream: c.Param("stream")}
	if !streamRE.MatchString(to.stream) {
		return to, lakegate.Errorf(lakegate.EINVALID, "stream %q is not a name: use 1 to 128 letters, digits and _ . - (starting with a letter or digit)", to.stream)
	}
	if s.opt.Events == nil {
		return to, lakegate.Errorf(lakegate.EUNAVAILABLE, "this server does not collect events")
	}
	var err error
	if to.tenant, err = s.eventsTenant(c); err != nil {
		return to, err
	}
	if to.log, err = s.opt.Events(to.tenant); err != nil {
		return to, retryLater(c, err)
	}
	return to, nil
}

// acceptEvents completes the events (stream, headers, received_at),
// makes them durable in the caller's tenant's log and answers 202.
func (s *Server) acceptEvents(c echo.Context, to eventsTo, events []map[string]any) error {
	out, err := s.completeEvents(c, to.stream, events)
	if err != nil {
		return err
	}
	if err := to.log.Append(c.Request().Context(), out); err != nil {
		s.metrics.CountEvents(0, len(events))
		return retryLater(c, err)
	}
	s.metrics.CountEvents(len(events), 0)
	return c.JSON(http.StatusAccepted, eventsAnswer{OK: true, Tenant: to.tenant, Accepted: len(out)})
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

// completeEvents adds what the server knows to each event, replacing
// fields of the same names (as the seeds' event.update(request.headers)
// did): stream (the path's), the configured request headers under their
// own names, and received_at (RFC 3339, UTC, nanoseconds).
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
		for k, v := range headers {
			ev[k] = v
		}
		ev["stream"], ev["received_at"] = stream, at
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
