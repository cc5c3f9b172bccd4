package nlu

import (
	"context"
	"errors"
	"testing"
	"time"
)

func crossValData() []Example {
	var exs []Example
	add := func(intent string, texts ...string) {
		for _, t := range texts {
			exs = append(exs, Example{Text: t, Intent: intent})
		}
	}
	add("boleto", "quero a segunda via do boleto", "me manda o boleto", "2 via da fatura pfv", "boleto vencido, gera outro",
		"cadê o código de barras do boleto", "preciso pagar a fatura")
	add("cancelar", "quero cancelar meu plano", "cancela minha assinatura", "não quero mais o serviço", "como faço pra cancelar",
		"quero encerrar o contrato", "cancelamento da linha")
	add("saudacao", "oi, bom dia", "olá", "boa tarde!", "e aí, tudo bem?", "oi", "bom diaaa")
	return exs
}

func TestCrossValidatePredictsEveryExampleUnseen(t *testing.T) {
	exs := crossValData()
	var last float64
	preds, err := CrossValidate(context.Background(), "pt_br", exs, DefaultConfig(), 3, time.Time{}, func(p float64) {
		if p < last-1e-9 || p > 1 {
			t.Errorf("progress went from %v to %v", last, p)
		}
		last = p
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != len(exs) || last != 1 {
		t.Fatalf("%d predictions for %d examples, progress ended at %v", len(preds), len(exs), last)
	}
	r := Score(exs, preds)
	if r.Accuracy < 0.6 {
		t.Errorf("cross-validated accuracy %.2f on an easy set", r.Accuracy)
	}
	again, err := CrossValidate(context.Background(), "pt_br", exs, DefaultConfig(), 3, time.Time{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range preds {
		if preds[i].Ranking[0] != again[i].Ranking[0] {
			t.Fatalf("example %d: %v then %v: not deterministic", i, preds[i].Ranking[0], again[i].Ranking[0])
		}
	}
}

func TestCrossValidateErrors(t *testing.T) {
	if _, err := CrossValidate(context.Background(), "pt_br", crossValData(), DefaultConfig(), 1, time.Time{}, nil); err == nil {
		t.Error("1 fold accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CrossValidate(ctx, "pt_br", crossValData(), DefaultConfig(), 3, time.Time{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
