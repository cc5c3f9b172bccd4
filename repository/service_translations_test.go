package repository_test

import (
	"reflect"
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

func TestLabelDiff(t *testing.T) {
	sp := func(entity, group string) nlu.Span { return nlu.Span{Entity: entity, Group: group} }
	cases := []struct {
		name           string
		orig, tr       []nlu.Span
		missing, extra []string
	}{
		{"both empty", nil, nil, nil, nil},
		{"same, other order", []nlu.Span{sp("mes", ""), sp("documento", "")}, []nlu.Span{sp("documento", ""), sp("mes", "")}, nil, nil},
		{"counted", []nlu.Span{sp("cidade", "origem"), sp("cidade", "destino")}, []nlu.Span{sp("cidade", "origem")}, []string{"cidade/destino"}, nil},
		{"twice vs once", []nlu.Span{sp("produto", ""), sp("produto", "")}, []nlu.Span{sp("produto", "")}, []string{"produto"}, nil},
		{"group differs", []nlu.Span{sp("mes", "vencimento")}, []nlu.Span{sp("mes", "")}, []string{"mes/vencimento"}, []string{"mes"}},
		{"extra only", nil, []nlu.Span{sp("cor", "")}, nil, []string{"cor"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, x := repository.LabelDiff(c.orig, c.tr)
			if !reflect.DeepEqual(m, c.missing) || !reflect.DeepEqual(x, c.extra) {
				t.Errorf("LabelDiff = %q, %q; want %q, %q", m, x, c.missing, c.extra)
			}
		})
	}
}

func TestTranslateExample(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t) // pt_br and es
	ctx := t.Context()
	exs := e.add(t, r.UUID, repository.ExampleInput{Text: "qro a 2ª via do boleto", Intent: "segunda_via",
		Entities: []nlu.Span{{Start: 16, End: 22, Entity: "documento"}}})
	o := exs[0]

	tr, err := e.svc.TranslateExample(ctx, r.UUID, o.ID, repository.TranslationInput{Language: "ES", Text: " quiero la segunda vía de mi factura",
		Entities: []nlu.Span{{Start: 29, End: 36, Entity: "documento"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []nlu.Span{{Start: 28, End: 35, Entity: "documento"}} // shifted with the trimmed text
	if tr.TranslatedFrom != o.ID || tr.Intent != "segunda_via" || tr.Language != "es" || tr.VersionID != o.VersionID || !reflect.DeepEqual(tr.Entities, want) {
		t.Fatalf("translation = %+v", tr)
	}
	list, err := e.svc.ListTranslations(ctx, r.UUID, o.ID)
	if err != nil || len(list) != 1 || list[0].ID != tr.ID {
		t.Fatalf("ListTranslations = %+v, %v", list, err)
	}

	cases := []struct {
		name string
		id   int64
		in   repository.TranslationInput
		code string
		msg  string
	}{
		{"no language", o.ID, repository.TranslationInput{Text: "x"}, sabia.EINVALID, "language is required"},
		{"language not of the repository", o.ID, repository.TranslationInput{Language: "en", Text: "I want my bill"}, sabia.EINVALID, ""},
		{"same language", o.ID, repository.TranslationInput{Language: "pt-BR", Text: "quero a segunda via do boleto",
			Entities: []nlu.Span{{Start: 23, End: 29, Entity: "documento"}}}, sabia.EINVALID, "a translation must be in another language than its original's (pt_br)"},
		{"labels differ", o.ID, repository.TranslationInput{Language: "es", Text: "quiero mi factura"}, sabia.EINVALID,
			`a translation has its original's entities: missing "documento"`},
		{"already translated", o.ID, repository.TranslationInput{Language: "es", Text: "necesito la factura",
			Entities: []nlu.Span{{Start: 12, End: 19, Entity: "documento"}}}, sabia.ECONFLICT, ""},
		{"translating a translation", tr.ID, repository.TranslationInput{Language: "pt_br", Text: "boleto",
			Entities: []nlu.Span{{Start: 0, End: 6, Entity: "documento"}}}, sabia.EINVALID, ""},
		{"no such example", o.ID + 100, repository.TranslationInput{Language: "es", Text: "hola"}, sabia.ENOTFOUND, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.TranslateExample(ctx, r.UUID, c.id, c.in)
			wantError(t, err, c.code, c.msg)
		})
	}

	// A translation's intent follows its original's, never its own.
	intent := "boleto"
	_, err = e.svc.UpdateExample(ctx, r.UUID, tr.ID, repository.ExampleUpdate{Intent: &intent})
	wantError(t, err, sabia.EINVALID, "")
	if _, err := e.svc.UpdateExample(ctx, r.UUID, o.ID, repository.ExampleUpdate{Intent: &intent}); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.FindExample(ctx, r.UUID, tr.ID)
	if err != nil || got.Intent != "boleto" {
		t.Fatalf("translation after the original's intent changed: %+v %v", got, err)
	}
	// Sending the intent it already has is fine.
	text := "quiero la 2da vía de mi factura"
	if _, err := e.svc.UpdateExample(ctx, r.UUID, tr.ID, repository.ExampleUpdate{Intent: &intent, Text: &text,
		Entities: &[]nlu.Span{{Start: 24, End: 31, Entity: "documento"}}}); err != nil {
		t.Fatal(err)
	}

	// Changing the original's entities is allowed and reported.
	none := []nlu.Span{}
	if _, err := e.svc.UpdateExample(ctx, r.UUID, o.ID, repository.ExampleUpdate{Entities: &none}); err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.TranslationStatus(ctx, r.UUID, 0, "es")
	if err != nil || len(st.Mismatched) != 1 || st.Mismatched[0].ID != tr.ID || st.Untranslated != 0 {
		t.Fatalf("es status = %+v, %v", st, err)
	}
	e.add(t, r.UUID, repository.ExampleInput{Text: "cancela meu plano", Intent: "cancelar"})
	if st, _ := e.svc.TranslationStatus(ctx, r.UUID, 0, "es"); st.Untranslated != 1 {
		t.Fatalf("es untranslated = %d, want 1", st.Untranslated)
	}
	if todo, n, err := e.svc.ListExamples(ctx, r.UUID, repository.ExampleFilter{Untranslated: "ES"}); err != nil || n != 1 || todo[0].Text != "cancela meu plano" {
		t.Fatalf("untranslated into es = %+v %d %v", todo, n, err)
	}

	// Deleting the original deletes its translation.
	if err := e.svc.DeleteExample(ctx, r.UUID, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.FindExample(ctx, r.UUID, tr.ID); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Fatalf("translation after its original was deleted: %v", err)
	}
}

func TestImportTranslations(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	ctx := t.Context()
	file := []nlu.Example{
		{Text: "qro a 2ª via do boleto", Intent: "segunda_via", Entities: []nlu.Span{{Start: 16, End: 22, Entity: "documento"}}},
		{Text: "cancela meu plano pfv", Intent: "cancelar"},
		{Text: "qro a 2ª via do boleto", Intent: "segunda_via"}, // repeated: its translations go to the first
	}
	trs := [][]repository.TranslationInput{
		{{Language: "es", Text: "quiero la segunda vía de mi factura", Entities: []nlu.Span{{Start: 28, End: 35, Entity: "documento"}}}},
		nil,
		{{Language: "es", Text: "quiero la 2da vía de la factura", Entities: []nlu.Span{{Start: 24, End: 31, Entity: "documento"}}}},
	}
	res, err := e.svc.ImportExamples(ctx, r.UUID, 0, "", file, trs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || res.Translations != 1 || res.SkippedTranslations != 1 || res.SkippedRepeated != 1 {
		t.Fatalf("import: %+v", res)
	}
	// Again, with a translation for the example now there: only it is new.
	trs[1] = []repository.TranslationInput{{Language: "es", Text: "cancela mi plan porfa"}}
	res, err = e.svc.ImportExamples(ctx, r.UUID, 0, "pt_br", file, trs)
	if err != nil || res.Imported != 0 || res.SkippedExisting != 2 || res.Translations != 1 || res.SkippedTranslations != 2 {
		t.Fatalf("second import: %+v %v", res, err)
	}
	exs, got, err := e.svc.ExportExamples(ctx, r.UUID, 0, "pt_br")
	if err != nil {
		t.Fatal(err)
	}
	wantTr := [][]repository.TranslationInput{{trs[0][0]}, {trs[1][0]}}
	wantTr[1][0].Entities = []nlu.Span{}
	if len(exs) != 2 || !reflect.DeepEqual(got, wantTr) {
		t.Fatalf("export: %+v\n%+v", exs, got)
	}
	if es, _, err := e.svc.ExportExamples(ctx, r.UUID, 0, "es"); err != nil || len(es) != 2 {
		t.Fatalf("es export: %+v %v", es, err)
	}

	// A bad translation fails the whole import, naming its place.
	bad := [][]repository.TranslationInput{nil, nil, nil, {{Language: "es", Text: "hola, ¿qué tal?", Entities: []nlu.Span{{Start: 0, End: 4, Entity: "saudacao"}}}}}
	n := e.count(t, r.UUID)
	_, err = e.svc.ImportExamples(ctx, r.UUID, 0, "", append(file, nlu.Example{Text: "oi td bem", Intent: "saudacao"}), bad)
	wantError(t, err, sabia.EINVALID, `example 3: translation 0: a translation has its original's entities: extra "saudacao"`)
	if e.count(t, r.UUID) != n {
		t.Fatal("a failed import added examples")
	}
}
