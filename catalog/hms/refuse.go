package hms

import (
	"strings"

	"github.com/beltran/gohive/hive_metastore"
)

// unserved answers every method of the metastore API with a MetaException
// (unserved_gen.go); handler overrides the ones lakegate serves.
type unserved struct{}

// writePrefixes start the names of the methods that would change the
// catalog, data or security; lakegate's metastore is read-only.
var writePrefixes = []string{"create_", "drop_", "alter_", "add_", "append_", "rename_", "truncate_",
	"update_", "delete_", "exchange_", "grant_", "revoke_", "lock", "unlock", "open_txn", "commit_txn",
	"abort_txn", "heartbeat", "compact", "set_", "mark_", "insert_", "write_", "fire_", "cm_", "partition_name_has",
	"setMetaConf", "seed_", "allocate_", "repl_", "cache_file_metadata", "clear_file_metadata", "put_file_metadata",
	"create", "drop", "alter", "flush"}

// refuse is the MetaException of a method lakegate does not serve, with
// the lakegate command to use instead for a write.
func refuse(method string) error {
	for _, p := range writePrefixes {
		if strings.HasPrefix(method, p) {
			return metaError(method + ": lakegate's metastore is read-only; " + writeHint(method))
		}
	}
	return metaError(method + " is not served by lakegate's metastore (it serves reads of databases, tables, partitions, their statistics and configuration)")
}

// writeHint names what to run instead of a write.
func writeHint(method string) string {
	switch {
	case strings.Contains(method, "partition"):
		return "land partitions with `lakegate ingest`, pick up files with `lakegate catalog repair DB.TABLE`, remove one with `lakegate catalog drop DB.TABLE --partition NAME`"
	case strings.Contains(method, "table"):
		return "make tables with `lakegate ingest` or `lakegate catalog register --db DB --table TABLE --location PATH`, remove them with `lakegate catalog drop DB.TABLE`"
	case strings.Contains(method, "database"):
		return "databases appear with their first table (`lakegate ingest`, `lakegate catalog register`)"
	case strings.Contains(method, "statistics"):
		return "lakegate keeps each table's and partition's statistics itself, at every commit"
	}
	return "change the lake and the catalog through lakegate's own commands (lakegate --help)"
}

func metaError(msg string) error {
	return &hive_metastore.MetaException{Message: msg}
}

func noSuchObject(msg string) error {
	return &hive_metastore.NoSuchObjectException{Message: msg}
}
