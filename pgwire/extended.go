package pgwire

import (
	"context"
	"encoding/binary"
	"maps"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// statement is a parsed (prepared) statement: its text and the
// parameter types the client named (0: unnamed, taken as text).
type statement struct {
	sql       string
	paramOIDs []uint32
}

// portal is a bound statement; once opened it holds the engine's cursor
// (and its query slot) until it is drained or closed, so a client pages
// through any number of rows with Execute's row limit in flat memory.
type portal struct {
	sql     string
	params  []any
	formats []int16
	cmd     *command  // a session command's answer
	cursor  *cursorOp // a cursor statement (DECLARE, FETCH, CLOSE)
	hold    bool      // a cursor declared WITH HOLD
	rows    lakegate.Rows
	cols    []column
	cancel  context.CancelFunc
	sent    int
	done    bool
}

func (p *portal) finish() {
	p.done = true
	p.close()
}

func (p *portal) close() {
	if p.rows != nil {
		p.rows.Close()
		p.rows = nil
	}
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// dataRow encodes the cursor's current row in the portal's formats.
func (p *portal) dataRow(formats []int16) (*pgproto3.DataRow, int, error) {
	vals := p.rows.Values()
	dr := &pgproto3.DataRow{Values: make([][]byte, len(vals))}
	size := 0
	for i, v := range vals {
		var b []byte
		var err error
		if formatOf(formats, i) == 1 {
			b, err = encodeBinary(v, p.cols[i].oid)
		} else {
			b = encodeText(v, p.cols[i].oid)
		}
		if err != nil {
			return nil, 0, lakegate.Errorf(lakegate.EINVALID, "column %s cannot be sent in binary: %v; ask for it in text", p.cols[i].name, err)
		}
		dr.Values[i], size = b, size+len(b)+4
	}
	return dr, size, nil
}

// openPortal starts p's query on an engine.
func (c *conn) openPortal(p *portal) error {
	ctx, cancel := c.startQuery()
	rows, err := c.open(ctx, p.sql, p.params)
	if err != nil {
		cancel()
		return err
	}
	p.rows, p.cancel, p.cols = rows, cancel, columnsOf(rows.Columns())
	return nil
}

func (c *conn) parse(m *pgproto3.Parse) error {
	if m.Name != "" && c.stmts[m.Name] != nil {
		return lakegate.Errorf(lakegate.ECONFLICT, "prepared statement %q already exists; close it first", m.Name)
	}
	c.stmts[m.Name] = &statement{sql: m.Query, paramOIDs: append([]uint32(nil), m.ParameterOIDs...)}
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	st := c.stmts[m.PreparedStatement]
	if st == nil {
		return lakegate.Errorf(lakegate.ENOTFOUND, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if m.DestinationPortal != "" && c.portals[m.DestinationPortal] != nil {
		return lakegate.Errorf(lakegate.ECONFLICT, "portal %q already exists; close it first", m.DestinationPortal)
	}
	params, err := decodeParams(st, m)
	if err != nil {
		return err
	}
	if old := c.portals[m.DestinationPortal]; old != nil {
		old.close()
	}
	p := &portal{sql: st.sql, params: params, formats: append([]int16(nil), m.ResultFormatCodes...)}
	if cmd, ok, err := c.session.sessionCommand(st.sql); err != nil {
		return err
	} else if ok {
		p.cmd = &cmd
	} else if op, ok, err := parseCursor(st.sql); err != nil {
		return err
	} else if ok {
		p.cursor = &op
	}
	c.portals[m.DestinationPortal] = p
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

// describe answers Describe: a statement's parameter types and columns
// (from the query with LIMIT 0 and NULL parameters, so nothing is read),
// a portal's columns (its query starts, Execute reads it).
func (c *conn) describe(m *pgproto3.Describe) error {
	if m.ObjectType == 'P' {
		p := c.portals[m.Name]
		if p == nil {
			p = c.cursors[m.Name] // a DECLAREd cursor is a portal too (psycopg describes it)
		}
		if p == nil {
			return lakegate.Errorf(lakegate.ENOTFOUND, "portal %q does not exist", m.Name)
		}
		return c.describePortal(p)
	}
	st := c.stmts[m.Name]
	if st == nil {
		return lakegate.Errorf(lakegate.ENOTFOUND, "prepared statement %q does not exist", m.Name)
	}
	n := max(len(st.paramOIDs), countParams(st.sql))
	pd := &pgproto3.ParameterDescription{ParameterOIDs: make([]uint32, n)}
	for i := range pd.ParameterOIDs {
		pd.ParameterOIDs[i] = oidText
		if i < len(st.paramOIDs) && st.paramOIDs[i] != 0 {
			pd.ParameterOIDs[i] = st.paramOIDs[i]
		}
	}
	c.be.Send(pd)
	return c.describeStatement(st, n)
}

func (c *conn) describePortal(p *portal) error {
	if p.cmd != nil {
		c.describeCommand(*p.cmd, p.formats)
		return nil
	}
	if p.cursor != nil {
		c.describeCursor(*p.cursor, p.formats)
		return nil
	}
	if p.rows == nil && !p.done {
		if err := c.openPortal(p); err != nil {
			return err
		}
	}
	c.be.Send(rowDescription(p.cols, p.formats))
	return nil
}

func (c *conn) describeCommand(cmd command, formats []int16) {
	if cmd.columns == nil {
		c.be.Send(&pgproto3.NoData{})
		return
	}
	cols := make([]column, len(cmd.columns))
	for i, n := range cmd.columns {
		cols[i] = column{name: n, oid: oidText}
	}
	c.be.Send(rowDescription(cols, formats))
}

func (c *conn) describeStatement(st *statement, n int) error {
	probe := &session{params: maps.Clone(c.session.params)} // describing a SET must not apply it
	if cmd, ok, err := probe.sessionCommand(st.sql); err != nil || ok {
		if err == nil {
			c.describeCommand(cmd, nil)
		}
		return err
	}
	if op, ok, err := parseCursor(st.sql); ok || err != nil {
		if err == nil {
			c.describeCursor(op, nil)
		}
		return err
	}
	if _, ok, _ := parseCopy(st.sql); ok {
		c.be.Send(&pgproto3.NoData{})
		return nil
	}
	p := &portal{sql: "SELECT * FROM (" + strings.TrimRight(strings.TrimSpace(st.sql), ";") + ") AS described LIMIT 0", params: make([]any, n)}
	defer p.close()
	if err := c.openPortal(p); err != nil {
		// Not a query that nests (EXPLAIN, SHOW TABLES, DESCRIBE): run
		// it as it is, with NULL parameters, and read its columns.
		p.close()
		p.sql = st.sql
		if err2 := c.openPortal(p); err2 != nil {
			return err2
		}
	}
	c.be.Send(rowDescription(p.cols, nil))
	return nil
}

func (c *conn) execute(m *pgproto3.Execute) error {
	p := c.portals[m.Portal]
	if p == nil {
		return lakegate.Errorf(lakegate.ENOTFOUND, "portal %q does not exist", m.Portal)
	}
	switch {
	case p.cmd != nil:
		c.sendCommand(*p.cmd, p.formats, false)
		return nil
	case p.cursor != nil:
		return c.cursorStatement(*p.cursor, p.params, p.formats, false)
	case p.done:
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT " + strconv.Itoa(p.sent))})
		return nil
	case p.rows == nil:
		if err := c.openPortal(p); err != nil {
			return err
		}
	}
	err := c.sendRows(p, int(m.MaxRows))
	if err != nil {
		p.close()
	}
	return err
}

func (c *conn) closeObject(m *pgproto3.Close) error {
	if m.ObjectType == 'P' {
		if p := c.portals[m.Name]; p != nil {
			p.close()
			delete(c.portals, m.Name)
		}
	} else {
		delete(c.stmts, m.Name)
	}
	c.be.Send(&pgproto3.CloseComplete{})
	return nil
}

var paramRE = regexp.MustCompile(`\$(\d+)`)

// countParams is the highest $n in sql outside strings and comments.
func countParams(sql string) int {
	n := 0
	for _, m := range paramRE.FindAllStringSubmatch(stripLiterals(sql), -1) {
		if k, err := strconv.Atoi(m[1]); err == nil && k > n && k <= math.MaxUint16 {
			n = k
		}
	}
	return n
}

// decodeParams turns Bind's parameters into values the engine binds:
// numbers and booleans by their type, everything else as text for the
// engine to cast.
func decodeParams(st *statement, m *pgproto3.Bind) ([]any, error) {
	out := make([]any, len(m.Parameters))
	for i, raw := range m.Parameters {
		if raw == nil {
			continue
		}
		oid := uint32(0)
		if i < len(st.paramOIDs) {
			oid = st.paramOIDs[i]
		}
		var err error
		if formatOf(m.ParameterFormatCodes, i) == 1 {
			out[i], err = binaryParam(raw, oid)
		} else {
			out[i], err = textParam(string(raw), oid)
		}
		if err != nil {
			return nil, lakegate.Errorf(lakegate.EINVALID, "parameter $%d: %v", i+1, err)
		}
	}
	return out, nil
}

func textParam(s string, oid uint32) (any, error) {
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case oidFloat4, oidFloat8:
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case oidBool:
		return strconv.ParseBool(strings.TrimSpace(s))
	}
	return s, nil
}

func binaryParam(b []byte, oid uint32) (any, error) {
	n := len(b)
	switch {
	case oid == oidInt2 && n == 2:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case oid == oidInt4 && n == 4:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case oid == oidInt8 && n == 8:
		return int64(binary.BigEndian.Uint64(b)), nil
	case oid == oidFloat4 && n == 4:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case oid == oidFloat8 && n == 8:
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case oid == oidBool && n == 1:
		return b[0] != 0, nil
	case oid == oidText || oid == oidUnknown || oid == 0 || oid == 1043: // 1043: varchar
		return string(b), nil
	case oid == oidBytea:
		return append([]byte(nil), b...), nil
	}
	return nil, lakegate.Errorf(lakegate.EINVALID, "binary parameters of type OID %d are not supported (%d bytes); send it in text format", oid, n)
}
