package repository_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

func TestImportExport(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	ctx := t.Context()
	file := []nlu.Example{
		{Text: "quero a 2ª via do boleto", Intent: "segunda_via", Entities: []nlu.Span{{Start: 18, End: 24, Entity: "documento"}}},
		{Text: "  cancela meu plano pfv ", Intent: "cancelar", Entities: []nlu.Span{{Start: 14, End: 19, Entity: "produto"}}},
		{Text: "quero a 2ª via do boleto", Intent: "segunda_via"}, // repeated in the file
		{Text: "qual a previsão do tempo?", Intent: ""},           // out of scope
	}
	res, err := e.svc.ImportExamples(ctx, r.UUID, 0, "", file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 3 || res.SkippedRepeated != 1 || res.SkippedExisting != 0 || res.Intents != 3 || res.Language != "pt_br" || res.VersionID == 0 {
		t.Fatalf("first import: %+v", res)
	}
	// The same file again: everything is already there.
	res, err = e.svc.ImportExamples(ctx, r.UUID, 0, "pt-BR", file, nil)
	if err != nil || res.Imported != 0 || res.SkippedExisting != 3 || res.SkippedRepeated != 1 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	got, _, err := e.svc.ExportExamples(ctx, r.UUID, 0, "pt_br")
	if err != nil {
		t.Fatal(err)
	}
	want := []nlu.Example{
		file[0],
		// Trimmed, the span shifted with the text.
		{Text: "cancela meu plano pfv", Intent: "cancelar", Entities: []nlu.Span{{Start: 12, End: 17, Entity: "produto"}}},
		{Text: "qual a previsão do tempo?", Intent: ""},
	}
	for i := range got {
		if len(got[i].Entities) == 0 {
			got[i].Entities = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("export:\n got %+v\nwant %+v", got, want)
	}
	if es, _, err := e.svc.ExportExamples(ctx, r.UUID, 0, "es"); err != nil || len(es) != 0 {
		t.Errorf("es export: %v %v", es, err)
	}
}

func TestImportIsAllOrNothing(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	ctx := t.Context()
	file := []nlu.Example{
		{Text: "oi", Intent: "saudacao"},
		{Text: "oi", Intent: "saudacao"},
		{Text: "tchau", Intent: "despedida"},
		{Text: "me passa o boleto", Intent: "boleto", Entities: []nlu.Span{{Start: 12, End: 40, Entity: "doc"}}},
	}
	_, err := e.svc.ImportExamples(ctx, r.UUID, 0, "pt_br", file, nil)
	if sabia.ErrorCode(err) != sabia.EINVALID || !strings.HasPrefix(sabia.ErrorMessage(err), "example 3:") {
		t.Fatalf("bad span: %v (the message must name the example's place in the file)", err)
	}
	if got, _, _ := e.svc.ExportExamples(ctx, r.UUID, 0, ""); len(got) != 0 {
		t.Errorf("a failed import stored %d examples", len(got))
	}
	for _, c := range []struct {
		lang string
		exs  []nlu.Example
		code string
	}{
		{"klingon", file[:1], sabia.EINVALID},
		{"en", file[:1], sabia.EINVALID}, // not a language of the repository
		{"pt_br", make([]nlu.Example, repository.MaxImport+1), sabia.ETOOLARGE},
	} {
		if _, err := e.svc.ImportExamples(ctx, r.UUID, 0, c.lang, c.exs, nil); sabia.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.lang, err, c.code)
		}
	}
	if _, err := e.svc.ImportExamples(ctx, "no-such-repo", 0, "", file[:1], nil); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Errorf("unknown repository: %v", err)
	}
	if _, err := e.svc.ImportExamples(ctx, r.UUID, 999, "", file[:1], nil); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Errorf("unknown version: %v", err)
	}
}
