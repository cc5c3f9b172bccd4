package storetest

import (
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// translation builds a translation of the example original into lang.
func (f fixture) translation(original *repository.Example, lang, text string, spans ...nlu.Span) *repository.Example {
	e := f.example(lang, original.Intent, text, spans...)
	e.TranslatedFrom = original.ID
	return e
}

// boleto is a pt_br original with two labels, as bot builders write them.
func (f fixture) boleto() *repository.Example {
	return f.example("pt_br", "segunda_via", "qro a 2ª via do boleto de março",
		span(16, 22, "documento", ""), span(26, 31, "mes", "vencimento"))
}

// factura is boleto's Spanish translation, its labels at other offsets.
func (f fixture) factura(original *repository.Example) *repository.Example {
	return f.translation(original, "es", "quiero la segunda vía de mi factura de marzo",
		span(28, 35, "documento", ""), span(39, 44, "mes", "vencimento"))
}

func testCreateTranslations(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es", "en")
	o := f.boleto()
	f.add(t, s, o)
	esRev := revision(t, s, f.version.ID, "es")

	es := f.factura(o)
	f.add(t, s, es)
	got, err := s.FindExample(ctx, es.ID)
	noErr(t, err)
	equal(t, "translated_from", got.TranslatedFrom, o.ID)
	equal(t, "translation's spans", got.Entities, es.Entities)
	equal(t, "es revision after translating", revision(t, s, f.version.ID, "es"), esRev+1)
	back, err := s.FindExample(ctx, o.ID)
	noErr(t, err)
	equal(t, "original's translated_from", back.TranslatedFrom, int64(0))

	// A translation is an ordinary example of its language.
	set, _, err := s.TrainingSet(ctx, f.version.ID, "es")
	noErr(t, err)
	equal(t, "es training set", len(set), 1)
	equal(t, "es intents", must(s.ListIntents(ctx, f.version.ID, "es")), []repository.IntentSummary{intentSum("segunda_via", 1)})

	cases := []struct {
		name string
		e    func() *repository.Example
		code string
		msg  string
	}{
		{"same language as the original", func() *repository.Example {
			return f.translation(o, "pt_br", "quero a segunda via do boleto de março", span(23, 29, "documento", ""), span(33, 38, "mes", "vencimento"))
		}, sabia.EINVALID, "another language"},
		{"second translation into a language", func() *repository.Example {
			return f.translation(o, "es", "necesito la 2da vía de la factura de marzo", span(26, 33, "documento", ""), span(37, 42, "mes", "vencimento"))
		}, sabia.ECONFLICT, "already has a translation into es"},
		{"translation of a translation", func() *repository.Example {
			return f.translation(es, "en", "I want a copy of my March invoice", span(20, 25, "mes", "vencimento"), span(26, 33, "documento", ""))
		}, sabia.EINVALID, "translate the original"},
		{"missing and extra labels", func() *repository.Example {
			return f.translation(o, "en", "I want a copy of my March invoice", span(20, 25, "mes", ""), span(26, 33, "documento", ""))
		}, sabia.EINVALID, `missing "mes/vencimento"; extra "mes"`},
		{"another intent", func() *repository.Example {
			e := f.translation(o, "en", "I want a copy of my March invoice", span(20, 25, "mes", "vencimento"), span(26, 33, "documento", ""))
			e.Intent = "cancelar"
			return e
		}, sabia.EINVALID, "intent"},
		{"original not found", func() *repository.Example {
			e := f.translation(o, "en", "I want a copy of my March invoice")
			e.TranslatedFrom = o.ID + 1000
			return e
		}, sabia.ENOTFOUND, "not found"},
		{"reference to a later item", func() *repository.Example {
			e := f.translation(o, "en", "I want a copy of my March invoice")
			e.TranslatedFrom = -1
			return e
		}, sabia.EINVALID, "does not come before it"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := s.CreateExamples(ctx, []*repository.Example{c.e()})
			wantCode(t, err, c.code, c.msg)
			wantCode(t, err, c.code, "example 0: ")
		})
	}
	// A text already in the language conflicts, as for any example.
	other := f.example("pt_br", "segunda_via", "boleto de março", span(0, 6, "documento", ""), span(10, 15, "mes", "vencimento"))
	f.add(t, s, other)
	dup := f.translation(other, "es", es.Text, es.Entities...)
	wantCode(t, s.CreateExamples(ctx, []*repository.Example{dup}), sabia.ECONFLICT, "already exists in es")

	// An original and its translations in one batch, the translation
	// naming the original by its place; all or nothing.
	orig := f.example("pt_br", "cancelar", "cancela meu plano pfv")
	tr := f.example("es", "cancelar", "cancela mi plan por favor")
	tr.TranslatedFrom = -1
	bad := f.example("en", "cancelar", "cancel my plan please", span(10, 14, "produto", ""))
	bad.TranslatedFrom = -1
	n := countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID})
	wantCode(t, s.CreateExamples(ctx, []*repository.Example{orig, tr, bad}), sabia.EINVALID, `example 2: `)
	equal(t, "examples after a failed batch", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), n)
	orig.ID, tr.ID, tr.TranslatedFrom = 0, 0, -1
	f.add(t, s, orig, tr)
	equal(t, "batch reference resolved", tr.TranslatedFrom, orig.ID)
	list, total, err := s.ListExamples(ctx, repository.ExampleFilter{TranslatedFrom: orig.ID})
	noErr(t, err)
	equal(t, "translations of the batch original", texts(list), []string{"cancela mi plan por favor"})
	equal(t, "total", total, 1)

	// Test sentences are never translations.
	ts := f.sentence("es", "cancelar", "cancela ya")
	ts.TranslatedFrom = orig.ID
	err = s.CreateTestSentences(ctx, []*repository.TestSentence{ts})
	wantCode(t, err, sabia.EINVALID, "cannot be a translation")
	tests, _, err := s.ListTestSentences(ctx, repository.TestSentenceFilter{TranslatedFrom: orig.ID})
	noErr(t, err)
	equal(t, "test sentences translating", len(tests), 0)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func testUpdateTranslations(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es", "en")
	o := f.boleto()
	f.add(t, s, o)
	es := f.factura(o)
	en := f.translation(o, "en", "I want a copy of my March invoice", span(20, 25, "mes", "vencimento"), span(26, 33, "documento", ""))
	f.add(t, s, es, en)

	// A translation's text and spans may change, keeping the labels; its
	// link and version are the stored ones whatever the caller sends.
	u := *es
	u.Text, u.Entities, u.UpdatedAt = "qiero la 2da vía de la factura de marzo", []nlu.Span{span(23, 30, "documento", ""), span(34, 39, "mes", "vencimento")}, at(1)
	u.TranslatedFrom, u.VersionID = 0, 0
	noErr(t, s.UpdateExample(ctx, &u))
	equal(t, "translated_from kept", u.TranslatedFrom, o.ID)
	equal(t, "version set", u.VersionID, f.version.ID)

	cases := []struct {
		name   string
		change func(e *repository.Example)
		code   string
		msg    string
	}{
		{"translation's intent", func(e *repository.Example) { e.Intent = "cancelar" }, sabia.EINVALID, "change the original"},
		{"translation's labels", func(e *repository.Example) { e.Entities = e.Entities[:1] }, sabia.EINVALID, `missing "mes/vencimento"`},
		{"translation into the original's language", func(e *repository.Example) { e.Language = "pt_br" }, sabia.EINVALID, "another language"},
		{"translation into another translation's language", func(e *repository.Example) { e.Language = "en" }, sabia.ECONFLICT, "already has a translation into en"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := u
			e.Entities = append([]nlu.Span(nil), u.Entities...)
			c.change(&e)
			wantCode(t, s.UpdateExample(ctx, &e), c.code, c.msg)
			got, err := s.FindExample(ctx, es.ID)
			noErr(t, err)
			equal(t, "unchanged translation", got.Text, u.Text)
			equal(t, "unchanged language", got.Language, "es")
		})
	}

	// An original cannot move into the language of one of its translations.
	m := *o
	m.Language = "es"
	wantCode(t, s.UpdateExample(ctx, &m), sabia.EINVALID, "translation into es")

	// Its intent change reaches its translations, bumping their languages.
	revs := map[string]int64{}
	for _, l := range []string{"pt_br", "es", "en"} {
		revs[l] = revision(t, s, f.version.ID, l)
	}
	m = *o
	m.Intent, m.UpdatedAt = "boleto", at(2)
	noErr(t, s.UpdateExample(ctx, &m))
	for _, l := range []string{"pt_br", "es", "en"} {
		equal(t, l+" revision after the original's intent changed", revision(t, s, f.version.ID, l), revs[l]+1)
	}
	trs, _, err := s.ListExamples(ctx, repository.ExampleFilter{TranslatedFrom: o.ID})
	noErr(t, err)
	for _, tr := range trs {
		equal(t, tr.Language+" intent", tr.Intent, "boleto")
		sameTime(t, tr.Language+" updated_at", tr.UpdatedAt, at(2))
	}

	// Its entities may change: the translations keep theirs (and mismatch).
	m.Entities, m.UpdatedAt = m.Entities[:1], at(3)
	noErr(t, s.UpdateExample(ctx, &m))
	got, err := s.FindExample(ctx, es.ID)
	noErr(t, err)
	equal(t, "translation's spans after the original's changed", len(got.Entities), 2)
	equal(t, "es revision after the original's spans changed", revision(t, s, f.version.ID, "es"), revs["es"]+1)
}

func testDeleteTranslations(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es", "en")
	o := f.boleto()
	keep := f.example("pt_br", "cancelar", "cancela meu plano")
	f.add(t, s, o, keep)
	es := f.factura(o)
	keepEs := f.translation(keep, "es", "cancela mi plan")
	f.add(t, s, es, keepEs)

	// Deleting a translation leaves its original.
	noErr(t, s.DeleteExample(ctx, keepEs.ID))
	_, err := s.FindExample(ctx, keep.ID)
	noErr(t, err)

	// Deleting an original deletes its translations and bumps their
	// languages.
	pt, esRev := revision(t, s, f.version.ID, "pt_br"), revision(t, s, f.version.ID, "es")
	noErr(t, s.DeleteExample(ctx, o.ID))
	_, err = s.FindExample(ctx, es.ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), pt+1)
	equal(t, "es revision", revision(t, s, f.version.ID, "es"), esRev+1)
	equal(t, "en revision (no translation)", revision(t, s, f.version.ID, "en"), int64(0))

	// Intents are renamed and deleted with their translations, which have
	// them too.
	tr := f.translation(keep, "es", "cancela mi plan")
	f.add(t, s, tr)
	n, err := s.RenameIntent(ctx, f.version.ID, "cancelar", "cancelamento", at(1))
	noErr(t, err)
	equal(t, "renamed", n, int64(2))
	got, err := s.FindExample(ctx, tr.ID)
	noErr(t, err)
	equal(t, "translation's intent after the rename", got.Intent, "cancelamento")
	esRev = revision(t, s, f.version.ID, "es")
	n, err = s.DeleteIntent(ctx, f.version.ID, "cancelamento")
	noErr(t, err)
	equal(t, "deleted", n, int64(2))
	equal(t, "es revision after DeleteIntent", revision(t, s, f.version.ID, "es"), esRev+1)
	equal(t, "examples left", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), 0)
}

func testUntranslated(t *testing.T, s repository.Store) {
	f := newRepo(t, s, "r1", t0, "pt_br", "es", "en")
	a := f.example("pt_br", "saudacao", "oi, td bem?")
	b := f.example("pt_br", "saudacao", "bom dia")
	c := f.example("pt_br", "despedida", "tchau, obg")
	d := f.example("es", "despedida", "hasta luego") // an original in Spanish
	f.add(t, s, a, b, c, d)
	f.add(t, s, f.translation(a, "es", "hola, ¿qué tal?"), f.translation(c, "en", "bye, thanks"))

	cases := []struct {
		name string
		f    repository.ExampleFilter
		want []string
	}{
		{"into es", repository.ExampleFilter{Untranslated: "es"}, []string{"bom dia", "tchau, obg"}},
		{"into en", repository.ExampleFilter{Untranslated: "en"}, []string{"oi, td bem?", "bom dia", "hasta luego"}},
		{"into en, from pt_br", repository.ExampleFilter{Untranslated: "en", Language: "pt_br"}, []string{"oi, td bem?", "bom dia"}},
		{"into pt_br", repository.ExampleFilter{Untranslated: "pt_br"}, []string{"hasta luego"}},
		{"into es, one intent", repository.ExampleFilter{Untranslated: "es", Intent: "despedida"}, []string{"tchau, obg"}},
		{"translations of a", repository.ExampleFilter{TranslatedFrom: a.ID}, []string{"hola, ¿qué tal?"}},
		{"translations of b", repository.ExampleFilter{TranslatedFrom: b.ID}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.f.VersionID = f.version.ID
			got, total, err := s.ListExamples(t.Context(), c.f)
			noErr(t, err)
			equal(t, "texts", texts(got), c.want)
			equal(t, "total", total, len(c.want))
		})
	}
}
