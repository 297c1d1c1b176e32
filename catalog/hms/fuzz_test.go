package hms_test

import (
	"net"
	"testing"
	"time"

	"github.com/lakegate/lakegate/catalog/hms"
)

// FuzzConnection sends arbitrary bytes on a connection; whatever they
// are, the service answers a real client next. Seeds: a real call, in
// both transports, and broken ones.
//
//	go test -fuzz FuzzConnection -fuzztime 1m ./catalog/hms
func FuzzConnection(f *testing.F) {
	get := []byte{0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11}
	get = append(get, "get_all_databases"...)
	get = append(get, 0, 0, 0, 1, 0)
	f.Add(get)
	f.Add(append([]byte{0, 0, 0, byte(len(get))}, get...))
	f.Add([]byte{0x80, 0x01, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff})
	f.Add([]byte{0x7f, 0xff, 0xff, 0xff, 0x80, 0x01})
	f.Add([]byte("\x80\x01\x00\x01\x00\x00\x00\x07set_ugi\x00\x00\x00\x01\x0b\x00\x01\xff\xff\xff\xff"))
	addr, _ := serve(f, hms.Options{IdleTimeout: 200 * time.Millisecond, MaxMessageBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(data)
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				break
			}
		}
		c.Close()
		if _, err := client(t, addr, false).GetAllDatabases(ctx); err != nil {
			t.Fatalf("after %q the service stopped answering: %v", data, err)
		}
	})
}
