package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/catalog"
	"github.com/lakegate/lakegate/landing"
)

// TestHDFSKillLoop kills `lakegate ingest` with SIGKILL at random times
// while it lands files on HDFS, five times, then lets a run finish: every
// record is then landed exactly once, and every file a Hive reader would
// read from a partition directory is one the catalog committed.
func TestHDFSKillLoop(t *testing.T) {
	lake := hdfsLake(t)
	bin := buildLakegate(t)
	dir := t.TempDir()
	files := []string{}
	seen := map[string]bool{}
	for i := range 6 {
		f := filepath.Join(dir, fmt.Sprintf("part-%d.json", i))
		mustRun(t, "generate", "assessments", "--attempts", "3000", "--seed", fmt.Sprint(100+i), "-o", f)
		addRecords(t, f, seen)
		files = append(files, f)
	}
	ingest := append(append([]string{"ingest", "assessments"}, files...), lake...)
	kills := 0
	for kills < 5 {
		cmd := exec.Command(bin, ingest...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(150+rand.IntN(2500)) * time.Millisecond)
		if err := cmd.Process.Kill(); err == nil {
			kills++
		}
		cmd.Wait()
	}
	if out, err := exec.Command(bin, ingest...).CombinedOutput(); err != nil {
		t.Fatalf("the run after the kills: %v\n%s", err, out)
	}
	got := mustRun(t, append([]string{"query", "--format", "csv",
		"SELECT count(*) AS n, count(DISTINCT record_hash) AS d FROM assessments.attempts"}, lake...)...)
	if want := fmt.Sprintf("n,d\n%d,%d\n", len(seen), len(seen)); got != want {
		t.Errorf("after %d kills: %q, want %q (every record exactly once)", kills, got, want)
	}
	checkVisibleCommitted(t, lake)
}

// checkVisibleCommitted compares what a Hive reader would read from each
// table's partition directories with the files the catalog lists.
func checkVisibleCommitted(t *testing.T, lake []string) {
	t.Helper()
	root, err := landing.NewHDFS(lake[1])
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	checkVisible(t, root, strings.TrimPrefix(lake[5], "embedded:"), "assessments")
}

// checkVisible compares, for every table of database db in the default
// tenant, the files a Hive reader would read from its partition
// directories with the files the catalog lists.
func checkVisible(t *testing.T, root landing.Lake, catalogDir, db string) {
	t.Helper()
	ctx := context.Background()
	store, _ := root.Sub("tenants/default")
	shared, err := catalog.OpenEmbedded(catalogDir)
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	cat, _ := catalog.ForTenant(shared, "default")
	tables, err := cat.Tables(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		table := tb.Name
		parts, err := cat.Partitions(ctx, db, table)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{}
		for _, p := range parts {
			for _, f := range p.Files {
				listed[f.Path] = true
			}
		}
		dirs, err := store.List(ctx, db+"/"+table)
		if lakegate.ErrorCode(err) == lakegate.ENOTFOUND {
			continue
		}
		for _, d := range dirs {
			entries, _ := store.List(ctx, d.Path)
			for _, e := range entries {
				name := path.Base(e.Path)
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
					continue // Hive, Presto and Spark skip these
				}
				if !listed[e.Path] {
					t.Errorf("%s is visible in its partition but not committed", e.Path)
				}
				delete(listed, e.Path)
			}
		}
		for p := range listed {
			t.Errorf("%s is committed but not in its partition", p)
		}
	}
}
