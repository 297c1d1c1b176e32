package lakegate

// The values an Engine's Rows hand out are engine-neutral, so that the
// server renders every engine's answers the same way and imports no
// engine driver. A value is one of:
//
//	nil                                   NULL
//	bool, string, []byte                  BOOLEAN, text, BLOB
//	int8 … int64, uint8 … uint64          integers
//	*big.Int                              HUGEINT and wider integers
//	float32, float64                      FLOAT, DOUBLE (NaN and ±Inf included)
//	json.Number                           DECIMAL, exact (e.g. "12.345")
//	time.Time                             DATE, TIME, TIMESTAMP[TZ]: the column type tells which
//	[]any                                 LIST and ARRAY
//	map[string]any                        STRUCT
//	Map                                   MAP, in the engine's key order
//	Interval                              INTERVAL
//
// Values of other kinds (an enum, a bit string, a UUID) come as string.
// Nested values hold the same kinds.

// Map is a MAP value: its entries in the order the engine returned them.
type Map struct {
	Keys   []any
	Values []any
}

// Interval is an INTERVAL value. Its JSON form is
// {"days":1,"months":0,"micros":0}.
type Interval struct {
	Days   int32 `json:"days"`
	Months int32 `json:"months"`
	Micros int64 `json:"micros"`
}
