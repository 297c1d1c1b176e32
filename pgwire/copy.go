package pgwire

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/lakegate/lakegate"
)

// copySpec is a COPY ... TO STDOUT, the statement psql's \copy sends.
type copySpec struct {
	sql    string
	csv    bool
	header bool
	delim  byte
}

var (
	copyRE      = regexp.MustCompile(`(?is)^\s*COPY\s+(.+?)\s+TO\s+STDOUT\b(.*?);?\s*$`)
	copyFromRE  = regexp.MustCompile(`(?is)^\s*COPY\s+.+\s+FROM\s+`)
	copyDelimRE = regexp.MustCompile(`(?i)\bDELIMITER\s+(?:AS\s+)?'(.)'`)
	noHeaderRE  = regexp.MustCompile(`(?i)\bHEADER\s+(false|off|0)\b`)
	tableRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)
)

// parseCopy reads a COPY statement; ok is false for anything else.
func parseCopy(sql string) (copySpec, bool, error) {
	m := copyRE.FindStringSubmatch(sql)
	if m == nil {
		if copyFromRE.MatchString(sql) {
			return copySpec{}, true, lakegate.Errorf(lakegate.EFORBIDDEN, "COPY FROM writes; lakegate is read-only over this protocol: ingest with `lakegate ingest` or POST /v1/ingest")
		}
		return copySpec{}, false, nil
	}
	src, opts := strings.TrimSpace(m[1]), strings.ToLower(m[2])
	cp := copySpec{delim: '\t'}
	switch {
	case strings.HasPrefix(src, "(") && strings.HasSuffix(src, ")"):
		cp.sql = src[1 : len(src)-1]
	case tableRE.MatchString(src):
		cp.sql = "SELECT * FROM " + src
	default:
		return copySpec{}, true, lakegate.Errorf(lakegate.EINVALID, "COPY takes a table name or a (query): COPY (SELECT ...) TO STDOUT")
	}
	if strings.Contains(opts, "binary") {
		return copySpec{}, true, lakegate.Errorf(lakegate.EINVALID, "COPY in binary format is not supported: use FORMAT csv or text")
	}
	if strings.Contains(opts, "csv") {
		cp.csv, cp.delim = true, ','
		cp.header = strings.Contains(opts, "header") && !noHeaderRE.MatchString(opts)
	}
	if d := copyDelimRE.FindStringSubmatch(m[2]); d != nil {
		cp.delim = d[1][0]
	}
	return cp, true, nil
}

// copyOut streams the query's rows as COPY data.
func (c *conn) copyOut(cp copySpec) error {
	p := &portal{sql: cp.sql}
	defer p.close()
	if err := c.openPortal(p); err != nil {
		return err
	}
	c.be.Send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(p.cols))})
	if cp.header {
		names := make([]string, len(p.cols))
		for i, col := range p.cols {
			names[i] = cp.field(col.name, false)
		}
		c.be.Send(&pgproto3.CopyData{Data: []byte(strings.Join(names, string(cp.delim)) + "\n")})
	}
	n, buffered := 0, 0
	var line []byte
	for p.rows.Next() {
		line = line[:0]
		for i, v := range p.rows.Values() {
			if i > 0 {
				line = append(line, cp.delim)
			}
			if v == nil {
				line = append(line, cp.null()...)
				continue
			}
			line = append(line, cp.field(string(encodeText(v, p.cols[i].oid)), true)...)
		}
		line = append(line, '\n')
		c.be.Send(&pgproto3.CopyData{Data: line})
		if n, buffered = n+1, buffered+len(line); buffered >= flushEvery {
			if err := c.be.Flush(); err != nil {
				return err
			}
			buffered = 0
		}
	}
	if err := p.rows.Err(); err != nil {
		return err // the ErrorResponse ends the copy
	}
	c.be.Send(&pgproto3.CopyDone{})
	c.be.Send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "COPY %d", n)})
	return nil
}

func (cp copySpec) null() string {
	if cp.csv {
		return ""
	}
	return `\N`
}

// field escapes one value: CSV quoting, or the text format's backslashes.
func (cp copySpec) field(s string, value bool) string {
	if cp.csv {
		if (value && s == "") || strings.ContainsAny(s, string(cp.delim)+"\"\r\n") {
			return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
		}
		return s
	}
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, string(cp.delim), `\`+string(cp.delim)).Replace(s)
}
