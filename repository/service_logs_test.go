package repository_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// logOf builds a log of r's default version as the parse routes write it.
func (e env) logOf(t *testing.T, r repository.Repository, lang, intent, text string, confidence float64) *repository.Log {
	t.Helper()
	v, err := e.svc.FindVersion(t.Context(), r.UUID, 0)
	noErr(t, err)
	return &repository.Log{
		RepositoryUUID: r.UUID, VersionID: v.ID, Language: lang, Text: text, Intent: intent, Confidence: confidence,
		Ranking: []nlu.Scored{{Name: intent, Confidence: confidence}}, OutOfScope: intent == "",
		Route: repository.RouteParse, DurationUS: 700,
	}
}

func TestInsertAndListLogs(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	ctx := t.Context()

	a := e.logOf(t, r, "pt-BR", "segunda_via", "qro a 2a via do boleto", 0.91)
	b := e.logOf(t, r, "spa", "", "hola buenas", 0.2)
	b.CreatedAt = time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.FixedZone("BRT", -3*3600))
	noErr(t, e.svc.InsertLogs(ctx, []*repository.Log{a, b}))
	if a.ID == 0 || a.Language != "pt_br" || b.Language != "es" {
		t.Fatalf("logs = %+v %+v, want IDs and canonical languages", a, b)
	}
	if want := time.Date(2025, 3, 14, 12, 30, 0, 123456000, time.UTC); !a.CreatedAt.Equal(want) || a.CreatedAt.Location() != time.UTC {
		t.Fatalf("CreatedAt = %v, want now (%v)", a.CreatedAt, want)
	}
	if want := time.Date(2025, 3, 1, 13, 0, 0, 123456000, time.UTC); b.CreatedAt != want {
		t.Fatalf("CreatedAt = %v, want %v (UTC, microseconds)", b.CreatedAt, want)
	}

	tests := []struct {
		name   string
		change func(*repository.Log)
		msg    string
	}{
		{"confidence above 1", func(l *repository.Log) { l.Confidence = 1.01 }, "log 1: confidence 1.01 is not between 0 and 1"},
		{"NaN confidence", func(l *repository.Log) { l.Confidence = math.NaN() }, "log 1: confidence NaN is not between 0 and 1"},
		{"unknown route", func(l *repository.Log) { l.Route = "v3" }, `log 1: unknown route "v3" (parse, v2_parse or native)`},
		{"unknown language", func(l *repository.Log) { l.Language = "xx" }, `log 1: unknown language "xx"`},
		{"no repository", func(l *repository.Log) { l.RepositoryUUID = "" }, "log 1: repository is required"},
		{"no version", func(l *repository.Log) { l.VersionID = 0 }, "log 1: version is required"},
		{"negative duration", func(l *repository.Log) { l.DurationUS = -5 }, "log 1: duration -5 µs is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := e.logOf(t, r, "pt_br", "pix", "faz um pix", 0.5)
			tt.change(bad)
			err := e.svc.InsertLogs(ctx, []*repository.Log{e.logOf(t, r, "pt_br", "pix", "pix", 0.5), bad})
			wantError(t, err, sabia.EINVALID, tt.msg)
			if _, n, _ := e.svc.ListLogs(ctx, r.UUID, repository.LogFilter{}); n != 2 {
				t.Fatalf("%d logs stored, want 2: the batch must store nothing", n)
			}
		})
	}
	noErr(t, e.svc.InsertLogs(ctx, nil))

	got, err := e.svc.FindLog(ctx, r.UUID, a.ID)
	noErr(t, err)
	if got.Text != a.Text || got.Route != repository.RouteParse || len(got.Ranking) != 1 {
		t.Fatalf("found = %+v", got)
	}
	_, err = e.svc.FindLog(ctx, other.UUID, a.ID)
	wantError(t, err, sabia.ENOTFOUND, fmt.Sprintf("log %d not found", a.ID))

	list, total, err := e.svc.ListLogs(ctx, r.UUID, repository.LogFilter{Language: "es-AR", Query: "HOLA"})
	noErr(t, err)
	if total != 1 || list[0].ID != b.ID {
		t.Fatalf("logs = %+v (%d)", list, total)
	}
	f64 := func(v float64) *float64 { return &v }
	tm := func(t time.Time) *time.Time { return &t }
	refused := []struct {
		name string
		f    repository.LogFilter
		msg  string
	}{
		{"min above 1", repository.LogFilter{MinConfidence: f64(1.5)}, "min_confidence 1.5 is not between 0 and 1"},
		{"negative max", repository.LogFilter{MaxConfidence: f64(-0.1)}, "max_confidence -0.1 is not between 0 and 1"},
		{"min above max", repository.LogFilter{MinConfidence: f64(0.8), MaxConfidence: f64(0.2)}, "min_confidence 0.8 is above max_confidence 0.2"},
		{"from after to", repository.LogFilter{From: tm(b.CreatedAt.Add(time.Hour)), To: tm(b.CreatedAt)},
			"from 2025-03-01T14:00:00.123456Z is after to 2025-03-01T13:00:00.123456Z"},
		{"unknown language", repository.LogFilter{Language: "xx"}, `unknown language "xx"`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := e.svc.ListLogs(ctx, r.UUID, tt.f)
			wantError(t, err, sabia.EINVALID, tt.msg)
		})
	}
	_, total, err = e.svc.ListLogs(ctx, r.UUID, repository.LogFilter{From: tm(b.CreatedAt), To: tm(b.CreatedAt)})
	noErr(t, err)
	if total != 0 {
		t.Fatalf("an empty window matched %d logs", total)
	}
	_, _, err = e.svc.ListLogs(ctx, r.UUID, repository.LogFilter{VersionID: 999})
	wantError(t, err, sabia.ENOTFOUND, "version 999 not found")
	_, _, err = e.svc.ListLogs(ctx, "missing", repository.LogFilter{})
	wantError(t, err, sabia.ENOTFOUND, "")
}

func TestDeleteLogsOlderThanRetention(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	month := e.repo(t) // the default, 30 days
	week, err := e.svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Loja", Language: "pt", LogRetentionDays: ptr(7)})
	noErr(t, err)
	forever, err := e.svc.CreateRepository(ctx, repository.RepositoryInput{Name: "Banco", Language: "pt", LogRetentionDays: ptr(0)})
	noErr(t, err)
	var logs []*repository.Log
	for _, r := range []repository.Repository{month, week, forever} {
		for _, age := range []time.Duration{time.Hour, 8 * 24 * time.Hour, 31 * 24 * time.Hour, 400 * 24 * time.Hour} {
			l := e.logOf(t, r, "pt_br", "boleto", "manda o boleto", 0.9)
			l.CreatedAt = now.Add(-age)
			logs = append(logs, l)
		}
	}
	noErr(t, e.svc.InsertLogs(ctx, logs))

	n, err := e.svc.DeleteLogsOlderThanRetention(ctx, now.In(time.FixedZone("BRT", -3*3600)))
	noErr(t, err)
	if n != 2+3 {
		t.Fatalf("deleted %d logs, want 5 (2 past 30 days, 3 past 7 days)", n)
	}
	for _, c := range []struct {
		r    repository.Repository
		left int
	}{{month, 2}, {week, 1}, {forever, 4}} {
		if _, left, err := e.svc.ListLogs(ctx, c.r.UUID, repository.LogFilter{}); err != nil || left != c.left {
			t.Fatalf("%s keeps %d logs (%v), want %d", c.r.Name, left, err, c.left)
		}
	}
	n, err = e.svc.DeleteLogsOlderThanRetention(ctx, now)
	noErr(t, err)
	if n != 0 {
		t.Fatalf("second run deleted %d", n)
	}
}

func TestLogToExampleAndTestSentence(t *testing.T) {
	e := newEnv(t)
	r := e.repo(t)
	other := e.repo(t)
	ctx := t.Context()
	seen := e.logOf(t, r, "pt_br", "segunda_via", "  qro a 2a via do boleto ", 0.62)
	es := e.logOf(t, r, "es", "cancelar", "kiero cancelar mi suscripción", 0.8)
	oos := e.logOf(t, r, "pt_br", "", "qual o sentido da vida", 0.1)
	noErr(t, e.svc.InsertLogs(ctx, []*repository.Log{seen, es, oos}))

	// The logged intent, no entities; the text is trimmed as any example's.
	ex1, err := e.svc.LogToExample(ctx, r.UUID, seen.ID, "", nil)
	noErr(t, err)
	if ex1.ID == 0 || ex1.Text != "qro a 2a via do boleto" || ex1.Intent != "segunda_via" || ex1.Language != "pt_br" ||
		ex1.VersionID != seen.VersionID || len(ex1.Entities) != 0 {
		t.Fatalf("example = %+v", ex1)
	}
	if needs, err := e.svc.NeedsTraining(ctx, r.UUID, 0, "pt_br"); err != nil || !needs {
		t.Fatalf("NeedsTraining = %v, %v; want true after a new example", needs, err)
	}
	_, err = e.svc.LogToExample(ctx, r.UUID, seen.ID, "", nil)
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf(`text "qro a 2a via do boleto" already exists in pt_br (example %d)`, ex1.ID))

	// Another intent and entities (offsets into the logged text).
	ex2, err := e.svc.LogToExample(ctx, r.UUID, es.ID, "baja", &[]nlu.Span{{Start: 18, End: 29, Entity: "producto"}})
	noErr(t, err)
	if ex2.Intent != "baja" || ex2.Language != "es" || fmt.Sprint(ex2.Entities) != "[{18 29 producto }]" {
		t.Fatalf("example = %+v", ex2)
	}
	stored, err := e.svc.FindExample(ctx, r.UUID, ex2.ID)
	noErr(t, err)
	if fmt.Sprint(stored.Entities) != fmt.Sprint(ex2.Entities) {
		t.Fatalf("stored spans = %v", stored.Entities)
	}

	// Validated like any example, without an index prefix.
	_, err = e.svc.LogToExample(ctx, r.UUID, oos.ID, "", nil)
	wantError(t, err, sabia.EINVALID, fmt.Sprintf("log %d has no intent (out of scope); intent is required", oos.ID))
	_, err = e.svc.LogToExample(ctx, r.UUID, oos.ID, "fora de escopo", nil)
	wantError(t, err, sabia.EINVALID, `intent "fora de escopo" may contain only letters, digits, "_", "-" and "."`)
	_, err = e.svc.LogToExample(ctx, r.UUID, oos.ID, "filosofia", &[]nlu.Span{{Start: 10, End: 40, Entity: "tema"}})
	wantError(t, err, sabia.EINVALID, "entity end 40 is past the end of the text (22 characters)")
	_, err = e.svc.LogToExample(ctx, other.UUID, oos.ID, "filosofia", nil)
	wantError(t, err, sabia.ENOTFOUND, fmt.Sprintf("log %d not found", oos.ID))

	// A test sentence may repeat an example's text; it moves no revision.
	rev, err := e.svc.Revision(ctx, r.UUID, 0, "pt_br")
	noErr(t, err)
	t1, err := e.svc.LogToTestSentence(ctx, r.UUID, seen.ID, "", nil)
	noErr(t, err)
	if t1.ID == 0 || t1.Text != "qro a 2a via do boleto" || t1.Intent != "segunda_via" {
		t.Fatalf("test sentence = %+v", t1)
	}
	if rev2, err := e.svc.Revision(ctx, r.UUID, 0, "pt_br"); err != nil || rev2 != rev {
		t.Fatalf("revision = %d, %v; want %d", rev2, err, rev)
	}
	_, err = e.svc.LogToTestSentence(ctx, r.UUID, seen.ID, "boleto", nil)
	wantError(t, err, sabia.ECONFLICT, fmt.Sprintf(`text "qro a 2a via do boleto" already exists in pt_br (test sentence %d)`, t1.ID))
	set, err := e.svc.TestSet(ctx, r.UUID, 0, "pt_br")
	noErr(t, err)
	if len(set) != 1 || set[0].Text != t1.Text {
		t.Fatalf("test set = %+v", set)
	}

	// A language the repository no longer has.
	noErr(t, e.svc.DeleteExample(ctx, r.UUID, ex2.ID))
	_, err = e.svc.UpdateRepository(ctx, r.UUID, repository.RepositoryUpdate{Languages: ptr([]string{})})
	noErr(t, err)
	_, err = e.svc.LogToTestSentence(ctx, r.UUID, es.ID, "", nil)
	wantError(t, err, sabia.EINVALID, `language "es" is not one of the repository's languages (pt_br)`)
}
