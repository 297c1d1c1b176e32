package server

import (
	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// UseTestUsers makes the X-Test-User header name the caller, standing in
// for authentication (issue 5) in tests of per-user limits and jobs.
func UseTestUsers(s *Server) {
	s.echo.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if u := c.Request().Header.Get("X-Test-User"); u != "" {
				c.Set(principalKey, lakegate.Principal{User: u, Tenant: lakegate.DefaultTenant, Role: lakegate.RoleAnalyst})
			}
			return next(c)
		}
	})
}

// Slots returns the limiter's counters: running and queued queries.
func Slots(s *Server) (active, queued int) { return s.limits.Active(), s.limits.Queued() }
