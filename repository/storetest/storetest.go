// Package storetest is the conformance suite every repository.Store passes
// (repository/sqlite today, repository/postgres later), in the manner of
// River's riverdrivertest: the implementation's tests call Run with a
// constructor and get the same behaviour checked against each backend.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// Run runs the suite. newStore must return a fresh, empty, migrated store
// for each call (each test gets its own) and arrange its cleanup with
// t.Cleanup; it is called from parallel subtests.
func Run(t *testing.T, newStore func(t *testing.T) repository.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, repository.Store)
	}{
		{"Repositories", testRepositories},
		{"ListRepositories", testListRepositories},
		{"Versions", testVersions},
		{"CreateVersion", testCreateVersion},
		{"CopyVersion", testCopyVersion},
		{"UpdateVersion", testUpdateVersion},
		{"DeleteVersion", testDeleteVersion},
		{"VersionIDsNeverReused", testVersionIDsNeverReused},
		{"VersionsBounded", testVersionsBounded},
		{"CreateExamples", testCreateExamples},
		{"CreateExamplesAllOrNothing", testCreateExamplesAllOrNothing},
		{"ListExamples", testListExamples},
		{"UpdateExample", testUpdateExample},
		{"DeleteExample", testDeleteExample},
		{"Intents", testIntents},
		{"Entities", testEntities},
		{"Revisions", testRevisions},
		{"TrainingSet", testTrainingSet},
		{"CreateTranslations", testCreateTranslations},
		{"UpdateTranslations", testUpdateTranslations},
		{"DeleteTranslations", testDeleteTranslations},
		{"Untranslated", testUntranslated},
		{"Tokens", testTokens},
		{"Jobs", testJobs},
		{"Models", testModels},
		{"CreateTestSentences", testCreateTestSentences},
		{"CreateTestSentencesAllOrNothing", testCreateTestSentencesAllOrNothing},
		{"ListTestSentences", testListTestSentences},
		{"UpdateTestSentence", testUpdateTestSentence},
		{"DeleteTestSentence", testDeleteTestSentence},
		{"TestSet", testTestSet},
		{"RenamesReachTestSentences", testRenamesReachTestSentences},
		{"GroupReachesTestSentencesAlone", testGroupReachesTestSentencesAlone},
		{"SaveEvaluation", testSaveEvaluation},
		{"ListEvaluations", testListEvaluations},
		{"ListEvaluationResults", testListEvaluationResults},
		{"DeleteEvaluation", testDeleteEvaluation},
		{"InsertLogs", testInsertLogs},
		{"InsertLogsBatch", testInsertLogsBatch},
		{"ListLogs", testListLogs},
		{"DeleteLogsBefore", testDeleteLogsBefore},
		{"DeleteRepositoryCascades", testDeleteRepositoryCascades},
		{"ConcurrentWrites", testConcurrentWrites},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// t0 is the suite's clock origin, at microsecond precision as every store
// keeps it.
var t0 = time.Date(2025, 3, 14, 12, 30, 0, 123456000, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// fixture holds a repository made by newRepo.
type fixture struct {
	repo    repository.Repository
	version repository.Version
}

func newRepo(t *testing.T, s repository.Store, uuid string, created time.Time, langs ...string) fixture {
	t.Helper()
	if len(langs) == 0 {
		langs = []string{nlu.LangPortugueseBR}
	}
	r := repository.Repository{
		UUID: uuid, Name: "Atendimento " + uuid, Description: "bot de teste", Language: langs[0], Languages: langs,
		Threshold: repository.DefaultThreshold, LogRetentionDays: repository.DefaultLogRetentionDays,
		PatternEntities: []nlu.PatternEntity{
			{Name: "produto", Values: []nlu.ListValue{{Value: "Cartão Gold", Synonyms: []string{"gold", "cartao dourado"}}}},
			{Name: "protocolo", Group: "atendimento", Regex: `PRT-\d{6}`},
		},
		CreatedAt: created, UpdatedAt: created,
	}
	v := repository.Version{Name: repository.DefaultVersionName, IsDefault: true, CreatedAt: created}
	if err := s.CreateRepository(t.Context(), &r, &v); err != nil {
		t.Fatalf("CreateRepository: %v", err)
	}
	return fixture{r, v}
}

// example builds an example of the fixture's default version.
func (f fixture) example(lang, intent, text string, spans ...nlu.Span) *repository.Example {
	return &repository.Example{
		RepositoryUUID: f.repo.UUID, VersionID: f.version.ID, Text: text, Language: lang, Intent: intent,
		Entities: spans, CreatedAt: t0, UpdatedAt: t0,
	}
}

func (f fixture) add(t *testing.T, s repository.Store, examples ...*repository.Example) {
	t.Helper()
	if err := s.CreateExamples(t.Context(), examples); err != nil {
		t.Fatalf("CreateExamples: %v", err)
	}
}

func intentSum(name string, n int) repository.IntentSummary {
	return repository.IntentSummary{Name: name, ExampleCount: n}
}

func entitySum(entity, group string, n int) repository.EntitySummary {
	return repository.EntitySummary{Entity: entity, Group: group, ExampleCount: n}
}

func span(start, end int, entity, group string) nlu.Span {
	return nlu.Span{Start: start, End: end, Entity: entity, Group: group}
}

// wantCode fails unless err is a *sabia.Error with code (and, when msg is
// not empty, a message containing msg).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *sabia.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want a *sabia.Error with code %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	if msg != "" && !strings.Contains(e.Message, msg) {
		t.Fatalf("message = %q, want it to contain %q", e.Message, msg)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
	if got.Location() != time.UTC {
		t.Fatalf("%s is in %v, want UTC", what, got.Location())
	}
}

func texts(examples []repository.Example) []string {
	out := []string{}
	for _, e := range examples {
		out = append(out, e.Text)
	}
	return out
}

func revision(t *testing.T, s repository.Store, versionID int64, lang string) int64 {
	t.Helper()
	rev, err := s.Revision(t.Context(), versionID, lang)
	noErr(t, err)
	return rev
}

func countExamples(t *testing.T, s repository.Store, f repository.ExampleFilter) int {
	t.Helper()
	_, n, err := s.ListExamples(t.Context(), f)
	noErr(t, err)
	return n
}

func testRepositories(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	if f.version.ID == 0 || f.version.RepositoryUUID != "r1" {
		t.Fatalf("version = %+v, want an ID and the repository", f.version)
	}

	got, err := s.FindRepository(ctx, "r1")
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, t0)
	sameTime(t, "UpdatedAt", got.UpdatedAt, t0)
	got.CreatedAt, got.UpdatedAt = f.repo.CreatedAt, f.repo.UpdatedAt
	equal(t, "repository", got, f.repo)

	dup := f.repo
	var v repository.Version
	wantCode(t, s.CreateRepository(ctx, &dup, &v), sabia.ECONFLICT, "")

	_, err = s.FindRepository(ctx, "missing")
	wantCode(t, err, sabia.ENOTFOUND, "")

	upd := got
	upd.Name, upd.Description, upd.Language, upd.Languages = "Clínica São José", "", "es", []string{"es", "en"}
	upd.Threshold, upd.BuiltinIntents, upd.LogRetentionDays, upd.UpdatedAt = 0.55, true, 0, at(5)
	upd.CreatedAt = at(99) // not mutable
	noErr(t, s.UpdateRepository(ctx, &upd))
	got, err = s.FindRepository(ctx, "r1")
	noErr(t, err)
	sameTime(t, "CreatedAt after update", got.CreatedAt, t0)
	sameTime(t, "UpdatedAt after update", got.UpdatedAt, at(5))
	upd.CreatedAt, upd.UpdatedAt = got.CreatedAt, got.UpdatedAt
	equal(t, "updated repository", got, upd)

	missing := upd
	missing.UUID = "missing"
	wantCode(t, s.UpdateRepository(ctx, &missing), sabia.ENOTFOUND, "")
	wantCode(t, s.DeleteRepository(ctx, "missing"), sabia.ENOTFOUND, "")

	noErr(t, s.DeleteRepository(ctx, "r1"))
	_, err = s.FindRepository(ctx, "r1")
	wantCode(t, err, sabia.ENOTFOUND, "")
}

func testListRepositories(t *testing.T, s repository.Store) {
	ctx := t.Context()
	names := map[string]string{"a": "Clínica Saúde", "b": "Banco Digital", "c": "CLINICA VET", "d": "Loja 100%"}
	for i, id := range []string{"a", "b", "c", "d"} {
		r := repository.Repository{
			UUID: id, Name: names[id], Language: "pt_br", Languages: []string{"pt_br"}, CreatedAt: at(i), UpdatedAt: at(i),
		}
		v := repository.Version{Name: "master", IsDefault: true, CreatedAt: at(i)}
		noErr(t, s.CreateRepository(ctx, &r, &v))
	}
	uuids := func(rs []repository.Repository) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.UUID)
		}
		return out
	}
	tests := []struct {
		name  string
		f     repository.RepositoryFilter
		want  []string
		total int
	}{
		{"all, newest first", repository.RepositoryFilter{}, []string{"d", "c", "b", "a"}, 4},
		{"page", repository.RepositoryFilter{Offset: 1, Limit: 2}, []string{"c", "b"}, 4},
		{"past the end", repository.RepositoryFilter{Offset: 10}, []string{}, 4},
		{"by uuid", repository.RepositoryFilter{UUIDs: []string{"a", "c", "zz"}}, []string{"c", "a"}, 2},
		{"no uuids", repository.RepositoryFilter{UUIDs: []string{}}, []string{}, 0},
		{"query ignores case and accents", repository.RepositoryFilter{Query: "clinica"}, []string{"c", "a"}, 2},
		{"query with accent", repository.RepositoryFilter{Query: "SAÚDE"}, []string{"a"}, 1},
		{"query % is literal", repository.RepositoryFilter{Query: "%"}, []string{"d"}, 1},
		{"query _ is literal", repository.RepositoryFilter{Query: "a_"}, []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListRepositories(ctx, tt.f)
			noErr(t, err)
			equal(t, "uuids", uuids(got), tt.want)
			equal(t, "total", total, tt.total)
		})
	}
}

func testVersions(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	got, err := s.FindVersion(ctx, f.version.ID)
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, t0)
	equal(t, "version", got, f.version)

	def, err := s.DefaultVersion(ctx, "r1")
	noErr(t, err)
	equal(t, "default version", def, f.version)

	list, err := s.ListVersions(ctx, "r1")
	noErr(t, err)
	equal(t, "versions", list, []repository.Version{f.version})

	_, err = s.FindVersion(ctx, f.version.ID+1000)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.DefaultVersion(ctx, "missing")
	wantCode(t, err, sabia.ENOTFOUND, "")
	list, err = s.ListVersions(ctx, "missing")
	noErr(t, err)
	equal(t, "versions of a missing repository", len(list), 0)
}

func testCreateExamples(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	in := []*repository.Example{
		f.example("pt_br", "segunda_via", "qro a 2ª via do boleto", span(6, 12, "documento", ""), span(16, 22, "documento", "tipo")),
		f.example("es", "cancelar", "cancelar mi suscripción"),
		f.example("pt_br", "saudacao", "oi"),
		f.example("pt_br", "saudacao", "Oi"), // exact comparison: a different text
		f.example("es", "saudacao", "oi"),    // same text, other language
	}
	in[4].CreatedAt, in[4].UpdatedAt = at(1), at(2)
	f.add(t, s, in...)
	for i, e := range in {
		if e.ID == 0 {
			t.Fatalf("example %d: no ID set", i)
		}
		if i > 0 && e.ID <= in[i-1].ID {
			t.Fatalf("IDs not increasing: %d after %d", e.ID, in[i-1].ID)
		}
	}
	for _, want := range in {
		got, err := s.FindExample(ctx, want.ID)
		noErr(t, err)
		sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
		sameTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)
		if got.Entities == nil {
			t.Fatalf("example %d: Entities is nil, want an empty slice", want.ID)
		}
		w := *want
		if w.Entities == nil {
			w.Entities = []nlu.Span{}
		}
		w.CreatedAt, w.UpdatedAt = got.CreatedAt, got.UpdatedAt
		equal(t, "example", got, w)
	}
	_, err := s.FindExample(ctx, in[4].ID+1000)
	wantCode(t, err, sabia.ENOTFOUND, "")

	noErr(t, s.CreateExamples(ctx, nil))
}

func testCreateExamplesAllOrNothing(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	f.add(t, s, f.example("pt_br", "boleto", "qro a 2ª via do boleto"))
	rev := revision(t, s, f.version.ID, "pt_br")

	tests := []struct {
		name  string
		batch []*repository.Example
		code  string
		msg   string
	}{
		{"duplicate of a stored text", []*repository.Example{
			f.example("pt_br", "pix", "como faço um pix"),
			f.example("es", "boleto", "qro a 2ª via do boleto"),
			f.example("pt_br", "boleto", "qro a 2ª via do boleto"),
		}, sabia.ECONFLICT, `example 2: text "qro a 2ª via do boleto" already exists in pt_br`},
		{"duplicate within the batch", []*repository.Example{
			f.example("pt_br", "pix", "como faço um pix"),
			f.example("pt_br", "pix", "pix"),
			f.example("pt_br", "ajuda", "como faço um pix"),
		}, sabia.ECONFLICT, `example 2: text "como faço um pix" repeats example 0`},
		{"missing version", []*repository.Example{
			f.example("pt_br", "pix", "como faço um pix"),
			{RepositoryUUID: "r1", VersionID: f.version.ID + 1000, Text: "oi", Language: "pt_br", Intent: "oi", CreatedAt: t0, UpdatedAt: t0},
		}, sabia.ENOTFOUND, "example 1: version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, s.CreateExamples(ctx, tt.batch), tt.code, tt.msg)
			equal(t, "examples stored", countExamples(t, s, repository.ExampleFilter{RepositoryUUID: "r1"}), 1)
			equal(t, "revision", revision(t, s, f.version.ID, "pt_br"), rev)
			equal(t, "es revision", revision(t, s, f.version.ID, "es"), int64(0))
		})
	}

	// The same text in another repository's version is not a duplicate.
	other.add(t, s, other.example("pt_br", "boleto", "qro a 2ª via do boleto"))
}

func testListExamples(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	f.add(t, s,
		f.example("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", "")),
		f.example("pt_br", "boleto", "segunda VIA da fatura", span(15, 21, "documento", "conta")),
		f.example("pt_br", "pix", "faz um pix de 50% pra Maria", span(22, 27, "pessoa", "")),
		f.example("es", "cancelar", "cancelar mi suscripción"),
		f.example("es", "cancelar", "quiero dar de baja el plan", span(22, 26, "producto", "")),
		f.example("pt_br", "saudacao", "Olá, bom dia"),
	)
	other.add(t, s, other.example("pt_br", "boleto", "2ª via"))

	tests := []struct {
		name  string
		f     repository.ExampleFilter
		want  []string
		total int
	}{
		{"repository", repository.ExampleFilter{RepositoryUUID: "r1"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura", "faz um pix de 50% pra Maria",
			"cancelar mi suscripción", "quiero dar de baja el plan", "Olá, bom dia"}, 6},
		{"version", repository.ExampleFilter{VersionID: other.version.ID}, []string{"2ª via"}, 1},
		{"language", repository.ExampleFilter{VersionID: f.version.ID, Language: "es"}, []string{
			"cancelar mi suscripción", "quiero dar de baja el plan"}, 2},
		{"intent", repository.ExampleFilter{VersionID: f.version.ID, Intent: "boleto"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura"}, 2},
		{"entity", repository.ExampleFilter{VersionID: f.version.ID, Entity: "documento"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura"}, 2},
		{"entity none", repository.ExampleFilter{VersionID: f.version.ID, Entity: "conta"}, []string{}, 0},
		{"query ignores case", repository.ExampleFilter{VersionID: f.version.ID, Query: "via"}, []string{
			"qro a 2ª via do boleto", "segunda VIA da fatura"}, 2},
		{"query ignores accents", repository.ExampleFilter{VersionID: f.version.ID, Query: "suscripcion"}, []string{
			"cancelar mi suscripción"}, 1},
		{"query with accents", repository.ExampleFilter{VersionID: f.version.ID, Query: "OLÁ"}, []string{"Olá, bom dia"}, 1},
		{"query % is literal", repository.ExampleFilter{VersionID: f.version.ID, Query: "%"}, []string{
			"faz um pix de 50% pra Maria"}, 1},
		{"query combined", repository.ExampleFilter{VersionID: f.version.ID, Language: "pt_br", Intent: "boleto", Query: "fatura"}, []string{
			"segunda VIA da fatura"}, 1},
		{"page", repository.ExampleFilter{RepositoryUUID: "r1", Offset: 1, Limit: 2}, []string{
			"segunda VIA da fatura", "faz um pix de 50% pra Maria"}, 6},
		{"page past the end", repository.ExampleFilter{RepositoryUUID: "r1", Offset: 6, Limit: 2}, []string{}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListExamples(ctx, tt.f)
			noErr(t, err)
			equal(t, "texts", texts(got), tt.want)
			equal(t, "total", total, tt.total)
		})
	}

	got, _, err := s.ListExamples(ctx, repository.ExampleFilter{VersionID: f.version.ID, Intent: "boleto"})
	noErr(t, err)
	equal(t, "entities of a listed example", got[1].Entities, []nlu.Span{span(15, 21, "documento", "conta")})
	got, _, err = s.ListExamples(ctx, repository.ExampleFilter{VersionID: f.version.ID, Intent: "saudacao"})
	noErr(t, err)
	equal(t, "entities of an example without", got[0].Entities, []nlu.Span{})
}

func testUpdateExample(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	a := f.example("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""))
	b := f.example("pt_br", "pix", "faz um pix")
	f.add(t, s, a, b)
	pt, es := revision(t, s, f.version.ID, "pt_br"), revision(t, s, f.version.ID, "es")

	// Same text as itself, new intent and spans.
	upd := *a
	upd.Intent, upd.Entities, upd.UpdatedAt = "segunda_via", []nlu.Span{span(6, 12, "documento", "tipo"), span(16, 22, "documento", "")}, at(3)
	noErr(t, s.UpdateExample(ctx, &upd))
	got, err := s.FindExample(ctx, a.ID)
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, t0)
	sameTime(t, "UpdatedAt", got.UpdatedAt, at(3))
	got.UpdatedAt = upd.UpdatedAt
	equal(t, "updated example", got, upd)
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), pt+1)

	// Moving to another language bumps both.
	upd.Text, upd.Language, upd.Entities = "quiero la segunda factura", "es", nil
	noErr(t, s.UpdateExample(ctx, &upd))
	got, err = s.FindExample(ctx, a.ID)
	noErr(t, err)
	equal(t, "moved language", got.Language, "es")
	equal(t, "spans removed", got.Entities, []nlu.Span{})
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), pt+2)
	equal(t, "es revision", revision(t, s, f.version.ID, "es"), es+1)
	equal(t, "query on new text", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID, Query: "FACTURA"}), 1)

	// Another example's text conflicts; nothing changes.
	dup := *b
	dup.Text, dup.Language = "quiero la segunda factura", "es"
	wantCode(t, s.UpdateExample(ctx, &dup), sabia.ECONFLICT, `"quiero la segunda factura" already exists in es`)
	got, err = s.FindExample(ctx, b.ID)
	noErr(t, err)
	equal(t, "unchanged text", got.Text, "faz um pix")
	equal(t, "es revision after conflict", revision(t, s, f.version.ID, "es"), es+1)

	missing := *b
	missing.ID = b.ID + 1000
	wantCode(t, s.UpdateExample(ctx, &missing), sabia.ENOTFOUND, "")
}

func testDeleteExample(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	a := f.example("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""))
	f.add(t, s, a, f.example("pt_br", "pix", "faz um pix"))
	rev := revision(t, s, f.version.ID, "pt_br")

	noErr(t, s.DeleteExample(ctx, a.ID))
	_, err := s.FindExample(ctx, a.ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "revision", revision(t, s, f.version.ID, "pt_br"), rev+1)
	ents, err := s.ListEntities(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "entities left", ents, []repository.EntitySummary{})
	wantCode(t, s.DeleteExample(ctx, a.ID), sabia.ENOTFOUND, "")

	// The text is free again.
	f.add(t, s, f.example("pt_br", "boleto", "qro a 2ª via do boleto"))
}

func testIntents(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	f.add(t, s,
		f.example("pt_br", "boleto", "qro a 2ª via do boleto"),
		f.example("pt_br", "segunda_via", "segunda via da conta"),
		f.example("pt_br", "boleto", "manda o boleto"),
		f.example("es", "boleto", "necesito la factura"),
		f.example("es", "cancelar", "cancelar mi suscripción"),
	)
	other.add(t, s, other.example("pt_br", "boleto", "boleto"))

	got, err := s.ListIntents(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "intents", got, []repository.IntentSummary{intentSum("boleto", 3), intentSum("cancelar", 1), intentSum("segunda_via", 1)})
	got, err = s.ListIntents(ctx, f.version.ID, "es")
	noErr(t, err)
	equal(t, "es intents", got, []repository.IntentSummary{intentSum("boleto", 1), intentSum("cancelar", 1)})

	// Renaming onto an existing intent merges, in every language.
	pt, es := revision(t, s, f.version.ID, "pt_br"), revision(t, s, f.version.ID, "es")
	n, err := s.RenameIntent(ctx, f.version.ID, "boleto", "segunda_via", at(7))
	noErr(t, err)
	equal(t, "renamed", n, int64(3))
	got, err = s.ListIntents(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "intents after merge", got, []repository.IntentSummary{intentSum("cancelar", 1), intentSum("segunda_via", 4)})
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), pt+1)
	equal(t, "es revision", revision(t, s, f.version.ID, "es"), es+1)
	ex, _, err := s.ListExamples(ctx, repository.ExampleFilter{VersionID: f.version.ID, Query: "manda o boleto"})
	noErr(t, err)
	sameTime(t, "UpdatedAt of a renamed example", ex[0].UpdatedAt, at(7))
	equal(t, "other repository untouched", countExamples(t, s, repository.ExampleFilter{VersionID: other.version.ID, Intent: "boleto"}), 1)

	_, err = s.RenameIntent(ctx, f.version.ID, "boleto", "x", at(8))
	wantCode(t, err, sabia.ENOTFOUND, `intent "boleto"`)

	// Deleting an intent deletes its examples; only its languages move.
	es = revision(t, s, f.version.ID, "es")
	pt = revision(t, s, f.version.ID, "pt_br")
	n, err = s.DeleteIntent(ctx, f.version.ID, "cancelar")
	noErr(t, err)
	equal(t, "deleted", n, int64(1))
	equal(t, "examples left", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), 4)
	equal(t, "es revision after delete", revision(t, s, f.version.ID, "es"), es+1)
	equal(t, "pt_br revision after delete", revision(t, s, f.version.ID, "pt_br"), pt)
	_, err = s.DeleteIntent(ctx, f.version.ID, "cancelar")
	wantCode(t, err, sabia.ENOTFOUND, `intent "cancelar"`)
}

func testEntities(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	// "de sp pra rj" and "voo de Recife para Natal" carry origin/destination groups.
	f.add(t, s,
		f.example("pt_br", "passagem", "de sp pra rj", span(3, 5, "cidade", "origem"), span(10, 12, "cidade", "destino")),
		f.example("pt_br", "passagem", "voo de Recife para Natal", span(7, 13, "cidade", "origem"), span(19, 24, "cidade", "destino")),
		f.example("pt_br", "passagem", "quero ir pra Salvador", span(13, 21, "cidade", "")),
		f.example("es", "vuelo", "vuelo a Bogotá mañana", span(8, 14, "ciudad", ""), span(15, 21, "fecha", "")),
		f.example("pt_br", "saudacao", "oi"),
	)
	other.add(t, s, other.example("pt_br", "passagem", "pra rj", span(4, 6, "cidade", "")))

	got, err := s.ListEntities(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "entities", got, []repository.EntitySummary{
		entitySum("cidade", "", 1), entitySum("cidade", "destino", 2), entitySum("cidade", "origem", 2), entitySum("ciudad", "", 1), entitySum("fecha", "", 1),
	})
	got, err = s.ListEntities(ctx, f.version.ID, "es")
	noErr(t, err)
	equal(t, "es entities", got, []repository.EntitySummary{entitySum("ciudad", "", 1), entitySum("fecha", "", 1)})

	// Renaming an entity onto another merges them; only es moves.
	pt, es := revision(t, s, f.version.ID, "pt_br"), revision(t, s, f.version.ID, "es")
	n, err := s.RenameEntity(ctx, f.version.ID, "ciudad", "cidade", at(1))
	noErr(t, err)
	equal(t, "examples renamed", n, int64(1))
	equal(t, "es revision", revision(t, s, f.version.ID, "es"), es+1)
	equal(t, "pt_br revision", revision(t, s, f.version.ID, "pt_br"), pt)
	ex, _, err := s.ListExamples(ctx, repository.ExampleFilter{VersionID: f.version.ID, Language: "es"})
	noErr(t, err)
	equal(t, "renamed spans", ex[0].Entities, []nlu.Span{span(8, 14, "cidade", ""), span(15, 21, "fecha", "")})
	sameTime(t, "UpdatedAt", ex[0].UpdatedAt, at(1))

	// Renaming a group.
	n, err = s.RenameGroup(ctx, f.version.ID, "origem", "partida", at(2))
	noErr(t, err)
	equal(t, "examples with group renamed", n, int64(2))
	equal(t, "pt_br revision after group rename", revision(t, s, f.version.ID, "pt_br"), pt+1)
	_, err = s.RenameGroup(ctx, f.version.ID, "origem", "x", at(2))
	wantCode(t, err, sabia.ENOTFOUND, `group "origem"`)

	// Setting a group on every span of an entity, then removing it.
	n, err = s.SetEntityGroup(ctx, f.version.ID, "fecha", "quando", at(3))
	noErr(t, err)
	equal(t, "examples grouped", n, int64(1))
	n, err = s.SetEntityGroup(ctx, f.version.ID, "fecha", "quando", at(3))
	noErr(t, err)
	equal(t, "examples grouped again", n, int64(0))
	es = revision(t, s, f.version.ID, "es")
	n, err = s.SetEntityGroup(ctx, f.version.ID, "cidade", "", at(4))
	noErr(t, err)
	equal(t, "examples ungrouped", n, int64(2))
	equal(t, "es untouched by ungrouping pt_br spans", revision(t, s, f.version.ID, "es"), es)
	_, err = s.SetEntityGroup(ctx, f.version.ID, "pessoa", "x", at(4))
	wantCode(t, err, sabia.ENOTFOUND, `entity "pessoa"`)

	got, err = s.ListEntities(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "entities after group changes", got, []repository.EntitySummary{entitySum("cidade", "", 4), entitySum("fecha", "quando", 1)})

	// Deleting an entity removes its spans, not the examples.
	n, err = s.DeleteEntity(ctx, f.version.ID, "cidade", at(5))
	noErr(t, err)
	equal(t, "examples without cidade", n, int64(4))
	got, err = s.ListEntities(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "entities after delete", got, []repository.EntitySummary{entitySum("fecha", "quando", 1)})
	equal(t, "examples kept", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), 5)
	_, err = s.DeleteEntity(ctx, f.version.ID, "cidade", at(5))
	wantCode(t, err, sabia.ENOTFOUND, `entity "cidade"`)
	_, err = s.RenameEntity(ctx, f.version.ID, "cidade", "x", at(5))
	wantCode(t, err, sabia.ENOTFOUND, `entity "cidade"`)

	// The other repository kept its spans.
	got, err = s.ListEntities(ctx, other.version.ID, "")
	noErr(t, err)
	equal(t, "other repository's entities", got, []repository.EntitySummary{entitySum("cidade", "", 1)})
}

func testRevisions(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	equal(t, "fresh revision", revision(t, s, f.version.ID, "pt_br"), int64(0))
	_, err := s.Revision(ctx, f.version.ID+1000, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")

	// One batch is one change per language, however many examples.
	f.add(t, s, f.example("pt_br", "a", "um"), f.example("pt_br", "a", "dois"), f.example("es", "a", "uno"))
	equal(t, "pt_br after a batch", revision(t, s, f.version.ID, "pt_br"), int64(1))
	equal(t, "es after a batch", revision(t, s, f.version.ID, "es"), int64(1))
	f.add(t, s, f.example("pt_br", "a", "três"))
	equal(t, "pt_br after another batch", revision(t, s, f.version.ID, "pt_br"), int64(2))
	equal(t, "es untouched", revision(t, s, f.version.ID, "es"), int64(1))
	equal(t, "language never used", revision(t, s, f.version.ID, "en"), int64(0))
}

func testTrainingSet(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	set, rev, err := s.TrainingSet(ctx, f.version.ID, "pt_br")
	noErr(t, err)
	equal(t, "empty set size", len(set), 0)
	equal(t, "empty set revision", rev, int64(0))

	f.add(t, s,
		f.example("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""), span(6, 12, "documento", "tipo")),
		f.example("es", "cancelar", "cancelar mi suscripción"),
		f.example("pt_br", "saudacao", "oi"),
	)
	f.add(t, s, f.example("pt_br", "pix", "faz um pix pra Maria", span(15, 20, "pessoa", "")))
	set, rev, err = s.TrainingSet(ctx, f.version.ID, "pt_br")
	noErr(t, err)
	equal(t, "revision", rev, int64(2))
	equal(t, "training set", set, []nlu.Example{
		{Text: "qro a 2ª via do boleto", Intent: "boleto", Entities: []nlu.Span{span(6, 12, "documento", "tipo"), span(16, 22, "documento", "")}},
		{Text: "oi", Intent: "saudacao"},
		{Text: "faz um pix pra Maria", Intent: "pix", Entities: []nlu.Span{span(15, 20, "pessoa", "")}},
	})
	_, _, err = s.TrainingSet(ctx, f.version.ID+1000, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
}

func testTokens(t *testing.T, s repository.Store) {
	ctx := t.Context()
	newRepo(t, s, "r1", t0)
	newRepo(t, s, "r2", t0)
	hash := func(s string) []byte { return repository.HashSecret(s) }
	a := repository.Token{ID: "tok-a", RepositoryUUID: "r1", Name: "fluxos", Role: repository.RoleUser, CreatedAt: at(1)}
	b := repository.Token{ID: "tok-b", RepositoryUUID: "r1", Name: "admin", Role: repository.RoleAdmin, CreatedAt: at(2)}
	c := repository.Token{ID: "tok-c", RepositoryUUID: "r2", Role: repository.RoleContributor, CreatedAt: at(0)}
	noErr(t, s.CreateToken(ctx, &b, hash("secret-b")))
	noErr(t, s.CreateToken(ctx, &a, hash("secret-a")))
	noErr(t, s.CreateToken(ctx, &c, hash("secret-c")))

	dupID := a
	wantCode(t, s.CreateToken(ctx, &dupID, hash("other")), sabia.ECONFLICT, "")
	dupHash := a
	dupHash.ID = "tok-d"
	wantCode(t, s.CreateToken(ctx, &dupHash, hash("secret-a")), sabia.ECONFLICT, "")

	got, err := s.FindTokenByHash(ctx, hash("secret-a"))
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, at(1))
	got.CreatedAt = a.CreatedAt
	equal(t, "token by hash", got, a)
	_, err = s.FindTokenByHash(ctx, hash("secret-x"))
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindTokenByHash(ctx, bytes.ToUpper(hash("secret-a")))
	wantCode(t, err, sabia.ENOTFOUND, "")

	got, err = s.FindToken(ctx, "tok-c")
	noErr(t, err)
	equal(t, "token by id", got.RepositoryUUID, "r2")
	_, err = s.FindToken(ctx, "missing")
	wantCode(t, err, sabia.ENOTFOUND, "")

	list, err := s.ListTokens(ctx, "r1")
	noErr(t, err)
	ids := []string{}
	for _, tk := range list {
		ids = append(ids, tk.ID)
	}
	equal(t, "tokens oldest first", ids, []string{"tok-a", "tok-b"})

	noErr(t, s.TouchToken(ctx, "tok-a", at(10)))
	noErr(t, s.RevokeToken(ctx, "tok-a", at(20)))
	noErr(t, s.RevokeToken(ctx, "tok-a", at(30))) // keeps the first time
	got, err = s.FindTokenByHash(ctx, hash("secret-a"))
	noErr(t, err)
	if got.LastUsedAt == nil || got.RevokedAt == nil {
		t.Fatalf("token = %+v, want LastUsedAt and RevokedAt", got)
	}
	sameTime(t, "LastUsedAt", *got.LastUsedAt, at(10))
	sameTime(t, "RevokedAt", *got.RevokedAt, at(20))
	wantCode(t, s.RevokeToken(ctx, "missing", at(1)), sabia.ENOTFOUND, "")
	wantCode(t, s.TouchToken(ctx, "missing", at(1)), sabia.ENOTFOUND, "")
}

func testJobs(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	g := newRepo(t, s, "r2", t0, "pt_br")
	job := func(id string, f fixture, lang, status string, created time.Time) *repository.Job {
		return &repository.Job{ID: id, Kind: repository.JobTrain, RepositoryUUID: f.repo.UUID, VersionID: f.version.ID,
			Language: lang, Status: status, CreatedAt: created}
	}
	a := job("job-a", f, "pt_br", repository.JobQueued, at(1))
	noErr(t, s.CreateJob(ctx, a))
	got, err := s.FindJob(ctx, "job-a")
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, at(1))
	got.CreatedAt = a.CreatedAt
	equal(t, "job", got, *a)

	wantCode(t, s.CreateJob(ctx, job("job-a", f, "es", repository.JobQueued, at(1))), sabia.ECONFLICT, "")
	wantCode(t, s.CreateJob(ctx, job("job-a2", f, "pt_br", repository.JobQueued, at(2))), sabia.ECONFLICT, "job-a")
	missing := job("job-x", f, "pt_br", repository.JobQueued, at(2))
	missing.VersionID += 1000
	wantCode(t, s.CreateJob(ctx, missing), sabia.ENOTFOUND, "")
	_, err = s.FindJob(ctx, "missing")
	wantCode(t, err, sabia.ENOTFOUND, "")

	// Lifecycle: running with progress, then succeeded with a model.
	m := repository.Model{RepositoryUUID: "r1", VersionID: f.version.ID, Language: "pt_br", Data: []byte("model"), Revision: 1, TrainedAt: at(3)}
	noErr(t, s.SaveModel(ctx, &m))
	started := at(2)
	got, err = s.UpdateJob(ctx, "job-a", func(j *repository.Job) error {
		j.Status, j.StartedAt, j.Progress = repository.JobRunning, &started, 0.25
		return nil
	})
	noErr(t, err)
	equal(t, "status", got.Status, repository.JobRunning)
	// A queued job may exist beside a running one.
	noErr(t, s.CreateJob(ctx, job("job-b", f, "pt_br", repository.JobQueued, at(4))))
	finished := at(5)
	_, err = s.UpdateJob(ctx, "job-a", func(j *repository.Job) error {
		j.Status, j.Progress, j.FinishedAt, j.ModelID = repository.JobSucceeded, 1, &finished, m.ID
		j.Kind, j.Language = "changed", "changed" // not saved
		return nil
	})
	noErr(t, err)
	got, err = s.FindJob(ctx, "job-a")
	noErr(t, err)
	if got.StartedAt == nil || got.FinishedAt == nil {
		t.Fatalf("job = %+v, want StartedAt and FinishedAt", got)
	}
	sameTime(t, "StartedAt", *got.StartedAt, started)
	sameTime(t, "FinishedAt", *got.FinishedAt, finished)
	equal(t, "final job", []any{got.Status, got.Progress, got.ModelID, got.Kind, got.Language},
		[]any{repository.JobSucceeded, 1.0, m.ID, repository.JobTrain, "pt_br"})

	// An error from update aborts it and comes back as is.
	boom := errors.New("boom")
	_, err = s.UpdateJob(ctx, "job-b", func(j *repository.Job) error {
		j.Status = repository.JobFailed
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("UpdateJob error = %v, want boom", err)
	}
	got, err = s.FindJob(ctx, "job-b")
	noErr(t, err)
	equal(t, "status after aborted update", got.Status, repository.JobQueued)
	_, err = s.UpdateJob(ctx, "missing", func(*repository.Job) error { return nil })
	wantCode(t, err, sabia.ENOTFOUND, "")

	noErr(t, s.CreateJob(ctx, job("job-c", f, "es", repository.JobQueued, at(6))))
	noErr(t, s.CreateJob(ctx, job("job-d", g, "pt_br", repository.JobRunning, at(7))))
	_, err = s.UpdateJob(ctx, "job-c", func(j *repository.Job) error {
		j.Status, j.Error = repository.JobFailed, "no examples"
		return nil
	})
	noErr(t, err)

	ids := func(jobs []repository.Job) []string {
		out := []string{}
		for _, j := range jobs {
			out = append(out, j.ID)
		}
		return out
	}
	tests := []struct {
		name string
		f    repository.JobFilter
		want []string
	}{
		{"all, newest first", repository.JobFilter{}, []string{"job-d", "job-c", "job-b", "job-a"}},
		{"repository", repository.JobFilter{RepositoryUUID: "r1"}, []string{"job-c", "job-b", "job-a"}},
		{"active", repository.JobFilter{Statuses: []string{repository.JobQueued, repository.JobRunning}}, []string{"job-d", "job-b"}},
		{"failed", repository.JobFilter{Statuses: []string{repository.JobFailed}}, []string{"job-c"}},
		{"language", repository.JobFilter{VersionID: f.version.ID, Language: "pt_br"}, []string{"job-b", "job-a"}},
		{"kind", repository.JobFilter{Kind: repository.JobEvaluate}, []string{}},
		{"page", repository.JobFilter{Offset: 1, Limit: 2}, []string{"job-c", "job-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListJobs(ctx, tt.f)
			noErr(t, err)
			equal(t, "jobs", ids(got), tt.want)
		})
	}
	got, err = s.FindJob(ctx, "job-c")
	noErr(t, err)
	equal(t, "error", got.Error, "no examples")
}

func testModels(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	_, err := s.LatestModel(ctx, "r1", f.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.LatestModelInfo(ctx, "r1", f.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")

	save := func(lang string, rev int64, data string, trained time.Time) repository.Model {
		m := repository.Model{RepositoryUUID: "r1", VersionID: f.version.ID, Language: lang, Data: []byte(data), Revision: rev, TrainedAt: trained}
		noErr(t, s.SaveModel(ctx, &m))
		if m.ID == 0 || m.Size != int64(len(data)) {
			t.Fatalf("saved model = %+v, want an ID and Size %d", m, len(data))
		}
		return m
	}
	save("pt_br", 1, "v1", at(1))
	m3 := save("pt_br", 3, "v3-first", at(2))
	m3b := save("pt_br", 3, "v3-second", at(3))
	save("pt_br", 2, "v2-late", at(4)) // finished last, trained on older data
	mes := save("es", 1, "es", at(5))
	big := make([]byte, 1<<20)
	for i := range big {
		big[i] = byte(i * 7)
	}
	mbig := repository.Model{RepositoryUUID: "r1", VersionID: f.version.ID, Language: "en", Data: big, Revision: 1, TrainedAt: at(6)}
	noErr(t, s.SaveModel(ctx, &mbig))

	got, err := s.LatestModel(ctx, "r1", f.version.ID, "pt_br")
	noErr(t, err)
	sameTime(t, "TrainedAt", got.TrainedAt, at(3))
	got.TrainedAt = m3b.TrainedAt
	equal(t, "latest model", got, m3b)

	info, err := s.LatestModelInfo(ctx, "r1", f.version.ID, "pt_br")
	noErr(t, err)
	if info.Data != nil {
		t.Fatalf("LatestModelInfo returned %d bytes of Data", len(info.Data))
	}
	equal(t, "info", []any{info.ID, info.Revision, info.Size}, []any{m3b.ID, int64(3), int64(len("v3-second"))})

	got, err = s.LatestModel(ctx, "r1", f.version.ID, "es")
	noErr(t, err)
	equal(t, "es model", got.ID, mes.ID)
	got, err = s.LatestModel(ctx, "r1", f.version.ID, "en")
	noErr(t, err)
	if !bytes.Equal(got.Data, big) {
		t.Fatal("1 MiB model did not round-trip")
	}
	_, err = s.LatestModel(ctx, "r2", f.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")

	got, err = s.FindModel(ctx, m3.ID)
	noErr(t, err)
	equal(t, "model by id", string(got.Data), "v3-first")
	_, err = s.FindModel(ctx, mbig.ID+1000)
	wantCode(t, err, sabia.ENOTFOUND, "")

	bad := repository.Model{RepositoryUUID: "r1", VersionID: f.version.ID + 1000, Language: "pt_br", Data: []byte("x"), TrainedAt: t0}
	wantCode(t, s.SaveModel(ctx, &bad), sabia.ENOTFOUND, "")
}

func testDeleteRepositoryCascades(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	keep := newRepo(t, s, "r2", t0, "pt_br")
	for _, x := range []fixture{f, keep} {
		e := x.example("pt_br", "boleto", "qro a 2ª via do boleto", span(16, 22, "documento", ""))
		x.add(t, s, e, x.example("pt_br", "pix", "faz um pix"))
		tk := repository.Token{ID: "tok-" + x.repo.UUID, RepositoryUUID: x.repo.UUID, Role: repository.RoleUser, CreatedAt: t0}
		noErr(t, s.CreateToken(ctx, &tk, repository.HashSecret("secret-"+x.repo.UUID)))
		m := repository.Model{RepositoryUUID: x.repo.UUID, VersionID: x.version.ID, Language: "pt_br", Data: []byte("m"), Revision: 1, TrainedAt: t0}
		noErr(t, s.SaveModel(ctx, &m))
		j := repository.Job{ID: "job-" + x.repo.UUID, Kind: repository.JobTrain, RepositoryUUID: x.repo.UUID, VersionID: x.version.ID,
			Language: "pt_br", Status: repository.JobSucceeded, ModelID: m.ID, CreatedAt: t0}
		noErr(t, s.CreateJob(ctx, &j))
		x.addTests(t, s, x.sentence("pt_br", "boleto", "manda o boleto", span(8, 14, "documento", "")))
		ev := x.evaluation("pt_br", repository.EvaluationTestSet, m.ID, t0)
		noErr(t, s.SaveEvaluation(ctx, ev, []byte(`{"intents":{}}`), []repository.EvaluationResult{
			result(0, "manda o boleto", "boleto", "boleto", 0.9)}))
		noErr(t, s.InsertLogs(ctx, []*repository.Log{x.log("pt_br", "boleto", "manda o boleto", 0.9, t0)}))
	}
	ex, _, err := s.ListExamples(ctx, repository.ExampleFilter{RepositoryUUID: "r1"})
	noErr(t, err)
	ts, _, err := s.ListTestSentences(ctx, repository.TestSentenceFilter{RepositoryUUID: "r1"})
	noErr(t, err)
	evs, _, err := s.ListEvaluations(ctx, repository.EvaluationFilter{RepositoryUUID: "r1"})
	noErr(t, err)
	logs, _, err := s.ListLogs(ctx, repository.LogFilter{RepositoryUUID: "r1"})
	noErr(t, err)

	noErr(t, s.DeleteRepository(ctx, "r1"))

	_, err = s.FindVersion(ctx, f.version.ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindExample(ctx, ex[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.Revision(ctx, f.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindToken(ctx, "tok-r1")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindTokenByHash(ctx, repository.HashSecret("secret-r1"))
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.FindJob(ctx, "job-r1")
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, err = s.LatestModelInfo(ctx, "r1", f.version.ID, "pt_br")
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "examples of r1", countExamples(t, s, repository.ExampleFilter{RepositoryUUID: "r1"}), 0)
	ents, err := s.ListEntities(ctx, f.version.ID, "")
	noErr(t, err)
	equal(t, "entities of r1", len(ents), 0)
	_, err = s.FindTestSentence(ctx, ts[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "test sentences of r1", countTests(t, s, repository.TestSentenceFilter{RepositoryUUID: "r1"}), 0)
	_, _, err = s.FindEvaluation(ctx, evs[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	_, n, err := s.ListEvaluationResults(ctx, repository.EvaluationResultFilter{EvaluationID: evs[0].ID})
	noErr(t, err)
	equal(t, "results of r1's evaluation", n, 0)
	_, err = s.FindLog(ctx, logs[0].ID)
	wantCode(t, err, sabia.ENOTFOUND, "")
	equal(t, "logs of r1", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r1"}), 0)

	// The other repository is whole.
	equal(t, "examples of r2", countExamples(t, s, repository.ExampleFilter{RepositoryUUID: "r2"}), 2)
	_, err = s.FindToken(ctx, "tok-r2")
	noErr(t, err)
	j, err := s.FindJob(ctx, "job-r2")
	noErr(t, err)
	if j.ModelID == 0 {
		t.Fatal("job of r2 lost its model")
	}
	equal(t, "revision of r2", revision(t, s, keep.version.ID, "pt_br"), int64(1))
	equal(t, "test sentences of r2", countTests(t, s, repository.TestSentenceFilter{RepositoryUUID: "r2"}), 1)
	evs, _, err = s.ListEvaluations(ctx, repository.EvaluationFilter{RepositoryUUID: "r2"})
	noErr(t, err)
	if len(evs) != 1 || evs[0].ModelID == 0 {
		t.Fatalf("evaluations of r2 = %+v, want one with its model", evs)
	}
	_, n, err = s.ListEvaluationResults(ctx, repository.EvaluationResultFilter{EvaluationID: evs[0].ID})
	noErr(t, err)
	equal(t, "results of r2's evaluation", n, 1)
	equal(t, "logs of r2", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r2"}), 1)
}

// testConcurrentWrites checks that writers queue rather than fail: eight
// goroutines add batches at once and every example lands.
func testConcurrentWrites(t *testing.T, s repository.Store) {
	f := newRepo(t, s, "r1", t0)
	const writers, batches, size = 8, 5, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				batch := make([]*repository.Example, size)
				for i := range batch {
					batch[i] = f.example("pt_br", "intent", fmt.Sprintf("frase %d do lote %d do escritor %d", i, b, w))
				}
				if err := s.CreateExamples(context.Background(), batch); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	equal(t, "examples", countExamples(t, s, repository.ExampleFilter{VersionID: f.version.ID}), writers*batches*size)
	equal(t, "revision", revision(t, s, f.version.ID, "pt_br"), int64(writers*batches))
}
