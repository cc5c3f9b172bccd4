package api

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// wellFormed parses an SVG document completely and checks its root.
func wellFormed(t *testing.T, svg []byte) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(string(svg)))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
			if se.Name.Space != "http://www.w3.org/2000/svg" {
				t.Fatalf("root namespace %q", se.Name.Space)
			}
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q", root)
	}
}

func TestConfusionSVG(t *testing.T) {
	m := map[string]map[string]int{
		"boleto":   {"boleto": 9, "cancelar": 1},
		"cancelar": {"cancelar": 8, "(out of scope)": 2},
		"<b>&x\"":  {"<b>&x\"": 3},
	}
	svg := confusionSVG(m, "Avaliação <teste>")
	wellFormed(t, svg)
	for _, want := range []string{"boleto → cancelar: 1", "&lt;b&gt;&amp;x&#34;", "Avaliação &lt;teste&gt;"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("missing %q", want)
		}
	}
	// 150 intents: only those with errors are drawn.
	big := map[string]map[string]int{}
	for i := 0; i < 150; i++ {
		name := fmt.Sprintf("intent_%03d", i)
		big[name] = map[string]int{name: 20}
	}
	big["intent_007"]["intent_099"] = 2
	svg = confusionSVG(big, "CLINC")
	wellFormed(t, svg)
	if !strings.Contains(string(svg), "2 of 150 intents shown") || strings.Contains(string(svg), "intent_050") {
		t.Errorf("large matrix not reduced to the intents with errors")
	}
}

func TestConfidenceSVG(t *testing.T) {
	svg := confidenceSVG([]float64{0.9, 0.95, 1, 0.5}, []float64{0.2, 0.31, 0}, "Confiança")
	wellFormed(t, svg)
	if !strings.Contains(string(svg), "correct (4)") || !strings.Contains(string(svg), "wrong (3)") || !strings.Contains(string(svg), "0.9–1.0: 3") {
		t.Errorf("histogram content wrong:\n%s", svg)
	}
	wellFormed(t, confidenceSVG(nil, nil, "vazio"))
	wellFormed(t, confusionSVG(nil, "vazio"))
}
