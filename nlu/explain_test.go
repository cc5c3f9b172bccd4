package nlu

import (
	"context"
	"math"
	"testing"
)

// toyBilling is a small pt-BR set with a billing intent.
var toyBilling = []Example{
	{Text: "quero a segunda via da fatura", Intent: "segunda_via"},
	{Text: "me manda o boleto de novo", Intent: "segunda_via"},
	{Text: "preciso do boleto atualizado", Intent: "segunda_via"},
	{Text: "2a via do boleto por favor", Intent: "segunda_via"},
	{Text: "perdi meu boleto, pode reenviar?", Intent: "segunda_via"},
	{Text: "gerar boleto pra pagar", Intent: "segunda_via"},
	{Text: "quero cancelar minha assinatura", Intent: "cancelar"},
	{Text: "como faço pra cancelar o plano?", Intent: "cancelar"},
	{Text: "quero encerrar a conta", Intent: "cancelar"},
	{Text: "desejo o cancelamento do contrato", Intent: "cancelar"},
	{Text: "cancela tudo", Intent: "cancelar"},
	{Text: "qual o saldo da minha conta?", Intent: "saldo"},
	{Text: "quero ver meu saldo", Intent: "saldo"},
	{Text: "quanto eu tenho na conta", Intent: "saldo"},
	{Text: "me mostra o extrato", Intent: "saldo"},
	{Text: "oi, tudo bem?", Intent: "saudacao"},
	{Text: "bom dia", Intent: "saudacao"},
	{Text: "olá, boa tarde", Intent: "saudacao"},
	{Text: "e aí, beleza?", Intent: "saudacao"},
}

func trainToyBilling(t *testing.T) *Model {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Workers = 1
	// The explanations below reason about the examples alone; the intent
	// name "segunda_via" would itself teach "segunda".
	cfg.IntentNames = false
	m, err := Train(context.Background(), "pt", toyBilling, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestExplainSumsToMargins(t *testing.T) {
	m := trainToyBilling(t)
	for _, text := range []string{"quero a segunda via do boleto", "quero a segunda via do boleto, boleto!", "cancela o plano 123 hj", "olá", "", "..."} {
		e := m.Explain(text, 0)
		if len(e.Intents) != len(m.Intents()) {
			t.Fatalf("%q: %d intents explained, want %d", text, len(e.Intents), len(m.Intents()))
		}
		margins := m.scores(m.feat.vector(Tokenize(text)), nil)
		for j, name := range e.Intents {
			sum := e.Bias[name]
			for _, w := range e.Words {
				if w.Relevance[j].Intent != name {
					t.Fatalf("relevance order: %q vs %q", w.Relevance[j].Intent, name)
				}
				sum += w.Relevance[j].Relevance
			}
			c := -1
			for i, cn := range m.classes {
				if cn == name {
					c = i
				}
			}
			if math.Abs(sum-margins[c]) > 1e-4 || math.Abs(e.Margins[name]-margins[c]) > 1e-9 {
				t.Errorf("%q %s: bias+relevances %.6f, margin %.6f", text, name, sum, margins[c])
			}
		}
	}
}

func TestExplainBoleto(t *testing.T) {
	m := trainToyBilling(t)
	text := "quero a segunda via do boleto"
	e := m.Explain(text, 2)
	if e.Intent != "segunda_via" || e.Intents[0] != "segunda_via" || len(e.Intents) != 2 {
		t.Fatalf("prediction %q, intents %v", e.Intent, e.Intents)
	}
	if len(e.Words) != 6 {
		t.Fatalf("words %+v", e.Words)
	}
	best := e.Words[0]
	for _, w := range e.Words {
		if w.Relevance[0].Relevance > best.Relevance[0].Relevance {
			best = w
		}
	}
	if best.Word != "boleto" || best.Start != 23 || best.End != 29 {
		t.Errorf("most relevant word for segunda_via: %+v", best)
	}
	for _, w := range e.Words {
		if []rune(text)[w.Start] != []rune(w.Word)[0] {
			t.Errorf("offsets of %+v", w)
		}
	}
}

func TestWordsDistribution(t *testing.T) {
	ex := []Example{
		{Text: "Quero o boleto", Intent: "billing"},
		{Text: "boleto, boleto!", Intent: "billing"},
		{Text: "quero cancelar vc", Intent: "cancel"},
		{Text: "quero sair", Intent: ""},
	}
	d := WordsDistribution(ex, "pt")
	want := map[string]map[string]float64{
		"billing": {"quero": 0.5, "o": 1, "boleto": 1},
		"cancel":  {"quero": 0.5, "cancelar": 1, Expand("pt", "vc"): 1},
	}
	if len(d) != len(want) {
		t.Fatalf("got %v", d)
	}
	for intent, ws := range want {
		if len(d[intent]) != len(ws) {
			t.Errorf("%s: got %v, want %v", intent, d[intent], ws)
		}
		for w, share := range ws {
			if math.Abs(d[intent][w]-share) > 1e-12 {
				t.Errorf("%s/%s: got %v, want %v", intent, w, d[intent][w], share)
			}
		}
	}
}
