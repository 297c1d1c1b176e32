package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/ingest"
	"github.com/lakegate/lakegate/internal/peertest"
	"github.com/lakegate/lakegate/landing"
	"github.com/lakegate/lakegate/tenancy"
)

// hmsLake lands two tenants' data in a fresh lake (flags: --lake and what
// goes with it) and serves it with the metastore on; it returns the
// metastore's port.
func hmsLake(t *testing.T, flags []string) (port string) {
	t.Helper()
	for tenant, seed := range map[string]string{"default": "3", "beta": "4"} {
		src := filepath.Join(t.TempDir(), tenant+".json")
		mustRun(t, "generate", "assessments", "--attempts", "800", "--seed", seed, "-o", src)
		mustRun(t, append([]string{"ingest", "assessments", src, "--tenant", tenant}, flags...)...)
	}
	port = freePort(t)
	startApp(t, append([]string{"serve", "--auth", "none", "--hms-addr", "127.0.0.1:" + port}, flags...)...)
	return port
}

// TestMetastorePythonClient: Python's hmsclient 0.1.1 lists what
// `lakegate catalog` lists, per tenant, and a write raises the
// MetaException naming the lakegate command.
func TestMetastorePythonClient(t *testing.T) {
	py := peertest.Env(t, "LAKEGATE_TEST_PYTHON", "python")
	lake := t.TempDir()
	port := hmsLake(t, []string{"--lake", lake})
	script := `
import json, sys
from hmsclient import hmsclient
from hmsclient.genthrift.hive_metastore.ttypes import MetaException
out = {}
for tenant in ("default", "beta"):
    with hmsclient.HMSClient(host="127.0.0.1", port=int(sys.argv[1])) as c:
        c.set_ugi(tenant, [])
        t = c.get_table("assessments", "attempts")
        out[tenant] = {"dbs": c.get_all_databases(), "tables": c.get_all_tables("assessments"),
            "cols": [f.name + " " + f.type for f in t.sd.cols], "location": t.sd.location,
            "rows": t.parameters["numRows"],
            "parts": [p.sd.location for p in c.get_partitions("assessments", "attempts", -1)]}
        try:
            c.drop_table("assessments", "attempts", True)
        except MetaException as e:
            out["write"] = e.message
print(json.dumps(out))
`
	out, err := exec.Command(py, "-c", script, port).CombinedOutput()
	if err != nil {
		t.Fatalf("hmsclient: %v\n%s", err, out)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, tenant := range []string{"default", "beta"} {
		var v struct {
			DBs, Tables, Cols, Parts []string
			Location, Rows           string
		}
		json.Unmarshal(got[tenant], &v)
		ls := mustRun(t, "catalog", "ls", "--lake", lake, "--tenant", tenant)
		for _, table := range v.Tables {
			wantOut(t, "catalog ls", ls, "assessments."+table)
		}
		desc := mustRun(t, "catalog", "describe", "assessments.attempts", "--lake", lake, "--tenant", tenant)
		wantOut(t, "describe", desc, v.Rows+" rows")
		parts := mustRun(t, "catalog", "partitions", "assessments.attempts", "--lake", lake, "--tenant", tenant)
		root := "file:" + lake + "/tenants/" + tenant + "/"
		for _, p := range v.Parts {
			if !strings.HasPrefix(p, root) {
				t.Errorf("%s: partition location %s is not in its part of the lake", tenant, p)
			}
			wantOut(t, "partitions", parts, strings.TrimPrefix(p, root))
		}
		if len(v.Tables) != 4 || len(v.Cols) != 27 || v.Cols[0] != "keen_id string" || v.Location != "file:"+lake+"/tenants/"+tenant+"/assessments/attempts" {
			t.Errorf("%s: %+v", tenant, v)
		}
	}
	if !strings.Contains(string(got["write"]), "read-only") {
		t.Errorf("a write: %s", got["write"])
	}
}

// TestMetastoreSpark: pyspark 4.3 with enableHiveSupport, as in the seeds,
// answers every canned business question as lakegate does, and sees a
// partition landed while it runs, over a local lake and over HDFS.
func TestMetastoreSpark(t *testing.T) {
	t.Run("local", func(t *testing.T) {
		dir := t.TempDir()
		sparkOver(t, []string{"--lake", dir, "--catalog", "embedded:" + filepath.Join(dir, "_catalog")})
	})
	t.Run("hdfs", func(t *testing.T) { sparkOver(t, hdfsLake(t)) })
}

func sparkOver(t *testing.T, lake []string) {
	py := peertest.Env(t, "LAKEGATE_TEST_PYTHON", "python")
	java := peertest.Env(t, "LAKEGATE_TEST_JAVA_HOME", "python")
	port := hmsLake(t, lake)
	cmd := exec.Command(py, "testdata/spark_hms.py", port)
	cmd.Env = append(os.Environ(), "JAVA_HOME="+java, "HADOOP_USER_NAME=default")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(nil, 16<<20)
	if !lines.Scan() {
		cmd.Wait()
		t.Fatalf("spark printed nothing:\n%s", tail(stderr.String()))
	}
	var first struct {
		Tables, Columns, Partitions []string
		Answers                     map[string][][]*string
	}
	if err := json.Unmarshal(lines.Bytes(), &first); err != nil {
		t.Fatalf("%v: %s", err, lines.Text())
	}
	if strings.Join(first.Tables, ",") != "attempts,questions,raw,rejects" || len(first.Columns) != 28 || len(first.Partitions) != 1 {
		t.Errorf("spark sees tables %v, columns %v, partitions %v", first.Tables, first.Columns, first.Partitions)
	}
	if len(first.Answers) != 9 {
		t.Errorf("spark answered %d questions", len(first.Answers))
	}
	for name, sparkRows := range first.Answers {
		compareAnswers(t, name, sparkRows, lakegateRows(t, lake, name))
	}
	landTomorrow(t, lake)
	fmt.Fprintln(stdin)
	if !lines.Scan() {
		t.Fatalf("spark stopped:\n%s", tail(stderr.String()))
	}
	var second struct {
		Partitions []string
		Count      string
	}
	json.Unmarshal(lines.Bytes(), &second)
	want := strings.TrimSpace(strings.Split(mustRun(t, append([]string{"query", "--format", "csv", "SELECT count(*) FROM assessments.attempts"}, lake...)...), "\n")[1])
	if len(second.Partitions) != 2 || second.Count != want {
		t.Errorf("after a new partition landed spark sees %+v, want 2 partitions and %s rows", second, want)
	}
	stdin.Close()
	cmd.Wait()
}

// landTomorrow ingests more attempts into the default tenant as if it were
// tomorrow: a new ingest_date partition. lake is --lake X --catalog
// embedded:DIR (and maybe more).
func landTomorrow(t *testing.T, lake []string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "more.json")
	mustRun(t, "generate", "assessments", "--attempts", "100", "--seed", "77", "-o", src)
	root, err := landing.Open(flag(lake, "--lake"))
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	store, _ := tenancy.Store(root, "default")
	shared, err := catalog.OpenEmbedded(strings.TrimPrefix(flag(lake, "--catalog"), "embedded:"))
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	cat, _ := catalog.ForTenant(shared, "default")
	_, err = ingest.Assessments(context.Background(), ingest.Options{Store: store, Catalog: cat,
		Now: func() time.Time { return time.Now().Add(48 * time.Hour) }}, src)
	if err != nil {
		t.Fatal(err)
	}
}

// flag is the value of name in args.
func flag(args []string, name string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == name {
			return args[i+1]
		}
	}
	return ""
}

// lakegateRows is a canned query's answer, values as text.
func lakegateRows(t *testing.T, lake []string, name string) [][]*string {
	t.Helper()
	var body struct{ Rows [][]any }
	out := mustRun(t, append([]string{"query", "--saved", name, "--format", "json"}, lake...)...)
	if err := json.Unmarshal([]byte(out), &body); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, out)
	}
	rows := make([][]*string, len(body.Rows))
	for i, r := range body.Rows {
		for _, v := range r {
			if v == nil {
				rows[i] = append(rows[i], nil)
				continue
			}
			s := fmt.Sprint(v)
			rows[i] = append(rows[i], &s)
		}
	}
	return rows
}

// compareAnswers wants the same rows, numbers equal to 1e-9 relative.
func compareAnswers(t *testing.T, name string, spark, lg [][]*string) {
	t.Helper()
	if len(spark) != len(lg) {
		t.Errorf("%s: spark %d rows, lakegate %d", name, len(spark), len(lg))
		return
	}
	for i := range lg {
		if len(spark[i]) != len(lg[i]) {
			t.Errorf("%s row %d: spark %d columns, lakegate %d", name, i, len(spark[i]), len(lg[i]))
			return
		}
		for j := range lg[i] {
			if !sameValue(spark[i][j], lg[i][j]) {
				t.Errorf("%s row %d column %d: spark %v, lakegate %v", name, i, j, deref(spark[i][j]), deref(lg[i][j]))
			}
		}
	}
}

func sameValue(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, errA := strconv.ParseFloat(*a, 64)
	y, errB := strconv.ParseFloat(*b, 64)
	if errA == nil && errB == nil {
		return x == y || math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
	}
	return *a == *b || strings.HasPrefix(*b, *a+"T") // a date beside a timestamp's text
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return *s
}

func tail(s string) string {
	if len(s) > 3000 {
		return s[len(s)-3000:]
	}
	return s
}
