package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// versions names what ran, for the report's first lines.
func (s *systems) versions(ctx context.Context) {
	v := s.r.Versions
	if v == nil {
		v = map[string]string{}
		s.r.Versions = v
	}
	v["DuckDB"] = scalar(ctx, s.duck)
	if s.pg != nil {
		v["PostgreSQL"] = pgScalar(ctx, s.pg, "SHOW server_version")
	}
	if s.c.presto != "" {
		v["Presto"] = prestoVersion(s.c.presto)
	}
	if s.c.python != "" {
		if out, err := execOutput(s.c.python, "-c", "import pyspark; print(pyspark.__version__)"); err == nil {
			v["pyspark"] = strings.TrimSpace(string(out))
		}
	}
}

func scalar(ctx context.Context, db *sql.DB) string {
	var out string
	db.QueryRowContext(ctx, "SELECT version()").Scan(&out)
	return out
}

func pgScalar(ctx context.Context, pool *pgxpool.Pool, q string) string {
	var out string
	pool.QueryRow(ctx, q).Scan(&out)
	return out
}

// prestoVersion asks the coordinator's /v1/info.
func prestoVersion(base string) string {
	res, err := http.Get(strings.TrimRight(base, "/") + "/v1/info")
	if err != nil {
		return "unknown"
	}
	defer res.Body.Close()
	var info struct {
		NodeVersion struct {
			Version string `json:"version"`
		} `json:"nodeVersion"`
	}
	json.NewDecoder(res.Body).Decode(&info)
	return info.NodeVersion.Version
}
