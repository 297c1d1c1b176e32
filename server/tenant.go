package server

import (
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// A request works in one scope: its principal's tenant, or, for an admin
// who asks with ?tenant=NAME or ?tenant=all, another tenant or all of
// them. Every engine and catalog a handler touches comes from the scope
// (Options.Tenancy), never from another tenant, so a query cannot reach
// another tenant's files: its engine's DuckDB may not read them.

const scopeKey = "lakegate.scope"

// scopeOf is the tenant the request works in ("" without Options.Tenancy,
// when the one engine and catalog serve everyone).
func (s *Server) scopeOf(c echo.Context) (string, error) {
	if v, ok := c.Get(scopeKey).(string); ok {
		return v, nil
	}
	p := principalOf(c)
	want := c.QueryParam("tenant")
	scope := p.Tenant
	switch {
	case want == "" || want == p.Tenant:
	case !p.Can(lakegate.RoleAdmin):
		return "", lakegate.Errorf(lakegate.EFORBIDDEN, "only admins choose a tenant: %s queries tenant %s; drop ?tenant=", p.User, p.Tenant)
	case want == "all" || want == lakegate.AllTenants:
		scope = lakegate.AllTenants
	default:
		if err := lakegate.ValidTenant(want); err != nil {
			return "", err
		}
		scope = want
	}
	if s.opt.Tenancy == nil {
		scope = ""
	}
	c.Set(scopeKey, scope)
	return scope, nil
}

// engineOf is the engine of the request's scope.
func (s *Server) engineOf(c echo.Context) (lakegate.Engine, error) {
	scope, err := s.scopeOf(c)
	if err != nil || s.opt.Tenancy == nil {
		return s.opt.Engine, err
	}
	return s.opt.Tenancy.Engine(c.Request().Context(), scope)
}

// catalogOf is the catalog of the request's scope.
func (s *Server) catalogOf(c echo.Context) (lakegate.Catalog, error) {
	scope, err := s.scopeOf(c)
	if err != nil || s.opt.Tenancy == nil {
		return s.opt.Catalog, err
	}
	return s.opt.Tenancy.Catalog(scope)
}
