package content

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// syntheticDocs writes n FAQ-like documents from a small vocabulary, so that
// retrieval is measured over a realistic number of passages.
func syntheticDocs(n int) []DocumentInput {
	topics := []string{"entrega", "pagamento", "troca", "cancelamento", "garantia", "cadastro", "senha", "boleto", "pix", "frete",
		"horário", "endereço", "cartão", "parcelamento", "cupom", "devolução", "reembolso", "assinatura", "plano", "fatura"}
	verbs := []string{"como faço", "posso", "qual o prazo para", "onde vejo", "quanto custa", "é possível", "preciso de ajuda com"}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]DocumentInput, n)
	for i := range out {
		var b strings.Builder
		for q := range 12 {
			t := topics[rng.IntN(len(topics))]
			u := topics[rng.IntN(len(topics))]
			fmt.Fprintf(&b, "P: %s %s do produto %d?\nR: Sim. O %s fica disponível em até %d dias úteis, e o %s pode ser consultado no aplicativo. Em caso de dúvida, fale com o atendimento.\n\n",
				verbs[rng.IntN(len(verbs))], t, i*100+q, t, 1+rng.IntN(30), u)
		}
		out[i] = DocumentInput{Title: fmt.Sprintf("FAQ %d", i), Text: b.String(), Language: "pt_br"}
	}
	return out
}

func benchService(b *testing.B, docs int) *Service {
	b.Helper()
	// As with the embedded store: the Service ranks by its own vectors.
	s := NewService(inMemoryOnly{newMemStore(repo)}, Config{})
	for _, d := range syntheticDocs(docs) {
		if _, err := s.AddDocument(context.Background(), repo, d); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkAnswerExtractive: a question answered from 200 documents (about
// 1,000 passages) with the in-process embedder, index cached.
func BenchmarkAnswerExtractive(b *testing.B) {
	s := benchService(b, 200)
	ctx := context.Background()
	q := Query{Question: "qual o prazo para a devolução do cartão?"}
	if _, err := s.Answer(ctx, repo, q); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Answer(ctx, repo, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddDocument: chunking and embedding one FAQ document.
func BenchmarkAddDocument(b *testing.B) {
	s := NewService(newMemStore(repo), Config{})
	d := syntheticDocs(1)[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.AddDocument(context.Background(), repo, d); err != nil {
			b.Fatal(err)
		}
		st := s.store.(*memStore)
		st.docs, st.chunks = nil, nil
	}
}
