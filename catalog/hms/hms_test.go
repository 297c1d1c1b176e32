package hms_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/apache/thrift/lib/go/thrift"
	"github.com/beltran/gohive/hive_metastore"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog/hms"
	"github.com/lakegate/lakegate/engine/enginetest"
)

// oneTenant serves the test lake as tenant "default" (and "other", empty).
type oneTenant struct{ l *enginetest.Lake }

func (o oneTenant) Tenant(name string) (lakegate.Catalog, lakegate.Store, error) {
	if err := lakegate.ValidTenant(name); err != nil {
		return nil, nil, err
	}
	if name != "default" {
		return emptyCatalog{o.l.Catalog}, o.l.Store, nil
	}
	return o.l.Catalog, o.l.Store, nil
}

// emptyCatalog is a tenant with no tables.
type emptyCatalog struct{ lakegate.Catalog }

func (emptyCatalog) Databases(context.Context) ([]lakegate.Database, error) { return nil, nil }
func (emptyCatalog) Tables(_ context.Context, db string) ([]lakegate.Table, error) {
	return nil, lakegate.Errorf(lakegate.ENOTFOUND, "database %s not found", db)
}
func (emptyCatalog) Table(_ context.Context, db, t string) (lakegate.Table, error) {
	return lakegate.Table{}, lakegate.Errorf(lakegate.ENOTFOUND, "table %s.%s not found", db, t)
}

// serve starts the metastore over the engine suite's lake.
func serve(t testing.TB, opt hms.Options) (string, *enginetest.Lake) {
	t.Helper()
	l := enginetest.NewLake(t)
	for _, d := range []string{"2026-01-02", "2026-01-03"} {
		l.Land(t, "assessments", "attempts", d, enginetest.Attempts[d])
	}
	opt.Tenants = oneTenant{l}
	if opt.DefaultTenant == "" {
		opt.DefaultTenant = "default"
	}
	s := hms.New(opt)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return ln.Addr().String(), l
}

// client connects like Hive's own client: binary protocol on a socket.
func client(t testing.TB, addr string, framed bool) *hive_metastore.ThriftHiveMetastoreClient {
	t.Helper()
	var trans thrift.TTransport = thrift.NewTSocketConf(addr, &thrift.TConfiguration{ConnectTimeout: 5 * time.Second, SocketTimeout: 30 * time.Second})
	if framed {
		trans = thrift.NewTFramedTransportConf(trans, nil)
	} else {
		trans = thrift.NewTBufferedTransport(trans, 8192)
	}
	if err := trans.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trans.Close() })
	f := thrift.NewTBinaryProtocolFactoryConf(nil)
	return hive_metastore.NewThriftHiveMetastoreClientFactory(trans, f)
}

var ctx = context.Background()

func TestReads(t *testing.T) {
	addr, l := serve(t, hms.Options{})
	for _, framed := range []bool{false, true} {
		c := client(t, addr, framed)
		dbs, err := c.GetAllDatabases(ctx)
		if err != nil || strings.Join(dbs, ",") != "default,assessments" {
			t.Fatalf("databases %v %v", dbs, err)
		}
		tables, err := c.GetTables(ctx, "assessments", "att*|nope")
		if err != nil || strings.Join(tables, ",") != "attempts" {
			t.Fatalf("tables %v %v", tables, err)
		}
		tb, err := c.GetTable(ctx, "assessments", "attempts")
		if err != nil {
			t.Fatal(err)
		}
		if tb.TableType != "EXTERNAL_TABLE" || tb.Parameters["EXTERNAL"] != "TRUE" || tb.Parameters["numRows"] != "5" ||
			tb.Sd.Location != "file:"+l.Store.URI("assessments/attempts") || !strings.Contains(tb.Sd.InputFormat, "Parquet") ||
			len(tb.PartitionKeys) != 1 || tb.PartitionKeys[0].Type != "date" {
			t.Errorf("table %+v\nsd %+v", tb, tb.Sd)
		}
		names, err := c.GetPartitionNames(ctx, "assessments", "attempts", -1)
		if err != nil || strings.Join(names, ",") != "ingest_date=2026-01-02,ingest_date=2026-01-03" {
			t.Errorf("partition names %v %v", names, err)
		}
		ps, err := c.GetPartitionsByFilter(ctx, "assessments", "attempts", `ingest_date > "2026-01-02"`, -1)
		if err != nil || len(ps) != 1 || ps[0].Values[0] != "2026-01-03" || !strings.HasSuffix(ps[0].Sd.Location, "ingest_date=2026-01-03") {
			t.Errorf("by filter %v %v", ps, err)
		}
		ps, err = c.GetPartitionsByNames(ctx, "assessments", "attempts", []string{"ingest_date=2026-01-02", "ingest_date=1999-01-01"})
		if err != nil || len(ps) != 1 || ps[0].Parameters["numRows"] != "3" {
			t.Errorf("by names %v %v", ps, err)
		}
	}
}

func TestErrors(t *testing.T) {
	addr, _ := serve(t, hms.Options{})
	c := client(t, addr, false)
	_, err := c.GetTable(ctx, "assessments", "nope")
	if _, ok := err.(*hive_metastore.NoSuchObjectException); !ok {
		t.Errorf("unknown table: %T %v", err, err)
	}
	err = c.DropTable(ctx, "assessments", "attempts", true)
	if me, ok := err.(*hive_metastore.MetaException); !ok || !strings.Contains(me.Message, "read-only") || !strings.Contains(me.Message, "lakegate catalog drop") {
		t.Errorf("drop_table: %T %v", err, err)
	}
	if _, err := c.GetAllDatabases(ctx); err != nil {
		t.Errorf("the connection did not survive the refusals: %v", err)
	}
	if _, err := c.SetUgi(ctx, "Not A Tenant", nil); err == nil {
		t.Error("a bad tenant name was taken")
	}
	if _, err := c.SetUgi(ctx, "other", nil); err != nil {
		t.Fatal(err)
	}
	if dbs, _ := c.GetAllDatabases(ctx); strings.Join(dbs, ",") != "default" {
		t.Errorf("tenant other sees %v", dbs)
	}
}

// TestHostileInput: garbage, a truncated frame and a message claiming
// gigabytes each fail their own connection; the service keeps serving.
func TestHostileInput(t *testing.T) {
	addr, _ := serve(t, hms.Options{MaxMessageBytes: 1 << 20, IdleTimeout: 2 * time.Second})
	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x80, 0x01, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff}, // a method name of 2 GB
		{0x7f, 0xff, 0xff, 0xff, 0x80, 0x01},             // a frame of 2 GB
		{0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09, 'g', 'e', 't'},
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(junk)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 1024)
		for {
			if _, err := c.Read(buf); err != nil {
				break // closed by the server, or its idle timeout
			}
		}
		c.Close()
	}
	if _, err := client(t, addr, false).GetAllDatabases(ctx); err != nil {
		t.Fatalf("the service stopped serving: %v", err)
	}
}

func TestManyIdleConnections(t *testing.T) {
	addr, _ := serve(t, hms.Options{MaxConnections: 1100})
	var conns []net.Conn
	for range 1000 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	if _, err := client(t, addr, false).GetAllDatabases(ctx); err != nil {
		t.Fatalf("with 1000 idle connections: %v", err)
	}
}
