package ingest

import (
	"slices"
	"testing"
)

func TestUnknownFields(t *testing.T) {
	for js, want := range map[string][]string{
		`{"keen_id":"a","sequences":{"extra":1,"questions":[{"x":2}]}}`: nil,
		`{"keen_id":"a","browser":"x","z":{"y":1}}`:                     {"browser", "z"},
		`{"note":"has \"quotes\" and ,\"fake\":1","keen_id":"b"}`:       {"note"},
		`{"exam_name":"{[,\"x\":"}`:                                     nil,
	} {
		if got := unknownFields([]byte(js)); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", js, got, want)
		}
	}
}
