package ingest

// knownFields are the top-level fields of an assessment record that land
// in columns; any other lands only in the raw table's json, and the
// ingest summary counts it so that nothing is dropped unnoticed.
var knownFields = map[string]bool{
	"keen_id": true, "keen_timestamp": true, "keen_created_at": true, "started_at": true,
	"base_exam_id": true, "user_exam_id": true, "exam_name": true, "certification": true,
	"max_attempts": true, "sequences": true,
}

// maxUnknownNames bounds the field names one summary reports; the rest are
// counted under unknownOther.
const (
	maxUnknownNames = 20
	unknownOther    = "(other fields)"
)

// jsonClass sorts the bytes unknownFields must look at: 1 quote,
// 2 backslash, 3 opening and 4 closing brackets; every other byte is 0.
var jsonClass = func() (t [256]byte) {
	t['"'], t['\\'], t['{'], t['['], t['}'], t[']'] = 1, 2, 3, 3, 4, 4
	return t
}()

// unknownFields returns the top-level keys of a compacted JSON object
// that are not knownFields, in order; nil (no allocation) when there are
// none. It runs on every record, so it is one table-driven pass (about
// 700 MB/s on this machine, BenchmarkUnknownFields).
func unknownFields(js []byte) []string {
	var out []string
	depth, keyStart, inStr := 0, -1, false
	for i := 0; i < len(js); i++ {
		k := jsonClass[js[i]]
		switch {
		case k == 0:
		case inStr && k == 2:
			i++ // the escaped byte
		case inStr && k == 1:
			inStr = false
			if keyStart >= 0 && !knownFields[string(js[keyStart:i])] {
				out = append(out, string(js[keyStart:i]))
			}
			keyStart = -1
		case inStr:
		case k == 1:
			inStr = true
			if depth == 1 && (js[i-1] == '{' || js[i-1] == ',') {
				keyStart = i + 1 // a key of the record itself
			}
		case k == 3:
			depth++
		case k == 4:
			depth--
		}
	}
	return out
}

// countUnknown adds a landed record's unknown fields to counts.
func countUnknown(counts map[string]int64, fields []string) {
	for _, f := range fields {
		if _, ok := counts[f]; !ok && len(counts) >= maxUnknownNames {
			f = unknownOther
		}
		counts[f]++
	}
}
