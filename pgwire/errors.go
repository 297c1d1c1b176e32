package pgwire

import (
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// sqlstates maps lakegate's error codes to PostgreSQL's SQLSTATEs, so
// that clients react as they would to PostgreSQL (57014: cancelled, ...).
var sqlstates = map[string]string{
	lakegate.EINVALID:      "42601", // syntax_error: the engine rejects the SQL
	lakegate.EUNAUTHORIZED: "28P01", // invalid_password
	lakegate.EFORBIDDEN:    "42501", // insufficient_privilege
	lakegate.ENOTFOUND:     "42P01", // undefined_table
	lakegate.ECONFLICT:     "40001", // serialization_failure
	lakegate.ETIMEOUT:      "57014", // query_canceled (statement timeout)
	lakegate.ECANCELED:     "57014",
	lakegate.EUNAVAILABLE:  "57P03", // cannot_connect_now
	lakegate.EBUSY:         "53300", // too_many_connections
	lakegate.ETOOLARGE:     "54000", // program_limit_exceeded
	lakegate.ENOMEM:        "53200", // out_of_memory
	lakegate.EINTERNAL:     "XX000", // internal_error
}

// SQLState is the SQLSTATE of err.
func SQLState(err error) string {
	if s, ok := sqlstates[lakegate.ErrorCode(err)]; ok {
		return s
	}
	return "XX000"
}

func errorResponse(err error) *pgproto3.ErrorResponse {
	return &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: SQLState(err), Message: lakegate.ErrorMessage(err)}
}
