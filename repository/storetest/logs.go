package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
)

// log builds a log of the fixture's default version; intent "" makes it out
// of scope.
func (f fixture) log(lang, intent, text string, confidence float64, created time.Time) *repository.Log {
	top := intent
	if top == "" {
		top = "boleto"
	}
	return &repository.Log{
		RepositoryUUID: f.repo.UUID, VersionID: f.version.ID, Language: lang, Text: text, Intent: intent,
		Confidence: confidence, OutOfScope: intent == "",
		Ranking:   []nlu.Scored{{Name: top, Confidence: confidence}, {Name: "outros", Confidence: 1 - confidence}},
		Entities:  []nlu.Entity{},
		ModelID:   7,
		TokenID:   "tok-" + f.repo.UUID,
		UserAgent: "weni-flows/2.3",
		Route:     repository.RouteNative, DurationUS: 850, CreatedAt: created,
	}
}

func countLogs(t *testing.T, s repository.Store, f repository.LogFilter) int {
	t.Helper()
	_, n, err := s.ListLogs(t.Context(), f)
	noErr(t, err)
	return n
}

func testInsertLogs(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	gone := newRepo(t, s, "r3", t0, "pt_br")

	full := f.log("pt_br", "segunda_via", "qro a 2a via do boleto q venceu ontem", 0.8125, at(1))
	full.Ranking = []nlu.Scored{{Name: "segunda_via", Confidence: 0.8125}, {Name: "pagar", Confidence: 0.125}, {Name: "pix", Confidence: 0.0625}}
	full.Entities = []nlu.Entity{
		{Entity: "documento", Value: "boleto", Start: 16, End: 22, Confidence: 0.97, Source: nlu.SourceModel},
		{Entity: "data", Value: "ontem", Start: 32, End: 37, Confidence: 1, Source: nlu.SourceBuiltin, Canonical: "2025-03-13"},
	}
	full.Route, full.UserAgent, full.DurationUS = repository.RouteV2Parse, "python-requests/2.31", 1234
	bare := f.log("pt_br", "", "asdfgh", 0.12, at(2))
	bare.Ranking, bare.Entities, bare.ModelID, bare.TokenID, bare.UserAgent = nil, nil, 0, "", ""
	es := f.log("es", "cancelar", "kiero cancelar mi suscripción", 0.9, at(2))
	noErr(t, s.InsertLogs(ctx, []*repository.Log{full, bare, es}))
	for i, l := range []*repository.Log{full, bare, es} {
		if l.ID == 0 || i > 0 && l.ID <= full.ID {
			t.Fatalf("log %d: ID %d, want increasing IDs", i, l.ID)
		}
	}

	got, err := s.FindLog(ctx, full.ID)
	noErr(t, err)
	sameTime(t, "CreatedAt", got.CreatedAt, at(1))
	got.CreatedAt = full.CreatedAt
	equal(t, "full log", got, *full)

	got, err = s.FindLog(ctx, bare.ID)
	noErr(t, err)
	if got.Ranking == nil || got.Entities == nil {
		t.Fatalf("log = %+v, want empty Ranking and Entities, not nil", got)
	}
	want := *bare
	want.Ranking, want.Entities, want.CreatedAt = []nlu.Scored{}, []nlu.Entity{}, got.CreatedAt
	equal(t, "bare log", got, want)
	_, err = s.FindLog(ctx, es.ID+1000)
	wantCode(t, err, sabia.ENOTFOUND, "")

	// A log of a repository deleted while it waited, or whose version is
	// another repository's, is skipped; the rest of the batch is stored.
	noErr(t, s.DeleteRepository(ctx, "r3"))
	late := gone.log("pt_br", "boleto", "boleto", 0.9, at(3))
	mixed := f.log("pt_br", "boleto", "boleto", 0.9, at(3))
	mixed.VersionID = other.version.ID
	kept := f.log("pt_br", "boleto", "manda o boleto", 0.9, at(3))
	noErr(t, s.InsertLogs(ctx, []*repository.Log{late, mixed, kept}))
	equal(t, "IDs of skipped and stored logs", []bool{late.ID == 0, mixed.ID == 0, kept.ID > es.ID}, []bool{true, true, true})
	equal(t, "logs of r1", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r1"}), 4)
	equal(t, "logs of r3", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r3"}), 0)

	noErr(t, s.InsertLogs(ctx, nil))
}

// testInsertLogsBatch stores a batch of the size the server's background
// writer sends.
func testInsertLogsBatch(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	const n = 500
	texts := []string{"qro a 2a via do boleto", "não consigo pagar", "oi", "kiero cancelar mi suscripción", "cadê meu pedido??"}
	batch := make([]*repository.Log, n)
	for i := range batch {
		lang := "pt_br"
		if i%5 == 3 {
			lang = "es"
		}
		batch[i] = f.log(lang, "intent", fmt.Sprintf("%s %d", texts[i%5], i), float64(i%100)/100, t0.Add(time.Duration(i)*time.Millisecond))
	}
	noErr(t, s.InsertLogs(ctx, batch))
	for i, l := range batch {
		if l.ID == 0 || i > 0 && l.ID <= batch[i-1].ID {
			t.Fatalf("log %d: ID %d after %d, want increasing IDs", i, l.ID, batch[max(i-1, 0)].ID)
		}
	}
	got, total, err := s.ListLogs(ctx, repository.LogFilter{RepositoryUUID: "r1", Limit: 3})
	noErr(t, err)
	equal(t, "total", total, n)
	equal(t, "newest", []int64{got[0].ID, got[1].ID, got[2].ID}, []int64{batch[n-1].ID, batch[n-2].ID, batch[n-3].ID})
	equal(t, "es logs", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r1", Language: "es"}), n/5)
}

func testListLogs(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0, "pt_br", "es")
	other := newRepo(t, s, "r2", t0, "pt_br")
	logs := []*repository.Log{
		f.log("pt_br", "segunda_via", "qro a 2a via do boleto", 0.92, at(1)),    // 0
		f.log("pt_br", "pagar", "NÃO consigo pagar o boleto", 0.55, at(2)),      // 1
		f.log("pt_br", "", "asdfgh", 0.10, at(3)),                               // 2
		f.log("es", "cancelar", "kiero cancelar mi suscripción", 0.81, at(4)),   // 3
		f.log("pt_br", "pix", "faz um pix de 50% pro joão", 0.30, at(5)),        // 4
		f.log("pt_br", "segunda_via", "2ª via da fatura", 0.30, at(5)),          // 5, same time as 4
		f.log("es", "", "hola buenas", 0.25, at(6)),                             // 6
		other.log("pt_br", "segunda_via", "qro a 2a via do boleto", 0.9, at(7)), // 7
	}
	noErr(t, s.InsertLogs(ctx, logs))
	idx := map[int64]int{}
	for i, l := range logs {
		idx[l.ID] = i
	}
	indexes := func(list []repository.Log) []int {
		out := []int{}
		for _, l := range list {
			out = append(out, idx[l.ID])
		}
		return out
	}
	ptr := func(v float64) *float64 { return &v }
	tm := func(t time.Time) *time.Time { return &t }
	yes, no := true, false
	tests := []struct {
		name  string
		f     repository.LogFilter
		want  []int
		total int
	}{
		{"every repository, newest first", repository.LogFilter{}, []int{7, 6, 5, 4, 3, 2, 1, 0}, 8},
		{"repository", repository.LogFilter{RepositoryUUID: "r1"}, []int{6, 5, 4, 3, 2, 1, 0}, 7},
		{"version", repository.LogFilter{VersionID: other.version.ID}, []int{7}, 1},
		{"language", repository.LogFilter{RepositoryUUID: "r1", Language: "es"}, []int{6, 3}, 2},
		{"intent", repository.LogFilter{RepositoryUUID: "r1", Intent: "segunda_via"}, []int{5, 0}, 2},
		{"min confidence, inclusive", repository.LogFilter{RepositoryUUID: "r1", MinConfidence: ptr(0.81)}, []int{3, 0}, 2},
		{"max confidence, inclusive", repository.LogFilter{RepositoryUUID: "r1", MaxConfidence: ptr(0.25)}, []int{6, 2}, 2},
		{"confidence range", repository.LogFilter{RepositoryUUID: "r1", MinConfidence: ptr(0.3), MaxConfidence: ptr(0.6)}, []int{5, 4, 1}, 3},
		{"from, inclusive", repository.LogFilter{RepositoryUUID: "r1", From: tm(at(5))}, []int{6, 5, 4}, 3},
		{"to, exclusive", repository.LogFilter{RepositoryUUID: "r1", To: tm(at(2))}, []int{0}, 1},
		{"time window", repository.LogFilter{RepositoryUUID: "r1", From: tm(at(2)), To: tm(at(5))}, []int{3, 2, 1}, 3},
		{"time window in another zone", repository.LogFilter{RepositoryUUID: "r1",
			From: tm(at(2).In(time.FixedZone("BRT", -3*3600))), To: tm(at(3).In(time.FixedZone("BRT", -3*3600)))}, []int{1}, 1},
		{"query ignores case and accents", repository.LogFilter{RepositoryUUID: "r1", Query: "nao CONSIGO"}, []int{1}, 1},
		{"query with accents", repository.LogFilter{RepositoryUUID: "r1", Query: "suscripción"}, []int{3}, 1},
		{"query % is literal", repository.LogFilter{RepositoryUUID: "r1", Query: "50%"}, []int{4}, 1},
		{"query _ is literal", repository.LogFilter{RepositoryUUID: "r1", Query: "a_"}, []int{}, 0},
		{"out of scope", repository.LogFilter{RepositoryUUID: "r1", OutOfScope: &yes}, []int{6, 2}, 2},
		{"in scope", repository.LogFilter{RepositoryUUID: "r1", OutOfScope: &no}, []int{5, 4, 3, 1, 0}, 5},
		{"combined", repository.LogFilter{RepositoryUUID: "r1", Language: "pt_br", OutOfScope: &no, MaxConfidence: ptr(0.6), Query: "boleto"},
			[]int{1}, 1},
		{"page", repository.LogFilter{RepositoryUUID: "r1", Offset: 2, Limit: 3}, []int{4, 3, 2}, 7},
		{"page past the end", repository.LogFilter{RepositoryUUID: "r1", Offset: 7, Limit: 3}, []int{}, 7},
		{"missing repository", repository.LogFilter{RepositoryUUID: "missing"}, []int{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := s.ListLogs(ctx, tt.f)
			noErr(t, err)
			equal(t, "logs", indexes(got), tt.want)
			equal(t, "total", total, tt.total)
		})
	}

	got, _, err := s.ListLogs(ctx, repository.LogFilter{RepositoryUUID: "r1", Limit: 1})
	noErr(t, err)
	sameTime(t, "listed CreatedAt", got[0].CreatedAt, at(6))
	got[0].CreatedAt = logs[6].CreatedAt
	equal(t, "listed log", got[0], *logs[6])
}

func testDeleteLogsBefore(t *testing.T, s repository.Store) {
	ctx := t.Context()
	f := newRepo(t, s, "r1", t0)
	other := newRepo(t, s, "r2", t0)
	var batch []*repository.Log
	for i := range 10 {
		batch = append(batch, f.log("pt_br", "boleto", fmt.Sprintf("boleto %d", i), 0.9, at(i)))
		batch = append(batch, other.log("pt_br", "boleto", fmt.Sprintf("boleto %d", i), 0.9, at(i)))
	}
	noErr(t, s.InsertLogs(ctx, batch))

	n, err := s.DeleteLogsBefore(ctx, "r1", at(4))
	noErr(t, err)
	equal(t, "deleted in r1", n, int64(4))
	equal(t, "left in r1", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r1"}), 6)
	equal(t, "left in r2", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r2"}), 10)
	_, err = s.FindLog(ctx, batch[8].ID) // r1 at(4): the bound is exclusive
	noErr(t, err)

	n, err = s.DeleteLogsBefore(ctx, "", at(6).In(time.FixedZone("BRT", -3*3600)))
	noErr(t, err)
	equal(t, "deleted everywhere", n, int64(2+6))
	equal(t, "left in r1 after", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r1"}), 4)
	equal(t, "left in r2 after", countLogs(t, s, repository.LogFilter{RepositoryUUID: "r2"}), 4)

	n, err = s.DeleteLogsBefore(ctx, "r1", at(6))
	noErr(t, err)
	equal(t, "deleted again", n, int64(0))
	n, err = s.DeleteLogsBefore(ctx, "missing", at(100))
	noErr(t, err)
	equal(t, "deleted in a missing repository", n, int64(0))
}
