package storetest

import (
	"fmt"
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// sentence builds a test sentence of the fixture's default version.
func (f fixture) sentence(lang, intent, text string, spans ...nlu.Span) *repository.TestSentence {
	return &repository.TestSentence{
		RepositoryUUID: f.repo.UUID, VersionID: f.version.ID, Text: text, Language: lang, Intent: intent,
		Entities: spans, CreatedAt: t0, UpdatedAt: t0,
	}
}

func (f fixture) addTests(t *testing.T, s repository.Store, sentences ...*repository.TestSentence) {
	t.Helper()
	if err := s.CreateTestSentences(t.Context(), sentences); err != nil {
		t.Fatalf("CreateTestSentences: %v", err)
	}
}

func countTests(t *testing.T, s repository.Store, f repository.TestSentenceFilter) int {
	t.Helper()
	_, n, err := s.ListTestSentences(t.Context(), f)
	noErr(t, err)
	return n
}

func testTexts(sentences []repository.TestSentence) []string {
	out := []string{}
	for _, e := range sentences {
		out = append(out, e.Text)
	}
	return out
}

func testCreateTestSentences(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	f.add(t, s, f.example("pt_br", "segunda_via", "qro a 2ª via do boleto"))
	in := []*repository.TestSentence{
		// The text of an example may also be a test sentence.
		f.sentence("pt_br", "segunda_via", "qro a 2ª via do boleto", span(6, 12, "documento", ""), span(16, 22, "documento", "tipo")),
		f.sentence("es", "cancelar", "kiero cancelar mi suscripcion"),
		f.sentence("pt_br", "saudacao", "oi"),
		f.sentence("pt_br", "saudacao", "Oi"), // exact comparison: a different text
		f.sentence("es", "saudacao", "oi"),    // same text, other language
	}
	in[4].CreatedAt, in[4].UpdatedAt = at(1), at(2)
	f.addTests(t, s, in...)
	for i, e := range in {
		if e.ID == 0 {
			t.Fatalf("test sentence %d: no ID set", i)
		}
		if i > 0 && e.ID <= in[i-1].ID {
			t.Fatalf("IDs not increasing: %d after %d", e.ID, in[i-1].ID)
		}
	}
	for _, want := range in {
		got, err := s.FindTestSentence(ctx, want.ID)
		noErr(t, err)
		sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
		sameTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
		if got.Entities == nil {
			t.Fatalf("test sentence %d: Entities is nil, want an empty slice", want.ID)
		}
		w := *want
		if w.Entities == nil {
			w.Entities = []nlu.Span{}
		}
		w.CreatedAt, w.UpdatedAt = got.CreatedAt, got.UpdatedAt
		equal(t, "test sentence", got, w)
	}
	_, err := s.FindTestSentence(ctx, in[4].ID+1000)
	wantCode(t, err, sabia.ENOTFOUND, "")

	// Test sentences train nothing: no revision moves, and they are not
	// examples.
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), int64(1))
	equal(t, "es revision", revision(t, s, f.version.ID, "es"), int64(0))
	equal(t, "examples", countExamples(t, s, repository.ExampleFilter{RepositoryUUID: "r1"}), 1)

	noErr(t, s.CreateTestSentences(ctx, nil))
}

func testCreateTestSentencesAllOrNothing(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	f.addTests(t, s, f.sentence("pt_br", "boleto", "qro a 2ª via do boleto"))
	f.add(t, s, f.example("pt_br", "pix", "como faço um pix"))

	tests := []struct {
		name  string
		batch []*repository.TestSentence
		code  string
		msg   string
	}{
		{"duplicate of a stored text", []*repository.TestSentence{
			f.sentence("pt_br", "pix", "como faço um pix"),
			f.sentence("es", "boleto", "qro a 2ª via do boleto"),
			f.sentence("pt_br", "boleto", "qro a 2ª via do boleto"),
		}, sabia.ECONFLICT, `test sentence 2: text "qro a 2ª via do boleto" already exists in pt_br (test sentence`},
		{"duplicate within the batch", []*repository.TestSentence{
			f.sentence("pt_br", "pix", "como faço um pix"),
			f.sentence("pt_br", "pix", "pix"),
			f.sentence("pt_br", "ajuda", "como faço um pix"),
		}, sabia.ECONFLICT, `test sentence 2: text "como faço um pix" repeats test sentence 0`},
		{"missing version", []*repository.TestSentence{
			f.sentence("pt_br", "pix", "como faço um pix"),
			{RepositoryUUID: "r1", VersionID: f.version.ID + 1000, Text: "oi", Language: "pt_br", Intent: "oi", CreatedAt: t0, UpdatedAt: t0},
		}, sabia.ENOTFOUND, "test sentence 1: version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, s.CreateTestSentences(ctx, tt.batch), tt.code, tt.msg)
			equal(t, "test sentences stored", countTests(t, s, repository.TestSentenceFilter{RepositoryUUID: "r1"}), 1)
		})
	}

	// The same text in another repository's version is not a duplicate.
	other.addTests(t, s, other.sentence("pt_br", "boleto", "qro a 2ª via do boleto"))
}

func testListTestSentences(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	f.addTests(t, s,
		f.sentence("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", "")),
		f.sentence("pt_br", "boleto", "segunda VIA da fatura", span(15, 21, "documento", "conta")),
		f.sentence("pt_br", "pix", "faz um pix de 50% pra Maria", span(22, 27, "pessoa", "")),
		f.sentence("es", "cancelar", "cancelar mi suscripción"),
		f.sentence("es", "cancelar", "quiero dar de baja el plan", span(22, 26, "producto", "")),
		f.sentence("pt_br", "saudacao", "Olá, bom dia"),
	)
	f.add(t, s, f.example("pt_br", "boleto", "boleto atrasado", span(0, 6, "documento", "")))
	other.addTests(t, s, other.sentence("pt_br", "boleto", "2ª via"))

	tests := []struct {
		name  string
		f     repository.TestSentenceFilter
		want  []string
		total int
	}{
		{"repository", repository.TestSentenceFilter{RepositoryUUID: "r1"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura", "faz um pix de 50% pra Maria",
			"cancelar mi suscripción", "quiero dar de baja el plan", "Olá, bom dia"}, 6},
		{"version", repository.TestSentenceFilter{VersionID: other.version.ID}, []string{"2ª via"}, 1},
		{"language", repository.TestSentenceFilter{VersionID: f.version.ID, Language: "es"}, []string{
			"cancelar mi suscripción", "quiero dar de baja el plan"}, 2},
		{"intent", repository.TestSentenceFilter{VersionID: f.version.ID, Intent: "boleto"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura"}, 2},
		{"entity", repository.TestSentenceFilter{VersionID: f.version.ID, Entity: "documento"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura"}, 2},
		{"entity none", repository.TestSentenceFilter{VersionID: f.version.ID, Entity: "conta"}, []string{}, 0},
		{"query ignores case", repository.TestSentenceFilter{VersionID: f.version.ID, Query: "via"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura"}, 2},
		{"query ignores accents", repository.TestSentenceFilter{VersionID: f.version.ID, Query: "suscripcion"}, []string{
			"cancelar mi suscripción"}, 1},
		{"query with accents", repository.TestSentenceFilter{VersionID: f.version.ID, Query: "OLÁ"}, []string{"Olá, bom dia"}, 1},
		{"query % is literal", repository.TestSentenceFilter{VersionID: f.version.ID, Query: "%"}, []string{
			"faz um pix de 50% pra Maria"}, 1},
		{"query finds no example", repository.TestSentenceFilter{VersionID: f.version.ID, Query: "atrasado"}, []string{}, 0},
		{"query combined", repository.TestSentenceFilter{VersionID: f.version.ID, Language: "pt_br", Intent: "boleto", Query: "fatura"}, []string{
			"segunda VIA da fatura"}, 1},
		{"page", repository.TestSentenceFilter{RepositoryUUID: "r1", Offset: 1, Limit: 2}, []string{
			"segunda VIA da fatura", "faz um pix de 50% pra Maria"}, 6},
		{"page past the end", repository.TestSentenceFilter{RepositoryUUID: "r1", Offset: 6, Limit: 2}, []string{}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListTestSentences(ctx, tt.f)
			noErr(t, err)
			equal(t, "texts", testTexts(got), tt.want)
			equal(t, "total", total, tt.total)
		})
	}

	got, _, err := s.ListTestSentences(ctx, repository.TestSentenceFilter{VersionID: f.version.ID, Intent: "boleto"})
	noErr(t, err)
	equal(t, "entities of a listed test sentence", got[1].Entities, []nlu.Span{span(15, 21, "documento", "conta")})
	got, _, err = s.ListTestSentences(ctx, repository.TestSentenceFilter{VersionID: f.version.ID, Intent: "saudacao"})
	noErr(t, err)
	equal(t, "entities of a test sentence without", got[0].Entities, []nlu.Span{})
}

func testUpdateTestSentence(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	a := f.sentence("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""))
	b := f.sentence("pt_br", "pix", "faz um pix")
	f.addTests(t, s, a, b)
	f.add(t, s, f.example("es", "factura", "necesito la factura"))
	pt, es := revision(t, s, f.version.ID, "pt_br"), revision(t, s, f.version.ID, "es")

	upd := *a
	upd.Intent, upd.Entities, upd.UpdatedAt = "segunda_via", []nlu.Span{span(6, 12, "documento", "tipo"), span(16, 22, "documento", "")}, at(3)
	noErr(t, s.UpdateTestSentence(ctx, &upd))
	got, err := s.FindTestSentence(ctx, a.ID)
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, t0)
	sameTime(t, "UpdatedAt", got.UpdatedAt, at(3))
	got.UpdatedAt = upd.UpdatedAt
	equal(t, "updated test sentence", got, upd)

	// Moving to another language, onto the text of an example there.
	upd.Text, upd.Language, upd.Entities = "necesito la factura", "es", nil
	noErr(t, s.UpdateTestSentence(ctx, &upd))
	got, err = s.FindTestSentence(ctx, a.ID)
	noErr(t, err)
	equal(t, "moved language", got.Language, "es")
	equal(t, "spans removed", got.Entities, []nlu.Span{})
	equal(t, "query on new text", countTests(t, s, repository.TestSentenceFilter{VersionID: f.version.ID, Query: "FACTURA"}), 1)
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), pt)
	equal(t, "es revision", revision(t, s, f.version.ID, "es"), es)

	// Another test sentence's text conflicts; nothing changes.
	dup := *b
	dup.Text, dup.Language = "necesito la factura", "es"
	wantCode(t, s.UpdateTestSentence(ctx, &dup), sabia.ECONFLICT,
		fmt.Sprintf(`"necesito la factura" already exists in es (test sentence %d)`, a.ID))
	got, err = s.FindTestSentence(ctx, b.ID)
	noErr(t, err)
	equal(t, "unchanged text", got.Text, "faz um pix")

	missing := *b
	missing.ID = b.ID + 1000
	wantCode(t, s.UpdateTestSentence(ctx, &missing), sabia.ENOTFOUND, "")
}

func testDeleteTestSentence(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	a := f.sentence("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""))
	f.addTests(t, s, a, f.sentence("pt_br", "pix", "faz um pix"))

	noErr(t, s.DeleteTestSentence(ctx, a.ID))
	_, err := s.FindTestSentence(ctx, a.ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "with the entity", countTests(t, s, repository.TestSentenceFilter{VersionID: f.version.ID, Entity: "documento"}), 0)
	equal(t, "left", countTests(t, s, repository.TestSentenceFilter{VersionID: f.version.ID}), 1)
	equal(t, "revision", revision(t, s, f.version.ID, "pt_br"), int64(0))
	wantCode(t, s.DeleteTestSentence(ctx, a.ID), sabia.ENOTFOUND, "")

	// The text is free again.
	f.addTests(t, s, f.sentence("pt_br", "boleto", "qro a 2ª via do boleto"))
}

func testTestSet(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	set, err := s.TestSet(ctx, f.version.ID, "pt_br")
	noErr(t, err)
	if set == nil || len(set) != 0 {
		t.Fatalf("empty test set = %#v, want an empty slice", set)
	}

	f.addTests(t, s,
		f.sentence("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""), span(6, 12, "documento", "tipo")),
		f.sentence("es", "cancelar", "cancelar mi suscripción"),
		f.sentence("pt_br", "saudacao", "oi"),
	)
	f.addTests(t, s, f.sentence("pt_br", "pix", "faz um pix pra Maria", span(15, 20, "pessoa", "")))
	f.add(t, s, f.example("pt_br", "saudacao", "bom dia"))
	set, err = s.TestSet(ctx, f.version.ID, "pt_br")
	noErr(t, err)
	equal(t, "test set", set, []nlu.Example{
		{Text: "qro a 2ª via do boleto", Intent: "boleto", Entities: []nlu.Span{span(6, 12, "documento", "tipo"), span(16, 22, "documento", "")}},
		{Text: "oi", Intent: "saudacao"},
		{Text: "faz um pix pra Maria", Intent: "pix", Entities: []nlu.Span{span(15, 20, "pessoa", "")}},
	})
	set, err = s.TestSet(ctx, f.version.ID, "es")
	noErr(t, err)
	equal(t, "es test set", set, []nlu.Example{{Text: "cancelar mi suscripción", Intent: "cancelar"}})
	_, err = s.TestSet(ctx, f.version.ID+1000, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
}

// testRenamesReachTestSentences: renaming an intent, an entity or a group,
// regrouping or deleting an entity changes the version's test sentences
// too (so evaluations keep testing the same thing), while deleting an
// intent keeps its test sentences. Other versions are untouched.
func testRenamesReachTestSentences(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br")
	other := newRepo(t, s, "r2", t0, "pt_br")
	f.add(t, s, f.example("pt_br", "boleto", "manda o boleto pra sp", span(19, 21, "cidade", "destino")),
		f.example("pt_br", "cancelar", "cancela o pedido de rj", span(20, 22, "cidade", "")))
	other.add(t, s, other.example("pt_br", "boleto", "boleto de sp", span(10, 12, "cidade", "destino")))
	mine := f.sentence("pt_br", "boleto", "qro o boleto de bh", span(16, 18, "cidade", "destino"))
	keep := f.sentence("pt_br", "cancelar", "cancelar tudo")
	theirs := other.sentence("pt_br", "boleto", "boleto de poa", span(10, 13, "cidade", "destino"))
	f.addTests(t, s, mine, keep)
	other.addTests(t, s, theirs)

	_, err := s.RenameIntent(ctx, f.version.ID, "boleto", "segunda_via", at(1))
	noErr(t, err)
	_, err = s.RenameEntity(ctx, f.version.ID, "cidade", "municipio", at(2))
	noErr(t, err)
	_, err = s.RenameGroup(ctx, f.version.ID, "destino", "chegada", at(3))
	noErr(t, err)
	got, err := s.FindTestSentence(ctx, mine.ID)
	noErr(t, err)
	equal(t, "renamed intent", got.Intent, "segunda_via")
	equal(t, "renamed entity and group", got.Entities, []nlu.Span{span(16, 18, "municipio", "chegada")})
	sameTime(t, "UpdatedAt", got.UpdatedAt, at(3))

	_, err = s.SetEntityGroup(ctx, f.version.ID, "municipio", "", at(4))
	noErr(t, err)
	got, err = s.FindTestSentence(ctx, mine.ID)
	noErr(t, err)
	equal(t, "ungrouped", got.Entities, []nlu.Span{span(16, 18, "municipio", "")})
	_, err = s.DeleteEntity(ctx, f.version.ID, "municipio", at(5))
	noErr(t, err)
	got, err = s.FindTestSentence(ctx, mine.ID)
	noErr(t, err)
	equal(t, "entity deleted, sentence kept", got.Entities, []nlu.Span{})

	_, err = s.DeleteIntent(ctx, f.version.ID, "cancelar")
	noErr(t, err)
	got, err = s.FindTestSentence(ctx, keep.ID)
	noErr(t, err)
	equal(t, "test sentence of a deleted intent kept", got.Intent, "cancelar")

	got, err = s.FindTestSentence(ctx, theirs.ID)
	noErr(t, err)
	equal(t, "other repository's sentence", got.Intent, "boleto")
	equal(t, "other repository's spans", got.Entities, []nlu.Span{span(10, 13, "cidade", "destino")})
}

// testGroupReachesTestSentencesAlone: when every example's span of an
// entity already has the group, SetEntityGroup changes no example (0, no
// revision bump) but still regroups the version's test sentences.
func testGroupReachesTestSentencesAlone(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br")
	f.add(t, s, f.example("pt_br", "entrega", "entrega no centro", span(11, 17, "bairro", "destino")))
	mine := f.sentence("pt_br", "entrega", "manda pro centro", span(10, 16, "bairro", ""))
	f.addTests(t, s, mine)
	rev, err := s.Revision(ctx, f.version.ID, "pt_br")
	noErr(t, err)

	n, err := s.SetEntityGroup(ctx, f.version.ID, "bairro", "destino", at(1))
	noErr(t, err)
	equal(t, "examples changed", n, int64(0))
	got, err := s.FindTestSentence(ctx, mine.ID)
	noErr(t, err)
	equal(t, "regrouped test sentence", got.Entities, []nlu.Span{span(10, 16, "bairro", "destino")})
	after, err := s.Revision(ctx, f.version.ID, "pt_br")
	noErr(t, err)
	equal(t, "revision", after, rev)
}
