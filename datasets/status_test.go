package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/weni-ai/sabia/nlu"
)

// ex builds an example; each tag is "entity=value", value being the first
// occurrence of that text in text.
func ex(text, intent string, tags ...string) nlu.Example {
	e := nlu.Example{Text: text, Intent: intent}
	for _, tg := range tags {
		name, value, _ := strings.Cut(tg, "=")
		i := strings.Index(text, value)
		if i < 0 {
			panic(fmt.Sprintf("%q not in %q", value, text))
		}
		start := utf8.RuneCountInString(text[:i])
		e.Entities = append(e.Entities, nlu.Span{Start: start, End: start + utf8.RuneCountInString(value), Entity: name})
	}
	return e
}

// cleanPT is a small pt-BR data set, written as users type, that triggers no
// requirement and no warning.
func cleanPT() StatusInput {
	return StatusInput{
		Language: "pt-BR",
		Examples: []nlu.Example{
			ex("qro a 2 via do boleto", "segunda_via", "documento=boleto"),
			ex("preciso da segunda via da minha fatura", "segunda_via", "documento=fatura"),
			ex("me manda o boleto de novo pfv", "segunda_via", "documento=boleto"),
			ex("perdi o boleto, pode reenviar?", "segunda_via", "documento=boleto"),
			ex("como faço pra emitir outra via da conta", "segunda_via"),
			ex("não recebi a fatura deste mês", "segunda_via", "documento=fatura"),

			ex("quero cancelar meu plano", "cancelar", "produto=plano"),
			ex("cancela minha assinatura por favor", "cancelar", "produto=assinatura"),
			ex("como faço pra cancelar o serviço", "cancelar"),
			ex("não quero mais a internet, cancela tudo", "cancelar", "produto=internet"),
			ex("desejo encerrar meu contrato", "cancelar"),
			ex("quero sair do plano de vcs", "cancelar", "produto=plano"),

			ex("oi", "saudacao"),
			ex("bom dia, tudo bem?", "saudacao"),
			ex("olá, boa tarde", "saudacao"),
			ex("e aí, tudo certo?", "saudacao"),
			ex("boa noite pessoal", "saudacao"),
			ex("oi, alguém aí?", "saudacao"),
		},
		TestSentences: []nlu.Example{
			ex("segunda via da fatura pfv", "segunda_via"),
			ex("cade meu boleto", "segunda_via"),
			ex("manda o boleto atualizado", "segunda_via"),
			ex("quero cancelar", "cancelar"),
			ex("cancelem meu plano agora", "cancelar"),
			ex("não quero mais o serviço", "cancelar"),
			ex("boa tarde", "saudacao"),
			ex("opa, td bem?", "saudacao"),
			ex("olá!", "saudacao"),
		},
		Changed: true,
		Trained: true,
	}
}

// cleanES is the Spanish counterpart of cleanPT.
func cleanES() StatusInput {
	return StatusInput{
		Language: "es",
		Examples: []nlu.Example{
			ex("cancelar mi suscripción", "cancelar", "producto=suscripción"),
			ex("quiero dar de baja el plan", "cancelar", "producto=plan"),
			ex("ya no quiero el servicio, cancélenlo", "cancelar", "producto=servicio"),
			ex("como hago para anular mi contrato", "cancelar"),
			ex("dame de baja x favor", "cancelar"),

			ex("cuánto debo este mes", "saldo"),
			ex("kiero saber mi saldo", "saldo"),
			ex("cual es el monto de mi factura", "saldo"),
			ex("necesito ver cuanto tengo q pagar", "saldo"),
			ex("me dices mi deuda pls", "saldo"),

			ex("hola", "saludo"),
			ex("buenas tardes, como estan", "saludo"),
			ex("buen día!", "saludo"),
			ex("hola q tal", "saludo"),
			ex("qué onda, hay alguien?", "saludo"),
		},
		TestSentences: []nlu.Example{
			ex("quiero cancelar todo", "cancelar"),
			ex("baja del servicio", "cancelar"),
			ex("cancelen mi plan", "cancelar"),
			ex("cuanto tengo que pagar", "saldo"),
			ex("mi saldo porfa", "saldo"),
			ex("cuánto es mi deuda", "saldo"),
			ex("buenas", "saludo"),
			ex("holaa", "saludo"),
			ex("buenos días", "saludo"),
		},
		Changed: true,
	}
}

func codes(is []Issue) []string {
	out := []string{}
	for _, i := range is {
		out = append(out, i.Code)
	}
	return out
}

func TestStatusCleanData(t *testing.T) {
	for name, in := range map[string]StatusInput{"pt_br": cleanPT(), "es": cleanES()} {
		t.Run(name, func(t *testing.T) {
			r := Status(in)
			if !r.Ready || len(r.Requirements) != 0 || len(r.Warnings) != 0 {
				t.Fatalf("clean data: ready=%v requirements=%+v warnings=%+v", r.Ready, r.Requirements, r.Warnings)
			}
		})
	}
}

func TestStatusCounts(t *testing.T) {
	r := Status(cleanPT())
	c := r.Counts
	if c.Examples != 18 || c.Intents != 3 || c.Entities != 2 || c.TestSentences != 9 {
		t.Fatalf("counts = %+v", c)
	}
	want := map[string]int{"cancelar": 6, "saudacao": 6, "segunda_via": 6}
	if !reflect.DeepEqual(c.ExamplesPerIntent, want) {
		t.Errorf("per intent = %v, want %v", c.ExamplesPerIntent, want)
	}
	if want := map[string]int{"documento": 5, "produto": 4}; !reflect.DeepEqual(c.ExamplesPerEntity, want) {
		t.Errorf("per entity = %v, want %v", c.ExamplesPerEntity, want)
	}
	if c.TestSentencesPerIntent["cancelar"] != 3 {
		t.Errorf("tests per intent = %v", c.TestSentencesPerIntent)
	}
}

func TestStatusIssues(t *testing.T) {
	add := func(base func() StatusInput, exs ...nlu.Example) func() StatusInput {
		return func() StatusInput {
			in := base()
			in.Examples = append(in.Examples, exs...)
			return in
		}
	}
	cases := []struct {
		name        string
		in          func() StatusInput
		requirement bool
		code        string
		intents     []string // want exactly these in the first issue of code, when set
		entities    []string
		examples    []string // each must be among the issue's examples
		message     []string // each must be in the message
	}{
		{
			name: "missing intent", requirement: true, code: CodeMissingIntent,
			in:       add(cleanPT, ex("e o boleto?", ""), ex("alô", "  ")),
			examples: []string{"e o boleto?", "alô"}, message: []string{`2 examples have no intent`, `"e o boleto?"`},
		},
		{
			name: "one intent", requirement: true, code: CodeTooFewIntents,
			in: func() StatusInput {
				in := cleanES()
				in.Examples = in.Examples[:5]
				return in
			},
			intents: []string{"cancelar"}, message: []string{"only 'cancelar'"},
		},
		{
			name: "no examples", requirement: true, code: CodeTooFewIntents,
			in: func() StatusInput { return StatusInput{} },
		},
		{
			name: "intent with one example", requirement: true, code: CodeIntentTooFewExamples,
			in:      add(cleanPT, ex("quero falar com um atendente", "atendente"), ex("pix", "pagar_pix")),
			intents: []string{"atendente", "pagar_pix"}, examples: []string{"quero falar com um atendente"},
			message: []string{"'atendente' and 'pagar_pix' have 1"},
		},
		{
			name: "entity with one example", requirement: true, code: CodeEntityTooFewExamples,
			in:       add(cleanPT, ex("meu cpf é 123.456.789-09, manda o boleto", "segunda_via", "cpf=123.456.789-09", "documento=boleto")),
			entities: []string{"cpf"}, message: []string{"'cpf' has 1"},
		},
		{
			name: "nothing changed", requirement: true, code: CodeNothingChanged,
			in: func() StatusInput {
				in := cleanPT()
				in.Changed = false
				return in
			},
		},
		{
			name: "few examples", code: CodeIntentFewExamples,
			in:      add(cleanES, ex("quiero hablar con un agente", "humano"), ex("pasame con una persona", "humano"), ex("necesito un asesor humano", "humano")),
			intents: []string{"humano"}, message: []string{"'humano' has 3"},
		},
		{
			name: "imbalance ratio", code: CodeImbalance,
			in: func() StatusInput {
				in := cleanPT()
				for i := range 60 {
					in.Examples = append(in.Examples, ex(fmt.Sprintf("quero a fatura número %d do contrato", i+1), "segunda_via"))
				}
				return in
			},
			intents: []string{"segunda_via", "cancelar"}, message: []string{"'segunda_via' has 66 examples and 'cancelar' only 6"},
		},
		{
			name: "imbalance dominant", code: CodeImbalance,
			in: func() StatusInput {
				in := cleanPT()
				for i := range 8 {
					in.Examples = append(in.Examples, ex(fmt.Sprintf("cancela o pedido %d", i+1), "cancelar"))
				}
				return in
			},
			intents: []string{"cancelar", "saudacao"}, message: []string{"'cancelar' holds 54% of all examples (14 of 26)"},
		},
		{
			name: "exact duplicate", code: CodeDuplicateAcross,
			in:       add(cleanPT, ex("QUERO  cancelar meu plano!!", "segunda_via")),
			intents:  []string{"cancelar", "segunda_via"},
			examples: []string{"quero cancelar meu plano"}, message: []string{"under 'cancelar' and 'segunda_via'"},
		},
		{
			name: "exact duplicate with accents", code: CodeDuplicateAcross,
			in:      add(cleanES, ex("Cancelar mi suscripcion...", "saldo")),
			intents: []string{"cancelar", "saldo"},
		},
		{
			name: "near duplicate by words", code: CodeNearDuplicateAcross,
			in:      add(cleanPT, ex("meu plano, quero cancelar", "segunda_via")),
			intents: []string{"cancelar", "segunda_via"}, examples: []string{"quero cancelar meu plano", "meu plano, quero cancelar"},
			message: []string{`"quero cancelar meu plano" ('cancelar') ≈ "meu plano, quero cancelar" ('segunda_via')`},
		},
		{
			name: "near duplicate by abbreviation", code: CodeNearDuplicateAcross,
			in:      add(cleanES, ex("necesito ver cuanto tengo que pagar", "cancelar")),
			intents: []string{"cancelar", "saldo"},
		},
		{
			name: "near duplicate by typo", code: CodeNearDuplicateAcross,
			in:      add(cleanPT, ex("preciso da segunda via da minha fatuar", "cancelar")),
			intents: []string{"cancelar", "segunda_via"},
		},
		{
			name: "inconsistent entity", code: CodeInconsistentEntity,
			in:       add(cleanPT, ex("quero o BOLETO atualizado", "segunda_via")),
			entities: []string{"documento"}, examples: []string{"quero o BOLETO atualizado"},
			message: []string{`"boleto" is annotated as entity 'documento' in 3 examples`, `"quero o BOLETO atualizado"`},
		},
		{
			name: "inconsistent multi-word entity", code: CodeInconsistentEntity,
			in: add(cleanES,
				ex("quiero cancelar el plan premium", "cancelar", "producto=plan premium"),
				ex("cuanto cuesta el plan premium", "saldo")),
			entities: []string{"producto"}, examples: []string{"cuanto cuesta el plan premium"},
		},
		{
			name: "mostly numbers", code: CodeMostlyNumbers,
			in:       add(cleanPT, ex("123.456.789-09", "segunda_via"), ex("2 2 via", "segunda_via")),
			intents:  []string{"segunda_via"},
			examples: []string{"123.456.789-09", "2 2 via"},
		},
		{
			name: "single words", code: CodeSingleWord,
			in:      add(cleanPT, ex("opa", "saudacao"), ex("olá!", "saudacao")),
			intents: []string{"saudacao"}, message: []string{"3 of 8 examples (38%)"},
		},
		{
			name: "no test sentences", code: CodeNoTestSentences,
			in: func() StatusInput {
				in := cleanES()
				in.TestSentences = nil
				return in
			},
		},
		{
			name: "test with unknown intent", code: CodeTestUnknownIntent,
			in: func() StatusInput {
				in := cleanPT()
				in.TestSentences = append(in.TestSentences, ex("quero pagar com pix", "pix"), ex("nao entendi nada", ""))
				return in
			},
			intents: []string{"pix"}, examples: []string{"quero pagar com pix"},
		},
		{
			name: "intent without test", code: CodeIntentWithoutTest,
			in: func() StatusInput {
				in := cleanES()
				in.TestSentences = in.TestSentences[:6]
				return in
			},
			intents: []string{"saludo"}, message: []string{"'saludo' has no test sentence"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Status(c.in())
			list, other := r.Warnings, r.Requirements
			if c.requirement {
				list, other = r.Requirements, r.Warnings
			}
			if r.Ready != (len(r.Requirements) == 0) {
				t.Errorf("Ready = %v with %d requirements", r.Ready, len(r.Requirements))
			}
			if slices.Contains(codes(other), c.code) {
				t.Errorf("%s reported on the wrong list", c.code)
			}
			i := slices.IndexFunc(list, func(is Issue) bool { return is.Code == c.code })
			if i < 0 {
				t.Fatalf("no %s among %v / %v", c.code, codes(r.Requirements), codes(r.Warnings))
			}
			is := list[i]
			if c.intents != nil && !slices.Equal(is.Intents, c.intents) {
				t.Errorf("intents = %q, want %q", is.Intents, c.intents)
			}
			if c.entities != nil && !slices.Equal(is.Entities, c.entities) {
				t.Errorf("entities = %q, want %q", is.Entities, c.entities)
			}
			for _, e := range c.examples {
				if !slices.Contains(is.Examples, e) {
					t.Errorf("examples %q lack %q", is.Examples, e)
				}
			}
			for _, m := range c.message {
				if !strings.Contains(is.Message, m) {
					t.Errorf("message %q lacks %q", is.Message, m)
				}
			}
		})
	}
}

func TestStatusNearDuplicatesWithinIntentAreFine(t *testing.T) {
	in := cleanPT()
	in.Examples = append(in.Examples,
		ex("meu plano, quero cancelar", "cancelar"),
		ex("quero cancelar meu plano!", "cancelar"),
		ex("preciso da segunda via da minha fatuar", "segunda_via"))
	r := Status(in)
	for _, w := range r.Warnings {
		if w.Code == CodeNearDuplicateAcross || w.Code == CodeDuplicateAcross {
			t.Errorf("unexpected %s: %s", w.Code, w.Message)
		}
	}
}

func TestStatusEntityInsideOtherAnnotation(t *testing.T) {
	// "boleto" inside an annotated "boleto bancário" is annotated, not bare
	in := cleanPT()
	in.Examples = append(in.Examples, ex("quero o boleto bancário", "segunda_via", "documento=boleto bancário"))
	for _, w := range Status(in).Warnings {
		if w.Code == CodeInconsistentEntity && slices.Contains(w.Examples, "quero o boleto bancário") {
			t.Errorf("unexpected %s", w.Message)
		}
	}
	// "boletos" is not "boleto": whole tokens only
	in = cleanPT()
	in.Examples = append(in.Examples, ex("quero os boletos atrasados", "segunda_via"))
	for _, w := range Status(in).Warnings {
		if w.Code == CodeInconsistentEntity {
			t.Errorf("unexpected %s", w.Message)
		}
	}
}

func TestStatusIssueExamplesCapped(t *testing.T) {
	in := cleanPT()
	for i := range 30 {
		in.Examples = append(in.Examples, ex(fmt.Sprintf("texto %d", i), ""))
	}
	r := Status(in)
	if r.Requirements[0].Code != CodeMissingIntent || len(r.Requirements[0].Examples) != maxIssueExamples {
		t.Fatalf("first requirement = %+v", r.Requirements[0])
	}
	if !strings.Contains(r.Requirements[0].Message, "and 27 more") {
		t.Errorf("message = %q", r.Requirements[0].Message)
	}
}

// messy is a data set that triggers every issue at once.
func messy() StatusInput {
	in := cleanPT()
	in.Changed = false
	in.Examples = append(in.Examples,
		ex("e o boleto?", ""),
		ex("quero falar com um atendente", "atendente"),
		ex("meu cpf é 123.456.789-09", "segunda_via", "cpf=123.456.789-09"),
		ex("QUERO  cancelar meu plano!!", "segunda_via"),
		ex("meu plano, quero cancelar", "saudacao"),
		ex("preciso da segunda via da minha fatuar", "cancelar"),
		ex("quero o BOLETO atualizado", "segunda_via"),
		ex("123.456.789-09", "segunda_via"),
		ex("opa", "saudacao"), ex("olá!", "saudacao"), ex("eae", "saudacao"),
		ex("pix", "pix"), ex("pix?", "pix"), ex("pagar no pix", "pix"),
	)
	in.TestSentences = append(in.TestSentences[:3], ex("quero pagar com cartão", "cartao"))
	return in
}

func TestStatusDeterministic(t *testing.T) {
	want := Status(messy())
	if len(want.Requirements) < 4 || len(want.Warnings) < 8 {
		t.Fatalf("messy data: %v / %v", codes(want.Requirements), codes(want.Warnings))
	}
	for range 20 {
		if got := Status(messy()); !reflect.DeepEqual(got, want) {
			t.Fatalf("second run differs:\n%+v\n%+v", got, want)
		}
	}
	wantCodes := []string{CodeMissingIntent, CodeIntentTooFewExamples, CodeEntityTooFewExamples, CodeNothingChanged}
	if got := codes(want.Requirements); !slices.Equal(got, wantCodes) {
		t.Errorf("requirements = %v, want %v", got, wantCodes)
	}
	order := []string{CodeIntentFewExamples, CodeImbalance, CodeDuplicateAcross, CodeNearDuplicateAcross, CodeSimilarityIncomplete,
		CodeInconsistentEntity, CodeMostlyNumbers, CodeSingleWord, CodeNoTestSentences, CodeTestUnknownIntent, CodeIntentWithoutTest}
	last := -1
	for _, w := range want.Warnings {
		i := slices.Index(order, w.Code)
		if i < last {
			t.Errorf("warning %s out of order in %v", w.Code, codes(want.Warnings))
		}
		last = i
	}
}

// TestSimilarSetsExact checks the prefix filter against comparing every
// pair, on sets drawn from a small vocabulary so that many pairs are close.
func TestSimilarSetsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sets := make([][]int32, 400)
	for i := range sets {
		n := 1 + rng.IntN(9)
		for len(sets[i]) < n {
			id := int32(rng.IntN(14))
			if !slices.Contains(sets[i], id) {
				sets[i] = append(sets[i], id)
			}
		}
	}
	keep := func(i, j int) bool { return (i+j)%3 != 0 }
	for _, m := range []simMeasure{simJaccard, simCosine} {
		for _, th := range []float64{0.5, 0.8, 0.9, 1} {
			budget := similarityBudget
			got, done := similarSets(sets, m, th, keep, &budget, len(sets)*len(sets))
			if !done {
				t.Fatal("budget exhausted")
			}
			var want [][2]int
			for i := range sets {
				for j := i + 1; j < len(sets); j++ {
					if !keep(i, j) {
						continue
					}
					o := 0
					for _, x := range sets[i] {
						if slices.Contains(sets[j], x) {
							o++
						}
					}
					a, b := float64(len(sets[i])), float64(len(sets[j]))
					sim := float64(o) / (a + b - float64(o))
					if m == simCosine {
						sim = float64(o) / math.Sqrt(a*b)
					}
					if sim >= th-1e-12 {
						want = append(want, [2]int{i, j})
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("measure %d threshold %v: %d pairs, brute force %d", m, th, len(got), len(want))
			}
		}
	}
}

func TestSimilarSetsBudget(t *testing.T) {
	sets := make([][]int32, 3000)
	for i := range sets {
		sets[i] = []int32{0, 1, 2}
	}
	budget := 1000
	_, done := similarSets(sets, simJaccard, 0.8, func(i, j int) bool { return true }, &budget, len(sets)*len(sets))
	if done {
		t.Fatal("finished within a budget too small for 4.5 million pairs")
	}
}

func TestStatusSimilarityIncomplete(t *testing.T) {
	// thousands of sentences made of the same few words in every order,
	// under alternating intents
	words := []string{"quero", "meu", "boleto", "agora", "cancelar", "plano", "de", "novo"}
	rng := rand.New(rand.NewPCG(3, 4))
	var in StatusInput
	seen := map[string]bool{}
	for len(in.Examples) < 6000 {
		p := slices.Clone(words)
		rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		s := strings.Join(p, " ")
		if seen[s] {
			continue
		}
		seen[s] = true
		in.Examples = append(in.Examples, ex(s, fmt.Sprintf("i%d", len(in.Examples)%2)))
	}
	r := Status(in)
	if !slices.Contains(codes(r.Warnings), CodeSimilarityIncomplete) {
		t.Errorf("warnings = %v, want %s", codes(r.Warnings), CodeSimilarityIncomplete)
	}
}

// synthetic returns n examples over n/100 intents, from a seeded generator:
// words are made of Portuguese-like syllables, each intent has its own words
// and all share a common vocabulary drawn with a skewed frequency, as real
// data sets do; every 50th example nearly repeats one of another intent.
func synthetic(n int) []nlu.Example {
	rng := rand.New(rand.NewPCG(7, 11))
	syllables := strings.Fields("a e o de da do que ca la ne bo le to pa ra sa ta va me mi se por com par ter ven pro cu nha lho ção men tar gar bar ri")
	word := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(3) {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		return b.String()
	}
	common := make([]string, 400)
	for i := range common {
		common[i] = word()
	}
	nIntents := max(2, n/100)
	own := make([][]string, nIntents)
	for i := range own {
		for range 30 {
			own[i] = append(own[i], word())
		}
	}
	out := make([]nlu.Example, 0, n)
	for len(out) < n {
		it := len(out) % nIntents
		if len(out)%50 == 49 {
			prev := out[rng.IntN(len(out))]
			out = append(out, nlu.Example{Text: prev.Text + " ok", Intent: fmt.Sprintf("intent%d", (it+1)%nIntents)})
			continue
		}
		words := make([]string, 3+rng.IntN(9))
		for k := range words {
			if rng.IntN(3) == 0 {
				words[k] = own[it][rng.IntN(len(own[it]))]
			} else {
				words[k] = common[int(rng.ExpFloat64()*40)%len(common)]
			}
		}
		out = append(out, nlu.Example{Text: strings.Join(words, " "), Intent: fmt.Sprintf("intent%d", it)})
	}
	return out
}

func TestStatusSyntheticFindsPlantedNearDuplicates(t *testing.T) {
	r := Status(StatusInput{Language: "pt_br", Examples: synthetic(5000)})
	n := 0
	for _, w := range r.Warnings {
		switch w.Code {
		case CodeNearDuplicateAcross, CodeDuplicateAcross:
			n++
		case CodeSimilarityIncomplete:
			t.Errorf("search stopped early on realistic data")
		}
	}
	if n == 0 {
		t.Errorf("no planted near-duplicate found: %v", codes(r.Warnings))
	}
}

func BenchmarkStatus(b *testing.B) {
	in := StatusInput{Language: "pt_br", Examples: synthetic(5000), TestSentences: synthetic(200)}
	b.ReportAllocs()
	for b.Loop() {
		Status(in)
	}
}

func FuzzStatus(f *testing.F) {
	f.Add("qro a 2 via do boleto", "cancelar mi suscripción", "segunda_via", 11, 17)
	f.Add("", "  ", "", -1, 99)
	f.Add("oi\xff\xfe 😀 123.456.789-09", "OI!!", "x", 0, 3)
	f.Add("a a a a", "a a a b", "a", 2, 1)
	f.Fuzz(func(t *testing.T, t1, t2, intent string, start, end int) {
		in := StatusInput{
			Language: intent,
			Examples: []nlu.Example{
				{Text: t1, Intent: intent, Entities: []nlu.Span{{Start: start, End: end, Entity: "e"}}},
				{Text: t2, Intent: "b", Entities: []nlu.Span{{Start: 0, End: end, Entity: "e"}, {Start: start, End: start + 1, Entity: " "}}},
				{Text: t1 + " " + t2, Intent: intent},
				{Text: t2 + " " + t1, Intent: "c", Entities: []nlu.Span{{Start: end, End: start, Entity: "e"}}},
				{Text: strings.ToUpper(t1), Intent: "b"},
			},
			TestSentences: []nlu.Example{{Text: t2, Intent: intent}, {Text: t1, Intent: "z"}},
			Trained:       start%2 == 0,
		}
		r := Status(in)
		if r.Ready != (len(r.Requirements) == 0) {
			t.Fatalf("Ready = %v with %d requirements", r.Ready, len(r.Requirements))
		}
		for _, is := range append(r.Requirements, r.Warnings...) {
			if is.Code == "" || is.Message == "" || len(is.Examples) > maxIssueExamples {
				t.Fatalf("bad issue %+v", is)
			}
		}
		q := Quality(QualityInput{Examples: in.Examples, TestSentences: in.TestSentences})
		if !(q.Score >= 0 && q.Score <= 100) {
			t.Fatalf("score %v", q.Score)
		}
	})
}

func TestStatusOpaqueIntentNames(t *testing.T) {
	ex := func(intent string) []nlu.Example {
		return []nlu.Example{{Text: "oi tudo bem " + intent, Intent: intent}, {Text: "bom dia " + intent, Intent: intent}}
	}
	for _, c := range []struct {
		intents []string
		want    []string // opaque ones; nil: no issue
	}{
		{[]string{"segunda_via_boleto", "falarComAtendente", "smalltalk.bad"}, nil},
		{[]string{"i7", "intent_2", "nova_intencao", "cancelar", "a_b_c", "12"}, []string{"12", "a_b_c", "i7", "intent_2", "nova_intencao"}},
		{[]string{"cancelamento", "Intent"}, []string{"Intent"}},
		{[]string{"pix", "nfe"}, nil},
	} {
		var exs []nlu.Example
		for _, it := range c.intents {
			exs = append(exs, ex(it)...)
		}
		rep := Status(StatusInput{Language: "pt_br", Examples: exs})
		var got []string
		for _, w := range rep.Warnings {
			if w.Code == CodeOpaqueIntentName {
				got = w.Intents
				if !strings.Contains(w.Message, "segunda_via_boleto") {
					t.Errorf("message %q does not show a better name", w.Message)
				}
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: opaque %v, want %v", c.intents, got, c.want)
		}
	}
}

func TestStatusTranslations(t *testing.T) {
	exs := []nlu.Example{
		{Text: "quiero la segunda vía de mi factura", Intent: "segunda_via"},
		{Text: "necesito mi factura", Intent: "segunda_via"},
		{Text: "cancela mi plan", Intent: "cancelar"},
		{Text: "quiero cancelar el plan", Intent: "cancelar"},
	}
	cases := []struct {
		name         string
		mismatched   []string
		untranslated int
		want         *Issue
	}{
		{"none", nil, 0, nil},
		{"one", []string{"necesito mi factura"}, 3, &Issue{Code: CodeTranslationMismatch,
			Message: "1 translation no longer has the entities of its original: annotate it again.", Examples: []string{"necesito mi factura"}}},
		{"two", []string{"cancela mi plan", "necesito mi factura"}, 0, &Issue{Code: CodeTranslationMismatch,
			Message: "2 translations no longer have the entities of their originals: annotate them again.", Examples: []string{"cancela mi plan", "necesito mi factura"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := Status(StatusInput{Language: "es", Examples: exs, MismatchedTranslations: c.mismatched, Untranslated: c.untranslated})
			var got *Issue
			for _, w := range rep.Warnings {
				if w.Code == CodeTranslationMismatch {
					got = &w
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("warning = %+v, want %+v", got, c.want)
			}
			if rep.Counts.Untranslated != c.untranslated {
				t.Errorf("untranslated = %d, want %d", rep.Counts.Untranslated, c.untranslated)
			}
		})
	}
}
