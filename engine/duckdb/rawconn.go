//go:build duckdb_arrow

package duckdb

import (
	"database/sql"
	"fmt"
	"reflect"
	"unsafe"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// rawConn is the C connection under a duckdb-go connection, for the one
// thing duckdb-go (v2.10505) cannot do: a streaming result
// (duckdb_pending_prepared_streaming), which the streamed Arrow export
// needs to keep memory flat. duckdb-go's public Arrow API
// (NewArrowFromConn) runs materialized queries only, and it exposes no
// raw connection, so the unexported field Conn.conn is read here, once,
// while conn is held. This is the only use of reflect and unsafe in the
// engine; TestRawConnLayout fails when a driver upgrade moves the field.
func rawConn(conn *sql.Conn) (bindings.Connection, error) {
	var raw bindings.Connection
	err := conn.Raw(func(dc any) error {
		v := reflect.ValueOf(dc)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		field := v.Elem().FieldByName("conn")
		if !field.IsValid() || field.Type() != reflect.TypeOf(raw) {
			return fmt.Errorf("driver connection %T has no conn field of type %T: duckdb-go's layout changed, update rawConn", dc, raw)
		}
		raw = *(*bindings.Connection)(unsafe.Pointer(field.UnsafeAddr()))
		return nil
	})
	return raw, err
}
