package server

import (
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// UseTestUsers makes the X-Test-User header name the caller (an analyst of
// the default tenant; without the header, lakegate.Anonymous), for tests of
// per-user limits, jobs and history that need many users but no tokens.
// It replaces the authentication's identify step, which only this _test.go
// file can reach: the real server never reads X-Test-User (auth_test.go
// checks that).
func UseTestUsers(s *Server) {
	s.auth.identify = func(c echo.Context) (lakegate.Principal, string, error) {
		if u := c.Request().Header.Get("X-Test-User"); u != "" {
			return lakegate.Principal{User: u, Tenant: lakegate.DefaultTenant, Role: lakegate.RoleAnalyst}, "", nil
		}
		return lakegate.Anonymous, "", nil
	}
}

// Slots returns the limiter's counters: running and queued queries.
func Slots(s *Server) (active, queued int) { return s.limits.Active(), s.limits.Queued() }
