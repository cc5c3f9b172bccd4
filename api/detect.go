package api

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/datasets"
	"github.com/weni-ai/sabia/training"
)

// Detector runs the built-in detectors. datasets.Detectors implements it.
type Detector interface {
	// Detect returns the verdicts of the named detectors (nil: all) on text
	// in lang ("" detects the language) and the language used. Returns
	// EINVALID for unknown detectors or languages.
	Detect(text, lang string, names []string) ([]datasets.Detection, string, error)
}

// DetectRequest asks the built-in detectors about a text.
type DetectRequest struct {
	Text      string   `json:"text"`
	Language  string   `json:"language,omitempty" doc:"pt_br, es or en in any spelling; detected when absent"`
	Detectors []string `json:"detectors,omitempty" doc:"human_handoff, opt_out; all when absent"`
}

// DetectResponse carries one verdict per detector.
type DetectResponse struct {
	Detections []datasets.Detection `json:"detections"`
	Language   string               `json:"language"`
}

func (s *Server) detectRoutes() {
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/detect",
		Summary: "Built-in detectors: does the text ask for a human (human_handoff) or to stop messages (opt_out)?",
		Tag:     "detect", Auth: authAny, Request: DetectRequest{}, Response: DetectResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *DetectRequest) (DetectResponse, error) {
			if s.cfg.Detector == nil {
				return DetectResponse{}, sabia.Errorf(sabia.EUNAVAILABLE, "built-in detectors are not loaded")
			}
			if strings.TrimSpace(in.Text) == "" {
				return DetectResponse{}, sabia.Errorf(sabia.EINVALID, "text is required")
			}
			if n := utf8.RuneCountInString(in.Text); n > training.MaxParseRunes {
				return DetectResponse{}, sabia.Errorf(sabia.ETOOLARGE, "text has %d characters, more than %d", n, training.MaxParseRunes)
			}
			dets, lang, err := s.cfg.Detector.Detect(in.Text, in.Language, in.Detectors)
			return DetectResponse{Detections: dets, Language: lang}, err
		}))
}
