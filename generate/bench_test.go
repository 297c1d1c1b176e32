package generate

import (
	"io"
	"testing"
	"time"
)

// BenchmarkAssessments measures the generator alone (io.Discard); one op is
// one record. Run with a fixed count, e.g.
//
//	go test -run '^$' -bench Assessments -benchtime 200000x ./generate/
func BenchmarkAssessments(b *testing.B) {
	for _, format := range []string{FormatArray, FormatNDJSON} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			start := time.Now()
			st, err := Assessments(io.Discard, Options{Attempts: b.N, Seed: 1, Format: format})
			elapsed := time.Since(start).Seconds()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(st.Records)/elapsed, "records/s")
			b.ReportMetric(float64(st.Bytes)/1e6/elapsed, "MB/s")
		})
	}
}
