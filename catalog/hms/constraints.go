package hms

import (
	"context"
	"strings"

	"github.com/beltran/gohive/hive_metastore"
)

// lakegate's tables have no constraints: Presto asks for them when it
// reads a table's definition, and an empty answer is the true one.

func (h *handler) GetPrimaryKeys(ctx context.Context, req *hive_metastore.PrimaryKeysRequest) (*hive_metastore.PrimaryKeysResponse, error) {
	return &hive_metastore.PrimaryKeysResponse{PrimaryKeys: []*hive_metastore.SQLPrimaryKey{}}, nil
}

func (h *handler) GetForeignKeys(ctx context.Context, req *hive_metastore.ForeignKeysRequest) (*hive_metastore.ForeignKeysResponse, error) {
	return &hive_metastore.ForeignKeysResponse{ForeignKeys: []*hive_metastore.SQLForeignKey{}}, nil
}

func (h *handler) GetUniqueConstraints(ctx context.Context, req *hive_metastore.UniqueConstraintsRequest) (*hive_metastore.UniqueConstraintsResponse, error) {
	return &hive_metastore.UniqueConstraintsResponse{UniqueConstraints: []*hive_metastore.SQLUniqueConstraint{}}, nil
}

func (h *handler) GetNotNullConstraints(ctx context.Context, req *hive_metastore.NotNullConstraintsRequest) (*hive_metastore.NotNullConstraintsResponse, error) {
	return &hive_metastore.NotNullConstraintsResponse{NotNullConstraints: []*hive_metastore.SQLNotNullConstraint{}}, nil
}

// GetTableNamesByFilter lists the tables whose parameters (or owner)
// match a Hive filter, e.g. hive_filter_field_params__presto_view = "true",
// which Presto sends to find views: lakegate has none.
func (h *handler) GetTableNamesByFilter(ctx context.Context, db, expr string, max int16) ([]string, error) {
	f, err := parseFilter(expr)
	if err != nil {
		return nil, metaError("get_table_names_by_filter: cannot read the filter " + expr + ": " + err.Error())
	}
	_, loc, err := h.view()
	if err != nil {
		return nil, err
	}
	ts, err := h.tables(ctx, db)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, t := range ts {
		if max >= 0 && len(out) >= int(max) {
			break
		}
		ht := hiveTable(t, loc)
		fields := map[string]string{"hive_filter_field_owner__": ht.Owner}
		for k, v := range ht.Parameters {
			fields["hive_filter_field_params__"+strings.ToLower(k)] = v
		}
		if f(fields) {
			out = append(out, t.Name)
		}
	}
	return out, nil
}
