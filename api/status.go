package api

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// LanguageStatus says whether a language of a version can be trained, what
// blocks it, what would make it better, and how strong the data is.
type LanguageStatus struct {
	Language string `json:"language"`
	datasets.StatusReport
	Trained bool                   `json:"trained"`
	Changed bool                   `json:"changed"`
	Quality datasets.QualityReport `json:"quality"`
}

func (s *Server) statusRoutes() {
	s.handle(route{Method: http.MethodGet, Pattern: "/v1/repositories/{uuid}/languages/{lang}/status",
		Summary: "Ready to train? Requirements that block training, warnings that do not, and the data-quality score with its components (query: version)",
		Tag:     "evaluation", Auth: authAny, Response: LanguageStatus{}},
		getHandler(http.StatusOK, s.languageStatus))
}

func (s *Server) languageStatus(r *http.Request) (LanguageStatus, error) {
	uuid := chi.URLParam(r, "uuid")
	if err := allow(r, uuid, repository.RoleUser); err != nil {
		return LanguageStatus{}, err
	}
	repo, err := s.repos.FindRepository(r.Context(), uuid)
	if err != nil {
		return LanguageStatus{}, err
	}
	lang, err := training.LanguageOf(repo, chi.URLParam(r, "lang"))
	if err != nil {
		return LanguageStatus{}, err
	}
	v, err := queryInt(r, "version", 0)
	if err != nil {
		return LanguageStatus{}, err
	}
	ver, err := s.repos.FindVersion(r.Context(), uuid, v)
	if err != nil {
		return LanguageStatus{}, err
	}
	examples, _, err := s.repos.TrainingSet(r.Context(), uuid, ver.ID, lang)
	if err != nil {
		return LanguageStatus{}, err
	}
	tests, err := s.repos.TestSet(r.Context(), uuid, ver.ID, lang)
	if err != nil {
		return LanguageStatus{}, err
	}
	changed, err := s.repos.NeedsTraining(r.Context(), uuid, ver.ID, lang)
	if err != nil {
		return LanguageStatus{}, err
	}
	trained := true
	if _, err := s.repos.LatestModelInfo(r.Context(), uuid, ver.ID, lang); err != nil {
		if sabia.ErrorCode(err) != sabia.ENOTFOUND {
			return LanguageStatus{}, err
		}
		trained = false
	}
	q := datasets.QualityInput{Language: lang, Examples: examples, TestSentences: tests}
	for mode, dst := range map[string]**float64{repository.EvaluationCrossValidation: &q.CrossValidationAccuracy, repository.EvaluationTestSet: &q.TestAccuracy} {
		evs, _, err := s.repos.ListEvaluations(r.Context(), uuid, repository.EvaluationFilter{VersionID: ver.ID, Language: lang, Mode: mode, Limit: 1})
		if err != nil {
			return LanguageStatus{}, err
		}
		if len(evs) > 0 {
			acc := evs[0].Summary.Accuracy
			*dst = &acc
		}
	}
	tr, err := s.repos.TranslationStatus(r.Context(), uuid, ver.ID, lang)
	if err != nil {
		return LanguageStatus{}, err
	}
	mismatched := make([]string, len(tr.Mismatched))
	for i, e := range tr.Mismatched {
		mismatched[i] = e.Text
	}
	st := datasets.Status(datasets.StatusInput{Language: lang, Examples: examples, TestSentences: tests, Changed: changed, Trained: trained,
		MismatchedTranslations: mismatched, Untranslated: tr.Untranslated})
	return LanguageStatus{Language: lang, StatusReport: st, Trained: trained, Changed: changed, Quality: datasets.Quality(q)}, nil
}
