package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/lakegate/lakegate"
)

// Paging of GET /v1/catalog/tables/:db/:table/partitions.
const (
	DefaultPartitionLimit = 100
	MaxPartitionLimit     = 1000
)

// catalogRoutes adds the read-only catalog browser under /v1/catalog.
func (s *Server) catalogRoutes(e *echo.Echo) {
	e.GET("/v1/catalog/databases", s.catalogDatabases)
	e.GET("/v1/catalog/databases/:db/tables", s.catalogTables)
	e.GET("/v1/catalog/tables/:db/:table", s.catalogTable)
	e.GET("/v1/catalog/tables/:db/:table/partitions", s.catalogPartitions)
}

func (s *Server) catalogDatabases(c echo.Context) error {
	cat, err := s.catalogOf(c)
	if err != nil {
		return err
	}
	dbs, err := cat.Databases(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, databasesAnswer{OK: true, Databases: dbs})
}

func (s *Server) catalogTables(c echo.Context) error {
	db := c.Param("db")
	cat, err := s.catalogOf(c)
	if err != nil {
		return err
	}
	ts, err := cat.Tables(c.Request().Context(), db)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, databaseTablesAnswer{OK: true, Database: db, Tables: ts})
}

func (s *Server) catalogTable(c echo.Context) error {
	cat, err := s.catalogOf(c)
	if err != nil {
		return err
	}
	t, err := cat.Table(c.Request().Context(), c.Param("db"), c.Param("table"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, tableAnswer{OK: true, Table: t})
}

// catalogPartitions answers one page of a table's partitions, sorted by
// name; next_offset is null on the last page.
func (s *Server) catalogPartitions(c echo.Context) error {
	limit, err := intParam(c, "limit", DefaultPartitionLimit, 1, MaxPartitionLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(c, "offset", 0, 0, -1)
	if err != nil {
		return err
	}
	db, table := c.Param("db"), c.Param("table")
	cat, err := s.catalogOf(c)
	if err != nil {
		return err
	}
	parts, err := cat.Partitions(c.Request().Context(), db, table)
	if err != nil {
		return err
	}
	total := len(parts)
	page := []lakegate.Partition{}
	var next *int
	if offset < total {
		end := min(offset+limit, total)
		page = parts[offset:end]
		if end < total {
			next = &end
		}
	}
	return c.JSON(http.StatusOK, partitionsAnswer{OK: true, Database: db, Table: table, Partitions: page,
		Total: total, Limit: limit, Offset: offset, NextOffset: next})
}

// intParam reads an integer query parameter in [lo, hi] (hi < 0: no upper
// bound), def when absent.
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	raw := c.QueryParam(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || (hi >= 0 && n > hi) {
		if hi >= 0 {
			return 0, lakegate.Errorf(lakegate.EINVALID,
				"query parameter %s=%q: want an integer from %d to %d (default %d)", name, raw, lo, hi, def)
		}
		return 0, lakegate.Errorf(lakegate.EINVALID,
			"query parameter %s=%q: want an integer of at least %d (default %d)", name, raw, lo, def)
	}
	return n, nil
}
