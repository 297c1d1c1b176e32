package server

import (
	"sort"

	"github.com/lakegate/lakegate"
)

// openRoutes answer without credentials: the health check for load
// balancers, and the query page with its assets, which must load before
// its sign-in box can ask for a token. Their handlers use no principal.
var openRoutes = map[string]bool{
	"GET /healthz": true,
	"GET /":        true,
	"GET /ui/*":    true,
}

// routeRoles is the role each route needs, by "METHOD path" as registered
// with echo. Whoever adds a route adds it here: a route missing from this
// table needs admin (the server fails closed), and
// TestEveryRouteHasARole fails until it is listed.
//
// Analysts query and read the catalog of their tenant; publishers also
// write into it; admins do everything, including /metrics (whole-server
// figures: scrape it with an admin token).
func routeRoles() map[string]string {
	m := map[string]string{
		"POST /v1/query":                               lakegate.RoleAnalyst,
		"GET /v1/tables":                               lakegate.RoleAnalyst,
		"GET /v1/history":                              lakegate.RoleAnalyst,
		"POST /v1/ingest/assessments":                  lakegate.RolePublisher,
		"POST /v1/events/:stream":                      lakegate.RoleSender,
		"GET /v1/events/:stream":                       lakegate.RoleSender,
		"POST /v1/jobs":                                lakegate.RoleAnalyst,
		"GET /v1/jobs":                                 lakegate.RoleAnalyst,
		"GET /v1/jobs/:id":                             lakegate.RoleAnalyst,
		"GET /v1/jobs/:id/result":                      lakegate.RoleAnalyst,
		"DELETE /v1/jobs/:id":                          lakegate.RoleAnalyst,
		"GET /v1/catalog/databases":                    lakegate.RoleAnalyst,
		"GET /v1/catalog/databases/:db/tables":         lakegate.RoleAnalyst,
		"GET /v1/catalog/tables/:db/:table":            lakegate.RoleAnalyst,
		"GET /v1/catalog/tables/:db/:table/partitions": lakegate.RoleAnalyst,
		"GET /v1/saved":                                lakegate.RoleAnalyst, // saved.go: the tenant's own and the canned queries
		"POST /v1/saved":                               lakegate.RoleAnalyst, // saves into the caller's tenant
		"GET /v1/saved/:name":                          lakegate.RoleAnalyst,
		"DELETE /v1/saved/:name":                       lakegate.RoleAnalyst, // the owner's or an admin's (queries.Library.Delete)
		"GET /v1/saved/:name/run":                      lakegate.RoleAnalyst,
		"POST /v1/saved/:name/run":                     lakegate.RoleAnalyst,
		"GET /metrics":                                 lakegate.RoleAdmin,
	}
	for _, f := range formats {
		m["GET /v1/query."+f.name] = lakegate.RoleAnalyst
	}
	return m
}

var roleTable = routeRoles()

// routeRole is the role a request for the route at path needs, or open
// when it needs no credentials. Unknown routes (404, 405) need only a
// valid caller, so that their answers reveal nothing to strangers.
func (s *Server) routeRole(method, path string) (role string, open bool) {
	key := method + " " + path
	if openRoutes[key] {
		return "", true
	}
	if r, ok := roleTable[key]; ok {
		return r, false
	}
	if s.registered()[key] {
		return lakegate.RoleAdmin, false // registered but not in roleTable: fail closed
	}
	return lakegate.RoleAnalyst, false
}

// registered is the set of "METHOD path" of the server's routes.
func (s *Server) registered() map[string]bool {
	s.auth.routesOnce.Do(func() {
		s.auth.routes = map[string]bool{}
		for _, r := range s.echo.Routes() {
			s.auth.routes[r.Method+" "+r.Path] = true
		}
	})
	return s.auth.routes
}

// Route is one registered route and the role it needs ("" when open).
type Route struct {
	Method, Path, Role string
}

// Routes lists the server's routes with their roles, sorted by path, for
// tests and documentation.
func (s *Server) Routes() []Route {
	var out []Route
	for _, r := range s.echo.Routes() {
		role, open := s.routeRole(r.Method, r.Path)
		if open {
			role = ""
		}
		out = append(out, Route{Method: r.Method, Path: r.Path, Role: role})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Unlisted lists the registered routes that are neither open nor in the
// role table (they need admin until someone decides).
func (s *Server) Unlisted() []Route {
	var out []Route
	for _, r := range s.Routes() {
		if _, ok := roleTable[r.Method+" "+r.Path]; !ok && !openRoutes[r.Method+" "+r.Path] {
			out = append(out, r)
		}
	}
	return out
}
