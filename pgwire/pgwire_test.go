package pgwire

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
)

func TestTypeOIDs(t *testing.T) {
	for typ, want := range map[string]uint32{
		"BIGINT": oidInt8, "INTEGER": oidInt4, "DOUBLE": oidFloat8, "DECIMAL(18,3)": oidNumeric, "VARCHAR": oidText,
		"BOOLEAN": oidBool, "DATE": oidDate, "TIMESTAMP": oidTimestamp, "TIMESTAMP WITH TIME ZONE": oidTimestamptz,
		"VARCHAR[]": 1009, "BIGINT[]": 1016, "STRUCT(a INTEGER)": oidJSON, "MAP(VARCHAR, INTEGER)": oidJSON,
		"STRUCT(a INTEGER)[]": oidJSON, "varchar(12)": oidText, "array(bigint)": 1016, "row(a bigint)": oidJSON, "UUID": oidText,
	} {
		if got := typeOID(typ); got != want {
			t.Errorf("typeOID(%q) = %d, want %d", typ, got, want)
		}
	}
}

func TestTextEncoding(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 500000000, time.UTC)
	for _, c := range []struct {
		v    any
		oid  uint32
		want string
	}{
		{true, oidBool, "t"}, {int64(-7), oidInt8, "-7"}, {1.5, oidFloat8, "1.5"}, {json.Number("12.345"), oidNumeric, "12.345"},
		{big.NewInt(1 << 62), oidNumeric, "4611686018427387904"}, {ts, oidDate, "2026-01-02"}, {ts, oidTimestamp, "2026-01-02 03:04:05.5"},
		{ts, oidTimestamptz, "2026-01-02 03:04:05.5+00"}, {[]any{"a b", nil, `q"`, ""}, 1009, `{"a b",NULL,"q\"",""}`},
		{[]any{int64(1), int64(2)}, 1016, "{1,2}"}, {map[string]any{"a": int64(1)}, oidJSON, `{"a":1}`},
		{lakegate.Map{Keys: []any{"k"}, Values: []any{int64(2)}}, oidJSON, `[{"key":"k","value":2}]`},
		{lakegate.Interval{Months: 14, Days: 3, Micros: 3723_500000}, oidInterval, "1 year 2 mons 3 days 01:02:03.5"},
		{[]byte{0xde, 0xad}, oidBytea, `\xdead`},
	} {
		if got := string(encodeText(c.v, c.oid)); got != c.want {
			t.Errorf("encodeText(%v, %d) = %q, want %q", c.v, c.oid, got, c.want)
		}
	}
	if encodeText(nil, oidText) != nil {
		t.Error("NULL is not nil")
	}
}

func TestBinaryEncoding(t *testing.T) {
	b, err := encodeBinary(int64(258), oidInt4)
	if err != nil || binary.BigEndian.Uint32(b) != 258 {
		t.Errorf("int4: %x %v", b, err)
	}
	b, err = encodeBinary(time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC), oidDate)
	if err != nil || binary.BigEndian.Uint32(b) != 1 {
		t.Errorf("date: %x %v", b, err)
	}
	if _, err := encodeBinary(json.Number("12.345"), oidNumeric); err != nil {
		t.Errorf("numeric: %v", err)
	}
	if _, err := encodeBinary([]any{int64(1), nil}, 1016); err != nil {
		t.Errorf("int8[]: %v", err)
	}
}

func TestSessionCommands(t *testing.T) {
	s := newSession(DefaultServerVersion, map[string]string{"user": "ana", "application_name": "psql"})
	for sql, tag := range map[string]string{"SET extra_float_digits = 3": "SET", "set lakegate.engine to 'duckdb'": "SET",
		"BEGIN": "BEGIN", "COMMIT": "COMMIT", "SET TIME ZONE 'UTC'": "SET", "DISCARD ALL": "DISCARD ALL", "show application_name": "SHOW",
		"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED": "SET", "SET TRANSACTION READ ONLY": "SET"} {
		cmd, ok, err := s.sessionCommand(sql)
		if !ok || err != nil || cmd.tag != tag {
			t.Errorf("%s: %v %v %+v", sql, ok, err, cmd)
		}
	}
	if s.get(engineSetting) != "duckdb" || s.get("extra_float_digits") != "3" || s.get("transaction_isolation") != "read uncommitted" {
		t.Errorf("settings: %v", s.params)
	}
	if _, _, err := s.sessionCommand("SET lakegate.engine = 'spark'"); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Errorf("a bad engine: %v", err)
	}
	if _, ok, _ := s.sessionCommand("SELECT 1"); ok {
		t.Error("SELECT taken as a session command")
	}
}

func TestStatementsRecognized(t *testing.T) {
	for sql, want := range map[string]bool{
		"SELECT * FROM pg_catalog.pg_class": true, "select version()": true, "SELECT current_schema()": true,
		"SELECT 'pg_class' FROM assessments.attempts": false, "SELECT 1 -- pg_class": false, "SELECT 'it''s pg_type'": false,
	} {
		if got := isMetadata(sql); got != want {
			t.Errorf("isMetadata(%q) = %v", sql, got)
		}
	}
	if n := countParams("SELECT $1, '$5', $2 -- $9"); n != 2 {
		t.Errorf("countParams = %d", n)
	}
	cp, ok, err := parseCopy(`COPY ( SELECT 1 ) TO STDOUT WITH (FORMAT csv, HEADER)`)
	if !ok || err != nil || !cp.csv || !cp.header || strings.TrimSpace(cp.sql) != "SELECT 1" {
		t.Errorf("copy: %+v %v %v", cp, ok, err)
	}
	if cp, ok, err := parseCopy(`COPY ( SELECT a FROM t ) TO STDOUT WITH (FORMAT csv)`); !ok || err != nil || cp.sql != " SELECT a FROM t " {
		t.Errorf("COPY of a query with FROM: %+v %v", cp, err)
	}
	if _, ok, err := parseCopy("COPY t FROM STDIN"); !ok || lakegate.ErrorCode(err) != lakegate.EFORBIDDEN {
		t.Errorf("COPY FROM: %v %v", ok, err)
	}
	op, ok, err := parseCursor(`DECLARE "c1" NO SCROLL CURSOR WITHOUT HOLD FOR SELECT 1`)
	if !ok || err != nil || op.kind != "declare" || op.name != "c1" || op.sql != "SELECT 1" || op.hold {
		t.Errorf("declare: %+v %v", op, err)
	}
	op, ok, err = parseCursor(`FETCH FORWARD 500 FROM "c1"`)
	if !ok || err != nil || op.kind != "fetch" || op.count != 500 || op.name != "c1" {
		t.Errorf("fetch: %+v %v", op, err)
	}
}

// refusing is a Gateway that lets nobody in: the fuzz test exercises
// the message reader, never an engine.
type refusing struct{}

func (refusing) SignIn(context.Context, string, string) (lakegate.Principal, error) {
	return lakegate.Principal{User: "fuzz", Tenant: "default", Role: lakegate.RoleAnalyst}, nil
}
func (refusing) SignInSCRAM(_ context.Context, user string, proves func(lakegate.SCRAMVerifier) bool) (lakegate.Principal, error) {
	if proves(lakegate.NewSCRAMVerifier(user, "pwd")) {
		return lakegate.Principal{User: user, Tenant: "default", Role: lakegate.RoleAnalyst}, nil
	}
	return lakegate.Principal{}, lakegate.Errorf(lakegate.EUNAUTHORIZED, "no")
}
func (refusing) Open(context.Context, lakegate.Principal, lakegate.WireQuery) (lakegate.Rows, error) {
	return nil, lakegate.Errorf(lakegate.EINVALID, "no engine in this test")
}
func (refusing) Tables(context.Context, lakegate.Principal) ([]lakegate.Table, int64, error) {
	return nil, 0, nil
}

// FuzzConn feeds arbitrary bytes to a connection after a valid startup:
// whatever a client sends, the connection answers or closes, and the
// server neither panics nor hangs.
func FuzzConn(f *testing.F) {
	f.Add([]byte("Q\x00\x00\x00\x0dSELECT 1\x00"))
	f.Add([]byte("P\x00\x00\x00\x10\x00SELECT $1\x00\x00\x00B\x00\x00\x00\x0c\x00\x00\x00\x00\x00\x01\x00\x00S\x00\x00\x00\x04"))
	f.Add([]byte("X\x00\x00\x00\x04"))
	f.Add([]byte("Q\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		password := []byte{'p', 0, 0, 0, 9, 'p', 'w', 'd', 0}
		fuzzConn(t, Options{Cleartext: true}, append(password, data...))
	})
}

// fuzzConn sends a valid startup as user fuzz, then data, to a new
// connection, and fails unless the connection ends (answered or closed)
// within seconds.
func fuzzConn(t *testing.T, opt Options, data []byte) {
	opt.Gateway, opt.MaxMessageBytes, opt.IdleTimeout, opt.StartupTimeout = refusing{}, 1<<16, time.Second, time.Second
	s := New(opt)
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() { newConn(s, server).serve(); close(done) }()
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := client.Read(buf); err != nil {
				return
			}
		}
	}()
	startup := []byte{0, 0, 0, 0, 0, 3, 0, 0}
	startup = append(startup, "user\x00fuzz\x00\x00"...)
	binary.BigEndian.PutUint32(startup, uint32(len(startup)))
	client.SetDeadline(time.Now().Add(2 * time.Second))
	client.Write(startup)
	client.Write(data)
	client.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the connection did not end")
	}
}
