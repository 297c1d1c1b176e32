// Command hms measures lakegate's Hive metastore API (catalog/hms) on a
// table of 10,000 partitions: get_table and get_partitions_by_names (10
// names a call) latency from one client, then 100 clients at once, over
// real sockets with the Thrift client Hive's own bindings generate. The
// catalog is the embedded store, or PostgreSQL with -pg URL.
//
//	go run ./bench/hms [-calls 2000] [-clients 100] [-pg postgres://...]
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/beltran/gohive/hive_metastore"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	ct "github.com/lakegate/lakegate/catalog/catalogtest"
	"github.com/lakegate/lakegate/catalog/hms"
	"github.com/lakegate/lakegate/landing"
)

const partitions = 10_000

func main() {
	calls := flag.Int("calls", 2000, "timed calls per method from one client")
	clients := flag.Int("clients", 100, "clients at once in the load phase")
	pg := flag.String("pg", "", "a postgres:// URL for the catalog (default: the embedded store)")
	flag.Parse()
	if err := run(*calls, *clients, *pg); err != nil {
		fmt.Fprintln(os.Stderr, "hms:", err)
		os.Exit(1)
	}
}

type tenant struct {
	cat   lakegate.Catalog
	store lakegate.Store
}

func (t tenant) Tenant(string) (lakegate.Catalog, lakegate.Store, error) { return t.cat, t.store, nil }

func run(calls, clients int, pg string) error {
	dir, _ := os.MkdirTemp("", "lakegate-hms-bench")
	defer os.RemoveAll(dir)
	cat, err := openCatalog(dir, pg)
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := seed(cat); err != nil {
		return err
	}
	store, _ := landing.NewLocal(dir)
	srv := hms.New(hms.Options{Tenants: tenant{cat, store}, DefaultTenant: "default", MaxConnections: 4 * clients})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()
	store0 := "embedded"
	if pg != "" {
		store0 = "PostgreSQL"
	}
	fmt.Printf("%s catalog, one table of %d partitions\n\n", store0, partitions)
	fmt.Println("| call | clients | calls | p50 ms | p99 ms | max ms | errors |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	for _, m := range methods() {
		for _, n := range []int{1, clients} {
			lat, errs := load(addr, n, calls, m.call)
			fmt.Printf("| %s | %d | %d | %.2f | %.2f | %.2f | %d |\n", m.name, n, len(lat)+errs, pct(lat, 50), pct(lat, 99), pct(lat, 100), errs)
		}
	}
	return nil
}

func openCatalog(dir, pg string) (lakegate.Catalog, error) {
	if pg == "" {
		return catalog.OpenEmbedded(filepath.Join(dir, "_catalog"))
	}
	return catalog.OpenPostgres(context.Background(), pg)
}

func seed(cat lakegate.Catalog) error {
	tc := ct.TableChange("db", "t")
	for i := range partitions {
		date := fmt.Sprintf("d%05d", i)
		tc.Partitions = append(tc.Partitions, ct.Part("db", "t", date, "db/t/"+date+"/0.parquet"))
	}
	_, err := cat.Commit(context.Background(), lakegate.Change{Tables: []lakegate.TableChange{tc}})
	return err
}

type method struct {
	name string
	call func(c *hive_metastore.ThriftHiveMetastoreClient) error
}

func methods() []method {
	return []method{
		{"get_table", func(c *hive_metastore.ThriftHiveMetastoreClient) error {
			_, err := c.GetTable(context.Background(), "db", "t")
			return err
		}},
		{"get_partitions_by_names (10)", func(c *hive_metastore.ThriftHiveMetastoreClient) error {
			names := make([]string, 10)
			for i, p := range rand.Perm(partitions)[:10] {
				names[i] = fmt.Sprintf("ingest_date=d%05d", p)
			}
			ps, err := c.GetPartitionsByNames(context.Background(), "db", "t", names)
			if err == nil && len(ps) != 10 {
				err = fmt.Errorf("%d partitions, want 10", len(ps))
			}
			return err
		}},
	}
}

// load runs calls calls spread over n clients (each its own connection)
// and returns the latencies in ms and the errors.
func load(addr string, n, calls int, call func(*hive_metastore.ThriftHiveMetastoreClient) error) ([]float64, int) {
	var mu sync.Mutex
	var lat []float64
	var errs atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		share := calls / n
		if i < calls%n {
			share++
		}
		wg.Go(func() {
			c, close, err := dial(addr)
			if err != nil {
				errs.Add(int64(share))
				return
			}
			defer close()
			for range share {
				t0 := time.Now()
				err := call(c)
				ms := float64(time.Since(t0).Microseconds()) / 1000
				mu.Lock()
				if err != nil {
					errs.Add(1)
				} else {
					lat = append(lat, ms)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return lat, int(errs.Load())
}

func dial(addr string) (*hive_metastore.ThriftHiveMetastoreClient, func(), error) {
	trans := thrift.NewTBufferedTransport(thrift.NewTSocketConf(addr, &thrift.TConfiguration{ConnectTimeout: 10 * time.Second, SocketTimeout: time.Minute}), 8192)
	if err := trans.Open(); err != nil {
		return nil, nil, err
	}
	return hive_metastore.NewThriftHiveMetastoreClientFactory(trans, thrift.NewTBinaryProtocolFactoryConf(nil)), func() { trans.Close() }, nil
}

func pct(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	i := int(float64(len(xs)-1) * p / 100)
	return xs[i]
}
