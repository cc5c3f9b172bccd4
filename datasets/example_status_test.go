package datasets_test

import (
	"fmt"

	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/nlu"
)

func ExampleStatus() {
	r := datasets.Status(datasets.StatusInput{
		Language: "pt_br",
		Examples: []nlu.Example{
			{Text: "qro a 2 via do boleto", Intent: "segunda_via"},
			{Text: "me manda o boleto de novo", Intent: "segunda_via"},
			{Text: "quero cancelar meu plano", Intent: "cancelar"},
		},
		Changed: true,
	})
	fmt.Println("ready:", r.Ready)
	for _, is := range r.Requirements {
		fmt.Println(is.Code+":", is.Message)
	}
	for _, is := range r.Warnings {
		fmt.Println(is.Code)
	}
	// Output:
	// ready: false
	// intent_too_few_examples: Each intent needs at least 2 examples: 'cancelar' has 1.
	// intent_few_examples
	// no_test_sentences
}

func ExampleQuality() {
	acc := 0.85
	r := datasets.Quality(datasets.QualityInput{
		Examples: []nlu.Example{
			{Text: "quero a segunda via do boleto", Intent: "segunda_via"},
			{Text: "me manda o boleto de novo", Intent: "segunda_via"},
			{Text: "perdi a fatura, pode reenviar?", Intent: "segunda_via"},
			{Text: "quero cancelar meu plano", Intent: "cancelar"},
			{Text: "cancela minha assinatura", Intent: "cancelar"},
		},
		CrossValidationAccuracy: &acc,
	})
	fmt.Println("score:", r.Score)
	for _, c := range r.Components {
		fmt.Printf("%s %.1f×%.0f\n", c.Name, c.Score, c.Weight)
	}
	fmt.Println(r.Components[1].Suggestion)
	// Output:
	// score: 54.8
	// balance 94.3×1
	// examples_per_intent 24.7×3
	// test_coverage 0.0×1
	// cross_validation 85.0×2
	// test_accuracy 0.0×0
	// duplicates 100.0×1
	// Add at least 8 more examples to 'cancelar', which has 2; 7 more to 'segunda_via', which has 3.
}
