package pgwire

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// cursorOp is a SQL-level cursor statement: DECLARE, FETCH or CLOSE, as
// psycopg's server-side cursors and pgjdbc's fetch size page a result.
type cursorOp struct {
	kind  string // "declare", "fetch", "close"
	name  string // "" with CLOSE ALL
	sql   string // DECLARE's query
	count int    // FETCH's rows; 0: all
	hold  bool   // WITH HOLD: survives COMMIT
}

var (
	declareRE = regexp.MustCompile(`(?is)^\s*DECLARE\s+("(?:[^"]|"")+"|[a-z_][a-z0-9_]*)\s+((?:BINARY\s+|INSENSITIVE\s+|ASENSITIVE\s+|NO\s+SCROLL\s+|SCROLL\s+)*)CURSOR\s+(WITH(?:OUT)?\s+HOLD\s+)?FOR\s+(.+?)\s*;?\s*$`)
	fetchRE   = regexp.MustCompile(`(?is)^\s*FETCH\s+(?:(NEXT|ALL|FORWARD\s+ALL|FORWARD\s+\d+|FORWARD|\d+)\s+)?(?:FROM\s+|IN\s+)?("(?:[^"]|"")+"|[a-z_][a-z0-9_]*)\s*;?\s*$`)
	closeRE   = regexp.MustCompile(`(?is)^\s*CLOSE\s+("(?:[^"]|"")+"|[a-z_][a-z0-9_]*)\s*;?\s*$`)
)

// parseCursor reads a cursor statement; ok is false for anything else.
func parseCursor(sql string) (cursorOp, bool, error) {
	if m := declareRE.FindStringSubmatch(sql); m != nil {
		if strings.Contains(strings.ToUpper(m[2]), "SCROLL") && !strings.Contains(strings.ToUpper(m[2]), "NO SCROLL") {
			return cursorOp{}, true, lakegate.Errorf(lakegate.EINVALID, "scrollable cursors are not supported: declare it NO SCROLL and fetch forward")
		}
		return cursorOp{kind: "declare", name: identName(m[1]), sql: m[4], hold: strings.HasPrefix(strings.ToUpper(m[3]), "WITH ")}, true, nil
	}
	if m := fetchRE.FindStringSubmatch(sql); m != nil {
		op := cursorOp{kind: "fetch", name: identName(m[2]), count: 1}
		how := strings.ToUpper(strings.Join(strings.Fields(m[1]), " "))
		switch {
		case how == "ALL" || how == "FORWARD ALL":
			op.count = 0
		case how == "" || how == "NEXT" || how == "FORWARD":
		default:
			n, err := strconv.Atoi(strings.TrimPrefix(how, "FORWARD "))
			if err != nil || n < 0 {
				return cursorOp{}, true, lakegate.Errorf(lakegate.EINVALID, "FETCH %s: fetch a count of rows forward", m[1])
			}
			op.count = n
		}
		return op, true, nil
	}
	if m := closeRE.FindStringSubmatch(sql); m != nil {
		if strings.EqualFold(m[1], "ALL") {
			return cursorOp{kind: "close"}, true, nil
		}
		return cursorOp{kind: "close", name: identName(m[1])}, true, nil
	}
	return cursorOp{}, false, nil
}

// identName is an identifier as PostgreSQL folds it.
func identName(s string) string {
	if strings.HasPrefix(s, `"`) {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

// cursorStatement runs a cursor statement: rows for FETCH (described
// first when describe), and its tag.
func (c *conn) cursorStatement(op cursorOp, params []any, formats []int16, describe bool) error {
	switch op.kind {
	case "declare":
		if c.cursors[op.name] != nil {
			return lakegate.Errorf(lakegate.ECONFLICT, "cursor %q already exists; close it first", op.name)
		}
		p := &portal{sql: op.sql, params: params, hold: op.hold}
		if err := c.openPortal(p); err != nil {
			return err
		}
		c.cursors[op.name] = p
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("DECLARE CURSOR")})
	case "fetch":
		p := c.cursors[op.name]
		if p == nil {
			return lakegate.Errorf(lakegate.ENOTFOUND, "cursor %q does not exist", op.name)
		}
		if describe {
			c.be.Send(rowDescription(p.cols, formats))
		}
		n := 0
		if !p.done {
			var end bool
			var err error
			if n, end, err = c.streamRows(p, formats, op.count); err != nil {
				return err
			} else if end {
				p.finish()
			}
		}
		c.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "FETCH %d", n)})
	case "close":
		c.closeCursors(op.name, true)
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("CLOSE CURSOR")})
	}
	return nil
}

// describeCursor describes a FETCH's rows (the cursor's columns).
func (c *conn) describeCursor(op cursorOp, formats []int16) {
	if p := c.cursors[op.name]; op.kind == "fetch" && p != nil {
		c.be.Send(rowDescription(p.cols, formats))
		return
	}
	c.be.Send(&pgproto3.NoData{})
}

// closeCursors closes one cursor (name), or every one (""); at a
// transaction's end (all false) those WITH HOLD stay.
func (c *conn) closeCursors(name string, all bool) {
	for n, p := range c.cursors {
		if (name == "" || n == name) && (all || !p.hold) {
			p.close()
			delete(c.cursors, n)
		}
	}
}
