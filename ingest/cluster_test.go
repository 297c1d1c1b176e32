package ingest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"

	"github.com/lakegate/lakegate"
	"github.com/lakegate/lakegate/generate"
)

// Clustered by exam_name, the attempts land exactly as unclustered ones
// (same rows), in row groups of one exam (the common ones) or of a run of
// rarer exams in order that never spans a common one. With the default
// budget the batch is written at once, and no two runs overlap; a small
// one writes several times.
func TestClusterByExamName(t *testing.T) {
	for _, budget := range []int64{clusterBudget, 1 << 20} {
		t.Run(fmt.Sprint(budget), func(t *testing.T) { testClusterBy(t, budget) })
	}
}

func testClusterBy(t *testing.T, budget int64) {
	defer func(b int64) { clusterBudget = b }(clusterBudget)
	clusterBudget = budget
	in, _ := genFile(t, t.TempDir(), "a.ndjson", generate.Options{Attempts: 30000, Seed: 5, Format: "ndjson"})
	plain := newEnv(t)
	plain.ingest(t, in)
	clustered := newEnv(t)
	opt := clustered.opts()
	opt.ClusterBy = "exam_name"
	if _, err := Assessments(context.Background(), opt, in); err != nil {
		t.Fatal(err)
	}
	want, got := keys(plain.readTable(t, tableAttempts)), keys(clustered.readTable(t, tableAttempts))
	if !slices.Equal(want, got) {
		t.Fatalf("clustered attempts differ: %d rows vs %d", len(got), len(want))
	}
	ranges := examRanges(t, clustered)
	own := map[string]bool{} // values with row groups of their own
	for _, r := range ranges {
		if r[0] == r[1] {
			own[r[0]] = true
		}
	}
	for i, r := range ranges {
		for v := range own { // a pack never spans a value with groups of its own
			if r[0] != r[1] && r[0] <= v && v <= r[1] {
				t.Fatalf("row group %q spans %q, which has row groups of its own", r, v)
			}
		}
		for _, o := range ranges[i+1:] { // one flush (all at the end): packs in order, apart
			if budget >= 2*rowGroupBytes && r[0] != r[1] && o[0] != o[1] && r[0] <= o[1] && o[0] <= r[1] {
				t.Fatalf("row groups overlap: %q and %q", r, o)
			}
		}
	}
	if len(ranges) < 2 || budget >= 2*rowGroupBytes && len(own) == 0 {
		t.Fatalf("%d row groups, %d values with their own", len(ranges), len(own))
	}
}

func TestClusterByRefusesOtherColumns(t *testing.T) {
	e := newEnv(t)
	opt := e.opts()
	opt.ClusterBy = "score"
	_, err := Assessments(context.Background(), opt, writeFile(t, "a.json", "[]"))
	if lakegate.ErrorCode(err) != lakegate.EINVALID {
		t.Fatalf("cluster by score: %v", err)
	}
}

// keys are the attempts' keen_id, sorted.
func keys(rows []map[string]any) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprint(r["keen_id"])
	}
	slices.Sort(out)
	return out
}

// examRanges are the min and max exam_name of every row group of the
// attempts' files (a row group of one exam twice over stays one range).
func examRanges(t *testing.T, e *env) [][2]string {
	parts, err := e.cat.Partitions(context.Background(), DefaultDatabase, tableAttempts)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, p := range parts {
		for _, f := range p.Files {
			rf, err := e.store.Open(context.Background(), f.Path)
			if err != nil {
				t.Fatal(err)
			}
			pr, err := file.NewParquetReader(rf)
			if err != nil {
				t.Fatal(err)
			}
			col := pr.MetaData().Schema.ColumnIndexByName("exam_name")
			for g := 0; g < pr.NumRowGroups(); g++ {
				cc, err := pr.MetaData().RowGroup(g).ColumnChunk(col)
				if err != nil {
					t.Fatal(err)
				}
				st, err := cc.Statistics()
				if err != nil || st == nil || !st.HasMinMax() {
					t.Fatalf("row group %d: no exam_name statistics (%v)", g, err)
				}
				bs := st.(*metadata.ByteArrayStatistics)
				out = append(out, [2]string{string(bs.Min()), string(bs.Max())})
			}
			pr.Close()
		}
	}
	return out
}
