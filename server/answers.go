package server

import (
	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/queries"
)

// The JSON answers of the routes, each in one fixed shape; TestRouteShapes
// holds every route's keys. The query answer is `answer` (render.go), the
// job status `jobStatus` (jobs.go) and errors `errorBody` (server.go).

type healthAnswer struct {
	OK      bool   `json:"ok"`
	Status  string `json:"status"` // ok, or degraded when the lake cannot be read
	Lake    string `json:"lake"`   // ok or unavailable
	Version string `json:"version"`
	Engine  string `json:"engine"`
}

type tablesAnswer struct {
	OK     bool             `json:"ok"`
	Tables []lakegate.Table `json:"tables"`
}

type databasesAnswer struct {
	OK        bool                `json:"ok"`
	Databases []lakegate.Database `json:"databases"`
}

type databaseTablesAnswer struct {
	OK       bool             `json:"ok"`
	Database string           `json:"database"`
	Tables   []lakegate.Table `json:"tables"`
}

type tableAnswer struct {
	OK    bool           `json:"ok"`
	Table lakegate.Table `json:"table"`
}

// partitionsAnswer is one page of a table's partitions; NextOffset is
// null on the last page.
type partitionsAnswer struct {
	OK         bool                 `json:"ok"`
	Database   string               `json:"database"`
	Table      string               `json:"table"`
	Partitions []lakegate.Partition `json:"partitions"`
	Total      int                  `json:"total"`
	Limit      int                  `json:"limit"`
	Offset     int                  `json:"offset"`
	NextOffset *int                 `json:"next_offset"`
}

type historyAnswer struct {
	OK      bool           `json:"ok"`
	Queries []historyEntry `json:"queries"`
}

type jobsAnswer struct {
	OK   bool        `json:"ok"`
	Jobs []jobStatus `json:"jobs"`
}

type savedListAnswer struct {
	OK      bool            `json:"ok"`
	Queries []queries.Query `json:"queries"`
}

type savedAnswer struct {
	OK    bool          `json:"ok"`
	Query queries.Query `json:"query"`
}

type deletedAnswer struct {
	OK      bool   `json:"ok"`
	Deleted string `json:"deleted"`
}

// jobFileHead is the first line of a job's result file.
type jobFileHead struct {
	Columns []lakegate.Column `json:"columns"`
}
