package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestContentEval(t *testing.T) {
	var out bytes.Buffer
	if err := contentEval(context.Background(), serveConfig{}, "testdata/content", &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", out.String())
	}
	var pt, all contentEvalResult
	if err := json.Unmarshal([]byte(lines[0]), &pt); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &all); err != nil {
		t.Fatal(err)
	}
	if pt.Language != "pt_br" || pt.Documents != 1 || pt.Answerable != 2 || pt.Unanswerable != 1 || all.Language != "all" || all.Answerable != 2 {
		t.Fatalf("%+v %+v", pt, all)
	}
	// The second question's words are all in the document: it must be
	// retrieved and answered; the unanswerable one declined.
	if pt.RecallAtK < 0.5 || pt.Correct < 0.5 || pt.Abstained != 1 || pt.Mode != "extractive" {
		t.Errorf("%+v", pt)
	}
	if err := contentEval(context.Background(), serveConfig{}, "testdata/no-such-dir", &out); err == nil {
		t.Error("a missing set is not an error")
	}
}
