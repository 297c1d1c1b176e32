package server

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// record logs one finished query.
func (s *Server) record(c echo.Context, q *call, err error) {
	status := http.StatusOK
	if err != nil {
		status = Status(err)
	}
	s.log.Info("query", "query_id", q.ID, "user", q.User, "sql", q.SQL, "engine", s.opt.Engine.Name(),
		"format", q.Format, "status", status, "code", lakegate.ErrorCode(err), "rows", q.Rows,
		"cached", q.Cached, "elapsed_ms", float64(time.Since(q.Start).Microseconds())/1000)
}
