package server

import (
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// Headers naming the engine that answers and why, on every query answer
// (also streamed ones and cache hits).
const (
	engineHeader = "X-Lakegate-Engine"
	routeHeader  = "X-Lakegate-Route-Reason"
)

// route picks the engine of a query or job: the router's choice
// (Options.Router) for the scope, else the scope's one engine, home. The
// engine asked for is the body's engine field or ?engine=.
func (s *Server) route(c echo.Context, scope string, home lakegate.Engine, req request) (lakegate.Route, error) {
	want, err := wantedEngine(c, req)
	if err != nil {
		return lakegate.Route{}, err
	}
	var rt lakegate.Route
	if s.opt.Router == nil {
		rt, err = onlyEngine(home, want)
	} else {
		rt, err = s.opt.Router.Route(c.Request().Context(), scope, lakegate.Query{SQL: req.SQL}, want)
	}
	if err != nil {
		return rt, err
	}
	h := c.Response().Header()
	h.Set(engineHeader, rt.Engine.Name())
	h.Set(routeHeader, headerSafe(rt.Reason))
	return rt, nil
}

// wantedEngine is the engine the request names ("" for none).
func wantedEngine(c echo.Context, req request) (string, error) {
	want, param := strings.ToLower(req.Engine), strings.ToLower(c.QueryParam("engine"))
	if want != "" && param != "" && want != param {
		return "", lakegate.Errorf(lakegate.EINVALID, "the body asks for engine %s and ?engine= for %s: name one", want, param)
	}
	if want == "" {
		want = param
	}
	return want, nil
}

// onlyEngine answers for a server with one engine per scope.
func onlyEngine(home lakegate.Engine, want string) (lakegate.Route, error) {
	switch want {
	case "", lakegate.EngineAuto, home.Name():
		return lakegate.Route{Engine: home, Rule: "only", Reason: "the only engine here"}, nil
	case lakegate.EngineDuckDB, lakegate.EnginePresto:
		return lakegate.Route{}, lakegate.Errorf(lakegate.EUNAVAILABLE, "engine %s is not configured on this gateway; ask for engine auto or %s", want, home.Name())
	}
	return lakegate.Route{}, lakegate.Errorf(lakegate.EINVALID, "unknown engine %q: ask for auto, duckdb or presto", want)
}

// headerSafe keeps a reason on one header line.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
