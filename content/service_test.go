package content

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/weni-ai/sabia"
)

// memStore is a MemStore that counts UpdateVectors calls.
type memStore struct {
	*MemStore
	updates int
}

func newMemStore(repos ...string) *memStore {
	m := &memStore{MemStore: NewMemStore()}
	for _, r := range repos {
		m.AddRepository(r)
	}
	return m
}

func (m *memStore) UpdateVectors(ctx context.Context, chunks []Chunk) error {
	m.updates++
	return m.MemStore.UpdateVectors(ctx, chunks)
}

// fakeLLM replies with reply (or fails with err) and records the requests.
type fakeLLM struct {
	reply string
	err   error
	calls []Completion
}

func (f *fakeLLM) Complete(_ context.Context, c Completion) (string, error) {
	f.calls = append(f.calls, c)
	return f.reply, f.err
}

const repo = "3f0c2a8e-1111-4b5e-9c1d-000000000001"

func loadDocs(t *testing.T, s *Service) (pt, es Document) {
	t.Helper()
	read := func(name string) string {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	ctx := context.Background()
	pt, err := s.AddDocument(ctx, repo, DocumentInput{Title: "Perguntas frequentes", Text: read("faq_pt.txt"), Source: "https://bemtevi.example/faq", Language: "pt-BR"})
	if err != nil {
		t.Fatal(err)
	}
	es, err = s.AddDocument(ctx, repo, DocumentInput{Title: "Política de devoluciones", Text: read("politica_es.txt"), Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	return pt, es
}

func TestExtractiveAnswers(t *testing.T) {
	s := NewService(newMemStore(repo), Config{Now: func() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }})
	pt, es := loadDocs(t, s)
	if pt.Language != "pt_br" || es.Language != "es" || pt.Chunks == 0 || pt.Chars == 0 {
		t.Fatalf("documents %+v %+v", pt, es)
	}
	for _, c := range []struct {
		question, lang string
		doc            int64
		contains       string
	}{
		{"qual o horario de atendimento aos sabados?", "pt_br", pt.ID, "segunda a sábado"},
		{"vcs aceitam pix?", "pt_br", pt.ID, "Pix"},
		{"Qual o prazo de entrega p/ o interior", "", pt.ID, "dias úteis"},
		{"como cancelo minha compra", "", pt.ID, "cancelad"},
		{"cuántos días tengo para devolver un artículo?", "es", es.ID, "15 días"},
		{"hay devolución de productos en oferta?", "es", es.ID, "oferta"},
	} {
		a, err := s.Answer(context.Background(), repo, Query{Question: c.question, Language: c.lang})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Answered || a.Mode != "extractive" || !strings.Contains(a.Answer, c.contains) || strings.HasPrefix(a.Answer, "P:") || strings.HasPrefix(a.Answer, "R:") {
			t.Errorf("%q: %+v", c.question, a)
			continue
		}
		if len(a.Sources) != 1 || a.Sources[0].DocumentID != c.doc || !a.Sources[0].Relevant {
			t.Errorf("%q: sources %+v", c.question, a.Sources)
		}
		// The passage's offsets point into the document's text.
		d, err := s.FindDocument(context.Background(), repo, c.doc)
		if err != nil {
			t.Fatal(err)
		}
		src := a.Sources[0]
		if got := string([]rune(d.Text)[src.Start:src.End]); got != src.Text {
			t.Errorf("%q: offsets give %q, passage is %q", c.question, got, src.Text)
		}
	}
}

func TestAnswerSaysWhenDocumentsDoNot(t *testing.T) {
	llm := &fakeLLM{reply: "Sim, vendemos seguros."}
	s := NewService(newMemStore(repo), Config{LLM: llm})
	loadDocs(t, s)
	for _, q := range []string{
		"vocês vendem seguro de carro?",
		"quero falar sobre política partidária",
		"¿tienen estacionamiento gratuito?",
	} {
		a, err := s.Answer(context.Background(), repo, Query{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Answered || a.Reason != ReasonNoContent || a.Answer != "" || len(a.Sources) != 0 {
			t.Errorf("%q: %+v", q, a)
		}
	}
	if len(llm.calls) != 0 {
		t.Errorf("the LLM was asked %d times with no relevant passage", len(llm.calls))
	}
	// A repository without documents does not know either.
	a, err := NewService(newMemStore(repo), Config{}).Answer(context.Background(), repo, Query{Question: "horário?"})
	if err != nil || a.Answered || a.Reason != ReasonNoContent {
		t.Errorf("empty repository: %+v %v", a, err)
	}
}

func TestLLMAnswers(t *testing.T) {
	llm := &fakeLLM{reply: "Aceitamos Pix, boleto e cartão em até 10x sem juros [1]."}
	s := NewService(newMemStore(repo), Config{LLM: llm, TopK: 3})
	pt, _ := loadDocs(t, s)
	a, err := s.Answer(context.Background(), repo, Query{Question: "Quais as formas de pagamento?", Language: "pt"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || a.Mode != "llm" || a.Answer != llm.reply || len(a.Sources) != 1 || a.Sources[0].DocumentID != pt.ID {
		t.Fatalf("%+v", a)
	}
	if len(llm.calls) != 1 {
		t.Fatalf("%d LLM calls", len(llm.calls))
	}
	c := llm.calls[0]
	if !strings.Contains(c.System, noAnswer) || !strings.Contains(c.User, "Quais as formas de pagamento?") ||
		!strings.Contains(c.User, "[1] Perguntas frequentes") || !strings.Contains(c.User, "Pix") {
		t.Errorf("prompt: %+v", c)
	}

	// The LLM finds the passages do not answer: not answered.
	llm.reply = "NO_ANSWER"
	a, err = s.Answer(context.Background(), repo, Query{Question: "qual o prazo de entrega do boleto para o interior?"})
	if err != nil || a.Answered || a.Reason != ReasonNotInSources {
		t.Errorf("NO_ANSWER: %+v %v", a, err)
	}
	// Citations past the sources are ignored; with none valid, every source given is listed.
	llm.reply = "Entrega em 2 a 5 dias úteis [9]."
	a, err = s.Answer(context.Background(), repo, Query{Question: "qual o prazo de entrega?"})
	if err != nil || !a.Answered || len(a.Sources) == 0 {
		t.Errorf("uncited: %+v %v", a, err)
	}
	// An LLM failure is unavailable, not an answer.
	llm.err = errors.New("connection refused")
	_, err = s.Answer(context.Background(), repo, Query{Question: "qual o prazo de entrega?"})
	if sabia.ErrorCode(err) != sabia.EUNAVAILABLE {
		t.Errorf("LLM failure: %v", err)
	}
}

func TestDocumentValidation(t *testing.T) {
	s := NewService(newMemStore(repo), Config{})
	ctx := context.Background()
	for _, c := range []struct {
		in   DocumentInput
		code string
	}{
		{DocumentInput{Title: "", Text: "x"}, sabia.EINVALID},
		{DocumentInput{Title: "t", Text: "  \n"}, sabia.EINVALID},
		{DocumentInput{Title: strings.Repeat("á", MaxTitleRunes+1), Text: "x"}, sabia.ETOOLARGE},
		{DocumentInput{Title: "t", Text: strings.Repeat("a ", MaxDocumentRunes/2+1)}, sabia.ETOOLARGE},
		{DocumentInput{Title: "t", Text: "x", Language: "klingon"}, sabia.EINVALID},
		{DocumentInput{Title: "t", Text: "x", Source: strings.Repeat("s", MaxSourceRunes+1)}, sabia.ETOOLARGE},
		{DocumentInput{Title: "t", Text: "a\xffb"}, sabia.EINVALID},
		{DocumentInput{Title: "t", Text: "a\x00b"}, sabia.EINVALID},
	} {
		if _, err := s.AddDocument(ctx, repo, c.in); sabia.ErrorCode(err) != c.code {
			t.Errorf("%.40q: got %v, want %s", c.in.Title+"|"+c.in.Text, err, c.code)
		}
	}
	if _, err := s.AddDocument(ctx, "no-such-repo", DocumentInput{Title: "t", Text: "x"}); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Errorf("unknown repository: %v", err)
	}
	for _, q := range []Query{{Question: " "}, {Question: strings.Repeat("q", MaxQuestionRunes+1)}, {Question: "x", TopK: MaxTopK + 1}, {Question: "x", Language: "xx"}} {
		if _, err := s.Answer(ctx, repo, q); err == nil {
			t.Errorf("query %.30q accepted", q.Question)
		}
	}
}

// TestIndexFollowsChanges: deleting a document removes its passages from
// answers at once, and vectors made by another embedder are made again.
func TestIndexFollowsChanges(t *testing.T) {
	st := newMemStore(repo)
	s := NewService(st, Config{Embedder: HashEmbedder{Dims: 64}})
	pt, es := loadDocs(t, s)
	ctx := context.Background()
	if a, _ := s.Answer(ctx, repo, Query{Question: "formas de pagamento aceitas"}); !a.Answered {
		t.Fatalf("before delete: %+v", a)
	}
	if err := s.DeleteDocument(ctx, repo, pt.ID); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Answer(ctx, repo, Query{Question: "formas de pagamento aceitas"}); a.Answered {
		t.Errorf("deleted document still answers: %+v", a)
	}
	if err := s.DeleteDocument(ctx, repo, pt.ID); sabia.ErrorCode(err) != sabia.ENOTFOUND {
		t.Errorf("second delete: %v", err)
	}
	// Another embedder: the stored vectors are replaced on first use.
	s2 := NewService(st, Config{Embedder: HashEmbedder{Dims: 128}})
	if a, err := s2.Answer(ctx, repo, Query{Question: "plazo del reembolso", Language: "es"}); err != nil || !a.Answered || a.Sources[0].DocumentID != es.ID {
		t.Fatalf("%+v %v", a, err)
	}
	chunks, _ := st.ListChunks(ctx, repo)
	for _, c := range chunks {
		if c.Embedder != "hash-v1:128" || len(c.Vector) != 128 {
			t.Fatalf("chunk %d embedded by %q, %d dims", c.ID, c.Embedder, len(c.Vector))
		}
	}
	if st.updates != 1 {
		t.Errorf("%d vector updates, want 1", st.updates)
	}
}

func TestSearchRanksByMeaningfulWords(t *testing.T) {
	s := NewService(newMemStore(repo), Config{})
	loadDocs(t, s)
	hits, err := s.Search(context.Background(), repo, Query{Question: "trocar produto com defeito", TopK: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || !strings.Contains(hits[0].Text, "trocar qualquer produto") || !hits[0].Relevant {
		t.Fatalf("%+v", hits)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hits out of order: %v", hits)
		}
	}
}

// TestQuestionWithoutLanguage: a question sent without a language is read
// in the documents' language, so its words meet their synonyms ("fatura"
// for "boleto").
func TestQuestionWithoutLanguage(t *testing.T) {
	s := NewService(newMemStore(repo), Config{})
	ctx := context.Background()
	for _, d := range []DocumentInput{
		{Title: "Pagamentos", Text: "O boleto vence todo dia 10 e pode ser pago em qualquer banco.", Language: "pt_br"},
		{Title: "Entregas", Text: "Entregamos em todo o Brasil em até 7 dias úteis.", Language: "pt_br"},
	} {
		if _, err := s.AddDocument(ctx, repo, d); err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.Answer(ctx, repo, Query{Question: "quando vence a fatura?"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Answered || !strings.Contains(a.Answer, "dia 10") {
		t.Errorf("%+v", a)
	}
}
