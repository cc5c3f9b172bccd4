// Package contenttest is the conformance suite every content.Store passes,
// in the manner of repository/storetest: an implementation's tests call Run
// with a constructor and get the whole contract of content.Store checked
// against their backend.
package contenttest

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
)

// Run runs the suite. open must return a fresh, empty store for each call
// (each test gets its own), arranging its cleanup with t.Cleanup, and a
// function that creates a repository with the given UUID in that store (so
// that documents may reference it), failing t if it cannot. open is called
// from parallel subtests.
func Run(t *testing.T, open func(t *testing.T) (store content.Store, createRepository func(uuid string))) {
	tests := []struct {
		name string
		fn   func(*testing.T, content.Store, func(string))
	}{
		{"CreateAndFind", testCreateAndFind},
		{"CreateWithoutChunks", testCreateWithoutChunks},
		{"CreateUnknownRepository", testCreateUnknownRepository},
		{"FindNotFound", testFindNotFound},
		{"ListDocuments", testListDocuments},
		{"ListDocumentsPaging", testListDocumentsPaging},
		{"DeleteDocument", testDeleteDocument},
		{"DeleteNotFound", testDeleteNotFound},
		{"Chunks", testChunks},
		{"UpdateVectors", testUpdateVectors},
		{"Unicode", testUnicode},
		{"ConcurrentCreates", testConcurrentCreates},
		{"NearestChunks", testNearestChunks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, createRepository := open(t)
			tt.fn(t, s, createRepository)
		})
	}
}

// t0 is the suite's clock origin, at microsecond precision as every store
// keeps it.
var t0 = time.Date(2026, 3, 14, 12, 30, 0, 123456000, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// doc builds a document of repo created at the given minute; Chars is the
// rune count of text, as the caller sets it.
func doc(repo, title, text string, minute int) *content.Document {
	return &content.Document{
		RepositoryUUID: repo, Title: title, Source: "https://example.com/" + title, Language: "pt_br",
		Text: text, Chars: utf8.RuneCountInString(text), CreatedAt: at(minute),
	}
}

// chunk builds a chunk of text at the rune offsets [start, end), with a
// vector when vec is not nil.
func chunk(text string, ordinal, start, end int, vec ...float32) content.Chunk {
	c := content.Chunk{Ordinal: ordinal, Start: start, End: end, Text: string([]rune(text)[start:end])}
	if vec != nil {
		c.Embedder, c.Vector = "test-embedder", vec
	}
	return c
}

func create(t *testing.T, s content.Store, d *content.Document, chunks ...content.Chunk) {
	t.Helper()
	if err := s.CreateDocument(t.Context(), d, chunks); err != nil {
		t.Fatalf("CreateDocument(%q): %v", d.Title, err)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantNotFound fails unless err has the code ENOTFOUND.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if code := sabia.ErrorCode(err); code != sabia.ENOTFOUND {
		t.Fatalf("%s: error = %v (code %q), want %s", what, err, code, sabia.ENOTFOUND)
	}
}

func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

// sameDocument compares documents, their times with Equal (and in UTC).
func sameDocument(t *testing.T, what string, got, want content.Document) {
	t.Helper()
	if !got.CreatedAt.Equal(want.CreatedAt) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("%s: CreatedAt = %v, want %v in UTC", what, got.CreatedAt, want.CreatedAt)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	equal(t, what, got, want)
}

// sameChunks compares chunks, their vectors bit for bit (so that -0 and NaN
// count) and telling a nil vector from an empty one.
func sameChunks(t *testing.T, what string, got, want []content.Chunk) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d chunks, want %d: %+v", what, len(got), len(want), got)
	}
	for i := range got {
		g, w := got[i], want[i]
		if (g.Vector == nil) != (w.Vector == nil) || !reflect.DeepEqual(bits(g.Vector), bits(w.Vector)) {
			t.Fatalf("%s: chunk %d vector = %#v, want %#v", what, i, g.Vector, w.Vector)
		}
		g.Vector, w.Vector = nil, nil
		equal(t, fmt.Sprintf("%s: chunk %d", what, i), g, w)
	}
}

func bits(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, x := range v {
		out[i] = math.Float32bits(x)
	}
	return out
}

func listChunks(t *testing.T, s content.Store, repo string) []content.Chunk {
	t.Helper()
	cs, err := s.ListChunks(t.Context(), repo)
	noErr(t, err)
	return cs
}

func titles(docs []content.Document) []string {
	out := []string{}
	for _, d := range docs {
		out = append(out, d.Title)
	}
	return out
}

const faq = "Atendemos de segunda a sexta, das 8h às 18h. Aos sábados, das 9h às 13h."

func testCreateAndFind(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	d := doc("r1", "horarios", faq, 0)
	d.Chunks = 99 // the store sets it
	chunks := []content.Chunk{chunk(faq, 0, 0, 44, 0.5, -0.25), chunk(faq, 1, 45, 72, 1, 2)}
	create(t, s, d, chunks...)

	if d.ID == 0 {
		t.Fatal("CreateDocument left the document's ID unset")
	}
	equal(t, "Chunks", d.Chunks, 2)
	for i, c := range chunks {
		if c.ID == 0 {
			t.Fatalf("CreateDocument left chunk %d's ID unset", i)
		}
		equal(t, fmt.Sprintf("chunk %d DocumentID", i), c.DocumentID, d.ID)
	}
	if chunks[0].ID == chunks[1].ID {
		t.Fatalf("both chunks have ID %d", chunks[0].ID)
	}
	sameChunks(t, "ListChunks", listChunks(t, s, "r1"), chunks)

	got, err := s.FindDocument(t.Context(), "r1", d.ID)
	noErr(t, err)
	sameDocument(t, "FindDocument", got, *d)
	equal(t, "Chars", got.Chars, utf8.RuneCountInString(faq))

	// A second document gets another ID.
	d2 := doc("r1", "precos", "A consulta custa R$ 150,00.", 1)
	create(t, s, d2)
	if d2.ID == d.ID {
		t.Fatalf("second document reuses ID %d", d.ID)
	}
}

func testCreateWithoutChunks(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	d := doc("r1", "vazio", "", 0)
	d.Source, d.Language = "", ""
	create(t, s, d)
	equal(t, "Chunks", d.Chunks, 0)
	got, err := s.FindDocument(t.Context(), "r1", d.ID)
	noErr(t, err)
	sameDocument(t, "FindDocument", got, *d)
	equal(t, "chunks", len(listChunks(t, s, "r1")), 0)
}

func testCreateUnknownRepository(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	d := doc("nao-existe", "horarios", faq, 0)
	err := s.CreateDocument(t.Context(), d, []content.Chunk{chunk(faq, 0, 0, 10, 1)})
	wantNotFound(t, "CreateDocument in an unknown repository", err)
	if !strings.Contains(sabia.ErrorMessage(err), "nao-existe") {
		t.Fatalf("message = %q, want it to name the repository", sabia.ErrorMessage(err))
	}
	docs, total, err := s.ListDocuments(t.Context(), "nao-existe", 0, 10)
	noErr(t, err)
	equal(t, "documents of the unknown repository", len(docs), 0)
	equal(t, "total", total, 0)
	equal(t, "chunks of the unknown repository", len(listChunks(t, s, "nao-existe")), 0)
}

func testFindNotFound(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	createRepository("r2")
	d := doc("r1", "horarios", faq, 0)
	create(t, s, d, chunk(faq, 0, 0, 10))
	for _, tc := range []struct {
		name string
		repo string
		id   int64
	}{
		{"unknown id", "r1", d.ID + 1000},
		{"zero id", "r1", 0},
		{"another repository's document", "r2", d.ID},
		{"unknown repository", "nao-existe", d.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.FindDocument(t.Context(), tc.repo, tc.id)
			wantNotFound(t, "FindDocument", err)
			if strings.Contains(sabia.ErrorMessage(err), "r1") {
				t.Fatalf("message %q names the document's repository", sabia.ErrorMessage(err))
			}
		})
	}
}

func testListDocuments(t *testing.T, s content.Store, createRepository func(string)) {
	ctx := t.Context()
	createRepository("r1")
	createRepository("r2")
	empty, total, err := s.ListDocuments(ctx, "r1", 0, 10)
	noErr(t, err)
	equal(t, "documents of an empty repository", len(empty), 0)
	equal(t, "total of an empty repository", total, 0)

	// Created out of time order; "b" and "c" share a time, so the higher
	// ID ("c", created later) comes first.
	old := doc("r1", "a", "mais antigo", 0)
	create(t, s, old, chunk("mais antigo", 0, 0, 4), chunk("mais antigo", 1, 5, 11))
	newest := doc("r1", "d", "mais novo", 30)
	create(t, s, newest)
	b := doc("r1", "b", "empate um", 10)
	create(t, s, b, chunk("empate um", 0, 0, 9))
	c := doc("r1", "c", "empate dois", 10)
	create(t, s, c, chunk("empate dois", 0, 0, 6), chunk("empate dois", 1, 7, 11), chunk("empate dois", 2, 10, 11))
	create(t, s, doc("r2", "outro", "de outro repositório", 20))

	docs, total, err := s.ListDocuments(ctx, "r1", 0, 10)
	noErr(t, err)
	equal(t, "total", total, 4)
	equal(t, "order", titles(docs), []string{"d", "c", "b", "a"})
	for i, want := range []*content.Document{newest, c, b, old} {
		w := *want
		w.Text = ""
		sameDocument(t, fmt.Sprintf("listed document %d", i), docs[i], w)
	}
	equal(t, "chunk counts", []int{docs[0].Chunks, docs[1].Chunks, docs[2].Chunks, docs[3].Chunks}, []int{0, 3, 1, 2})

	docs, total, err = s.ListDocuments(ctx, "r2", 0, 10)
	noErr(t, err)
	equal(t, "r2 total", total, 1)
	equal(t, "r2 documents", titles(docs), []string{"outro"})
}

func testListDocumentsPaging(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	createRepository("r2")
	for i := range 5 {
		create(t, s, doc("r1", fmt.Sprintf("doc%d", i), fmt.Sprintf("texto %d", i), i))
	}
	create(t, s, doc("r2", "alheio", "de outro repositório", 99))
	for _, tc := range []struct {
		offset, limit int
		want          []string
	}{
		{0, 2, []string{"doc4", "doc3"}},
		{2, 2, []string{"doc2", "doc1"}},
		{4, 2, []string{"doc0"}},
		{5, 2, []string{}},
		{50, 2, []string{}},
		{1, 3, []string{"doc3", "doc2", "doc1"}},
		{0, 1, []string{"doc4"}},
		{0, 100, []string{"doc4", "doc3", "doc2", "doc1", "doc0"}},
	} {
		t.Run(fmt.Sprintf("offset %d limit %d", tc.offset, tc.limit), func(t *testing.T) {
			docs, total, err := s.ListDocuments(t.Context(), "r1", tc.offset, tc.limit)
			noErr(t, err)
			equal(t, "total", total, 5)
			equal(t, "page", titles(docs), tc.want)
		})
	}
}

func testDeleteDocument(t *testing.T, s content.Store, createRepository func(string)) {
	ctx := t.Context()
	createRepository("r1")
	gone := doc("r1", "apagar", faq, 0)
	goneChunks := []content.Chunk{chunk(faq, 0, 0, 44, 1, 2), chunk(faq, 1, 45, 72, 3, 4)}
	create(t, s, gone, goneChunks...)
	keep := doc("r1", "manter", "Fique com este.", 1)
	keepChunks := []content.Chunk{chunk("Fique com este.", 0, 0, 15, 5, 6)}
	create(t, s, keep, keepChunks...)
	equal(t, "chunks before", len(listChunks(t, s, "r1")), 3)

	noErr(t, s.DeleteDocument(ctx, "r1", gone.ID))

	_, err := s.FindDocument(ctx, "r1", gone.ID)
	wantNotFound(t, "FindDocument after DeleteDocument", err)
	sameChunks(t, "chunks after", listChunks(t, s, "r1"), keepChunks)
	docs, total, err := s.ListDocuments(ctx, "r1", 0, 10)
	noErr(t, err)
	equal(t, "total after", total, 1)
	equal(t, "documents after", titles(docs), []string{"manter"})

	wantNotFound(t, "deleting it again", s.DeleteDocument(ctx, "r1", gone.ID))
	// Updating a deleted chunk is skipped, not an error, and brings
	// nothing back.
	noErr(t, s.UpdateVectors(ctx, []content.Chunk{{ID: goneChunks[0].ID, Embedder: "x", Vector: []float32{1}}}))
	sameChunks(t, "chunks after updating a deleted one", listChunks(t, s, "r1"), keepChunks)
}

func testDeleteNotFound(t *testing.T, s content.Store, createRepository func(string)) {
	ctx := t.Context()
	createRepository("r1")
	createRepository("r2")
	d := doc("r1", "horarios", faq, 0)
	chunks := []content.Chunk{chunk(faq, 0, 0, 44, 1)}
	create(t, s, d, chunks...)
	for _, tc := range []struct {
		name string
		repo string
		id   int64
	}{
		{"unknown id", "r1", d.ID + 1000},
		{"another repository's document", "r2", d.ID},
		{"unknown repository", "nao-existe", d.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantNotFound(t, "DeleteDocument", s.DeleteDocument(ctx, tc.repo, tc.id))
		})
	}
	// Nothing was deleted.
	got, err := s.FindDocument(ctx, "r1", d.ID)
	noErr(t, err)
	sameDocument(t, "the document", got, *d)
	sameChunks(t, "its chunks", listChunks(t, s, "r1"), chunks)
}

// tricky are float32 values whose bits must survive: signed zero, the
// smallest subnormal, the extremes, values with no short decimal form.
var tricky = []float32{
	0, float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, -math.SmallestNonzeroFloat32,
	math.MaxFloat32, -math.MaxFloat32, 1.0 / 3, -0.1, 0.70710677, 1e-30, 123456.79,
}

func testChunks(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	createRepository("r2")
	text := "Primeira frase. Segunda frase. Terceira frase."
	a := doc("r1", "a", text, 0)
	// Given out of ordinal order: listings sort by ordinal.
	aChunks := []content.Chunk{
		chunk(text, 2, 31, 46, tricky...),
		chunk(text, 0, 0, 15, 0.25, -0.5, 0.125),
		chunk(text, 1, 16, 30), // no vector
	}
	create(t, s, a, aChunks...)
	// The second document is older but has the higher ID: chunks go by
	// document ID, not by time.
	b := doc("r1", "b", "Outro texto.", -10)
	bChunks := []content.Chunk{chunk("Outro texto.", 0, 0, 12, 1, 2, 3)}
	create(t, s, b, bChunks...)
	other := doc("r2", "c", "Alheio.", 0)
	otherChunks := []content.Chunk{chunk("Alheio.", 0, 0, 7, 9)}
	create(t, s, other, otherChunks...)

	want := []content.Chunk{aChunks[1], aChunks[2], aChunks[0], bChunks[0]}
	if b.ID < a.ID {
		want = []content.Chunk{bChunks[0], aChunks[1], aChunks[2], aChunks[0]}
	}
	got := listChunks(t, s, "r1")
	sameChunks(t, "ListChunks(r1)", got, want)
	for _, c := range got {
		if c.Vector != nil && len(c.Vector) == 0 {
			t.Fatalf("chunk %d has an empty non-nil vector", c.ID)
		}
	}
	sameChunks(t, "ListChunks(r2)", listChunks(t, s, "r2"), otherChunks)

	// An empty vector reads back as nil.
	createRepository("r3")
	e := doc("r3", "e", "Sem vetor.", 0)
	ec := []content.Chunk{chunk("Sem vetor.", 0, 0, 10)}
	ec[0].Embedder, ec[0].Vector = "test-embedder", []float32{}
	create(t, s, e, ec...)
	ec[0].Vector = nil
	sameChunks(t, "ListChunks(r3)", listChunks(t, s, "r3"), ec)
}

func testUpdateVectors(t *testing.T, s content.Store, createRepository func(string)) {
	ctx := t.Context()
	createRepository("r1")
	createRepository("r2")
	d := doc("r1", "a", faq, 0)
	chunks := []content.Chunk{chunk(faq, 0, 0, 44, 1, 2), chunk(faq, 1, 45, 72), chunk(faq, 2, 60, 72, 5, 6)}
	create(t, s, d, chunks...)
	o := doc("r2", "o", "Alheio.", 0)
	other := []content.Chunk{chunk("Alheio.", 0, 0, 7, 9)}
	create(t, s, o, other...)

	noErr(t, s.UpdateVectors(ctx, nil))
	sameChunks(t, "after updating nothing", listChunks(t, s, "r1"), chunks)

	upd := []content.Chunk{
		// Only ID, Embedder and Vector count; the other fields are ignored.
		{ID: chunks[0].ID, Text: "ignorado", Ordinal: 7, Embedder: "novo", Vector: tricky},
		{ID: chunks[1].ID, Embedder: "novo", Vector: []float32{0.5, 0.25, -1}},
		{ID: chunks[2].ID + other[0].ID + 1000, Embedder: "novo", Vector: []float32{4}}, // missing: skipped
	}
	noErr(t, s.UpdateVectors(ctx, upd))
	want := []content.Chunk{chunks[0], chunks[1], chunks[2]}
	want[0].Embedder, want[0].Vector = "novo", tricky
	want[1].Embedder, want[1].Vector = "novo", []float32{0.5, 0.25, -1}
	sameChunks(t, "after UpdateVectors", listChunks(t, s, "r1"), want)
	sameChunks(t, "another repository's chunks", listChunks(t, s, "r2"), other)

	// Clearing a vector.
	noErr(t, s.UpdateVectors(ctx, []content.Chunk{{ID: chunks[2].ID}}))
	want[2].Embedder, want[2].Vector = "", nil
	sameChunks(t, "after clearing a vector", listChunks(t, s, "r1"), want)

	// The document itself is untouched.
	got, err := s.FindDocument(ctx, "r1", d.ID)
	noErr(t, err)
	sameDocument(t, "the document", got, *d)
}

func testUnicode(t *testing.T, s content.Store, createRepository func(string)) {
	ctx := t.Context()
	createRepository("r1")
	for i, tc := range []struct {
		name, title, source, text string
	}{
		{"portuguese", "Política de trocas e devoluções",
			"https://loja.example.com.br/políticas/trocas?seção=1",
			"Você pode trocar o produto em até 30 dias. Não aceitamos peças íntimas; ação válida só no balcão da Água Viva, São Paulo."},
		{"spanish", "¿Cómo añadir una señal?", "preguntas-frecuentes-español.pdf",
			"¡Hola! Para añadir una señal, pulse «Configuración». El niño pidió piñata y jalapeños; ¿cuál es el pingüino?"},
		{"emoji", "Atendimento 24h 🕐", "whatsapp 💬",
			"Obrigado! 👍🏽 Mande 🇧🇷 ou 👨‍👩‍👧‍👦 para falar com a família; ⭐️⭐️⭐️ avaliações. 𝄞 fora do BMP."},
		{"combining", "Cafe\u0301 decomposto", "", "cafe\u0301 com ac\u0327u\u0301car; noño vs no\u0303no; ção."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &content.Document{RepositoryUUID: "r1", Title: tc.title, Source: tc.source, Language: "pt_br",
				Text: tc.text, Chars: utf8.RuneCountInString(tc.text), CreatedAt: at(i)}
			n := d.Chars
			chunks := []content.Chunk{chunk(tc.text, 0, 0, n/2, 0.5), chunk(tc.text, 1, n/2, n, -0.5)}
			create(t, s, d, chunks...)
			got, err := s.FindDocument(ctx, "r1", d.ID)
			noErr(t, err)
			sameDocument(t, "FindDocument", got, *d)
			if got.Text != tc.text || got.Title != tc.title || got.Source != tc.source {
				t.Fatalf("texts changed: %q %q %q", got.Title, got.Source, got.Text)
			}
			equal(t, "Chars", got.Chars, utf8.RuneCountInString(tc.text))

			var mine []content.Chunk
			for _, c := range listChunks(t, s, "r1") {
				if c.DocumentID == d.ID {
					mine = append(mine, c)
				}
			}
			sameChunks(t, "chunks", mine, chunks)
			equal(t, "joined chunks", mine[0].Text+mine[1].Text, tc.text)
			equal(t, "chunk offsets", string([]rune(tc.text)[mine[1].Start:mine[1].End]), mine[1].Text)

			docs, _, err := s.ListDocuments(ctx, "r1", 0, 1)
			noErr(t, err)
			equal(t, "listed title", titles(docs), []string{tc.title})
		})
	}
}

func testConcurrentCreates(t *testing.T, s content.Store, createRepository func(string)) {
	createRepository("r1")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			text := fmt.Sprintf("Documento número %d.", i)
			errs[i] = s.CreateDocument(t.Context(), doc("r1", fmt.Sprintf("d%d", i), text, i),
				[]content.Chunk{chunk(text, 0, 0, utf8.RuneCountInString(text), float32(i))})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("CreateDocument %d: %v", i, err)
		}
	}
	_, total, err := s.ListDocuments(t.Context(), "r1", 0, 0)
	noErr(t, err)
	equal(t, "total", total, n)
	equal(t, "chunks", len(listChunks(t, s, "r1")), n)
}

// testNearestChunks runs on stores that are VectorSearchers: the chunks of
// the repository made by the embedder with the query's dimensions, by cosine
// (ties by ID), never a zero vector nor another repository's.
func testNearestChunks(t *testing.T, s content.Store, createRepository func(string)) {
	vs, ok := s.(content.VectorSearcher)
	if !ok {
		t.Skip("not a VectorSearcher")
	}
	ctx := t.Context()
	createRepository("r1")
	createRepository("r2")
	text := "abcdefgh"
	c := func(ordinal int, embedder string, vec ...float32) content.Chunk {
		ch := chunk(text, ordinal, ordinal, ordinal+1, vec...)
		if embedder != "" {
			ch.Embedder = embedder
		}
		return ch
	}
	mine := []content.Chunk{
		c(0, "", 1, 0, 0),      // cosine 1
		c(1, "", 0.9, 0.1, 0),  // 0.9939
		c(2, "", 0, 3, 0),      // 0
		c(3, "", -1, 0, 0),     // -1
		c(4, "other", 1, 0, 0), // another embedder
		c(5, "", 1, 0),         // other dimensions
		c(6, "", 0, 0, 0),      // zero
		c(7, ""),               // none
	}
	create(t, s, doc("r1", "a", text, 0), mine...)
	twin := []content.Chunk{c(0, "", 1, 0, 0)}
	create(t, s, doc("r1", "b", text, 1), twin...) // ties with mine[0]
	create(t, s, doc("r2", "o", text, 0), c(0, "", 1, 0, 0))

	got, err := vs.NearestChunks(ctx, "r1", "test-embedder", []float32{2, 0, 0}, 3)
	noErr(t, err)
	want := []content.ChunkScore{{ID: mine[0].ID, Cosine: 1}, {ID: twin[0].ID, Cosine: 1}, {ID: mine[1].ID, Cosine: 0.9 / math.Sqrt(0.82)}}
	sameScores(t, "k=3", got, want)
	got, err = vs.NearestChunks(ctx, "r1", "test-embedder", []float32{2, 0, 0}, 100)
	noErr(t, err)
	want = append(want, content.ChunkScore{ID: mine[2].ID, Cosine: 0}, content.ChunkScore{ID: mine[3].ID, Cosine: -1})
	sameScores(t, "k=100", got, want)
	got, err = vs.NearestChunks(ctx, "r1", "test-embedder", []float32{0, 0, 0}, 10)
	noErr(t, err)
	sameScores(t, "zero query", got, nil)
	got, err = vs.NearestChunks(ctx, "r3", "test-embedder", []float32{1, 0, 0}, 10)
	noErr(t, err)
	sameScores(t, "unknown repository", got, nil)
}

func sameScores(t *testing.T, what string, got, want []content.ChunkScore) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		ok = got[i].ID == want[i].ID && math.Abs(got[i].Cosine-want[i].Cosine) < 1e-5
	}
	if !ok {
		t.Errorf("%s: NearestChunks = %+v, want %+v", what, got, want)
	}
}
