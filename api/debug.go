package api

import (
	"net/http"

	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// DebugParseRequest asks why the model classifies a text as it does.
type DebugParseRequest struct {
	Text      string `json:"text"`
	Language  string `json:"language,omitempty"`
	VersionID int64  `json:"version_id,omitempty"`
	// Top is how many intents to explain (default 5, 0 < top ≤ 50).
	Top int `json:"top,omitempty"`
}

// DebugParseResponse is Bothub's debug_parse shape plus the words in order
// with their offsets and the bias of each intent.
type DebugParseResponse struct {
	Intent BothubIntent `json:"intent"`
	// Words maps each word to its relevance for the top intents, as Bothub
	// did (a word that appears twice adds up its occurrences).
	Words map[string][]nlu.IntentRelevance `json:"words"`
	// Tokens lists the words in order with offsets; relevances are exact
	// contributions to each intent's margin.
	Tokens   []nlu.WordRelevance `json:"tokens"`
	Bias     map[string]float64  `json:"bias"`
	Margins  map[string]float64  `json:"margins"`
	Entities []nlu.Entity        `json:"entities"`
	Text     string              `json:"text"`
	Language string              `json:"language"`
}

// WordsDistributionRequest names the language to describe.
type WordsDistributionRequest struct {
	Language  string `json:"language,omitempty"`
	VersionID int64  `json:"version_id,omitempty"`
}

// WordsDistributionResponse gives, for each intent, the share of each
// word's occurrences that fall in it.
type WordsDistributionResponse struct {
	Language string                        `json:"language"`
	Words    map[string]map[string]float64 `json:"words"`
}

// defaultExplainTop and maxExplainTop bound the intents debug_parse explains.
const (
	defaultExplainTop = 5
	maxExplainTop     = 50
)

func (s *Server) debugRoutes() {
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/debug_parse",
		Summary: "Explain a classification: each word's exact contribution to the top intents, plus entities",
		Tag:     "parse", Auth: authAny, Request: DebugParseRequest{}, Response: DebugParseResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *DebugParseRequest) (DebugParseResponse, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return DebugParseResponse{}, err
			}
			top := in.Top
			if top <= 0 {
				top = defaultExplainTop
			}
			top = min(top, maxExplainTop)
			ex, err := s.engine.Explain(r.Context(), training.ParseRequest{RepositoryUUID: uuid, VersionID: in.VersionID, Language: in.Language, Text: in.Text}, top)
			if err != nil {
				return DebugParseResponse{}, err
			}
			out := DebugParseResponse{Intent: BothubIntent{Name: topName(ex.Prediction), Confidence: topConfidence(ex.Prediction)},
				Words: map[string][]nlu.IntentRelevance{}, Tokens: ex.Explanation.Words, Bias: ex.Explanation.Bias, Margins: ex.Explanation.Margins,
				Entities: ex.Prediction.Entities, Text: in.Text, Language: ex.Language}
			if out.Entities == nil {
				out.Entities = []nlu.Entity{}
			}
			if out.Tokens == nil {
				out.Tokens = []nlu.WordRelevance{}
			}
			for _, w := range ex.Explanation.Words {
				prev := out.Words[w.Word]
				if prev == nil {
					out.Words[w.Word] = append([]nlu.IntentRelevance(nil), w.Relevance...)
					continue
				}
				for i := range prev {
					for _, r := range w.Relevance {
						if r.Intent == prev[i].Intent {
							prev[i].Relevance += r.Relevance
						}
					}
				}
			}
			return out, nil
		}))
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/words_distribution",
		Summary: "For each intent, the share of each word's occurrences in the examples that fall in it",
		Tag:     "parse", Auth: authAny, Request: WordsDistributionRequest{}, Response: WordsDistributionResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *WordsDistributionRequest) (WordsDistributionResponse, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return WordsDistributionResponse{}, err
			}
			repo, err := s.repos.FindRepository(r.Context(), uuid)
			if err != nil {
				return WordsDistributionResponse{}, err
			}
			lang, err := training.LanguageOf(repo, in.Language)
			if err != nil {
				return WordsDistributionResponse{}, err
			}
			examples, _, err := s.repos.TrainingSet(r.Context(), uuid, in.VersionID, lang)
			if err != nil {
				return WordsDistributionResponse{}, err
			}
			return WordsDistributionResponse{Language: lang, Words: nlu.WordsDistribution(examples, lang)}, nil
		}))
}
