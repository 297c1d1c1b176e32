package typename

import (
	"fmt"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	for in, want := range map[string]string{
		"10,2":                          "[10 2]",
		"VARCHAR, MAP(VARCHAR, BIGINT)": "[VARCHAR MAP(VARCHAR, BIGINT)]",
		`"a, b" INTEGER, c STRUCT(x INT, y INT)[]`: `["a, b" INTEGER c STRUCT(x INT, y INT)[]]`,
		"": "[]",
	} {
		if got := fmt.Sprint(SplitArgs(in)); got != want {
			t.Errorf("SplitArgs(%q) = %s, want %s", in, got, want)
		}
	}
}
