package pgwire

import (
	"regexp"
	"sort"
	"strings"

	"github.com/lakegate/lakegate"
)

// session holds a connection's settings: the parameters PostgreSQL
// reports at startup, what the client SETs, and lakegate.engine, the
// engine its queries ask the router for.
type session struct {
	params map[string]string
	inTx   bool // between BEGIN and COMMIT/ROLLBACK (read-only: nothing to undo)
}

// engineSetting chooses the session's engine: auto, duckdb or presto.
const engineSetting = "lakegate.engine"

func newSession(version string, startup map[string]string) *session {
	s := &session{params: map[string]string{
		"server_version": version, "server_encoding": "UTF8", "client_encoding": "UTF8",
		"datestyle": "ISO, MDY", "timezone": "UTC", "integer_datetimes": "on", "intervalstyle": "postgres",
		"standard_conforming_strings": "on", "is_superuser": "off", "application_name": "",
		"search_path": `"$user", public`, "transaction_isolation": "read committed",
		"default_transaction_read_only": "on", "transaction_read_only": "on", "max_identifier_length": "63",
		engineSetting: "auto",
	}}
	for k, v := range startup {
		switch k := strings.ToLower(k); k {
		case "user", "database", "options", "replication":
		default:
			s.params[k] = v
		}
	}
	s.params["session_authorization"] = startup["user"]
	return s
}

// reported are the parameters sent at startup, as PostgreSQL sends them.
func (s *session) reported() []string {
	return []string{"server_version", "server_encoding", "client_encoding", "DateStyle", "TimeZone", "integer_datetimes",
		"IntervalStyle", "standard_conforming_strings", "is_superuser", "application_name", "session_authorization"}
}

func (s *session) get(name string) string { return s.params[strings.ToLower(name)] }

func (s *session) txStatus() byte {
	if s.inTx {
		return 'T'
	}
	return 'I'
}

// command is a statement the session answers itself, not an engine.
type command struct {
	tag     string     // CommandComplete's tag
	columns []string   // SHOW's column, nil for none
	rows    [][]string // SHOW's rows
}

var (
	setRE           = regexp.MustCompile(`(?is)^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?([a-z_][a-z0-9_.]*)\s*(?:=|\s+TO\s+)\s*(.*?)\s*;?\s*$`)
	setTZRE         = regexp.MustCompile(`(?is)^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+(.*?)\s*;?\s*$`)
	showRE          = regexp.MustCompile(`(?is)^\s*SHOW\s+([a-z_][a-z0-9_.]*|ALL)\s*;?\s*$`)
	showIsolationRE = regexp.MustCompile(`(?is)^\s*SHOW\s+TRANSACTION\s+ISOLATION\s+LEVEL\s*;?\s*$`)
	setTxRE         = regexp.MustCompile(`(?is)^\s*SET\s+(?:SESSION\s+CHARACTERISTICS\s+AS\s+)?TRANSACTION\s+(.*?)\s*;?\s*$`)
	isolationRE     = regexp.MustCompile(`(?i)ISOLATION\s+LEVEL\s+(READ\s+UNCOMMITTED|READ\s+COMMITTED|REPEATABLE\s+READ|SERIALIZABLE)`)
	wordRE          = regexp.MustCompile(`(?is)^\s*([a-z]+)(?:\s+([a-z]+))?`)
)

// sessionCommand answers SET, SHOW, RESET, transaction control and the
// statements drivers send to reset a pooled connection; ok is false for
// anything else, which goes to an engine.
func (s *session) sessionCommand(sql string) (cmd command, ok bool, err error) {
	if m := setTZRE.FindStringSubmatch(sql); m != nil {
		s.params["timezone"] = unquote(m[1])
		return command{tag: "SET"}, true, nil
	}
	if m := setTxRE.FindStringSubmatch(sql); m != nil { // Metabase's pool, on every checkout
		if iso := isolationRE.FindStringSubmatch(m[1]); iso != nil {
			s.params["transaction_isolation"] = strings.ToLower(strings.Join(strings.Fields(iso[1]), " "))
		}
		return command{tag: "SET"}, true, nil // every lakegate query reads one snapshot: any level holds
	}
	if m := setRE.FindStringSubmatch(sql); m != nil {
		return s.set(strings.ToLower(m[1]), unquote(m[2]))
	}
	if m := showRE.FindStringSubmatch(sql); m != nil {
		return s.show(strings.ToLower(m[1]))
	}
	if showIsolationRE.MatchString(sql) { // SQLAlchemy asks on connect
		return command{tag: "SHOW", columns: []string{"transaction_isolation"}, rows: [][]string{{s.params["transaction_isolation"]}}}, true, nil
	}
	w := wordRE.FindStringSubmatch(sql)
	if w == nil {
		return command{}, false, nil
	}
	first, second := strings.ToUpper(w[1]), strings.ToUpper(w[2])
	switch first {
	case "BEGIN", "START":
		s.inTx = true
		return command{tag: "BEGIN"}, true, nil
	case "COMMIT", "END":
		s.inTx = false
		return command{tag: "COMMIT"}, true, nil
	case "ROLLBACK", "ABORT":
		if second == "TO" { // ROLLBACK TO SAVEPOINT: the transaction goes on
			return command{tag: "ROLLBACK"}, true, nil
		}
		s.inTx = false
		return command{tag: "ROLLBACK"}, true, nil
	case "SAVEPOINT", "RELEASE": // psycopg's nested transactions; nothing to undo
		return command{tag: first}, true, nil
	case "DISCARD", "RESET", "DEALLOCATE", "UNLISTEN":
		if first == "RESET" && second != "" && second != "ALL" {
			delete(s.params, strings.ToLower(w[2]))
		}
		return command{tag: first + tagSuffix(first, second)}, true, nil
	}
	return command{}, false, nil
}

func tagSuffix(first, second string) string {
	if first == "DISCARD" && second != "" {
		return " " + second
	}
	return ""
}

// set stores a setting; lakegate.engine must name an engine.
func (s *session) set(name, value string) (command, bool, error) {
	if name == engineSetting {
		switch v := strings.ToLower(value); v {
		case "auto", "duckdb", "presto", "default":
			if v == "default" {
				v = "auto"
			}
			s.params[name] = v
			return command{tag: "SET"}, true, nil
		}
		return command{}, true, lakegate.Errorf(lakegate.EINVALID, "lakegate.engine cannot be %q: use auto, duckdb or presto", value)
	}
	s.params[name] = value
	return command{tag: "SET"}, true, nil
}

func (s *session) show(name string) (command, bool, error) {
	if name == "all" {
		names := make([]string, 0, len(s.params))
		for k := range s.params {
			names = append(names, k)
		}
		sort.Strings(names)
		cmd := command{tag: "SHOW", columns: []string{"name", "setting"}}
		for _, k := range names {
			cmd.rows = append(cmd.rows, []string{k, s.params[k]})
		}
		return cmd, true, nil
	}
	v, ok := s.params[name]
	if !ok {
		return command{}, true, lakegate.Errorf(lakegate.ENOTFOUND, "unrecognized configuration parameter %q", name)
	}
	return command{tag: "SHOW", columns: []string{name}, rows: [][]string{{v}}}, true, nil
}

// unquote takes a SET value as written: 'text', "name" or a bare word.
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' && v[len(v)-1] == '\'' || v[0] == '"' && v[len(v)-1] == '"') {
		q := v[:1]
		return strings.ReplaceAll(v[1:len(v)-1], q+q, q)
	}
	return v
}
