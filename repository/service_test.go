package repository_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/repository/sqlite"
)

// clock is a settable clock for the Service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	svc   *repository.Service
	store *sqlite.Store
	clock *clock
}

func newEnv(t *testing.T) env {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sabia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	// A São Paulo wall clock with nanoseconds: the Service must store UTC
	// at microsecond precision.
	c := &clock{t: time.Date(2025, 3, 14, 9, 30, 0, 123456789, time.FixedZone("BRT", -3*3600))}
	return env{repository.NewService(s, c.now), s, c}
}

// repo creates a repository in Brazilian Portuguese and Spanish.
func (e env) repo(t *testing.T) repository.Repository {
	t.Helper()
	r, err := e.svc.CreateRepository(t.Context(), repository.RepositoryInput{
		Name: "Atendimento", Language: "pt-BR", Languages: []string{"es"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e env) add(t *testing.T, repoUUID string, in ...repository.ExampleInput) []repository.Example {
	t.Helper()
	out, err := e.svc.AddExamples(t.Context(), repoUUID, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e env) count(t *testing.T, repoUUID string) int {
	t.Helper()
	_, n, err := e.svc.ListExamples(t.Context(), repoUUID, repository.ExampleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantError fails unless err is a *sabia.Error with code and exactly msg
// (any message when msg is "").
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *sabia.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %s %q", err, code, msg)
	}
	if e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("error = %s %q, want %s %q", e.Code, e.Message, code, msg)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ex(text, intent string, spans ...nlu.Span) repository.ExampleInput {
	return repository.ExampleInput{Text: text, Intent: intent, Entities: spans}
}

func sp(start, end int, entity string) nlu.Span {
	return nlu.Span{Start: start, End: end, Entity: entity}
}

func ptr[T any](v T) *T { return &v }

func TestCreateRepository(t *testing.T) {
	e := newEnv(t)
	r, err := e.svc.CreateRepository(t.Context(), repository.RepositoryInput{
		Name: "  Clínica São José  ", Description: "agendamentos", Language: "por", Languages: []string{"es-MX", "pt", "en", "ES"},
	})
	noErr(t, err)
	if r.Name != "Clínica São José" || r.Language != "pt_br" || strings.Join(r.Languages, ",") != "pt_br,en,es" {
		t.Fatalf("repository = %+v", r)
	}
	if r.Threshold != repository.DefaultThreshold || r.BuiltinIntents {
		t.Fatalf("defaults = %v, %v", r.Threshold, r.BuiltinIntents)
	}
	want := time.Date(2025, 3, 14, 12, 30, 0, 123456000, time.UTC)
	if !r.CreatedAt.Equal(want) || r.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want %v", r.CreatedAt, want)
	}
	got, err := e.svc.FindRepository(t.Context(), r.UUID)
	noErr(t, err)
	if !got.CreatedAt.Equal(r.CreatedAt) || got.Name != r.Name {
		t.Fatalf("stored = %+v, want %+v", got, r)
	}
	versions, err := e.svc.ListVersions(t.Context(), r.UUID)
	noErr(t, err)
	if len(versions) != 1 || versions[0].Name != "master" || !versions[0].IsDefault {
		t.Fatalf("versions = %+v, want one default master", versions)
	}
	zero, err := e.svc.CreateRepository(t.Context(), repository.RepositoryInput{Name: "x", Language: "es", Threshold: ptr(0.0), BuiltinIntents: true})
	noErr(t, err)
	if zero.Threshold != 0 || !zero.BuiltinIntents {
		t.Fatalf("explicit threshold 0 and builtin intents = %+v", zero)
	}

	tests := []struct {
		name string
		in   repository.RepositoryInput
		msg  string
	}{
		{"no name", repository.RepositoryInput{Name: "  ", Language: "pt"}, "name is required"},
		{"long name", repository.RepositoryInput{Name: strings.Repeat("ã", 101), Language: "pt"}, "name has 101 characters, more than 100"},
		{"bad utf-8 name", repository.RepositoryInput{Name: "a\xffb", Language: "pt"}, "name is not valid UTF-8"},
		{"no language", repository.RepositoryInput{Name: "x"}, "language is required"},
		{"unknown language", repository.RepositoryInput{Name: "x", Language: "xx"}, `unknown language "xx"`},
		{"unknown other language", repository.RepositoryInput{Name: "x", Language: "pt", Languages: []string{"es", "klingon"}}, `unknown language "klingon"`},
		{"threshold above 1", repository.RepositoryInput{Name: "x", Language: "pt", Threshold: ptr(1.5)}, "threshold 1.5 is not between 0 and 1"},
		{"negative threshold", repository.RepositoryInput{Name: "x", Language: "pt", Threshold: ptr(-0.1)}, "threshold -0.1 is not between 0 and 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CreateRepository(t.Context(), tt.in)
			wantError(t, err, sabia.EINVALID, tt.msg)
		})
	}
}

func TestUpdateAndDeleteRepository(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	e.clock.advance(time.Hour)

	got, err := e.svc.UpdateRepository(t.Context(), r.UUID, repository.RepositoryUpdate{
		Name: ptr("Atendimento 2"), Threshold: ptr(0.6), BuiltinIntents: ptr(true), Languages: ptr([]string{"es", "en"}),
	})
	noErr(t, err)
	if got.Name != "Atendimento 2" || got.Threshold != 0.6 || !got.BuiltinIntents || strings.Join(got.Languages, ",") != "pt_br,en,es" {
		t.Fatalf("updated = %+v", got)
	}
	if got.UpdatedAt.Sub(got.CreatedAt) != time.Hour {
		t.Fatalf("UpdatedAt = %v, CreatedAt = %v", got.UpdatedAt, got.CreatedAt)
	}
	stored, err := e.svc.FindRepository(t.Context(), r.UUID)
	noErr(t, err)
	if stored.Name != "Atendimento 2" || !stored.UpdatedAt.Equal(got.UpdatedAt) {
		t.Fatalf("stored = %+v", stored)
	}

	// The main language moves; the old one stays unless dropped.
	got, err = e.svc.UpdateRepository(t.Context(), r.UUID, repository.RepositoryUpdate{Language: ptr("es")})
	noErr(t, err)
	if got.Language != "es" || strings.Join(got.Languages, ",") != "es,en,pt_br" {
		t.Fatalf("after main language change = %+v", got)
	}

	// A language with examples cannot be dropped.
	e.add(t, r.UUID, repository.ExampleInput{Text: "cancelar mi suscripción", Intent: "cancelar", Language: "es"})
	_, err = e.svc.UpdateRepository(t.Context(), r.UUID, repository.RepositoryUpdate{Language: ptr("pt"), Languages: ptr([]string{})})
	wantError(t, err, sabia.ECONFLICT, `language "es" still has 1 examples; delete them before removing it`)
	_, err = e.svc.UpdateRepository(t.Context(), r.UUID, repository.RepositoryUpdate{Name: ptr("")})
	wantError(t, err, sabia.EINVALID, "name is required")
	_, err = e.svc.UpdateRepository(t.Context(), r.UUID, repository.RepositoryUpdate{Languages: ptr([]string{"xx"})})
	wantError(t, err, sabia.EINVALID, `unknown language "xx"`)
	_, err = e.svc.UpdateRepository(t.Context(), "missing", repository.RepositoryUpdate{})
	wantError(t, err, sabia.ENOTFOUND, "")

	list, total, err := e.svc.ListRepositories(t.Context(), repository.RepositoryFilter{Query: "ATENDIMENTO"})
	noErr(t, err)
	if total != 1 || len(list) != 1 {
		t.Fatalf("list = %d of %d", len(list), total)
	}

	noErr(t, e.svc.DeleteRepository(t.Context(), r.UUID))
	_, err = e.svc.FindRepository(t.Context(), r.UUID)
	wantError(t, err, sabia.ENOTFOUND, "")
	wantError(t, e.svc.DeleteRepository(t.Context(), r.UUID), sabia.ENOTFOUND, "")
}

func TestAddExamplesValidation(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	otherVersion, err := e.svc.FindVersion(t.Context(), other.UUID, 0)
	noErr(t, err)
	e.add(t, r.UUID, ex("qro a 2ª via do boleto", "segunda_via"))
	good := ex("como faço um pix", "pix")

	tests := []struct {
		name string
		item repository.ExampleInput
		code string
		msg  string
	}{
		{"span past the end", ex("manda o boleto de março pfv", "boleto", sp(8, 40, "documento")),
			sabia.EINVALID, "example 1: entity end 40 is past the end of the text (27 characters)"},
		{"negative start", ex("manda o boleto", "boleto", sp(-1, 3, "documento")),
			sabia.EINVALID, "example 1: entity start -1 is negative"},
		{"empty span", ex("manda o boleto", "boleto", sp(8, 8, "documento")),
			sabia.EINVALID, "example 1: entity start 8 is not before its end 8"},
		{"span of spaces", ex("manda o  boleto", "boleto", sp(7, 9, "documento")),
			sabia.EINVALID, `example 1: entity "documento" (7-9) covers only spaces`},
		{"overlapping spans", ex("quero pagar a fatura do cartão", "pagar", sp(14, 30, "conta"), sp(24, 30, "meio")),
			sabia.EINVALID, `example 1: entities "conta" (14-30) and "meio" (24-30) overlap`},
		{"entity without name", ex("manda o boleto", "boleto", sp(8, 14, " ")),
			sabia.EINVALID, "example 1: entity is required"},
		{"entity name with space", ex("manda o boleto", "boleto", sp(8, 14, "tipo doc")),
			sabia.EINVALID, `example 1: entity "tipo doc" may contain only letters, digits, "_", "-" and "."`},
		{"group name with slash", ex("manda o boleto", "boleto", nlu.Span{Start: 8, End: 14, Entity: "doc", Group: "a/b"}),
			sabia.EINVALID, `example 1: group "a/b" may contain only letters, digits, "_", "-" and "."`},
		{"invalid utf-8", ex("manda o bol\xe9to", "boleto"),
			sabia.EINVALID, "example 1: text is not valid UTF-8"},
		{"blank text", ex(" \t\n ", "boleto"),
			sabia.EINVALID, "example 1: text is required"},
		{"NUL in text", ex("oi\x00", "saudacao"),
			sabia.EINVALID, "example 1: text contains a NUL character"},
		{"text too long", ex(strings.Repeat("á", repository.MaxTextRunes+1), "longo"),
			sabia.ETOOLARGE, "example 1: text has 1001 characters, more than 1000"},
		{"unknown language", repository.ExampleInput{Text: "hola", Intent: "saludo", Language: "xx"},
			sabia.EINVALID, `example 1: unknown language "xx"`},
		{"language not in the repository", repository.ExampleInput{Text: "hello", Intent: "greet", Language: "en-US"},
			sabia.EINVALID, `example 1: language "en" is not one of the repository's languages (pt_br, es)`},
		{"no intent", ex("manda o boleto", "   "),
			sabia.EINVALID, "example 1: intent is required"},
		{"intent with space", ex("manda o boleto", "segunda via"),
			sabia.EINVALID, `example 1: intent "segunda via" may contain only letters, digits, "_", "-" and "."`},
		{"intent with control character", ex("manda o boleto", "boleto\x01"),
			sabia.EINVALID, `example 1: intent "boleto\x01" may contain only letters, digits, "_", "-" and "."`},
		{"intent too long", ex("manda o boleto", strings.Repeat("a", 65)),
			sabia.EINVALID, fmt.Sprintf("example 1: intent %q has 65 characters, more than 64", strings.Repeat("a", 65))},
		{"duplicate of a stored text, after trimming", ex("  qro a 2ª via do boleto ", "outro"),
			sabia.ECONFLICT, `example 1: text "qro a 2ª via do boleto" already exists in pt_br (example 1)`},
		{"duplicate within the batch", ex("como faço um pix\n", "pix2"),
			sabia.ECONFLICT, `example 1: text "como faço um pix" repeats example 0`},
		{"version of another repository", repository.ExampleInput{VersionID: otherVersion.ID, Text: "oi", Intent: "oi"},
			sabia.ENOTFOUND, fmt.Sprintf("example 1: version %d not found", otherVersion.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.AddExamples(t.Context(), r.UUID, []repository.ExampleInput{good, tt.item, ex("oi", "saudacao")})
			wantError(t, err, tt.code, tt.msg)
			if n := e.count(t, r.UUID); n != 1 {
				t.Fatalf("%d examples stored, want 1: the batch must store nothing", n)
			}
		})
	}

	t.Run("too many", func(t *testing.T) {
		batch := make([]repository.ExampleInput, repository.MaxBatch+1)
		_, err := e.svc.AddExamples(t.Context(), r.UUID, batch)
		wantError(t, err, sabia.ETOOLARGE, "1001 examples, more than 1000 per call")
	})
	t.Run("missing repository", func(t *testing.T) {
		_, err := e.svc.AddExamples(t.Context(), "missing", []repository.ExampleInput{good})
		wantError(t, err, sabia.ENOTFOUND, "")
	})
	t.Run("empty batch", func(t *testing.T) {
		out, err := e.svc.AddExamples(t.Context(), r.UUID, nil)
		noErr(t, err)
		if len(out) != 0 {
			t.Fatalf("got %d examples", len(out))
		}
	})
}

func TestAddExamplesCleansInput(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	out := e.add(t, r.UUID,
		// Offsets into the text as sent: leading spaces are trimmed and the
		// span shifted; "boleto " loses its trailing space.
		repository.ExampleInput{Text: "  qro a 2ª via do boleto   ", Intent: " segunda_via ",
			Entities: []nlu.Span{{Start: 18, End: 25, Entity: " documento ", Group: " tipo "}, {Start: 8, End: 14, Entity: "via"}}},
		repository.ExampleInput{Text: "cancelar mi suscripción", Intent: "Cancelar", Language: "ES"},
		repository.ExampleInput{Text: "Oi", Intent: "saudação", Language: "pt-BR"},
		repository.ExampleInput{Text: "oi", Intent: "saudação"}, // exact text comparison: not a duplicate
	)
	first := out[0]
	want := []nlu.Span{{Start: 6, End: 12, Entity: "via"}, {Start: 16, End: 22, Entity: "documento", Group: "tipo"}}
	if first.Text != "qro a 2ª via do boleto" || first.Intent != "segunda_via" || fmt.Sprint(first.Entities) != fmt.Sprint(want) {
		t.Fatalf("cleaned example = %q %q %v, want spans %v", first.Text, first.Intent, first.Entities, want)
	}
	rs := []rune(first.Text)
	if got := string(rs[first.Entities[1].Start:first.Entities[1].End]); got != "boleto" {
		t.Fatalf("span covers %q, want boleto", got)
	}
	if first.Language != "pt_br" || out[1].Language != "es" || out[1].Intent != "Cancelar" || out[2].Language != "pt_br" {
		t.Fatalf("languages and intents = %+v", out)
	}
	stored, err := e.svc.FindExample(t.Context(), r.UUID, first.ID)
	noErr(t, err)
	if fmt.Sprint(stored.Entities) != fmt.Sprint(want) || stored.VersionID == 0 || stored.RepositoryUUID != r.UUID {
		t.Fatalf("stored = %+v", stored)
	}
}

func TestListExamples(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	var in []repository.ExampleInput
	for i := range 150 {
		in = append(in, ex(fmt.Sprintf("qro a %dª via do boleto", i), "segunda_via"))
	}
	in = append(in, repository.ExampleInput{Text: "cancelar mi suscripción", Intent: "cancelar", Language: "es"})
	e.add(t, r.UUID, in...)

	got, total, err := e.svc.ListExamples(t.Context(), r.UUID, repository.ExampleFilter{})
	noErr(t, err)
	if total != 151 || len(got) != repository.DefaultPageSize {
		t.Fatalf("default page = %d of %d", len(got), total)
	}
	got, total, err = e.svc.ListExamples(t.Context(), r.UUID, repository.ExampleFilter{Language: "spa", Query: "SUSCRIPCION"})
	noErr(t, err)
	if total != 1 || got[0].Text != "cancelar mi suscripción" {
		t.Fatalf("query = %v (%d)", got, total)
	}
	_, _, err = e.svc.ListExamples(t.Context(), r.UUID, repository.ExampleFilter{Language: "xx"})
	wantError(t, err, sabia.EINVALID, `unknown language "xx"`)
	_, _, err = e.svc.ListExamples(t.Context(), r.UUID, repository.ExampleFilter{VersionID: 999})
	wantError(t, err, sabia.ENOTFOUND, "version 999 not found")
	_, _, err = e.svc.ListExamples(t.Context(), "missing", repository.ExampleFilter{})
	wantError(t, err, sabia.ENOTFOUND, "")
}

func TestUpdateAndDeleteExample(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	out := e.add(t, r.UUID, ex("qro a 2ª via do boleto", "boleto", sp(16, 22, "documento")), ex("faz um pix", "pix"))
	a, b := out[0], out[1]
	e.clock.advance(time.Minute)

	got, err := e.svc.UpdateExample(t.Context(), r.UUID, a.ID, repository.ExampleUpdate{Intent: ptr("segunda_via")})
	noErr(t, err)
	if got.Intent != "segunda_via" || len(got.Entities) != 1 || got.UpdatedAt.Sub(got.CreatedAt) != time.Minute {
		t.Fatalf("updated = %+v", got)
	}
	// New text, old spans that no longer fit.
	_, err = e.svc.UpdateExample(t.Context(), r.UUID, a.ID, repository.ExampleUpdate{Text: ptr("2ª via")})
	wantError(t, err, sabia.EINVALID, "entity end 22 is past the end of the text (6 characters)")
	got, err = e.svc.UpdateExample(t.Context(), r.UUID, a.ID, repository.ExampleUpdate{
		Text: ptr("necesito la factura"), Language: ptr("es"), Entities: ptr([]nlu.Span{sp(12, 19, "documento")}),
	})
	noErr(t, err)
	if got.Language != "es" || got.Entities[0] != sp(12, 19, "documento") {
		t.Fatalf("updated = %+v", got)
	}
	_, err = e.svc.UpdateExample(t.Context(), r.UUID, b.ID, repository.ExampleUpdate{Text: ptr(" necesito la factura "), Language: ptr("es")})
	wantError(t, err, sabia.ECONFLICT, `text "necesito la factura" already exists in es (example 1)`)
	_, err = e.svc.UpdateExample(t.Context(), r.UUID, b.ID, repository.ExampleUpdate{Intent: ptr("")})
	wantError(t, err, sabia.EINVALID, "intent is required")
	_, err = e.svc.UpdateExample(t.Context(), other.UUID, b.ID, repository.ExampleUpdate{Intent: ptr("x")})
	wantError(t, err, sabia.ENOTFOUND, "example 2 not found")

	wantError(t, e.svc.DeleteExample(t.Context(), other.UUID, b.ID), sabia.ENOTFOUND, "")
	noErr(t, e.svc.DeleteExample(t.Context(), r.UUID, b.ID))
	_, err = e.svc.FindExample(t.Context(), r.UUID, b.ID)
	wantError(t, err, sabia.ENOTFOUND, "")
}

func TestIntentsAndEntities(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	e.add(t, r.UUID,
		ex("qro a 2ª via do boleto", "boleto", nlu.Span{Start: 16, End: 22, Entity: "documento", Group: "conta"}),
		ex("segunda via da fatura", "segunda_via", sp(15, 21, "documento")),
		repository.ExampleInput{Text: "necesito la factura", Intent: "boleto", Language: "es", Entities: []nlu.Span{sp(12, 19, "documento")}},
	)
	ctx := t.Context()

	n, err := e.svc.RenameIntent(ctx, r.UUID, 0, "boleto", "segunda_via")
	noErr(t, err)
	if n != 2 {
		t.Fatalf("renamed %d, want 2", n)
	}
	intents, err := e.svc.ListIntents(ctx, r.UUID, 0, "")
	noErr(t, err)
	if fmt.Sprint(intents) != "[{segunda_via 3}]" {
		t.Fatalf("intents = %v", intents)
	}
	intents, err = e.svc.ListIntents(ctx, r.UUID, 0, "es")
	noErr(t, err)
	if fmt.Sprint(intents) != "[{segunda_via 1}]" {
		t.Fatalf("es intents = %v", intents)
	}
	n, err = e.svc.RenameIntent(ctx, r.UUID, 0, " segunda_via ", "segunda_via")
	noErr(t, err)
	if n != 0 {
		t.Fatalf("rename onto itself changed %d", n)
	}
	_, err = e.svc.RenameIntent(ctx, r.UUID, 0, "boleto", "boleto")
	wantError(t, err, sabia.ENOTFOUND, `intent "boleto" not found`)
	_, err = e.svc.RenameIntent(ctx, r.UUID, 0, "segunda_via", "segunda via")
	wantError(t, err, sabia.EINVALID, `new intent "segunda via" may contain only letters, digits, "_", "-" and "."`)
	_, err = e.svc.RenameIntent(ctx, r.UUID, 0, "", "x")
	wantError(t, err, sabia.EINVALID, "intent to rename is required")
	_, err = e.svc.RenameIntent(ctx, r.UUID, 0, "boleto", "x")
	wantError(t, err, sabia.ENOTFOUND, `intent "boleto" not found`)

	n, err = e.svc.SetEntityGroup(ctx, r.UUID, 0, "documento", "conta")
	noErr(t, err)
	if n != 2 {
		t.Fatalf("grouped %d, want 2", n)
	}
	n, err = e.svc.RenameGroup(ctx, r.UUID, 0, "conta", "fatura")
	noErr(t, err)
	if n != 3 {
		t.Fatalf("group renamed in %d, want 3", n)
	}
	_, err = e.svc.RenameGroup(ctx, r.UUID, 0, "fatura", "fatura")
	noErr(t, err)
	_, err = e.svc.RenameGroup(ctx, r.UUID, 0, "conta", "conta")
	wantError(t, err, sabia.ENOTFOUND, `group "conta" not found`)
	n, err = e.svc.RenameEntity(ctx, r.UUID, 0, "documento", "doc")
	noErr(t, err)
	if n != 3 {
		t.Fatalf("entity renamed in %d, want 3", n)
	}
	entities, err := e.svc.ListEntities(ctx, r.UUID, 0, "pt-BR")
	noErr(t, err)
	if fmt.Sprint(entities) != "[{doc fatura 2}]" {
		t.Fatalf("entities = %v", entities)
	}
	_, err = e.svc.SetEntityGroup(ctx, r.UUID, 0, "doc", "a b")
	wantError(t, err, sabia.EINVALID, `group "a b" may contain only letters, digits, "_", "-" and "."`)
	n, err = e.svc.SetEntityGroup(ctx, r.UUID, 0, "doc", " ")
	noErr(t, err)
	if n != 3 {
		t.Fatalf("ungrouped %d, want 3", n)
	}
	n, err = e.svc.DeleteEntity(ctx, r.UUID, 0, "doc")
	noErr(t, err)
	if n != 3 {
		t.Fatalf("entity deleted from %d, want 3", n)
	}
	_, err = e.svc.DeleteEntity(ctx, r.UUID, 0, "doc")
	wantError(t, err, sabia.ENOTFOUND, `entity "doc" not found`)

	n, err = e.svc.DeleteIntent(ctx, r.UUID, 0, "segunda_via")
	noErr(t, err)
	if n != 3 || e.count(t, r.UUID) != 0 {
		t.Fatalf("deleted %d, %d left", n, e.count(t, r.UUID))
	}
	_, err = e.svc.ListIntents(ctx, "missing", 0, "")
	wantError(t, err, sabia.ENOTFOUND, "")
}

func TestTrainingState(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	ctx := t.Context()
	needs := func(lang string) bool {
		t.Helper()
		b, err := e.svc.NeedsTraining(ctx, r.UUID, 0, lang)
		noErr(t, err)
		return b
	}
	if needs("") {
		t.Fatal("a repository without examples needs no training")
	}
	e.add(t, r.UUID, ex("qro a 2ª via do boleto", "boleto"), ex("oi", "saudacao"))
	if !needs("pt") || needs("es") {
		t.Fatal("pt_br changed and was never trained; es never changed")
	}
	set, rev, err := e.svc.TrainingSet(ctx, r.UUID, 0, "pt-BR")
	noErr(t, err)
	if len(set) != 2 || rev != 1 || set[0].Text != "qro a 2ª via do boleto" {
		t.Fatalf("training set = %v at %d", set, rev)
	}
	m, err := e.svc.SaveModel(ctx, repository.Model{RepositoryUUID: r.UUID, Language: "pt", Data: []byte("model"), Revision: rev})
	noErr(t, err)
	if m.ID == 0 || m.Size != 5 || m.Language != "pt_br" || m.VersionID == 0 || m.TrainedAt.IsZero() {
		t.Fatalf("saved model = %+v", m)
	}
	if needs("pt_br") {
		t.Fatal("trained on the current revision: no training needed")
	}
	e.add(t, r.UUID, ex("bom dia", "saudacao"))
	if !needs("pt_br") {
		t.Fatal("a new example needs training")
	}
	rev2, err := e.svc.Revision(ctx, r.UUID, 0, "")
	noErr(t, err)
	if rev2 != 2 {
		t.Fatalf("revision = %d, want 2", rev2)
	}
	info, err := e.svc.LatestModelInfo(ctx, r.UUID, 0, "pt_br")
	noErr(t, err)
	if info.ID != m.ID || info.Data != nil {
		t.Fatalf("info = %+v", info)
	}
	full, err := e.svc.LatestModel(ctx, r.UUID, 0, "pt_br")
	noErr(t, err)
	if string(full.Data) != "model" {
		t.Fatalf("data = %q", full.Data)
	}
	_, err = e.svc.LatestModel(ctx, r.UUID, 0, "es")
	wantError(t, err, sabia.ENOTFOUND, "")
	_, err = e.svc.LatestModel(ctx, r.UUID, 0, "en")
	wantError(t, err, sabia.EINVALID, `language "en" is not one of the repository's languages (pt_br, es)`)
	_, err = e.svc.SaveModel(ctx, repository.Model{RepositoryUUID: r.UUID, Language: "pt"})
	wantError(t, err, sabia.EINVALID, "model data is empty")
	_, err = e.svc.FindModel(ctx, "other", m.ID)
	wantError(t, err, sabia.ENOTFOUND, "")
}

func TestTokens(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	ctx := t.Context()

	tok, secret, err := e.svc.CreateToken(ctx, r.UUID, repository.TokenInput{Name: "fluxos"})
	noErr(t, err)
	if !strings.HasPrefix(secret, repository.TokenPrefix) || len(secret) != len(repository.TokenPrefix)+43 {
		t.Fatalf("secret = %q", secret)
	}
	if tok.Role != repository.RoleUser || tok.LastUsedAt != nil {
		t.Fatalf("token = %+v", tok)
	}
	e.clock.advance(time.Second)
	_, secret2, err := e.svc.CreateToken(ctx, r.UUID, repository.TokenInput{Role: repository.RoleAdmin})
	noErr(t, err)
	if secret2 == secret {
		t.Fatal("two tokens share a secret")
	}

	got, err := e.svc.Authenticate(ctx, secret)
	noErr(t, err)
	if got.ID != tok.ID || got.RepositoryUUID != r.UUID || got.LastUsedAt == nil {
		t.Fatalf("authenticated = %+v", got)
	}
	first := *got.LastUsedAt
	e.clock.advance(10 * time.Second)
	got, err = e.svc.Authenticate(ctx, secret)
	noErr(t, err)
	if !got.LastUsedAt.Equal(first) {
		t.Fatal("LastUsedAt written again within a minute")
	}
	e.clock.advance(time.Minute)
	got, err = e.svc.Authenticate(ctx, secret)
	noErr(t, err)
	if !got.LastUsedAt.After(first) {
		t.Fatal("LastUsedAt not refreshed after a minute")
	}

	for _, bad := range []string{"", "sabia_", secret + "x", strings.TrimPrefix(secret, repository.TokenPrefix)} {
		_, err := e.svc.Authenticate(ctx, bad)
		wantError(t, err, sabia.EUNAUTHORIZED, "invalid token")
	}
	wantError(t, e.svc.RevokeToken(ctx, other.UUID, tok.ID), sabia.ENOTFOUND, "")
	noErr(t, e.svc.RevokeToken(ctx, r.UUID, tok.ID))
	_, err = e.svc.Authenticate(ctx, secret)
	wantError(t, err, sabia.EUNAUTHORIZED, "invalid token")
	if _, err := e.svc.Authenticate(ctx, secret2); err != nil {
		t.Fatalf("other token revoked too: %v", err)
	}

	list, err := e.svc.ListTokens(ctx, r.UUID)
	noErr(t, err)
	if len(list) != 2 || list[0].RevokedAt == nil || list[1].RevokedAt != nil {
		t.Fatalf("tokens = %+v", list)
	}
	_, _, err = e.svc.CreateToken(ctx, r.UUID, repository.TokenInput{Role: "owner"})
	wantError(t, err, sabia.EINVALID, `unknown role "owner" (user, contributor or admin)`)
	_, _, err = e.svc.CreateToken(ctx, "missing", repository.TokenInput{})
	wantError(t, err, sabia.ENOTFOUND, "")

	if !repository.RoleAdmin.Includes(repository.RoleContributor) || repository.RoleUser.Includes(repository.RoleContributor) ||
		repository.Role("owner").Includes(repository.RoleUser) {
		t.Fatal("role order wrong")
	}
}

func TestJobs(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	ctx := t.Context()

	j, err := e.svc.CreateJob(ctx, r.UUID, repository.JobInput{})
	noErr(t, err)
	if j.Kind != repository.JobTrain || j.Language != "pt_br" || j.Status != repository.JobQueued || j.VersionID == 0 {
		t.Fatalf("job = %+v", j)
	}
	_, err = e.svc.CreateJob(ctx, r.UUID, repository.JobInput{Language: "pt-BR"})
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf("a train job for pt_br is already queued (job %s)", j.ID))
	_, err = e.svc.CreateJob(ctx, r.UUID, repository.JobInput{Kind: "dance"})
	wantError(t, err, sabia.EINVALID, `unknown job kind "dance"`)
	_, err = e.svc.CreateJob(ctx, r.UUID, repository.JobInput{Language: "en"})
	wantError(t, err, sabia.EINVALID, "")
	e.clock.advance(time.Second)
	es, err := e.svc.CreateJob(ctx, r.UUID, repository.JobInput{Language: "es"})
	noErr(t, err)

	_, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: ptr(repository.JobSucceeded)})
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf("job %s is queued and cannot become succeeded", j.ID))
	_, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Progress: ptr(0.5)})
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf("job %s is queued; only a running job reports progress", j.ID))
	_, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Progress: ptr(1.5)})
	wantError(t, err, sabia.EINVALID, "progress 1.5 is not between 0 and 1")
	_, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: ptr("paused")})
	wantError(t, err, sabia.EINVALID, `unknown job status "paused"`)

	active, err := e.svc.ActiveJobs(ctx)
	noErr(t, err)
	if len(active) != 2 || active[0].ID != j.ID || active[1].ID != es.ID {
		t.Fatalf("active jobs = %+v, want oldest first", active)
	}

	e.clock.advance(time.Second)
	got, err := e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: ptr(repository.JobRunning)})
	noErr(t, err)
	if got.StartedAt == nil || got.FinishedAt != nil {
		t.Fatalf("running job = %+v", got)
	}
	started := *got.StartedAt
	e.clock.advance(time.Second)
	got, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: ptr(repository.JobRunning), Progress: ptr(0.4)})
	noErr(t, err)
	if !got.StartedAt.Equal(started) || got.Progress != 0.4 {
		t.Fatalf("resumed job = %+v", got)
	}
	m, err := e.svc.SaveModel(ctx, repository.Model{RepositoryUUID: r.UUID, Data: []byte("m"), Revision: 0})
	noErr(t, err)
	got, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: ptr(repository.JobSucceeded), ModelID: ptr(m.ID)})
	noErr(t, err)
	if got.Progress != 1 || got.FinishedAt == nil || got.ModelID != m.ID {
		t.Fatalf("succeeded job = %+v", got)
	}
	_, err = e.svc.UpdateJob(ctx, j.ID, repository.JobUpdate{Status: ptr(repository.JobFailed)})
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf("job %s already succeeded", j.ID))

	// Cancelling a queued job.
	got, err = e.svc.UpdateJob(ctx, es.ID, repository.JobUpdate{Status: ptr(repository.JobFailed), Error: ptr("cancelled")})
	noErr(t, err)
	if got.Error != "cancelled" || got.FinishedAt == nil || got.StartedAt != nil {
		t.Fatalf("cancelled job = %+v", got)
	}
	active, err = e.svc.ActiveJobs(ctx)
	noErr(t, err)
	if len(active) != 0 {
		t.Fatalf("active jobs = %+v", active)
	}
	list, err := e.svc.ListJobs(ctx, repository.JobFilter{RepositoryUUID: r.UUID})
	noErr(t, err)
	if len(list) != 2 || list[0].ID != es.ID {
		t.Fatalf("jobs = %+v, want newest first", list)
	}
	_, err = e.svc.UpdateJob(ctx, "missing", repository.JobUpdate{})
	wantError(t, err, sabia.ENOTFOUND, "")
	_, err = e.svc.FindJob(ctx, "missing")
	wantError(t, err, sabia.ENOTFOUND, "")
}
