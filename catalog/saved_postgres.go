package catalog

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/lakegate/lakegate"
)

// SavedQueries is the store of users' saved queries in the same
// PostgreSQL database (table lakegate.saved_queries, migration 0002), so
// every gateway sharing the catalog shares them.
func (p *Postgres) SavedQueries() lakegate.SavedStore { return &savedPG{p: p} }

type savedPG struct{ p *Postgres }

var _ lakegate.SavedStore = (*savedPG)(nil)

func (s *savedPG) List(ctx context.Context, tenant string) ([]lakegate.SavedQuery, error) {
	var out []lakegate.SavedQuery
	err := s.p.read(ctx, func() error {
		rows, err := s.p.pool.Query(ctx, `SELECT doc FROM lakegate.saved_queries WHERE tenant = $1 ORDER BY name`, tenant)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanJSON[lakegate.SavedQuery])
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		if err := fromDoc(&out[i], tenant); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []lakegate.SavedQuery{}
	}
	return out, nil
}

func (s *savedPG) Get(ctx context.Context, tenant, name string) (lakegate.SavedQuery, error) {
	var doc []byte
	err := s.p.read(ctx, func() error {
		err := s.p.pool.QueryRow(ctx, `SELECT doc FROM lakegate.saved_queries WHERE tenant = $1 AND name = $2`, tenant, name).Scan(&doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return savedNotFound(tenant, name)
		}
		return err
	})
	if err != nil {
		return lakegate.SavedQuery{}, err
	}
	var q lakegate.SavedQuery
	if err := json.Unmarshal(doc, &q); err != nil {
		return q, lakegate.Wrap(lakegate.EINTERNAL, err, "saved query %s of tenant %s is damaged", name, tenant)
	}
	return q, fromDoc(&q, tenant)
}

func (s *savedPG) Put(ctx context.Context, tenant string, q lakegate.SavedQuery) error {
	if err := checkSavedKey(tenant, q.Name); err != nil {
		return err
	}
	if s.p.closed.Load() {
		return errClosed()
	}
	doc, err := json.Marshal(toDoc(q, tenant))
	if err != nil {
		return lakegate.Wrap(lakegate.EINTERNAL, err, "saved query %s cannot be encoded", q.Name)
	}
	tag, err := s.p.pool.Exec(ctx, `INSERT INTO lakegate.saved_queries (tenant, name, doc) VALUES ($1, $2, $3)
		ON CONFLICT (tenant, name) DO NOTHING`, tenant, q.Name, doc)
	if err != nil {
		return s.p.fail(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return savedExists(tenant, q.Name)
	}
	return nil
}

func (s *savedPG) Delete(ctx context.Context, tenant, name string) error {
	if s.p.closed.Load() {
		return errClosed()
	}
	tag, err := s.p.pool.Exec(ctx, `DELETE FROM lakegate.saved_queries WHERE tenant = $1 AND name = $2`, tenant, name)
	if err != nil {
		return s.p.fail(ctx, err)
	}
	if tag.RowsAffected() == 0 {
		return savedNotFound(tenant, name)
	}
	return nil
}
