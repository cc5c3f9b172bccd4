package datasets

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// discoverInput numbers texts from 1.
func discoverInput(texts []string) []DiscoverText {
	out := make([]DiscoverText, len(texts))
	for i, t := range texts {
		out[i] = DiscoverText{ID: int64(i + 1), Text: t}
	}
	return out
}

// clusterOf returns the index of the cluster holding id, -1 when none.
func clusterOf(cl []Cluster, id int64) int {
	for i, c := range cl {
		if slices.Contains(c.IDs, id) {
			return i
		}
	}
	return -1
}

func TestDiscoverGroups(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lang  string
		texts []string
		// same lists topics by their texts' indices (from 0) in texts: each
		// inner list must be one cluster, exactly
		same [][]int
	}{
		{
			name: "delivery on saturday, pt-BR",
			lang: "pt-BR",
			texts: []string{
				"vocês entregam no sábado?", "entrega sabado?", "sábado tem entrega", "vcs fazem entrega aos sabados??",
				"oi, entregam sabado tb?", "entrga no sabado",
				"aceita pix?", "vcs aceitam pix", "pix vcs aceitam??", "pix é aceito? 🤔",
			},
			same: [][]int{{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9}},
		},
		{
			name: "near-duplicates collapse, pt-BR",
			lang: "pt_br",
			texts: append(slices.Repeat([]string{"qro falar c atendente"}, 50),
				"QRO FALAR C ATENDENTE!!", "quero falar com um atendente humano", "me passa pra um atendente pfv",
				"cadê meu pedido", "meu pedido n chegou ainda", "pedido atrasado 😡"),
			same: [][]int{{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
				25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52},
				{53, 54, 55}},
		},
		{
			name: "different needs with the same greeting stay apart",
			lang: "pt_br",
			texts: []string{
				"oi, quero cancelar minha assinatura", "oi quero cancelar o plano", "bom dia, cancela minha assinatura pfv",
				"oi, quero trocar o tamanho", "bom dia quero trocar de tamanho", "oi trocar tamanho da camisa",
			},
			same: [][]int{{0, 1, 2}, {3, 4, 5}},
		},
		{
			name: "es: opening hours and returns",
			lang: "es",
			texts: []string{
				"a q hora abren?", "a que hora abren mañana", "hora de apertura?", "abren a q hora los domingos",
				"como hago una devolucion?", "quiero hacer una devolución", "devolución de un pedido xfa", "necesito hacer una devolución urgente",
			},
			same: [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := Discover(tc.lang, discoverInput(tc.texts), DiscoverOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cl) != len(tc.same) {
				t.Errorf("%d clusters, want %d: %+v", len(cl), len(tc.same), cl)
			}
			seen := map[int]bool{}
			for _, topic := range tc.same {
				c := clusterOf(cl, int64(topic[0]+1))
				if c < 0 {
					t.Errorf("%q is in no cluster", tc.texts[topic[0]])
					continue
				}
				if seen[c] {
					t.Errorf("%q shares cluster %d with another topic: %+v", tc.texts[topic[0]], c, cl[c])
				}
				seen[c] = true
				if cl[c].Size != len(topic) || len(cl[c].IDs) != len(topic) {
					t.Errorf("cluster of %q has %d texts, want %d: %+v", tc.texts[topic[0]], cl[c].Size, len(topic), cl[c])
				}
				for _, i := range topic[1:] {
					if got := clusterOf(cl, int64(i+1)); got != c {
						t.Errorf("%q is in cluster %d, %q in %d", tc.texts[i], got, tc.texts[topic[0]], c)
					}
				}
			}
			for i := 1; i < len(cl); i++ {
				if cl[i].Size > cl[i-1].Size {
					t.Errorf("cluster %d (size %d) after a smaller one (%d)", i, cl[i].Size, cl[i-1].Size)
				}
			}
		})
	}
}

func TestDiscoverClusterContent(t *testing.T) {
	texts := append(slices.Repeat([]string{"qro falar c atendente"}, 50),
		"quero falar com um atendente humano", "me passa pra um atendente pfv", "atendente por favor 🙏",
		"vocês entregam no sábado?", "entrega sábado?", "sábado tem entrega", "entrega no sábado?", "entrega no sabado?",
		"entrega no sabado?", "entrega no sabado?", "entrega no sabado?")
	cl, err := Discover("pt", discoverInput(texts), DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl) != 2 {
		t.Fatalf("%d clusters, want 2: %+v", len(cl), cl)
	}
	c := cl[0]
	if c.Size != 53 || len(c.IDs) != 53 || !slices.IsSorted(c.IDs) {
		t.Errorf("first cluster: size %d, %d ids (sorted %v)", c.Size, len(c.IDs), slices.IsSorted(c.IDs))
	}
	if c.Keywords[0] != "atendente" {
		t.Errorf("keywords %q, want atendente first", c.Keywords)
	}
	// the 50 repeats are one example, shown with the newest ID
	if c.Examples[0] != (DiscoverText{ID: 50, Text: "qro falar c atendente"}) || len(c.Examples) != 4 {
		t.Errorf("examples %+v", c.Examples)
	}
	d := cl[1]
	if d.Size != 8 || !slices.Contains(d.Keywords, "sábado") || !slices.Contains(d.Keywords, "entrega") || len(d.Keywords) > 5 {
		t.Errorf("second cluster %+v, want keywords sábado (the most frequent spelling, accents kept) and entrega", d)
	}
	texts2 := map[string]bool{}
	for _, e := range d.Examples {
		if texts2[e.Text] {
			t.Errorf("example %q twice", e.Text)
		}
		texts2[e.Text] = true
	}
	if d.ClosestIntent != nil {
		t.Errorf("closest intent %+v without intents", d.ClosestIntent)
	}
}

func TestDiscoverClosestIntent(t *testing.T) {
	intents := []nlu.Example{
		{Text: "onde está meu pedido?", Intent: "tracking"},
		{Text: "meu pedido ainda não chegou", Intent: "tracking"},
		{Text: "quero rastrear minha encomenda", Intent: "tracking"},
		{Text: "qual o status da entrega", Intent: "tracking"},
		{Text: "quero a segunda via do boleto", Intent: "billing"},
		{Text: "me manda o boleto atualizado", Intent: "billing"},
		{Text: "qual a capital da frança", Intent: ""},
	}
	texts := []string{
		"cadê meu pedido??", "pedido atrasado", "meu pedido n chegou", "pedido ta demorando mt",
		"vcs aceitam pix?", "aceita pix", "pix é aceito?",
	}
	cl, err := Discover("pt_br", discoverInput(texts), DiscoverOptions{Intents: intents})
	if err != nil {
		t.Fatal(err)
	}
	tracking, pix := clusterOf(cl, 1), clusterOf(cl, 5)
	if tracking < 0 || pix < 0 || tracking == pix {
		t.Fatalf("clusters %+v", cl)
	}
	ci := cl[tracking].ClosestIntent
	if ci == nil || ci.Name != "tracking" || ci.Similarity < 0.3 || ci.Similarity > 1 {
		t.Errorf("tracking-like cluster: closest %+v, want tracking", ci)
	}
	if ci := cl[pix].ClosestIntent; ci != nil && ci.Similarity >= cl[tracking].ClosestIntent.Similarity/2 {
		t.Errorf("pix cluster: closest %+v, want nothing close", ci)
	}
	// the intents change nothing in the clusters themselves
	plain, _ := Discover("pt_br", discoverInput(texts), DiscoverOptions{})
	for i := range plain {
		cl[i].ClosestIntent = nil
	}
	if !reflect.DeepEqual(plain, cl) {
		t.Errorf("clusters with intents %+v, without %+v", cl, plain)
	}
}

// TestDiscoverDeterministic: the same texts in any order give the same
// clusters (IDs travel with their texts), and a second call the same again.
func TestDiscoverDeterministic(t *testing.T) {
	texts := discoverInput(append(slices.Repeat([]string{"qro falar c atendente", "entrega sabado?"}, 7),
		"vocês entregam no sábado?", "sábado tem entrega", "Entrega Sábado?", "quero falar com um atendente",
		"aceita pix?", "vcs aceitam pix", "bom dia", "bom dia", "👍", "👍", "", "?!", "cadê meu pedido", "pedido atrasado"))
	want, err := Discover("pt", texts, DiscoverOptions{MinSize: 1, Intents: []nlu.Example{
		{Text: "aceitam cartão?", Intent: "payment"}, {Text: "quero pagar no pix", Intent: "payment"},
		{Text: "onde está meu pedido", Intent: "tracking"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		perm := slices.Clone(texts)
		if i > 0 {
			r.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
		}
		got, err := Discover("pt", perm, DiscoverOptions{MinSize: 1, Intents: []nlu.Example{
			{Text: "onde está meu pedido", Intent: "tracking"},
			{Text: "aceitam cartão?", Intent: "payment"}, {Text: "quero pagar no pix", Intent: "payment"}}})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("permutation %d: %+v\nwant %+v", i, got, want)
		}
	}
	n := 0
	for _, c := range want {
		n += c.Size
	}
	if n != len(texts)-2 { // "" and "?!" have nothing to cluster
		t.Errorf("%d texts clustered with MinSize 1, want %d", n, len(texts)-2)
	}
}

func TestDiscoverOptionsAndBounds(t *testing.T) {
	texts := discoverInput([]string{"entrega sabado?", "sábado tem entrega", "aceita pix?"})
	for _, tc := range []struct {
		name     string
		texts    []DiscoverText
		opts     DiscoverOptions
		code     string
		clusters int
	}{
		{"defaults drop singletons", texts, DiscoverOptions{}, "", 1},
		{"min size 1 keeps them", texts, DiscoverOptions{MinSize: 1}, "", 2},
		{"min size 3", texts, DiscoverOptions{MinSize: 3}, "", 0},
		{"threshold 1: only the same words in any order", texts, DiscoverOptions{Threshold: 1, MinSize: 1}, "", 2},
		{"threshold 1 separates paraphrases", discoverInput([]string{"entrega sabado?", "vcs entregam sábado?"}), DiscoverOptions{Threshold: 1, MinSize: 1}, "", 2},
		{"no texts", nil, DiscoverOptions{}, "", 0},
		{"negative min size", texts, DiscoverOptions{MinSize: -1}, sabia.EINVALID, 0},
		{"threshold above 1", texts, DiscoverOptions{Threshold: 1.5}, sabia.EINVALID, 0},
		{"NaN threshold", texts, DiscoverOptions{Threshold: nanFloat()}, sabia.EINVALID, 0},
		{"one text too many", make([]DiscoverText, MaxDiscoverTexts+1), DiscoverOptions{}, sabia.ETOOLARGE, 0},
		{"exactly the bound", make([]DiscoverText, MaxDiscoverTexts), DiscoverOptions{}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := Discover("pt", tc.texts, tc.opts)
			if code := sabia.ErrorCode(err); code != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
			if err == nil && (cl == nil || len(cl) != tc.clusters) {
				t.Errorf("%d clusters (%+v), want %d", len(cl), cl, tc.clusters)
			}
		})
	}
}

func nanFloat() float64 { var z float64; return z / z }

func FuzzDiscover(f *testing.F) {
	for _, s := range []string{"entrega sabado?", "qro falar c atendente", "👍👍", "", "\xff\xfe", "a q hora abren?",
		"https://x.com 123.456.789-09 a@b.co", strings.Repeat("pedido ", 300)} {
		f.Add(s, s+" tb", "es")
	}
	f.Fuzz(func(t *testing.T, a, b, lang string) {
		in := []DiscoverText{{1, a}, {2, b}, {3, a}, {4, b + " " + a}}
		cl, err := Discover(lang, in, DiscoverOptions{MinSize: 1, Intents: []nlu.Example{{Text: b, Intent: "x"}, {Text: a, Intent: "y"}}})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range cl {
			n += c.Size
			if len(c.IDs) != c.Size || len(c.Examples) == 0 || len(c.Examples) > 5 || len(c.Keywords) > 5 {
				t.Fatalf("bad cluster %+v", c)
			}
			if ci := c.ClosestIntent; ci != nil && !(ci.Similarity > 0 && ci.Similarity <= 1) {
				t.Fatalf("similarity %v", ci.Similarity)
			}
		}
		if n > len(in) {
			t.Fatalf("%d texts clustered of %d", n, len(in))
		}
	})
}

// discoverBench makes n chat messages: a few dozen needs, each in many
// spellings, with some noise words, as an inbox of a month would hold.
func discoverBench(n int) []DiscoverText {
	needs := [][]string{
		{"entrega", "entregam", "sábado", "sabado", "domingo", "feriado"},
		{"falar", "atendente", "humano", "pessoa", "atendimento"},
		{"aceita", "aceitam", "pix", "cartão", "boleto", "parcela"},
		{"pedido", "chegou", "atrasado", "cadê", "rastreio"},
		{"horário", "abrem", "fecham", "horas", "funcionamento"},
		{"troca", "trocar", "tamanho", "devolver", "devolução"},
		{"cupom", "desconto", "promoção", "frete", "grátis"},
		{"loja", "endereço", "física", "shopping", "perto"},
	}
	fillers := []string{"oi", "vcs", "q", "pfv", "tb", "hj", "amanhã", "ainda", "bom dia", "🙏", "??", "kkk", "por favor"}
	r := rand.New(rand.NewPCG(7, 11))
	out := make([]DiscoverText, n)
	for i := range out {
		need := needs[r.IntN(len(needs))]
		var b strings.Builder
		for range 2 + r.IntN(4) {
			if r.IntN(3) == 0 {
				b.WriteString(fillers[r.IntN(len(fillers))])
			} else {
				b.WriteString(need[r.IntN(len(need))])
			}
			b.WriteByte(' ')
		}
		if r.IntN(4) == 0 {
			fmt.Fprintf(&b, "pedido %d", r.IntN(100000))
		}
		out[i] = DiscoverText{ID: int64(i + 1), Text: b.String()}
	}
	return out
}

func TestDiscoverBenchInput(t *testing.T) {
	cl, err := Discover("pt", discoverBench(5000), DiscoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cl) < 8 || cl[0].Size < 100 {
		t.Errorf("%d clusters, the largest of %d texts", len(cl), cl[0].Size)
	}
}

// BenchmarkDiscover clusters 5,000 messages.
func BenchmarkDiscover(b *testing.B) {
	texts := discoverBench(5000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Discover("pt", texts, DiscoverOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
