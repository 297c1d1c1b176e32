package landing_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/internal/peertest"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/landing/landingtest"
)

var hdfsSeq atomic.Int64

// newHDFS opens a fresh lake directory on the HDFS peer.
func newHDFS(t *testing.T) lakegate.Store {
	t.Helper()
	base := peertest.Env(t, "LAKEGATE_TEST_HDFS", "hdfs")
	uri := fmt.Sprintf("%s/lakegate-test/%d-%d", base, time.Now().UnixNano(), hdfsSeq.Add(1))
	s, err := landing.NewHDFS(uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Remove(context.Background(), ".")
		s.Close()
	})
	return s
}

func TestHDFSConformance(t *testing.T) {
	landingtest.Run(t, newHDFS)
}

func TestHDFSURIAndSub(t *testing.T) {
	s := newHDFS(t).(*landing.HDFS)
	landingtest.Put(t, s, "tenants/acme/db/t/a.parquet", "x")
	if uri := s.URI("tenants/acme/db/t/a.parquet"); !strings.HasPrefix(uri, "hdfs://127.0.0.1:") || !strings.HasSuffix(uri, "/tenants/acme/db/t/a.parquet") {
		t.Fatalf("URI = %q", uri)
	}
	sub, err := s.Sub("tenants/acme")
	if err != nil {
		t.Fatal(err)
	}
	if landingtest.Get(t, sub, "db/t/a.parquet") != "x" || sub.Dir() != "" {
		t.Fatal("the tenant's store does not see its file")
	}
	if _, err := s.Sub("../x"); lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Fatalf("Sub(../x): %v", err)
	}
}

func TestHDFSBadURI(t *testing.T) {
	for _, u := range []string{"hdfs://", "hdfs:///x", "hdfs://h:1/x?y=1"} {
		if _, err := landing.NewHDFS(u); lakegate.ErrorCode(err) != lakegate.EINVALID {
			t.Errorf("%s: %v", u, err)
		}
	}
	_, err := landing.NewHDFS("hdfs://127.0.0.1:1/lake")
	if lakegate.ErrorCode(err) != lakegate.EUNAVAILABLE || !strings.Contains(lakegate.ErrorMessage(err), "127.0.0.1:1") {
		t.Errorf("unreachable: %v", err)
	}
}
