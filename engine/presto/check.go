package presto

import (
	"strings"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/sqlscan"
)

// lakegate's own read-only check for Presto's dialect, before the text
// reaches Presto, whose access control refuses writes again: one
// statement, starting with a reading keyword; an EXPLAIN explains one.
var readKeywords = map[string]bool{"SELECT": true, "WITH": true, "VALUES": true, "TABLE": true,
	"SHOW": true, "DESCRIBE": true, "EXPLAIN": true, "(": true}

// statementKeywords start statements that do something else than read:
// refused as forbidden. Any other word is no statement at all (a typo).
var statementKeywords = map[string]bool{"CREATE": true, "INSERT": true, "UPDATE": true, "DELETE": true,
	"DROP": true, "ALTER": true, "GRANT": true, "REVOKE": true, "DENY": true, "CALL": true, "SET": true,
	"RESET": true, "EXECUTE": true, "PREPARE": true, "DEALLOCATE": true, "START": true, "COMMIT": true,
	"ROLLBACK": true, "BEGIN": true, "USE": true, "MERGE": true, "TRUNCATE": true, "ANALYZE": true,
	"REFRESH": true, "COPY": true, "ATTACH": true, "DETACH": true, "INSTALL": true, "LOAD": true,
	"PRAGMA": true, "EXPORT": true, "IMPORT": true, "CHECKPOINT": true, "VACUUM": true, "COMMENT": true}

const readOnlyHelp = "only read-only queries (SELECT, WITH, VALUES, TABLE, EXPLAIN, DESCRIBE, SHOW) are allowed"

func checkReadOnly(text string) error {
	var toks []sqlscan.Token
	for t := range sqlscan.Tokens(text) {
		toks = append(toks, t)
	}
	for len(toks) > 0 && toks[len(toks)-1].Text == ";" {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return lakegate.Errorf(lakegate.EINVALID, "missing SQL: the query text is empty")
	}
	for _, t := range toks {
		if t.Kind == sqlscan.Punct && t.Text == ";" {
			return lakegate.Errorf(lakegate.EFORBIDDEN, "send one statement per request")
		}
	}
	first := strings.ToUpper(toks[0].Text)
	if !readKeywords[first] {
		if toks[0].Kind == sqlscan.Word && !statementKeywords[first] {
			return lakegate.Errorf(lakegate.EINVALID, "syntax error: %s starts no SQL statement; %s", toks[0].Text, readOnlyHelp)
		}
		return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got %s", readOnlyHelp, first)
	}
	if first == "EXPLAIN" {
		return checkExplained(toks[1:])
	}
	return nil
}

// checkExplained wants the statement after EXPLAIN [ANALYZE] [VERBOSE]
// [(options)] to read: EXPLAIN ANALYZE runs it.
func checkExplained(toks []sqlscan.Token) error {
	for len(toks) > 0 {
		switch w := strings.ToUpper(toks[0].Text); {
		case w == "ANALYZE" || w == "VERBOSE":
			toks = toks[1:]
		case w == "(" && len(toks) > 1 && toks[1].Kind == sqlscan.Word && strings.EqualFold(toks[1].Text, "TYPE") ||
			w == "(" && len(toks) > 1 && toks[1].Kind == sqlscan.Word && strings.EqualFold(toks[1].Text, "FORMAT"):
			depth := 0
			for i, t := range toks {
				if t.Text == "(" {
					depth++
				} else if t.Text == ")" {
					if depth--; depth == 0 {
						toks = toks[i+1:]
						break
					}
				}
			}
		default:
			if !readKeywords[w] || w == "EXPLAIN" || w == "SHOW" || w == "DESCRIBE" {
				return lakegate.Errorf(lakegate.EFORBIDDEN, "%s; got EXPLAIN of %s", readOnlyHelp, w)
			}
			return nil
		}
	}
	return lakegate.Errorf(lakegate.EINVALID, "EXPLAIN of nothing: EXPLAIN a SELECT")
}
