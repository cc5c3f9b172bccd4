package content

import (
	"context"
	"strings"
	"testing"

	"github.com/weni-ai/sabia"
)

var supportClasses = []Class{
	{Name: "falar_com_atendente", Description: "O cliente quer falar com uma pessoa, um humano ou um atendente."},
	{Name: "segunda_via_boleto", Description: "Pedir a segunda via do boleto ou da fatura para pagar.", Examples: []string{"me manda o boleto de novo"}},
	{Name: "rastrear_pedido", Description: "Saber onde está o pedido ou quando a entrega chega."},
	{Name: "cancelar_assinatura", Description: "Cancelar o plano ou a assinatura."},
}

func TestZeroShotModel(t *testing.T) {
	s := NewService(newMemStore(), Config{})
	ctx := context.Background()
	for text, want := range map[string]string{
		"quero falar com um humano pfv":      "falar_com_atendente",
		"preciso da 2 via do boleto":         "segunda_via_boleto",
		"cadê meu pedido? a entrega n chega": "rastrear_pedido",
		"quero cancelar minha assinatura":    "cancelar_assinatura",
		"manda a fatura de novo":             "segunda_via_boleto",
	} {
		r, err := s.ZeroShot(ctx, ZeroShotRequest{Text: text, Language: "pt-BR", Classes: supportClasses})
		if err != nil {
			t.Fatal(err)
		}
		if r.Class != want || r.Mode != "model" || len(r.Ranking) != len(supportClasses) || r.Ranking[0].Name != want {
			t.Errorf("%q: %+v, want %s", text, r, want)
		}
	}
	// The same class set is trained once.
	m1, _ := s.zeroShotModel(ctx, "pt_br", supportClasses)
	m2, _ := s.zeroShotModel(ctx, "pt_br", supportClasses)
	if m1 != m2 {
		t.Error("the model of a repeated class set was trained again")
	}
}

func TestZeroShotLLM(t *testing.T) {
	llm := &fakeLLM{reply: "Claro! {\"class\": \"rastrear_pedido\", \"confidence\": 0.8}"}
	s := NewService(newMemStore(), Config{LLM: llm})
	ctx := context.Background()
	r, err := s.ZeroShot(ctx, ZeroShotRequest{Text: "onde tá minha encomenda", Classes: supportClasses})
	if err != nil {
		t.Fatal(err)
	}
	if r.Class != "rastrear_pedido" || r.Confidence != 0.8 || r.Mode != "llm" || r.Ranking[0].Name != "rastrear_pedido" || len(r.Ranking) != 4 {
		t.Fatalf("%+v", r)
	}
	var sum float64
	for _, sc := range r.Ranking {
		sum += sc.Confidence
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("confidences sum to %v", sum)
	}
	if p := llm.calls[0].User; !strings.Contains(p, "- rastrear_pedido: Saber onde está") || !strings.Contains(p, `"me manda o boleto de novo"`) || !strings.Contains(p, "onde tá minha encomenda") {
		t.Errorf("prompt %q", p)
	}
	// Below the caller's threshold, or "none": no class.
	if r, _ := s.ZeroShot(ctx, ZeroShotRequest{Text: "x", Classes: supportClasses, Threshold: 0.9}); r.Class != "" {
		t.Errorf("threshold: %+v", r)
	}
	llm.reply = `{"class": "none", "confidence": 0.9}`
	if r, err := s.ZeroShot(ctx, ZeroShotRequest{Text: "bom dia", Classes: supportClasses}); err != nil || r.Class != "" || len(r.Ranking) != 4 {
		t.Errorf("none: %+v %v", r, err)
	}
	// Nonsense from the LLM is an error, never a made-up class.
	for _, reply := range []string{"rastrear_pedido", `{"class": "reembolso"}`, `{"class": 3}`} {
		llm.reply = reply
		if _, err := s.ZeroShot(ctx, ZeroShotRequest{Text: "x", Classes: supportClasses}); sabia.ErrorCode(err) != sabia.EUNAVAILABLE {
			t.Errorf("reply %q: %v", reply, err)
		}
	}
	// use_llm false uses the in-process model even with an LLM configured.
	no := false
	calls := len(llm.calls)
	if r, err := s.ZeroShot(ctx, ZeroShotRequest{Text: "quero cancelar o plano", Classes: supportClasses, UseLLM: &no}); err != nil || r.Mode != "model" || len(llm.calls) != calls {
		t.Errorf("use_llm false: %+v %v", r, err)
	}
}

func TestZeroShotValidation(t *testing.T) {
	s := NewService(newMemStore(), Config{})
	yes := true
	two := []Class{{Name: "a"}, {Name: "b"}}
	for _, c := range []struct {
		req  ZeroShotRequest
		code string
	}{
		{ZeroShotRequest{Text: " ", Classes: two}, sabia.EINVALID},
		{ZeroShotRequest{Text: "x", Classes: two[:1]}, sabia.EINVALID},
		{ZeroShotRequest{Text: "x", Classes: []Class{{Name: "a"}, {Name: " a "}}}, sabia.EINVALID},
		{ZeroShotRequest{Text: "x", Classes: []Class{{Name: "a"}, {Name: ""}}}, sabia.EINVALID},
		{ZeroShotRequest{Text: "x", Classes: two, Language: "tlh"}, sabia.EINVALID},
		{ZeroShotRequest{Text: "x", Classes: two, Threshold: 2}, sabia.EINVALID},
		{ZeroShotRequest{Text: strings.Repeat("x", MaxZeroShotTextRunes+1), Classes: two}, sabia.ETOOLARGE},
		{ZeroShotRequest{Text: "x", Classes: make([]Class, MaxZeroShotClasses+1)}, sabia.ETOOLARGE},
		{ZeroShotRequest{Text: "x", Classes: []Class{{Name: "a", Description: strings.Repeat("d", MaxClassDescRunes+1)}, {Name: "b"}}}, sabia.ETOOLARGE},
		{ZeroShotRequest{Text: "x", Classes: two, UseLLM: &yes}, sabia.EUNAVAILABLE},
	} {
		if _, err := s.ZeroShot(context.Background(), c.req); sabia.ErrorCode(err) != c.code {
			t.Errorf("%+.60v: %v, want %s", c.req, err, c.code)
		}
	}
}
