// Package lakegate holds the domain of the lakegate SQL gateway: the
// catalog model (databases, tables, partitions, files), the small interfaces
// the edges implement (Catalog, Store, Engine) and the application error type.
//
// It imports nothing of this module: technology lives in the sub-packages
// (catalog, landing, engine/duckdb, ingest, server, ...) and cmd/lakegate
// wires them.
package lakegate

// Version is the build version; cmd/lakegate overrides it with -ldflags.
var Version = "0.1.0-dev"
