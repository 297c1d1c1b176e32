package lakegate

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Sources of a saved query: shipped in the binary, read from the
// queries_dir folder, or saved by a user of a tenant. Only the last can
// be deleted.
const (
	SourceBuiltin = "builtin"
	SourceFolder  = "folder"
	SourceSaved   = "saved"
)

// SavedQuery is one named, parameterized query: a canned business query
// or one a user saved. Parameters are bound by the engine as $name.
type SavedQuery struct {
	Name        string  `json:"name"`
	Title       string  `json:"title"`
	Description string  `json:"description"`
	Chart       string  `json:"chart"`
	Params      []Param `json:"params"`
	SQL         string  `json:"sql"`
	// Dialects holds the query's text for an engine whose SQL differs
	// (by engine name: "presto"); SQL serves every other engine.
	Dialects map[string]string `json:"dialects,omitempty"`
	// Builtin is true for the read-only queries (Source builtin or folder).
	Builtin bool   `json:"builtin"`
	Source  string `json:"source"`
	// Tenant and Owner say who saved a query; empty for read-only ones.
	Tenant  string    `json:"tenant,omitempty"`
	Owner   string    `json:"owner,omitempty"`
	Created time.Time `json:"created,omitzero"`
}

// Param types.
const (
	ParamString  = "string"
	ParamInteger = "integer"
	ParamNumber  = "number"
	ParamBoolean = "boolean"
	ParamDate    = "date" // YYYY-MM-DD, bound as a string: write CAST($p AS DATE)
)

// ParamTypes lists the parameter types in documentation order.
var ParamTypes = []string{ParamString, ParamInteger, ParamNumber, ParamBoolean, ParamDate}

// Param is one declared parameter. Default is nil for a required parameter,
// otherwise a value of the type (string, int64, float64, bool, or a
// "YYYY-MM-DD" string for dates).
type Param struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default any    `json:"default"`
	Help    string `json:"help"`
}

// ValidParamType reports whether t is a known parameter type.
func ValidParamType(t string) bool {
	for _, k := range ParamTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Value converts v, a string (query string, header, command line) or a
// JSON-decoded value (float64, json.Number, bool, string), to the
// parameter's type. The error says what was expected, without naming the
// parameter (callers do).
func (p Param) Value(v any) (any, error) {
	if n, ok := v.(json.Number); ok {
		v = string(n)
	}
	switch p.Type {
	case ParamString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case ParamInteger:
		switch x := v.(type) {
		case string:
			if i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return i, nil
			}
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		}
		return nil, fmt.Errorf("want a whole number such as 10, got %s", show(v))
	case ParamNumber:
		switch x := v.(type) {
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		case int:
			return float64(x), nil
		}
		return nil, fmt.Errorf("want a number such as 0.7, got %s", show(v))
	case ParamBoolean:
		switch x := v.(type) {
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, nil
			}
		case bool:
			return x, nil
		}
		return nil, fmt.Errorf("want true or false, got %s", show(v))
	case ParamDate:
		if s, ok := v.(string); ok {
			s = strings.TrimSpace(s)
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return s, nil
			}
		}
		return nil, fmt.Errorf("want a date such as 2018-01-23, got %s", show(v))
	default:
		return nil, fmt.Errorf("unknown type %q (known: %s)", p.Type, strings.Join(ParamTypes, ", "))
	}
	return nil, fmt.Errorf("want a string, got %s", show(v))
}

func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

// SavedStore keeps the queries users save, per tenant (customer). The
// read-only canned queries are not in it.
//
// List returns a tenant's queries sorted by name (none for an unknown
// tenant). Get returns ENOTFOUND when the tenant has no query of that name.
// Put stores a new query under q.Name: ECONFLICT when the tenant already
// has one of that name, EINVALID for an empty tenant or name. Delete
// returns ENOTFOUND when the tenant has no query of that name. Failures of
// the backing store are EUNAVAILABLE. Returned queries have Source
// SourceSaved, Tenant set, and Default values of the parameter types.
//
// Rules that need the canned queries (ECONFLICT for a name clashing with
// a built-in one, EINVALID for bad SQL or parameters) are the caller's.
type SavedStore interface {
	List(ctx context.Context, tenant string) ([]SavedQuery, error)
	Get(ctx context.Context, tenant, name string) (SavedQuery, error)
	Put(ctx context.Context, tenant string, q SavedQuery) error
	Delete(ctx context.Context, tenant, name string) error
}

// NormalizeDefaults turns the parameter defaults of a query decoded from
// JSON (numbers as float64) back into values of their types.
func (q *SavedQuery) NormalizeDefaults() error {
	for i, p := range q.Params {
		if p.Default == nil {
			continue
		}
		v, err := p.Value(p.Default)
		if err != nil {
			return fmt.Errorf("parameter %s: bad default: %v", p.Name, err)
		}
		q.Params[i].Default = v
	}
	return nil
}
