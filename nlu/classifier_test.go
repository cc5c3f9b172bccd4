package nlu

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"
)

// toyPT is a small pt-BR data set with accents, typos and chat abbreviations.
var toyPT = []Example{
	{Text: "quero cancelar minha assinatura", Intent: "cancelar"},
	{Text: "como faço pra cancelar o plano?", Intent: "cancelar"},
	{Text: "cancela tudo pfv", Intent: "cancelar"},
	{Text: "nao quero mais o serviço, cancelem", Intent: "cancelar"},
	{Text: "vc pode cancelar minha conta", Intent: "cancelar"},
	{Text: "desejo o cancelamento do contrato", Intent: "cancelar"},
	{Text: "qual o saldo da minha conta?", Intent: "saldo"},
	{Text: "quanto eu tenho na conta", Intent: "saldo"},
	{Text: "ver meu saldo", Intent: "saldo"},
	{Text: "me mostra o extrato e o saldo", Intent: "saldo"},
	{Text: "q saldo tenho hj", Intent: "saldo"},
	{Text: "consultar saldo disponível", Intent: "saldo"},
	{Text: "quero falar com um atendente", Intent: "atendente"},
	{Text: "me passa pra um humano", Intent: "atendente"},
	{Text: "preciso falar com uma pessoa de verdade", Intent: "atendente"},
	{Text: "atendimento humano por favor", Intent: "atendente"},
	{Text: "pq vc não me transfere pro suporte?", Intent: "atendente"},
	{Text: "chama um atendente agr", Intent: "atendente"},
	{Text: "oi, bom dia!", Intent: "saudacao"},
	{Text: "olá, tudo bem?", Intent: "saudacao"},
	{Text: "boa tarde", Intent: "saudacao"},
	{Text: "oiii td bem", Intent: "saudacao"},
	{Text: "e aí, beleza?", Intent: "saudacao"},
	{Text: "boa noite pessoal", Intent: "saudacao"},
}

// toyES is a small Spanish data set in the same spirit.
var toyES = []Example{
	{Text: "quiero reservar una mesa para dos", Intent: "reservar"},
	{Text: "¿puedo hacer una reserva para esta noche?", Intent: "reservar"},
	{Text: "reserva mesa x favor", Intent: "reservar"},
	{Text: "necesito reservar para el sábado", Intent: "reservar"},
	{Text: "kero una mesa para cuatro", Intent: "reservar"},
	{Text: "¿a qué hora abren?", Intent: "horario"},
	{Text: "cuál es el horario de atención", Intent: "horario"},
	{Text: "hasta q hora están abiertos", Intent: "horario"},
	{Text: "abren los domingos?", Intent: "horario"},
	{Text: "horario del restaurante", Intent: "horario"},
	{Text: "muchas gracias", Intent: "gracias"},
	{Text: "gracias por la ayuda", Intent: "gracias"},
	{Text: "grax!", Intent: "gracias"},
	{Text: "mil gracias, muy amable", Intent: "gracias"},
	{Text: "te lo agradezco", Intent: "gracias"},
}

// toyOOS are out-of-scope examples for toyPT.
var toyOOS = []Example{
	{Text: "qual a capital da frança", Intent: ""},
	{Text: "me conta uma piada", Intent: ""},
	{Text: "quem ganhou o jogo ontem", Intent: ""},
	{Text: "receita de bolo de cenoura", Intent: ""},
}

func clfTrainToy(t testing.TB, lang string, ex []Example) *Model {
	t.Helper()
	m, err := Train(context.Background(), lang, ex, DefaultConfig(), nil)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	return m
}

func TestClassifierPredictsToyIntents(t *testing.T) {
	cases := []struct {
		lang  string
		data  []Example
		text  string
		want  string
		intro string
	}{
		{"pt-BR", toyPT, "quero cancelar o meu plano", "cancelar", "plain"},
		{"pt-BR", toyPT, "cancelr minha asinatura", "cancelar", "typos"},
		{"pt-BR", toyPT, "vc pode ver meu saldo?", "saldo", "vc"},
		{"pt-BR", toyPT, "QUAL É O SALDO", "saldo", "case and accent"},
		{"pt-BR", toyPT, "pq nao consigo falar com um atendente", "atendente", "pq"},
		{"pt-BR", toyPT, "oi boa tarde", "saudacao", "greeting"},
		{"es", toyES, "quiero reservar mesa para mañana", "reservar", "plain"},
		{"es", toyES, "a q hora abren hoy", "horario", "q"},
		{"es", toyES, "muchas grasias", "gracias", "typo"},
	}
	models := map[string]*Model{"pt-BR": clfTrainToy(t, "pt-BR", toyPT), "es": clfTrainToy(t, "es", toyES)}
	for _, c := range cases {
		p := models[c.lang].Predict(c.text, PredictOptions{NoBuiltins: true})
		if len(p.Ranking) == 0 || p.Ranking[0].Name != c.want {
			t.Errorf("%s %q (%s): got ranking %v, want %s first", c.lang, c.text, c.intro, p.Ranking, c.want)
		}
		if p.Intent != "" && p.Intent != c.want {
			t.Errorf("%s %q: intent %q, want %q", c.lang, c.text, p.Intent, c.want)
		}
	}
}

func TestClassifierConfidencesSumToOne(t *testing.T) {
	for _, withOOS := range []bool{false, true} {
		data := toyPT
		if withOOS {
			data = append(append([]Example(nil), toyPT...), toyOOS...)
		}
		m := clfTrainToy(t, "pt-BR", data)
		for _, text := range []string{"quero cancelar", "saldo", "bom dia", "xyz qwerty", ""} {
			p := m.Predict(text, PredictOptions{NoBuiltins: true})
			if len(p.Ranking) != 4 {
				t.Fatalf("ranking has %d intents, want 4", len(p.Ranking))
			}
			sum := 0.0
			for i, s := range p.Ranking {
				if s.Confidence < 0 || s.Confidence > 1 || math.IsNaN(s.Confidence) {
					t.Errorf("%q: confidence %v out of [0,1]", text, s.Confidence)
				}
				if i > 0 && s.Confidence > p.Ranking[i-1].Confidence {
					t.Errorf("%q: ranking not sorted", text)
				}
				sum += s.Confidence
			}
			if withOOS {
				if sum > 1+1e-9 {
					t.Errorf("%q: intent confidences sum to %v > 1", text, sum)
				}
			} else if math.Abs(sum-1) > 1e-9 {
				t.Errorf("%q: confidences sum to %v, want 1", text, sum)
			}
		}
	}
}

func TestClassifierOutOfScopeLowConfidence(t *testing.T) {
	m := clfTrainToy(t, "pt-BR", append(append([]Example(nil), toyPT...), toyOOS...))
	in := m.Predict("quero cancelar minha assinatura agora", PredictOptions{NoBuiltins: true})
	for _, text := range []string{"qual a capital da itália", "me conta uma piada boa", "receita de bolo de chocolate"} {
		p := m.Predict(text, PredictOptions{NoBuiltins: true})
		if !p.OutOfScope && p.Confidence >= 0.5 {
			t.Errorf("%q: in scope with confidence %.3f (%s), want low", text, p.Confidence, p.Intent)
		}
		if p.Ranking[0].Confidence >= in.Confidence {
			t.Errorf("%q: top confidence %.3f not below an in-scope text's %.3f", text, p.Ranking[0].Confidence, in.Confidence)
		}
	}
	if in.OutOfScope || in.Intent != "cancelar" {
		t.Errorf("in-scope text predicted %+v", in)
	}
	// Without out-of-scope examples, unrelated text is still less certain
	// than a clear in-scope one.
	m2 := clfTrainToy(t, "pt-BR", toyPT)
	in2 := m2.Predict("quero cancelar minha assinatura agora", PredictOptions{NoBuiltins: true})
	for _, text := range []string{"bla bla bla", "the weather in london", "receita de bolo de chocolate"} {
		if p := m2.Predict(text, PredictOptions{NoBuiltins: true}); p.Ranking[0].Confidence >= in2.Confidence {
			t.Errorf("%q: top confidence %.3f (in-scope text: %.3f)", text, p.Ranking[0].Confidence, in2.Confidence)
		}
	}
}

func TestClassifierThresholdOption(t *testing.T) {
	m := clfTrainToy(t, "pt-BR", toyPT)
	p := m.Predict("quero cancelar minha assinatura", PredictOptions{NoBuiltins: true, Threshold: 1})
	if !p.OutOfScope || p.Intent != "" {
		t.Errorf("threshold 1: got %+v, want out of scope", p)
	}
	if th := m.Threshold(); th <= 0 || th > DefaultConfig().Threshold {
		t.Errorf("fitted threshold %v outside (0, %v]", th, DefaultConfig().Threshold)
	}
	if m.WithThreshold(0.42).Threshold() != 0.42 {
		t.Error("WithThreshold")
	}
}

func TestClassifierDeterministic(t *testing.T) {
	data := append(append([]Example(nil), toyPT...), toyOOS...)
	cfg := DefaultConfig()
	cfg.Workers = 1
	a, err := Train(context.Background(), "pt-BR", data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 4
	b, err := Train(context.Background(), "pt-BR", data, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.trainedAt = a.trainedAt
	ba, _ := a.MarshalBinary()
	bb, _ := b.MarshalBinary()
	if !reflect.DeepEqual(ba, bb) {
		t.Fatal("same data and seed gave different models")
	}
}

func TestClassifierContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, "pt-BR", toyPT, DefaultConfig(), nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: err %v, want context.Canceled", err)
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	if _, err := Train(ctx2, "pt-BR", toyPT, DefaultConfig(), nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("expired context: err %v", err)
	}
}

func TestClassifierNoData(t *testing.T) {
	if _, err := Train(context.Background(), "pt-BR", toyPT[:3], DefaultConfig(), nil); !errors.Is(err, ErrNoData) {
		t.Errorf("one intent: err %v, want ErrNoData", err)
	}
	if _, err := Train(context.Background(), "pt-BR", nil, DefaultConfig(), nil); !errors.Is(err, ErrNoData) {
		t.Errorf("no data: err %v, want ErrNoData", err)
	}
}

func TestClassifierProgress(t *testing.T) {
	var got []float64
	if _, err := Train(context.Background(), "es", toyES, DefaultConfig(), func(p float64) { got = append(got, p) }); err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[len(got)-1] != 1 || !sort.Float64sAreSorted(got) {
		t.Errorf("progress %v: want increasing values ending at 1", got)
	}
}

func TestClassifierRoundTrip(t *testing.T) {
	m := clfTrainToy(t, "pt-BR", append(append([]Example(nil), toyPT...), toyOOS...))
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(b)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !reflect.DeepEqual(m.Intents(), d.Intents()) || m.Threshold() != d.Threshold() || d.Language() != "pt-BR" {
		t.Fatalf("decoded model differs: %v %v", d.Intents(), d.Threshold())
	}
	for _, ex := range append(append([]Example(nil), toyPT...), Example{Text: "qualquer coisa aleatória 123"}) {
		pa := m.Predict(ex.Text, PredictOptions{NoBuiltins: true})
		pb := d.Predict(ex.Text, PredictOptions{NoBuiltins: true})
		if !reflect.DeepEqual(pa, pb) {
			t.Fatalf("%q: prediction %+v after round trip, want %+v", ex.Text, pb, pa)
		}
	}
	b2, _ := d.MarshalBinary()
	if !reflect.DeepEqual(b, b2) {
		t.Error("re-encoding a decoded model changed the bytes")
	}
}

func TestDecodeRejectsCorruption(t *testing.T) {
	m := clfTrainToy(t, "es", toyES)
	b, _ := m.MarshalBinary()
	for _, bad := range [][]byte{nil, []byte("SABIA-NLU"), b[:len(b)/2], append([]byte("XXXXX"), b[5:]...)} {
		if _, err := Decode(bad); !errors.Is(err, ErrCorruptModel) {
			t.Errorf("corrupt input of %d bytes: err %v", len(bad), err)
		}
	}
	flip := append([]byte(nil), b...)
	flip[len(flip)/3] ^= 0x40
	if _, err := Decode(flip); !errors.Is(err, ErrCorruptModel) {
		t.Errorf("flipped byte: err %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	m := clfTrainToy(f, "es", toyES)
	b, _ := m.MarshalBinary()
	f.Add(b)
	f.Add(b[:len(b)-7])
	f.Add([]byte("SABIA-NLU\x02\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err == nil {
			d.Predict("hola que tal", PredictOptions{NoBuiltins: true})
		}
		// Corrupt the payload but keep the checksum valid, so that the
		// decoder itself (not only the CRC) is exercised.
		if len(data) > len(modelMagic)+8 {
			body := append([]byte(nil), data[:len(data)-4]...)
			copy(body, modelMagic)
			body = clfAppendCRC(body)
			if d, err := Decode(body); err == nil {
				d.Predict("hola", PredictOptions{NoBuiltins: true})
			}
		}
	})
}

// appendCRC appends the little-endian CRC-32 MarshalBinary ends with.
func clfAppendCRC(b []byte) []byte {
	e := &encoder{buf: b}
	e.u32(crc32.ChecksumIEEE(b))
	return e.buf
}

// clfBenchDir is the shared benchmark data, beside the project's checkout.
const clfBenchDir = "../../shared/benchmarks"

func clfReadBench(tb testing.TB, set, split string) []Example {
	tb.Helper()
	f, err := os.Open(filepath.Join(clfBenchDir, set, split+".jsonl"))
	if err != nil {
		tb.Skipf("benchmark data not available: %v", err)
	}
	defer f.Close()
	var ex []Example
	dec := json.NewDecoder(f)
	for {
		var e Example
		if err := dec.Decode(&e); err == io.EOF {
			break
		} else if err != nil {
			tb.Fatal(err)
		}
		ex = append(ex, e)
	}
	return ex
}

// BenchmarkPredict times one whole prediction (normalise, featurise,
// classify, extract learned and built-in entities) on the test sentences of
// CLINC150-full (150 intents) and snips (7 intents, 39 entity labels).
func BenchmarkPredict(b *testing.B) {
	for _, set := range []string{"clinc150-full", "snips"} {
		b.Run(set, func(b *testing.B) {
			train := clfReadBench(b, set, "train")
			test := clfReadBench(b, set, "test")
			m, err := Train(context.Background(), "en", train, DefaultConfig(), nil)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				m.Predict(test[i%len(test)].Text, PredictOptions{Now: now})
			}
		})
	}
}

func BenchmarkTrainCLINC(b *testing.B) {
	train := clfReadBench(b, "clinc150-full", "train")
	for b.Loop() {
		if _, err := Train(context.Background(), "en", train, DefaultConfig(), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestClassifierSmallIntentNotSwallowed: an intent with six examples beside
// one with hundreds keeps its own messages (class balancing at work), and
// the big intent keeps its own.
func TestClassifierSmallIntentNotSwallowed(t *testing.T) {
	var data []Example
	months := []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}
	forms := []string{
		"quero a segunda via do boleto de %s", "me manda o boleto de %s pfv", "preciso do boleto do mês de %s",
		"cadê o boleto de %s?", "segunda via da fatura de %s", "vc pode me enviar a fatura de %s",
		"não recebi o boleto de %s", "como pego o boleto de %s", "boleto %s atrasado, manda de novo",
		"gerar boleto referente a %s", "qro o boleto de %s", "me passa o código de barras do boleto de %s",
		"a fatura de %s ainda não chegou", "preciso pagar o boleto de %s hoje", "onde baixo a fatura de %s",
		"boleto de %s por email pfv", "reenviar boleto %s", "linha digitável da fatura de %s",
	}
	for _, f := range forms {
		for _, m := range months {
			data = append(data, Example{Text: fmt.Sprintf(f, m), Intent: "boleto"})
		}
	}
	// The small intent shares "boleto" and "fatura" with the big one.
	small := []string{
		"quero mudar o endereço de envio do boleto", "o boleto tá indo pro endereço antigo",
		"trocar o endereço de cobrança da fatura", "atualizar o endereço onde recebo a fatura",
		"mudei de casa, pra onde vai o boleto agora?", "alterar endereço de correspondência do boleto",
	}
	for _, s := range small {
		data = append(data, Example{Text: s, Intent: "endereco_boleto"})
	}
	wantFirst(t, clfTrainToy(t, "pt-BR", data), map[string]string{
		"preciso trocar o endereço do boleto":              "endereco_boleto",
		"a fatura tá chegando no endereço errado":          "endereco_boleto",
		"mudei de endereço, atualiza pra fatura vir certo": "endereco_boleto",
		"o boleto vai pra minha casa antiga":               "endereco_boleto",
		"me manda o boleto de março":                       "boleto",
		"não chegou a fatura deste mês":                    "boleto",
	})
}

// TestClassifierRealUserNoise: what real WhatsApp users type around the
// words that matter (emojis, shouting, repeated letters, numbers, URLs,
// CPF- and phone-like tokens) does not move the intent.
func TestClassifierRealUserNoise(t *testing.T) {
	wantFirst(t, clfTrainToy(t, "pt-BR", toyPT), map[string]string{
		"quero cancelarrrr 😡😡😡":                              "cancelar",
		"CANCELA MINHA ASSINATURA AGORA!!!":                  "cancelar",
		"cancelar o plano do cpf 123.456.789-09":             "cancelar",
		"qual o saldo da conta 12345-6? 🤔":                   "saldo",
		"meu saldo, vi no https://exemplo.com.br/app e nada": "saldo",
		"me liga no (11) 98765-4321, quero um atendente":     "atendente",
		"oiiiii bom diaaaa ☀️":                               "saudacao",
	})
}

// wantFirst checks that m ranks the wanted intent first for each text.
func wantFirst(t *testing.T, m *Model, want map[string]string) {
	t.Helper()
	for text, intent := range want {
		p := m.Predict(text, PredictOptions{NoBuiltins: true})
		if len(p.Ranking) == 0 || p.Ranking[0].Name != intent {
			t.Errorf("%q: ranking %v, want %s first", text, p.Ranking[:min(2, len(p.Ranking))], intent)
		}
	}
}

func TestIntentNameText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"smalltalk.beautiful", "smalltalk beautiful"},
		{"segunda_via_boleto", "segunda via boleto"},
		{"PlayMusic", "Play Music"},
		{"SearchScreeningEvent", "Search Screening Event"},
		{"alarm/set_alarm", "alarm set alarm"},
		{"falar-com-atendente", "falar com atendente"},
		{"CPF", "CPF"},
		{"saldoPIX", "saldo PIX"},
		{"ação:cancelar", "ação cancelar"},
		{"", ""},
	} {
		if got := IntentNameText(c.in); got != c.want {
			t.Errorf("IntentNameText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestIntentNamesTeach: a word that only an intent's name contains (and,
// through the synonym lexicon, its synonyms) points to that intent when
// Config.IntentNames is set, and is an unknown word when it is not.
func TestIntentNamesTeach(t *testing.T) {
	exs := []Example{
		{Text: "quero parar de pagar o plano", Intent: "cancelamento"},
		{Text: "não quero mais o serviço", Intent: "cancelamento"},
		{Text: "encerrar minha assinatura", Intent: "cancelamento"},
		{Text: "onde está meu pedido?", Intent: "rastreio_entrega"},
		{Text: "o pacote ainda não chegou", Intent: "rastreio_entrega"},
		{Text: "qd chega minha compra", Intent: "rastreio_entrega"},
		{Text: "qual o valor da fatura", Intent: "boleto"},
		{Text: "manda a segunda via", Intent: "boleto"},
		{Text: "quanto eu devo este mês", Intent: "boleto"},
	}
	for _, names := range []bool{true, false} {
		cfg := DefaultConfig()
		cfg.Workers = 1
		cfg.IntentNames = names
		m, err := Train(context.Background(), "pt_br", exs, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, known := m.feat.index.get(hashString(hashStart(nsWord), "entrega"))
		if known != names {
			t.Errorf("IntentNames %v: word of the name known: %v", names, known)
		}
		if !names {
			continue
		}
		for text, want := range map[string]string{
			"cancelamento urgente":       "cancelamento",
			"e a entrega??":              "rastreio_entrega",
			"rastreio":                   "rastreio_entrega",
			"cadê o boleto":              "boleto",
			"quero o cancelamento agora": "cancelamento",
		} {
			if p := m.Predict(text, PredictOptions{Threshold: 1e-9}); p.Intent != want {
				t.Errorf("%q: got %q, want %q (ranking %v)", text, p.Intent, want, p.Ranking)
			}
		}
		if m.nExamples != len(exs) {
			t.Errorf("nExamples %d, want %d (names are not the user's examples)", m.nExamples, len(exs))
		}
	}
}
