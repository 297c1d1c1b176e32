package server

import "github.com/labstack/echo/v4"

// admit waits for a slot to run q and returns the function that frees it.
// (Concurrency limits and the queue land here; today every query runs.)
func (s *Server) admit(c echo.Context, q *call) (release func(), err error) {
	return func() {}, nil
}
