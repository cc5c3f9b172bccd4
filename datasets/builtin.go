package datasets

import (
	"bytes"
	"embed"
	"fmt"

	sabia "github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
)

// Intents of the built-in detectors, as they appear in the built-in data.
// Negative examples have intent "".
const (
	IntentHumanHandoff = "human_handoff" // the user asks for a person: agent, attendant, manager, SAC
	IntentOptOut       = "opt_out"       // the user asks to stop receiving messages from this sender
)

// builtinFS holds the built-in data sets; builtin/README.md documents them.
//
//go:embed builtin/*.jsonl
var builtinFS embed.FS

// DetectorTraining returns the training examples of the built-in detectors
// (human_handoff, opt_out and negatives) for lang: "pt_br", "es" or "en", or
// any spelling nlu.ParseLanguage accepts for them ("pt-BR", "por", "es_MX").
//
// Returns ENOTFOUND for any other language.
func DetectorTraining(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_", lang)
}

// DetectorEval returns the evaluation examples of the built-in detectors for
// lang, as DetectorTraining does. They were written apart from the training
// examples and share no sentence with them; never train on them.
//
// Returns ENOTFOUND for any other language.
func DetectorEval(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_eval_", lang)
}

// DetectorFresh returns the second, fresh evaluation set of the built-in
// detectors for lang: written after the training data had been extended,
// by someone who saw neither the training data nor the first evaluation
// set, so that it measures what the first one can no longer measure
// independently (see builtin/README.md). Never train on it.
//
// Returns ENOTFOUND for any other language.
func DetectorFresh(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_fresh_", lang)
}

// DetectorBlind returns the third evaluation set of the built-in detectors
// for lang: written blind, by someone who was shown no file of the project
// (neither the training data nor the other evaluation sets), after the
// training data had last been extended. Its first measurement is the one
// reported; never train on it or extend the training data from its misses.
//
// Returns ENOTFOUND for any other language.
func DetectorBlind(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_blind_", lang)
}

// DetectorBlind2 returns the fourth evaluation set of the built-in detectors
// for lang, written blind as DetectorBlind's was, after every change to the
// training data of session 2: the independent figure for the detectors as
// they ship. Never train on it or read its misses to extend the training
// data.
//
// Returns ENOTFOUND for any other language.
func DetectorBlind2(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_blind2_", lang)
}

// DetectorBlind3 returns the fifth evaluation set of the built-in detectors
// for lang, written blind as DetectorBlind2's was (its writer did not even
// describe its content to the lead), after every change to the training
// data of session 2. Never train on it or read its misses to extend the
// training data.
//
// Returns ENOTFOUND for any other language.
func DetectorBlind3(lang string) ([]nlu.Example, error) {
	return readBuiltin("detectors_blind3_", lang)
}

// readBuiltin reads builtin/<prefix><lang>.jsonl.
func readBuiltin(prefix, lang string) ([]nlu.Example, error) {
	code, _ := nlu.ParseLanguage(lang)
	switch code {
	case nlu.LangPortugueseBR, nlu.LangSpanish, nlu.LangEnglish:
	default:
		return nil, sabia.Errorf(sabia.ENOTFOUND, "no built-in detector data for language %q", lang)
	}
	name := "builtin/" + prefix + code + ".jsonl"
	b, err := builtinFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	exs, err := ReadJSONL(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return exs, nil
}
