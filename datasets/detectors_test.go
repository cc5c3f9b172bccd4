package datasets

import (
	"context"
	"sync"
	"testing"
)

var (
	detOnce sync.Once
	det     *Detectors
	detErr  error
)

func detectors(tb testing.TB) *Detectors {
	tb.Helper()
	detOnce.Do(func() { det, detErr = NewDetectors(context.Background()) })
	if detErr != nil {
		tb.Fatal(detErr)
	}
	return det
}

func TestDetectorsOnTypicalMessages(t *testing.T) {
	d := detectors(t)
	cases := []struct {
		text, lang      string
		handoff, optOut bool
	}{
		{"quero falar com um atendente", "pt_br", true, false},
		{"ATENDENTE!!!", "pt_br", true, false},
		{"falr com humnao pfv", "pt_br", true, false},
		{"me passa pro SAC", "pt_br", true, false},
		{"quero falar sobre meu pedido", "pt_br", false, false},
		{"recursos humanos, onde envio o currículo?", "pt_br", false, false},
		{"SAIR", "pt_br", false, true},
		{"para de me mandar mensagem", "pt_br", false, true},
		{"me tira da lista", "pt_br", false, true},
		{"quero cancelar meu pedido", "pt_br", false, false},
		{"como saio da minha conta no app?", "pt_br", false, false},
		{"hablar con un asesor", "es", true, false},
		{"no me manden más mensajes", "es", false, true},
		{"talk to a real person", "en", true, false},
		{"unsubscribe", "en", false, true},
	}
	for _, c := range cases {
		dets, lang, err := d.Detect(c.text, c.lang, nil)
		if err != nil {
			t.Fatal(err)
		}
		if lang != c.lang || dets[0].Detected != c.handoff || dets[1].Detected != c.optOut {
			t.Errorf("%q (%s) → %s %+v, want handoff %v opt-out %v", c.text, c.lang, lang, dets, c.handoff, c.optOut)
		}
		for _, x := range dets {
			if x.Confidence < 0 || x.Confidence > 1 {
				t.Errorf("%q: confidence %v outside [0,1]", c.text, x.Confidence)
			}
		}
	}
}

func TestDetectorsLanguageDetection(t *testing.T) {
	d := detectors(t)
	for text, want := range map[string]string{
		"quero falar com um atendente agora":  "pt_br",
		"vc pode me ajudar com o boleto?":     "pt_br",
		"quiero hablar con una persona":       "es",
		"¿me pueden ayudar con mi pedido?":    "es",
		"I want to talk to someone":           "en",
		"please stop sending me these offers": "en",
	} {
		if got := d.Language(text); got != want {
			t.Errorf("Language(%q) = %s, want %s", text, got, want)
		}
	}
}

func TestDetectorsErrors(t *testing.T) {
	d := detectors(t)
	if _, _, err := d.Detect("oi", "fr", nil); err == nil {
		t.Error("French: no error")
	}
	if _, _, err := d.Detect("oi", "pt_br", []string{"nope"}); err == nil {
		t.Error("unknown detector: no error")
	}
	dets, _, err := d.Detect("oi", "pt-BR", []string{"opt_out"})
	if err != nil || len(dets) != 1 || dets[0].Name != "opt_out" {
		t.Errorf("one detector: %+v %v", dets, err)
	}
}

// TestDetectorsHeldOut guards the held-out quality: a floor under the
// figures recorded in BENCHMARKS.md, so a data or model change that makes
// them much worse fails here.
func TestDetectorsHeldOut(t *testing.T) {
	var reports []DetectorReport
	for _, set := range EvalSets {
		r, err := EvaluateDetectors(detectors(t), set, true)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r...)
	}
	for _, r := range reports {
		t.Logf("%s %s %s: precision %.3f recall %.3f", r.Set, r.Language, r.Detector, r.Precision, r.Recall)
		if r.Precision < 0.85 || r.Recall < 0.80 {
			t.Errorf("%s %s %s: precision %.3f recall %.3f below the floor 0.85/0.80", r.Set, r.Language, r.Detector, r.Precision, r.Recall)
		}
	}
}

func BenchmarkDetect(b *testing.B) {
	d := detectors(b)
	texts := []string{"quero falar com um atendente agora pfv", "me tira dessa lista de mensagens", "qual o valor da fatura deste mês?"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := d.Detect(texts[i%len(texts)], "pt_br", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectLong times detections of long messages (two or three
// sentences, as customers paste them), the slow end of real traffic.
func BenchmarkDetectLong(b *testing.B) {
	d := detectors(b)
	texts := [][2]string{
		{"boa tarde, já tentei pagar o boleto três vezes pelo app e não vai de jeito nenhum, dá erro toda hora. vcs podem me passar pra alguém de verdade? esse robô não entende nada do que eu escrevo", "pt_br"},
		{"hola, les escribo porque me siguen llegando mensajes de promociones todos los días a este número y yo nunca me suscribí a nada, por favor ya no me manden más nada, gracias", "es"},
		{"hi, I ordered a blender last week and the tracking page hasn't changed since Monday, can you tell me when it will arrive? I also need to change the delivery address to my office", "en"},
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := texts[i%len(texts)]
		if _, _, err := d.Detect(t[0], t[1], nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectWithLanguageID(b *testing.B) {
	d := detectors(b)
	texts := []string{"quero falar com um atendente agora pfv", "no me manden más mensajes", "talk to a real person"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := d.Detect(texts[i%len(texts)], "", nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewDetectors(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := NewDetectors(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
