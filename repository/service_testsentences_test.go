package repository_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

func ts(text, intent string, spans ...nlu.Span) repository.TestSentenceInput {
	return repository.TestSentenceInput{Text: text, Intent: intent, Entities: spans}
}

func (e env) addTests(t *testing.T, repoUUID string, in ...repository.TestSentenceInput) []repository.TestSentence {
	t.Helper()
	out, err := e.svc.AddTestSentences(t.Context(), repoUUID, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e env) countTests(t *testing.T, repoUUID string) int {
	t.Helper()
	_, n, err := e.svc.ListTestSentences(t.Context(), repoUUID, repository.TestSentenceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAddTestSentencesValidation checks that test sentences are validated
// exactly as examples are, with messages naming "test sentence N".
func TestAddTestSentencesValidation(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	otherVersion, err := e.svc.FindVersion(t.Context(), other.UUID, 0)
	noErr(t, err)
	e.addTests(t, r.UUID, ts("qro a 2ª via do boleto", "segunda_via"))
	good := ts("como faço um pix", "pix")

	tests := []struct {
		name string
		item repository.TestSentenceInput
		code string
		msg  string
	}{
		{"span past the end", ts("manda o boleto de março pfv", "boleto", sp(8, 40, "documento")),
			sabia.EINVALID, "test sentence 1: entity end 40 is past the end of the text (27 characters)"},
		{"overlapping spans", ts("quero pagar a fatura do cartão", "pagar", sp(14, 30, "conta"), sp(24, 30, "meio")),
			sabia.EINVALID, `test sentence 1: entities "conta" (14-30) and "meio" (24-30) overlap`},
		{"span of spaces", ts("manda o  boleto", "boleto", sp(7, 9, "documento")),
			sabia.EINVALID, `test sentence 1: entity "documento" (7-9) covers only spaces`},
		{"blank text", ts(" \t\n ", "boleto"), sabia.EINVALID, "test sentence 1: text is required"},
		{"invalid utf-8", ts("manda o bol\xe9to", "boleto"), sabia.EINVALID, "test sentence 1: text is not valid UTF-8"},
		{"text too long", ts(strings.Repeat("á", repository.MaxTextRunes+1), "longo"),
			sabia.ETOOLARGE, "test sentence 1: text has 1001 characters, more than 1000"},
		{"language not in the repository", repository.TestSentenceInput{Text: "hello", Intent: "greet", Language: "en-US"},
			sabia.EINVALID, `test sentence 1: language "en" is not one of the repository's languages (pt_br, es)`},
		{"intent with space", ts("manda o boleto", "segunda via"),
			sabia.EINVALID, `test sentence 1: intent "segunda via" may contain only letters, digits, "_", "-" and "."`},
		{"duplicate of a stored text, after trimming", ts("  qro a 2ª via do boleto ", "outro"),
			sabia.ECONFLICT, `test sentence 1: text "qro a 2ª via do boleto" already exists in pt_br (test sentence 1)`},
		{"duplicate within the batch", ts("como faço um pix\n", "pix2"),
			sabia.ECONFLICT, `test sentence 1: text "como faço um pix" repeats test sentence 0`},
		{"version of another repository", repository.TestSentenceInput{VersionID: otherVersion.ID, Text: "oi", Intent: "oi"},
			sabia.ENOTFOUND, fmt.Sprintf("test sentence 1: version %d not found", otherVersion.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.AddTestSentences(t.Context(), r.UUID, []repository.TestSentenceInput{good, tt.item, ts("oi", "saudacao")})
			wantError(t, err, tt.code, tt.msg)
			if n := e.countTests(t, r.UUID); n != 1 {
				t.Fatalf("%d test sentences stored, want 1: the batch must store nothing", n)
			}
		})
	}
	t.Run("too many", func(t *testing.T) {
		_, err := e.svc.AddTestSentences(t.Context(), r.UUID, make([]repository.TestSentenceInput, repository.MaxBatch+1))
		wantError(t, err, sabia.ETOOLARGE, "1001 test sentences, more than 1000 per call")
	})
	t.Run("missing repository", func(t *testing.T) {
		_, err := e.svc.AddTestSentences(t.Context(), "missing", []repository.TestSentenceInput{good})
		wantError(t, err, sabia.ENOTFOUND, "")
	})
	t.Run("empty batch", func(t *testing.T) {
		out, err := e.svc.AddTestSentences(t.Context(), r.UUID, nil)
		noErr(t, err)
		if out == nil || len(out) != 0 {
			t.Fatalf("got %#v, want an empty slice", out)
		}
	})
}

func TestTestSentences(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	ctx := t.Context()
	e.add(t, r.UUID, ex("qro a 2ª via do boleto", "segunda_via"))
	rev, err := e.svc.Revision(ctx, r.UUID, 0, "")
	noErr(t, err)

	// An example's text may be a test sentence too; spans are cleaned the
	// same way, and no revision moves.
	out := e.addTests(t, r.UUID,
		repository.TestSentenceInput{Text: "  qro a 2ª via do boleto   ", Intent: " segunda_via ",
			Entities: []nlu.Span{{Start: 18, End: 25, Entity: " documento "}}},
		repository.TestSentenceInput{Text: "kiero cancelar mi suscripción", Intent: "cancelar", Language: "ES"},
	)
	a, b := out[0], out[1]
	if a.Text != "qro a 2ª via do boleto" || a.Intent != "segunda_via" || fmt.Sprint(a.Entities) != "[{16 22 documento }]" ||
		a.VersionID == 0 || a.Language != "pt_br" || b.Language != "es" {
		t.Fatalf("cleaned test sentences = %+v", out)
	}
	if rev2, err := e.svc.Revision(ctx, r.UUID, 0, ""); err != nil || rev2 != rev {
		t.Fatalf("revision = %d, %v; want %d unchanged", rev2, err, rev)
	}
	if n := e.count(t, r.UUID); n != 1 {
		t.Fatalf("%d examples, want 1", n)
	}

	got, err := e.svc.FindTestSentence(ctx, r.UUID, a.ID)
	noErr(t, err)
	if got.Text != a.Text || !got.CreatedAt.Equal(a.CreatedAt) {
		t.Fatalf("found = %+v, want %+v", got, a)
	}
	_, err = e.svc.FindTestSentence(ctx, other.UUID, a.ID)
	wantError(t, err, sabia.ENOTFOUND, fmt.Sprintf("test sentence %d not found", a.ID))

	list, total, err := e.svc.ListTestSentences(ctx, r.UUID, repository.TestSentenceFilter{Language: "spa", Query: "SUSCRIPCION"})
	noErr(t, err)
	if total != 1 || list[0].ID != b.ID {
		t.Fatalf("list = %+v (%d)", list, total)
	}
	_, _, err = e.svc.ListTestSentences(ctx, r.UUID, repository.TestSentenceFilter{Language: "xx"})
	wantError(t, err, sabia.EINVALID, `unknown language "xx"`)
	_, _, err = e.svc.ListTestSentences(ctx, r.UUID, repository.TestSentenceFilter{VersionID: 999})
	wantError(t, err, sabia.ENOTFOUND, "version 999 not found")

	e.clock.advance(time.Minute)
	upd, err := e.svc.UpdateTestSentence(ctx, r.UUID, a.ID, repository.TestSentenceUpdate{Intent: ptr("boleto")})
	noErr(t, err)
	if upd.Intent != "boleto" || len(upd.Entities) != 1 || upd.UpdatedAt.Sub(upd.CreatedAt) != time.Minute {
		t.Fatalf("updated = %+v", upd)
	}
	_, err = e.svc.UpdateTestSentence(ctx, r.UUID, a.ID, repository.TestSentenceUpdate{Text: ptr("2ª via")})
	wantError(t, err, sabia.EINVALID, "entity end 22 is past the end of the text (6 characters)")
	_, err = e.svc.UpdateTestSentence(ctx, r.UUID, a.ID, repository.TestSentenceUpdate{
		Text: ptr(" kiero cancelar mi suscripción "), Language: ptr("es"), Entities: ptr([]nlu.Span{})})
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf(`text "kiero cancelar mi suscripción" already exists in es (test sentence %d)`, b.ID))
	_, err = e.svc.UpdateTestSentence(ctx, other.UUID, a.ID, repository.TestSentenceUpdate{Intent: ptr("x")})
	wantError(t, err, sabia.ENOTFOUND, "")

	set, err := e.svc.TestSet(ctx, r.UUID, 0, "pt-BR")
	noErr(t, err)
	if len(set) != 1 || set[0].Intent != "boleto" || set[0].Text != "qro a 2ª via do boleto" {
		t.Fatalf("test set = %+v", set)
	}
	_, err = e.svc.TestSet(ctx, r.UUID, 0, "en")
	wantError(t, err, sabia.EINVALID, `language "en" is not one of the repository's languages (pt_br, es)`)

	// A language with test sentences cannot be dropped.
	_, err = e.svc.UpdateRepository(ctx, r.UUID, repository.RepositoryUpdate{Languages: ptr([]string{})})
	wantError(t, err, sabia.ECONFLICT, `language "es" still has 1 test sentences; delete them before removing it`)

	wantError(t, e.svc.DeleteTestSentence(ctx, other.UUID, b.ID), sabia.ENOTFOUND, "")
	noErr(t, e.svc.DeleteTestSentence(ctx, r.UUID, b.ID))
	_, err = e.svc.FindTestSentence(ctx, r.UUID, b.ID)
	wantError(t, err, sabia.ENOTFOUND, "")
	_, err = e.svc.UpdateRepository(ctx, r.UUID, repository.RepositoryUpdate{Languages: ptr([]string{})})
	noErr(t, err)
}

func TestLogRetentionSetting(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	r := e.repo(t)
	if r.LogRetentionDays != repository.DefaultLogRetentionDays {
		t.Fatalf("default retention = %d, want %d", r.LogRetentionDays, repository.DefaultLogRetentionDays)
	}
	forever, err := e.svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Loja", Language: "es", LogRetentionDays: ptr(0)})
	noErr(t, err)
	if forever.LogRetentionDays != 0 {
		t.Fatalf("explicit 0 = %d", forever.LogRetentionDays)
	}
	got, err := e.svc.UpdateRepository(ctx, r.UUID, repository.RepositoryUpdate{LogRetentionDays: ptr(repository.MaxLogRetentionDays)})
	noErr(t, err)
	stored, err := e.svc.FindRepository(ctx, r.UUID)
	noErr(t, err)
	if got.LogRetentionDays != 3650 || stored.LogRetentionDays != 3650 {
		t.Fatalf("updated retention = %d, stored %d", got.LogRetentionDays, stored.LogRetentionDays)
	}
	for _, days := range []int{-1, 3651} {
		msg := fmt.Sprintf("log_retention_days %d is not between 0 and 3650", days)
		_, err := e.svc.CreateRepository(ctx, repository.RepositoryInput{Name: "x", Language: "pt", LogRetentionDays: ptr(days)})
		wantError(t, err, sabia.EINVALID, msg)
		_, err = e.svc.UpdateRepository(ctx, r.UUID, repository.RepositoryUpdate{LogRetentionDays: ptr(days)})
		wantError(t, err, sabia.EINVALID, msg)
	}
}
