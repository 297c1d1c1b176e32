package report

import "testing"

func TestSplice(t *testing.T) {
	doc := "# B\n\nA\n<!-- b -->\nold\n<!-- e -->\nZ\n"
	out, ok := Splice(doc, "<!-- b -->", "<!-- e -->", "<!-- b -->\nnew\n<!-- e -->\n")
	if !ok || out != "# B\n\nA\n<!-- b -->\nnew\n<!-- e -->\nZ\n" {
		t.Errorf("Splice = %q, %v", out, ok)
	}
	if _, ok := Splice("no markers", "<!-- b -->", "<!-- e -->", "x"); ok {
		t.Error("a document without the section was spliced")
	}
}
