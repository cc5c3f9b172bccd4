package datasets

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/weni-ai/sabia/nlu"
)

func component(t *testing.T, r QualityReport, name string) Component {
	t.Helper()
	for _, c := range r.Components {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no component %q in %+v", name, r.Components)
	return Component{}
}

// intentData returns counts[intent] examples of each intent and tests test
// sentences of each: distinct sentences of words made for the intent, so
// that no two intents share a sentence or come near it.
func intentData(counts map[string]int, tests int) QualityInput {
	var in QualityInput
	syllables := strings.Fields("ca ne bo le to pa ra sa ta va me mi se por com par ter ven pro cu nha lho men tar gar bar ri")
	for n, it := range sortedKeys(counts) {
		word := func(i int) string {
			return syllables[(7*n+i)%len(syllables)] + syllables[(3*n+5*i/len(syllables))%len(syllables)] + fmt.Sprint(n)
		}
		for i := range counts[it] + tests {
			text := fmt.Sprintf("%s %s %s %d", word(i), word(i+1), word(i+2), i)
			if i < counts[it] {
				in.Examples = append(in.Examples, nlu.Example{Text: text, Intent: it})
			} else {
				in.TestSentences = append(in.TestSentences, nlu.Example{Text: text, Intent: it})
			}
		}
	}
	return in
}

func ptr(f float64) *float64 { return &f }

func TestExamplesScoreCurve(t *testing.T) {
	cases := []struct {
		n      int
		lo, hi float64
	}{
		{0, 0, 0}, {1, 0, 0}, {2, 21, 22}, {5, 49, 51}, {10, 70, 73}, {25, 100, 100}, {400, 100, 100},
	}
	for _, c := range cases {
		if got := examplesScore(c.n); got < c.lo || got > c.hi {
			t.Errorf("examplesScore(%d) = %.1f, want %v..%v", c.n, got, c.lo, c.hi)
		}
	}
}

func TestQualityEmpty(t *testing.T) {
	r := Quality(QualityInput{})
	if r.Score != 0 {
		t.Errorf("score = %v", r.Score)
	}
	want := []string{ComponentBalance, ComponentExamplesPerIntent, ComponentTestCoverage, ComponentCrossValidation, ComponentTestAccuracy, ComponentDuplicates}
	var got []string
	for _, c := range r.Components {
		got = append(got, c.Name)
		if c.Suggestion == "" || c.Explanation == "" {
			t.Errorf("%s: explanation %q suggestion %q", c.Name, c.Explanation, c.Suggestion)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("components = %v, want %v", got, want)
	}
}

func TestQualityNoIntents(t *testing.T) {
	r := Quality(QualityInput{Examples: []nlu.Example{{Text: "qro a 2 via do boleto"}, {Text: "cancelar mi suscripción", Intent: " "}}})
	for _, c := range r.Components[:3] {
		if c.Score != 0 || c.Explanation != "No example has an intent." {
			t.Errorf("%+v", c)
		}
	}
}

func TestQualityStrongData(t *testing.T) {
	in := intentData(map[string]int{"boleto": 30, "cancelar": 30, "saudacao": 28}, 6)
	in.CrossValidationAccuracy = ptr(0.95)
	in.TestAccuracy = ptr(0.9)
	r := Quality(in)
	for _, c := range r.Components {
		if c.Score < strongScore || c.Suggestion != "" || c.Weight == 0 {
			t.Errorf("%s: score %v weight %v suggestion %q (%s)", c.Name, c.Score, c.Weight, c.Suggestion, c.Explanation)
		}
	}
	if r.Score < 95 {
		t.Errorf("score = %v", r.Score)
	}
}

func TestQualityScoreIsWeightedMean(t *testing.T) {
	in := intentData(map[string]int{"boleto": 3, "cancelar": 12, "saudacao": 40, "pix": 7}, 2)
	in.TestAccuracy = ptr(0.62)
	r := Quality(in)
	var sum, w float64
	for _, c := range r.Components {
		sum += c.Weight * c.Score
		w += c.Weight
	}
	if math.Abs(sum/w-r.Score) > 0.1 {
		t.Errorf("score = %v, weighted mean of components = %v", r.Score, sum/w)
	}
	if cv := component(t, r, ComponentCrossValidation); cv.Weight != 0 || !strings.Contains(cv.Suggestion, "cross-validation") {
		t.Errorf("absent cross-validation: %+v", cv)
	}
	if ta := component(t, r, ComponentTestAccuracy); ta.Weight == 0 || ta.Score != 62 || ta.Suggestion == "" {
		t.Errorf("test accuracy: %+v", ta)
	}
}

func TestQualityExamplesSuggestion(t *testing.T) {
	in := intentData(map[string]int{"cancelar": 3, "boleto": 3, "pix": 5, "saudacao": 30, "atendente": 30}, 3)
	c := component(t, Quality(in), ComponentExamplesPerIntent)
	if c.Score >= strongScore {
		t.Fatalf("score = %v", c.Score)
	}
	want := "Add at least 7 more examples to 'boleto' and 'cancelar', which have 3; 5 more to 'pix', which has 5."
	if c.Suggestion != want {
		t.Errorf("suggestion = %q\nwant %q", c.Suggestion, want)
	}
	if !strings.Contains(c.Explanation, "3 ('boleto') to 30 ('atendente') examples, median 5") {
		t.Errorf("explanation = %q", c.Explanation)
	}
	// weak intents weigh more than in a plain average
	var mean float64
	for _, n := range []int{3, 3, 5, 30, 30} {
		mean += examplesScore(n) / 5
	}
	if c.Score >= mean {
		t.Errorf("score %v not below the plain mean %v", c.Score, mean)
	}
}

func TestQualityBalance(t *testing.T) {
	even := component(t, Quality(intentData(map[string]int{"a": 10, "b": 10, "c": 10}, 0)), ComponentBalance)
	if even.Score != 100 || even.Suggestion != "" {
		t.Errorf("even: %+v", even)
	}
	skewed := component(t, Quality(intentData(map[string]int{"a": 100, "b": 10}, 0)), ComponentBalance)
	if skewed.Score > 30 || !strings.Contains(skewed.Suggestion, "'b'") {
		t.Errorf("skewed: %+v", skewed)
	}
	one := component(t, Quality(intentData(map[string]int{"a": 10}, 0)), ComponentBalance)
	if one.Score != 0 || one.Suggestion == "" {
		t.Errorf("one intent: %+v", one)
	}
}

func TestQualityTestCoverage(t *testing.T) {
	none := component(t, Quality(intentData(map[string]int{"a": 10, "b": 10}, 0)), ComponentTestCoverage)
	if none.Score != 0 || !strings.Contains(none.Suggestion, "'a' (0) and 'b' (0)") || !strings.Contains(none.Suggestion, "4 more test sentences overall") {
		t.Errorf("no tests: %+v", none)
	}
	// every intent has 3 tests, but 6 tests are 15% of 40 examples
	part := component(t, Quality(intentData(map[string]int{"a": 20, "b": 20}, 3)), ComponentTestCoverage)
	if part.Score != 87.5 {
		t.Errorf("partial: %+v", part)
	}
}

func TestQualityDuplicates(t *testing.T) {
	in := intentData(map[string]int{"a": 20, "b": 20}, 5)
	clean := component(t, Quality(in), ComponentDuplicates)
	if clean.Score != 100 || clean.Suggestion != "" {
		t.Errorf("clean: %+v", clean)
	}
	in.Examples = append(in.Examples, nlu.Example{Text: "Quero cancelar!", Intent: "a"}, nlu.Example{Text: "quero cancelar", Intent: "b"})
	dup := component(t, Quality(in), ComponentDuplicates)
	// 2 of 42 examples: 4.76% → 100 - 23.8
	if dup.Score != 76.2 || !strings.Contains(dup.Suggestion, `"Quero cancelar!" is under 'a' and 'b'`) {
		t.Errorf("duplicate: %+v", dup)
	}
}

func TestQualityAccuracyClamp(t *testing.T) {
	in := intentData(map[string]int{"a": 20, "b": 20}, 5)
	in.CrossValidationAccuracy = ptr(1.5)
	in.TestAccuracy = ptr(math.NaN())
	r := Quality(in)
	if c := component(t, r, ComponentCrossValidation); c.Score != 100 {
		t.Errorf("clamped: %+v", c)
	}
	if c := component(t, r, ComponentTestAccuracy); c.Weight != 0 {
		t.Errorf("NaN: %+v", c)
	}
}

func TestQualityDeterministic(t *testing.T) {
	in := QualityInput{Examples: messy().Examples, TestSentences: messy().TestSentences, CrossValidationAccuracy: ptr(0.7)}
	want := Quality(in)
	for range 20 {
		if got := Quality(in); !reflect.DeepEqual(got, want) {
			t.Fatalf("second run differs:\n%+v\n%+v", got, want)
		}
	}
}
