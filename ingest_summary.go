package lakegate

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// IngestSummary counts what an ingest run did. Per file and in total,
// Read = Landed + Duplicates + Rejected. `lakegate ingest` prints it
// (String) and POST /v1/ingest/assessments answers it as JSON.
type IngestSummary struct {
	Files        int           `json:"files"`                   // files given
	SkippedFiles int           `json:"skipped_files"`           // files skipped as already ingested
	FailedFiles  int           `json:"failed_files"`            // files that could not be read (see Notes)
	MicroBatches int           `json:"micro_batches,omitempty"` // a stream's micro-batches landed (Files is 0)
	Read         int64         `json:"read"`                    // records (and damaged spans) read
	Landed       int64         `json:"landed"`                  // unique records landed in attempts and raw
	Duplicates   int64         `json:"duplicates"`              // exact duplicates of a landed record, not landed again
	Rejected     int64         `json:"rejected"`                // records landed in rejects
	Questions    int64         `json:"questions"`               // question rows landed
	Bytes        int64         `json:"bytes"`                   // source bytes read (as stored, e.g. gzip)
	Elapsed      time.Duration `json:"-"`
	Batches      []string      `json:"batches"` // committed batch ids
	Notes        []string      `json:"notes"`
	// UnknownFields counts the landed records per top-level field that
	// no column holds: such a field is kept only in the raw table's json.
	UnknownFields map[string]int64 `json:"unknown_fields"`
}

// String is the multi-line human summary.
func (s IngestSummary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ingested %s, %s in %s%s\n", s.files(), FormatBytes(s.Bytes), s.Elapsed.Round(time.Millisecond), s.rate())
	fmt.Fprintf(&b, "  read        %d records\n", s.Read)
	fmt.Fprintf(&b, "  landed      %d (%d questions)\n", s.Landed, s.Questions)
	fmt.Fprintf(&b, "  duplicates  %d\n", s.Duplicates)
	fmt.Fprintf(&b, "  rejected    %d", s.Rejected)
	if s.Rejected > 0 {
		b.WriteString(" (see the rejects table)")
	}
	b.WriteString("\n")
	if len(s.Batches) > 0 {
		fmt.Fprintf(&b, "  batches     %s\n", strings.Join(s.Batches, ", "))
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	if len(s.UnknownFields) > 0 {
		fmt.Fprintf(&b, "  unknown fields (kept only in assessments.raw's json): %s\n", s.unknown())
	}
	return b.String()
}

func (s IngestSummary) files() string {
	files := fmt.Sprintf("%d file", s.Files)
	if s.Files != 1 {
		files += "s"
	}
	if s.MicroBatches > 0 || s.Files == 0 {
		files = fmt.Sprintf("%d micro-batch", s.MicroBatches)
		if s.MicroBatches != 1 {
			files += "es"
		}
	}
	var extra []string
	if s.SkippedFiles > 0 {
		extra = append(extra, fmt.Sprintf("%d already ingested, skipped", s.SkippedFiles))
	}
	if s.FailedFiles > 0 {
		extra = append(extra, fmt.Sprintf("%d failed, see the notes", s.FailedFiles))
	}
	if len(extra) > 0 {
		files += " (" + strings.Join(extra, "; ") + ")"
	}
	return files
}

func (s IngestSummary) rate() string {
	secs := s.Elapsed.Seconds()
	if secs <= 0 {
		return ""
	}
	return fmt.Sprintf(", %.1f MB/s, %.0f records/s", float64(s.Bytes)/1e6/secs, float64(s.Read)/secs)
}

func FormatBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

// unknown lists the unknown fields with their counts, most frequent first.
func (s IngestSummary) unknown() string {
	names := make([]string, 0, len(s.UnknownFields))
	for k := range s.UnknownFields {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := s.UnknownFields[names[i]], s.UnknownFields[names[j]]
		return a > b || a == b && names[i] < names[j]
	})
	parts := make([]string, len(names))
	for i, k := range names {
		parts[i] = fmt.Sprintf("%s in %d records", k, s.UnknownFields[k])
	}
	return strings.Join(parts, ", ")
}
