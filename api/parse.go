package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/nlu"
	"github.com/weni-ai/sabia/repository"
	"github.com/weni-ai/sabia/training"
)

// BothubParseRequest is the body of Bothub's /v2/parse/ (JSON) and /parse
// (form). Bothub routes ignore fields they do not know, as Bothub did, so
// that flows keep working unchanged.
type BothubParseRequest struct {
	Text              string          `json:"text"`
	Language          string          `json:"language"`
	RepositoryVersion json.RawMessage `json:"repository_version,omitempty" doc:"version id, as a number or a string; default version when absent"`
}

// BothubIntent is an intent with its confidence in Bothub's format.
type BothubIntent struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// BothubEntity is an entity in Bothub's format.
type BothubEntity struct {
	Entity     string  `json:"entity"`
	Value      string  `json:"value"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Confidence float64 `json:"confidence"`
}

// BothubParse is the answer of the Bothub-compatible parse routes.
type BothubParse struct {
	Intent            BothubIntent              `json:"intent"`
	IntentRanking     []BothubIntent            `json:"intent_ranking"`
	LabelsList        []string                  `json:"labels_list"`
	EntitiesList      []string                  `json:"entities_list"`
	GroupList         []string                  `json:"group_list"`
	Entities          map[string][]BothubEntity `json:"entities"`
	Text              string                    `json:"text"`
	Language          string                    `json:"language"`
	RepositoryVersion int64                     `json:"repository_version"`
	UpdateID          int64                     `json:"update_id"`
}

// ParseRequest is the body of the native parse route.
type ParseRequest struct {
	Text      string `json:"text"`
	Language  string `json:"language,omitempty" doc:"any spelling: pt, pt-BR, pt_br, por; the repository's main language when absent"`
	VersionID int64  `json:"version_id,omitempty"`
}

// MaxBatchTexts bounds the texts of one batch parse.
const MaxBatchTexts = 1000

// BatchParseRequest is the body of the batch parse route: texts classified
// with one model, for analysing a history of messages offline.
type BatchParseRequest struct {
	Texts     []string `json:"texts" doc:"1 to 1000 texts"`
	Language  string   `json:"language,omitempty" doc:"any spelling; the repository's main language when absent"`
	VersionID int64    `json:"version_id,omitempty"`
}

// BatchParseResponse holds one native parse answer per text, in order.
type BatchParseResponse struct {
	Results []ParseResponse `json:"results"`
}

// ParseResponse is the native parse answer: Bothub's content plus
// out-of-scope, the model and timing.
type ParseResponse struct {
	Intent            BothubIntent   `json:"intent"`
	OutOfScope        bool           `json:"out_of_scope" doc:"true when the top confidence is below threshold (intent then still names the top intent)"`
	Threshold         float64        `json:"threshold"`
	IntentRanking     []BothubIntent `json:"intent_ranking"`
	Entities          []nlu.Entity   `json:"entities"`
	Text              string         `json:"text"`
	Language          string         `json:"language"`
	RepositoryVersion int64          `json:"repository_version"`
	ModelID           int64          `json:"model_id"`
	TrainedAt         string         `json:"trained_at"`
	DurationUS        int64          `json:"duration_us"`
}

// Info is the answer of Bothub's /info/: what flows sync intents from.
type Info struct {
	UUID      string   `json:"uuid"`
	Name      string   `json:"name"`
	Language  string   `json:"language"`
	Languages []string `json:"languages"`
	Intents   []string `json:"intents"`
	Entities  []string `json:"entities"`
	Groups    []string `json:"groups"`
}

func (s *Server) parseRoutes() {
	for _, p := range []string{"/v2/parse", "/v2/parse/"} {
		s.handle(route{Method: http.MethodPost, Pattern: p, Summary: "Classify a text (Bothub v2 wire format), with a repository token",
			Tag: "bothub", Auth: authToken, Request: BothubParseRequest{}, Response: BothubParse{}}, s.bothubParse(repository.RouteV2Parse))
	}
	for _, p := range []string{"/parse", "/parse/"} {
		s.handle(route{Method: http.MethodPost, Pattern: p, Summary: "Classify a text (Bothub form format: text=…&language=…), with a repository token",
			Tag: "bothub", Auth: authToken, Form: BothubParseRequest{}, Request: BothubParseRequest{}, Response: BothubParse{}}, s.bothubParse(repository.RouteParse))
	}
	for _, p := range []string{"/info", "/info/"} {
		s.handle(route{Method: http.MethodGet, Pattern: p, Summary: "The token's repository and its intents (Bothub format)",
			Tag: "bothub", Auth: authToken, Response: Info{}}, getHandler(http.StatusOK, s.info))
	}
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/parse", Summary: "Classify a text: intent, ranking, entities, out-of-scope, model and timing",
		Tag: "parse", Auth: authAny, Request: ParseRequest{}, Response: ParseResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *ParseRequest) (ParseResponse, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return ParseResponse{}, err
			}
			res, err := s.engine.Parse(r.Context(), training.ParseRequest{RepositoryUUID: uuid, VersionID: in.VersionID, Language: in.Language, Text: in.Text})
			if err != nil {
				return ParseResponse{}, err
			}
			out := nativeAnswer(in.Text, res)
			s.logParse(r, repository.RouteNative, in.Text, res)
			return out, nil
		}))
	s.handle(route{Method: http.MethodPost, Pattern: "/v1/repositories/{uuid}/parse/batch",
		Summary: "Classify up to 1000 texts with one model, answers in order (not written to the interaction logs: for analysing message histories)",
		Tag:     "parse", Auth: authAny, Request: BatchParseRequest{}, Response: BatchParseResponse{}},
		jsonHandler(http.StatusOK, func(r *http.Request, in *BatchParseRequest) (BatchParseResponse, error) {
			uuid, err := scoped(r, repository.RoleUser)
			if err != nil {
				return BatchParseResponse{}, err
			}
			switch {
			case len(in.Texts) == 0:
				return BatchParseResponse{}, sabia.Errorf(sabia.EINVALID, "texts is required: 1 to %d texts", MaxBatchTexts)
			case len(in.Texts) > MaxBatchTexts:
				return BatchParseResponse{}, sabia.Errorf(sabia.ETOOLARGE, "%d texts, more than %d: send them in several batches", len(in.Texts), MaxBatchTexts)
			}
			results, err := s.engine.ParseBatch(r.Context(), training.ParseRequest{RepositoryUUID: uuid, VersionID: in.VersionID, Language: in.Language}, in.Texts)
			if err != nil {
				return BatchParseResponse{}, err
			}
			out := BatchParseResponse{Results: make([]ParseResponse, len(results))}
			for i, res := range results {
				s.metrics.parsed(res)
				out.Results[i] = nativeAnswer(in.Texts[i], res)
			}
			return out, nil
		}))
}

// nativeAnswer is the native parse answer of a classified text.
func nativeAnswer(text string, res training.Parsed) ParseResponse {
	out := ParseResponse{Intent: BothubIntent{Name: topName(res.Prediction), Confidence: topConfidence(res.Prediction)},
		OutOfScope: res.Prediction.OutOfScope, Threshold: res.Threshold, IntentRanking: ranking(res.Prediction),
		Entities: res.Prediction.Entities, Text: text, Language: res.Language, RepositoryVersion: res.VersionID,
		ModelID: res.ModelID, TrainedAt: res.TrainedAt.Format("2006-01-02T15:04:05Z07:00"), DurationUS: res.Duration.Microseconds()}
	if out.Entities == nil {
		out.Entities = []nlu.Entity{}
	}
	return out
}

func topName(p nlu.Prediction) string {
	if len(p.Ranking) > 0 {
		return p.Ranking[0].Name
	}
	return ""
}

func topConfidence(p nlu.Prediction) float64 {
	if len(p.Ranking) > 0 {
		return p.Ranking[0].Confidence
	}
	return 0
}

func ranking(p nlu.Prediction) []BothubIntent {
	out := make([]BothubIntent, len(p.Ranking))
	for i, s := range p.Ranking {
		out[i] = BothubIntent{Name: s.Name, Confidence: s.Confidence}
	}
	return out
}

// bothubParse serves /parse (form) and /v2/parse/ (JSON). A form body is
// accepted on both, as is JSON, whatever the route: flows vary.
func (s *Server) bothubParse(route string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := readBody(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		var in BothubParseRequest
		// JSON is recognised by its content type or by its first byte, form
		// data by elimination: flows and HTTP clients label bodies loosely.
		trimmed := bytes.TrimSpace(body)
		isJSON := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || (len(trimmed) > 0 && trimmed[0] == '{')
		if isJSON {
			dec := json.NewDecoder(bytes.NewReader(body))
			if err := dec.Decode(&in); err != nil {
				writeError(w, r, jsonError(err))
				return
			}
		} else {
			vals, err := url.ParseQuery(string(body))
			if err != nil {
				writeError(w, r, sabia.Errorf(sabia.EINVALID, "malformed form body: %v", err))
				return
			}
			in.Text, in.Language = vals.Get("text"), vals.Get("language")
			if v := vals.Get("repository_version"); v != "" {
				in.RepositoryVersion = json.RawMessage(strconv.Quote(v))
			}
		}
		version, err := versionOf(in.RepositoryVersion)
		if err != nil {
			writeError(w, r, err)
			return
		}
		tok := principalOf(r).token
		res, err := s.engine.Parse(r.Context(), training.ParseRequest{RepositoryUUID: tok.RepositoryUUID, VersionID: version, Language: in.Language, Text: in.Text})
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, bothubAnswer(in.Text, res))
		s.logParse(r, route, in.Text, res)
	}
}

// versionOf reads repository_version given as a number, a numeric string or
// null.
func versionOf(raw json.RawMessage) (int64, error) {
	t := strings.TrimSpace(string(raw))
	if t == "" || t == "null" || t == `""` {
		return 0, nil
	}
	t = strings.Trim(t, `"`)
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil || v < 0 {
		return 0, sabia.Errorf(sabia.EINVALID, "repository_version must be a version id, got %s", string(raw))
	}
	return v, nil
}

// otherGroup is where Bothub puts entities without a group.
const otherGroup = "other"

func bothubAnswer(text string, res training.Parsed) BothubParse {
	p := res.Prediction
	out := BothubParse{Intent: BothubIntent{Name: topName(p), Confidence: topConfidence(p)}, IntentRanking: ranking(p),
		LabelsList: []string{}, EntitiesList: []string{}, GroupList: []string{}, Entities: map[string][]BothubEntity{},
		Text: text, Language: res.Language, RepositoryVersion: res.VersionID, UpdateID: res.ModelID}
	entities, groups := map[string]bool{}, map[string]bool{}
	for _, e := range p.Entities {
		g := e.Group
		if g == "" {
			g = otherGroup
		}
		out.Entities[g] = append(out.Entities[g], BothubEntity{Entity: e.Entity, Value: e.Value, Start: e.Start, End: e.End, Confidence: e.Confidence})
		entities[e.Entity] = true
		groups[g] = true
	}
	out.EntitiesList = sortedKeys(entities)
	out.LabelsList = sortedKeys(groups)
	for _, g := range out.LabelsList {
		if g != otherGroup {
			out.GroupList = append(out.GroupList, g)
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) info(r *http.Request) (Info, error) {
	tok := principalOf(r).token
	repo, err := s.repos.FindRepository(r.Context(), tok.RepositoryUUID)
	if err != nil {
		return Info{}, err
	}
	intents, err := s.repos.ListIntents(r.Context(), repo.UUID, 0, "")
	if err != nil {
		return Info{}, err
	}
	ents, err := s.repos.ListEntities(r.Context(), repo.UUID, 0, "")
	if err != nil {
		return Info{}, err
	}
	out := Info{UUID: repo.UUID, Name: repo.Name, Language: repo.Language, Languages: repo.Languages, Intents: []string{}, Entities: []string{}, Groups: []string{}}
	for _, i := range intents {
		if i.Name != repository.OutOfScopeIntent { // learnt as "none of these", never answered
			out.Intents = append(out.Intents, i.Name)
		}
	}
	if repo.BuiltinIntents {
		out.Intents = append(out.Intents, training.BuiltinIntents...)
	}
	out.Intents = sortedKeys(setOf(out.Intents))
	es, gs := map[string]bool{}, map[string]bool{}
	for _, e := range ents {
		es[e.Entity] = true
		if e.Group != "" {
			gs[e.Group] = true
		}
	}
	out.Entities, out.Groups = sortedKeys(es), sortedKeys(gs)
	return out, nil
}

func setOf(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}
