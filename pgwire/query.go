package pgwire

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// column is one result column as the protocol describes it.
type column struct {
	name string
	oid  uint32
}

func columnsOf(cols []lakegate.Column) []column {
	out := make([]column, len(cols))
	for i, c := range cols {
		out[i] = column{name: c.Name, oid: typeOID(c.Type)}
	}
	return out
}

// rowDescription describes cols in the given result formats (one code
// for all, one per column, or none for text).
func rowDescription(cols []column, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, c := range cols {
		rd.Fields[i] = pgproto3.FieldDescription{Name: []byte(c.name), DataTypeOID: c.oid, DataTypeSize: typeSize(c.oid),
			TypeModifier: -1, Format: formatOf(formats, i)}
	}
	return rd
}

func formatOf(formats []int16, i int) int16 {
	switch {
	case len(formats) == 0:
		return 0
	case len(formats) == 1:
		return formats[0]
	case i < len(formats):
		return formats[i]
	}
	return 0
}

// open runs sql: catalog queries on the Metadata, the rest through the
// gateway's pipeline with the session's engine.
func (c *conn) open(ctx context.Context, sql string, params []any) (lakegate.Rows, error) {
	if c.s.opt.Metadata != nil && isMetadata(sql) {
		tables, version, err := c.s.opt.Gateway.Tables(ctx, c.who)
		if err != nil {
			return nil, err
		}
		return c.s.opt.Metadata.Query(ctx, tables, version, sql, params)
	}
	q := lakegate.WireQuery{Query: lakegate.Query{SQL: sql}, Protocol: lakegate.ProtocolPG}
	if e := c.session.get(engineSetting); e != "auto" {
		q.Engine = e
	}
	if len(params) > 0 {
		q.Params = params
	}
	return c.s.opt.Gateway.Open(ctx, c.who, q)
}

// metadataRE finds what only PostgreSQL's catalog answers: its schemas,
// its pg_* relations and functions, and the session functions tools call
// on connect.
var metadataRE = regexp.MustCompile(`(?i)\b(pg_catalog|information_schema|pg_[a-z_]+|current_schema|current_database|current_user|session_user|current_setting|has_[a-z_]+_privilege|format_type|obj_description|col_description)\b|\bversion\s*\(\s*\)`)

func isMetadata(sql string) bool { return metadataRE.MatchString(stripLiterals(sql)) }

// stripLiterals blanks quoted strings and comments, so that a word inside
// a string ('pg_class') does not send a query to the catalog.
func stripLiterals(sql string) string {
	b := []byte(sql)
	inString := false // '' inside a string ends it and starts it again
	for i := 0; i < len(b); i++ {
		switch {
		case inString:
			inString = b[i] != '\''
			b[i] = ' '
		case b[i] == '\'':
			inString, b[i] = true, ' '
		case b[i] == '-' && i+1 < len(b) && b[i+1] == '-':
			for ; i < len(b) && b[i] != '\n'; i++ {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// simpleQuery answers a Query message: rows in text, then ReadyForQuery.
func (c *conn) simpleQuery(sql string) {
	defer func() { c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.session.txStatus()}) }()
	if strings.Trim(sql, " \t\r\n;") == "" {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	if cmd, ok, err := c.session.sessionCommand(sql); ok || err != nil {
		if err == nil {
			c.sendCommand(cmd, nil, true)
		} else {
			c.be.Send(errorResponse(err))
		}
		return
	}
	if op, ok, err := parseCursor(sql); ok || err != nil {
		if err == nil {
			err = c.cursorStatement(op, nil, nil, true)
		}
		if err != nil {
			c.be.Send(errorResponse(err))
		}
		return
	}
	if cp, ok, err := parseCopy(sql); ok || err != nil {
		if err == nil {
			err = c.copyOut(cp)
		}
		if err != nil {
			c.be.Send(errorResponse(err))
		}
		return
	}
	p := &portal{sql: sql}
	defer p.close()
	if err := c.openPortal(p); err != nil {
		c.be.Send(errorResponse(err))
		return
	}
	c.be.Send(rowDescription(p.cols, nil))
	if err := c.sendRows(p, 0); err != nil {
		c.be.Send(errorResponse(err))
	}
}

// sendCommand answers a session command: SHOW's rows, then its tag.
func (c *conn) sendCommand(cmd command, formats []int16, describe bool) {
	if cmd.tag == "COMMIT" || cmd.tag == "ROLLBACK" {
		c.closeCursors("", false) // cursors WITHOUT HOLD end with their transaction
	}
	if cmd.columns != nil {
		cols := make([]column, len(cmd.columns))
		for i, n := range cmd.columns {
			cols[i] = column{name: n, oid: oidText}
		}
		if describe {
			c.be.Send(rowDescription(cols, formats))
		}
		for _, r := range cmd.rows {
			dr := &pgproto3.DataRow{Values: make([][]byte, len(r))}
			for i, v := range r {
				dr.Values[i] = []byte(v)
			}
			c.be.Send(dr)
		}
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(cmd.tag)})
}

// flushEvery bounds what waits in the write buffer while rows stream.
const flushEvery = 256 << 10

// sendRows sends up to max rows of p (0: all) as DataRows; PortalSuspended
// when it stopped at max, else CommandComplete.
func (c *conn) sendRows(p *portal, max int) error {
	_, end, err := c.streamRows(p, p.formats, max)
	switch {
	case err != nil:
		return err
	case end:
		p.finish()
		c.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", p.sent)})
	default:
		c.be.Send(&pgproto3.PortalSuspended{})
	}
	return nil
}

// streamRows sends up to max rows of p's cursor (0: all) in formats,
// flushing as it goes; end reports that the cursor is exhausted.
func (c *conn) streamRows(p *portal, formats []int16, max int) (n int, end bool, err error) {
	buffered := 0
	for max == 0 || n < max {
		if !p.rows.Next() {
			return n, true, p.rows.Err()
		}
		dr, size, err := p.dataRow(formats)
		if err != nil {
			return n, false, err
		}
		c.be.Send(dr)
		n, p.sent, buffered = n+1, p.sent+1, buffered+size
		if buffered >= flushEvery {
			if err := c.be.Flush(); err != nil {
				return n, false, err
			}
			buffered = 0
		}
	}
	return n, false, nil
}
