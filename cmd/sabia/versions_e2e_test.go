package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

type versionResp struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	IsDefault bool   `json:"is_default"`
}

// exchangeExamples teach an intent the store's bot does not know: swaps
// and returns, as customers type them.
var exchangeExamples = []example{
	{Text: "quero trocar o tênis que comprei", Intent: "troca"},
	{Text: "dá pra trocar o tamanho da camisa?", Intent: "troca"},
	{Text: "qro devolver o produto, veio com defeito", Intent: "troca"},
	{Text: "como faço a troca pfv", Intent: "troca"},
	{Text: "a calça ficou pequena, posso trocar?", Intent: "troca"},
	{Text: "preciso devolver o presente q ganhei", Intent: "troca"},
}

// exchangeText is a sentence only a model taught exchangeExamples answers
// with "troca".
const exchangeText = "qro trocar o tamanho do tênis"

// trainVersion trains one language of a version and waits for the job.
func (s *server) trainVersion(uuid string, versionID int64, lang string) jobResp {
	s.t.Helper()
	var tr struct {
		Jobs []jobResp `json:"jobs"`
	}
	body := map[string]any{"version_id": versionID, "language": lang}
	if st := s.json("POST", "/v1/repositories/"+uuid+"/train", adminSecret, body, &tr); st != http.StatusAccepted || len(tr.Jobs) != 1 {
		s.t.Fatalf("train version %d: status %d, jobs %+v", versionID, st, tr.Jobs)
	}
	return s.waitJob(tr.Jobs[0].ID)
}

// TestVersionsEndToEnd: a team clones the version in production, teaches
// the clone a new intent and trains it, tests it with repository_version
// while flows keep getting the old default, evaluates it, switches the
// default (flows get the new model at once) and deletes the old version.
func TestVersionsEndToEnd(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja da Bia", "language": "pt-BR"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	base := "/v1/repositories/" + repo.UUID
	if st := s.json("POST", base+"/examples", adminSecret, storeExamples, nil); st != http.StatusCreated {
		t.Fatalf("examples: %d", st)
	}
	if j := s.trainAndWait(repo.UUID); j.Status != "succeeded" {
		t.Fatalf("training the default: %+v", j)
	}
	var tok struct {
		Secret string `json:"secret"`
	}
	if st := s.json("POST", base+"/tokens", adminSecret, map[string]string{"name": "fluxos", "role": "user"}, &tok); st != http.StatusCreated {
		t.Fatalf("token: %d", st)
	}
	var versions []versionResp
	if st := s.json("GET", base+"/versions", tok.Secret, nil, &versions); st != http.StatusOK || len(versions) != 1 || !versions[0].IsDefault {
		t.Fatalf("versions: %d %+v", st, versions)
	}
	master := versions[0]

	// parse classifies as a flow does: Bothub's route, with or without
	// repository_version.
	parse := func(text string, version int64) bothubResp {
		t.Helper()
		in := map[string]any{"text": text, "language": "pt_br"}
		if version != 0 {
			in["repository_version"] = version
		}
		var p bothubResp
		if st := s.json("POST", "/v2/parse/", tok.Secret, in, &p); st != http.StatusOK {
			t.Fatalf("parse %q (version %d): %d", text, version, st)
		}
		return p
	}

	// A copy of the default version, taught one more intent and trained.
	var clone versionResp
	if st := s.json("POST", base+"/versions", adminSecret, map[string]any{"name": "trocas", "from_version_id": master.ID}, &clone); st != http.StatusCreated {
		t.Fatalf("create version: %d", st)
	}
	if clone.ID == 0 || clone.ID == master.ID || clone.IsDefault || clone.Name != "trocas" {
		t.Fatalf("clone = %+v", clone)
	}
	var page struct {
		Total int `json:"total"`
	}
	s.json("GET", fmt.Sprintf("%s/examples?version=%d", base, clone.ID), adminSecret, nil, &page)
	if page.Total != len(storeExamples) {
		t.Fatalf("the clone has %d examples, want the %d of the default", page.Total, len(storeExamples))
	}
	in := make([]map[string]any, len(exchangeExamples))
	for i, e := range exchangeExamples {
		in[i] = map[string]any{"text": e.Text, "intent": e.Intent, "version_id": clone.ID}
	}
	if st := s.json("POST", base+"/examples", adminSecret, in, nil); st != http.StatusCreated {
		t.Fatalf("examples of the clone: %d", st)
	}
	if j := s.trainVersion(repo.UUID, clone.ID, "pt_br"); j.Status != "succeeded" {
		t.Fatalf("training the clone: %+v", j)
	}

	if p := parse(exchangeText, clone.ID); p.Intent.Name != "troca" || p.RepositoryVersion != clone.ID {
		t.Fatalf("the clone answered %q (version %d), want troca from version %d", p.Intent.Name, p.RepositoryVersion, clone.ID)
	}
	if p := parse(exchangeText, 0); p.RepositoryVersion != master.ID || hasIntent(p, "troca") {
		t.Fatalf("the default answered %q (version %d, labels %v), want master's model, which knows no troca", p.Intent.Name, p.RepositoryVersion, p.LabelsList)
	}
	if p := parse("cancela aí pfv", clone.ID); p.Intent.Name != "cancel" {
		t.Fatalf("the clone lost what it copied: %q", p.Intent.Name)
	}

	// Evaluating the clone on its own test sentences.
	tests := []map[string]any{
		{"text": "posso trocar o presente?", "intent": "troca", "version_id": clone.ID},
		{"text": "qro a 2ª via do boleto", "intent": "billing", "version_id": clone.ID},
		{"text": "cancela minha linha pfv", "intent": "cancel", "version_id": clone.ID},
	}
	if st := s.json("POST", base+"/test-sentences", adminSecret, tests, nil); st != http.StatusCreated {
		t.Fatalf("test sentences: %d", st)
	}
	var ej jobResp
	if st := s.json("POST", base+"/evaluate", adminSecret, map[string]any{"language": "pt_br", "version": clone.ID, "mode": "test_set"}, &ej); st != http.StatusAccepted {
		t.Fatalf("evaluate the clone: %d", st)
	}
	if j := s.waitJob(ej.ID); j.Status != "succeeded" {
		t.Fatalf("evaluating the clone: %+v", j)
	}
	var evals struct {
		Items []evalSummary `json:"items"`
	}
	s.json("GET", fmt.Sprintf("%s/evaluations?version=%d", base, clone.ID), adminSecret, nil, &evals)
	if len(evals.Items) != 1 || evals.Items[0].Summary.N != len(tests) || evals.Items[0].Summary.Accuracy == 0 {
		t.Fatalf("evaluations of the clone: %+v", evals.Items)
	}
	s.json("GET", fmt.Sprintf("%s/evaluations?version=%d", base, master.ID), adminSecret, nil, &evals)
	if len(evals.Items) != 0 {
		t.Fatalf("the default has evaluations: %+v", evals.Items)
	}

	// Switching the default: flows get the clone's model at once.
	var switched versionResp
	if st := s.json("PATCH", fmt.Sprintf("%s/versions/%d", base, clone.ID), adminSecret, map[string]any{"is_default": true}, &switched); st != http.StatusOK || !switched.IsDefault {
		t.Fatalf("switch default: %d %+v", st, switched)
	}
	if p := parse(exchangeText, 0); p.Intent.Name != "troca" || p.RepositoryVersion != clone.ID {
		t.Fatalf("after the switch the default answered %q (version %d), want troca from %d", p.Intent.Name, p.RepositoryVersion, clone.ID)
	}
	if p := parse(exchangeText, master.ID); hasIntent(p, "troca") {
		t.Fatalf("the old version learnt troca: %v", p.LabelsList)
	}

	// The old version goes; asking for it is then "not found".
	if st := s.json("DELETE", fmt.Sprintf("%s/versions/%d", base, master.ID), adminSecret, nil, nil); st != http.StatusNoContent {
		t.Fatalf("delete the old version: %d", st)
	}
	var e errResp
	if st := s.json("POST", "/v2/parse/", tok.Secret, map[string]any{"text": exchangeText, "repository_version": master.ID}, &e); st != http.StatusNotFound {
		t.Fatalf("parse a deleted version: %d %+v", st, e)
	}
	if st := s.json("GET", base+"/versions", tok.Secret, nil, &versions); st != http.StatusOK || len(versions) != 1 || versions[0].ID != clone.ID {
		t.Fatalf("versions after the deletion: %+v", versions)
	}
	if p := parse(exchangeText, 0); p.Intent.Name != "troca" {
		t.Fatalf("after the deletion the default answered %q", p.Intent.Name)
	}
}

func hasIntent(p bothubResp, name string) bool {
	for _, l := range p.LabelsList {
		if l == name {
			return true
		}
	}
	for _, r := range p.IntentRanking {
		if r.Name == name {
			return true
		}
	}
	return p.Intent.Name == name
}

// TestVersionRoutes checks who may do what with versions and the answers
// to bad requests.
func TestVersionRoutes(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo, other repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Clínica", "language": "es", "languages": []string{"pt_br"}}, &repo)
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Outra", "language": "pt_br"}, &other)
	base := "/v1/repositories/" + repo.UUID
	if st := s.json("POST", base+"/examples", adminSecret, []map[string]any{
		{"text": "quiero sacar un turno pa mañana", "intent": "turno", "language": "es"},
		{"text": "cancelá mi turno porfa", "intent": "cancelar", "language": "es"},
		{"text": "necesito un turno con la dra. García", "intent": "turno", "language": "es"},
		{"text": "ya no voy, anulá la cita", "intent": "cancelar", "language": "es"},
		{"text": "qro marcar uma consulta", "intent": "turno", "language": "pt_br"},
	}, nil); st != http.StatusCreated {
		t.Fatalf("examples: %d", st)
	}
	secrets := map[string]string{"admin": adminSecret}
	for _, role := range []string{"user", "contributor"} {
		var tok struct {
			Secret string `json:"secret"`
		}
		if st := s.json("POST", base+"/tokens", adminSecret, map[string]string{"role": role}, &tok); st != http.StatusCreated {
			t.Fatalf("%s token: %d", role, st)
		}
		secrets[role] = tok.Secret
	}
	var versions []versionResp
	s.json("GET", base+"/versions", adminSecret, nil, &versions)
	master := versions[0]
	var otherVersions []versionResp
	s.json("GET", "/v1/repositories/"+other.UUID+"/versions", adminSecret, nil, &otherVersions)
	otherMaster := otherVersions[0]

	var created versionResp
	if st := s.json("POST", base+"/versions", secrets["contributor"], map[string]any{"name": "rascunho", "from_version_id": master.ID}, &created); st != http.StatusCreated {
		t.Fatalf("contributor creates a version: %d", st)
	}
	v := fmt.Sprintf("%s/versions/%d", base, created.ID)
	tests := []struct {
		label, method, path, auth string
		body                      any
		status                    int
		code                      string
	}{
		{"user reads a version", "GET", v, "user", nil, http.StatusOK, ""},
		{"user cannot create", "POST", base + "/versions", "user", map[string]any{"name": "v3"}, http.StatusForbidden, "forbidden"},
		{"contributor cannot create a default", "POST", base + "/versions", "contributor", map[string]any{"name": "v3", "is_default": true}, http.StatusForbidden, "forbidden"},
		{"user cannot rename", "PATCH", v, "user", map[string]any{"name": "v3"}, http.StatusForbidden, "forbidden"},
		{"contributor renames", "PATCH", v, "contributor", map[string]any{"name": "ensaio"}, http.StatusOK, ""},
		{"contributor cannot switch the default", "PATCH", v, "contributor", map[string]any{"is_default": true}, http.StatusForbidden, "forbidden"},
		{"contributor cannot delete", "DELETE", v, "contributor", nil, http.StatusForbidden, "forbidden"},
		{"name with a space", "POST", base + "/versions", "admin", map[string]any{"name": "versão nova"}, http.StatusBadRequest, "invalid"},
		{"name required", "POST", base + "/versions", "admin", map[string]any{"name": ""}, http.StatusBadRequest, "invalid"},
		{"unknown field", "POST", base + "/versions", "admin", map[string]any{"name": "v3", "from": master.ID}, http.StatusBadRequest, "invalid"},
		{"name taken", "POST", base + "/versions", "admin", map[string]any{"name": "master"}, http.StatusConflict, "conflict"},
		{"rename onto a taken name", "PATCH", v, "admin", map[string]any{"name": "master"}, http.StatusConflict, "conflict"},
		{"copy of another repository's version", "POST", base + "/versions", "admin", map[string]any{"name": "v3", "from_version_id": otherMaster.ID}, http.StatusNotFound, "not_found"},
		{"another repository's version", "GET", fmt.Sprintf("%s/versions/%d", base, otherMaster.ID), "admin", nil, http.StatusNotFound, "not_found"},
		{"rename another repository's version", "PATCH", fmt.Sprintf("%s/versions/%d", base, otherMaster.ID), "admin", map[string]any{"name": "x"}, http.StatusNotFound, "not_found"},
		{"delete another repository's version", "DELETE", fmt.Sprintf("%s/versions/%d", base, otherMaster.ID), "admin", nil, http.StatusNotFound, "not_found"},
		{"not an id", "GET", base + "/versions/abc", "admin", nil, http.StatusNotFound, "not_found"},
		{"un-default", "PATCH", fmt.Sprintf("%s/versions/%d", base, master.ID), "admin", map[string]any{"is_default": false}, http.StatusBadRequest, "invalid"},
		{"delete the default", "DELETE", fmt.Sprintf("%s/versions/%d", base, master.ID), "admin", nil, http.StatusBadRequest, "invalid"},
		{"train the copy", "POST", base + "/train", "contributor", map[string]any{"version_id": created.ID, "language": "es"}, http.StatusAccepted, ""},
	}
	for _, tt := range tests {
		var e errResp
		st := s.json(tt.method, tt.path, secrets[tt.auth], tt.body, &e)
		if st != tt.status || e.Error.Code != tt.code {
			t.Errorf("%s: %s %s → %d %q %q, want %d %q", tt.label, tt.method, tt.path, st, e.Error.Code, e.Error.Message, tt.status, tt.code)
		}
	}
	if st := s.json("GET", v, secrets["user"], nil, &created); st != http.StatusOK || created.Name != "ensaio" || created.IsDefault {
		t.Fatalf("after the requests: %d %+v", st, created)
	}
	// The other repository's version is untouched.
	s.json("GET", "/v1/repositories/"+other.UUID+"/versions", adminSecret, nil, &otherVersions)
	if len(otherVersions) != 1 || otherVersions[0].Name != "master" {
		t.Fatalf("other repository's versions: %+v", otherVersions)
	}
	// A token of another repository cannot see these versions at all.
	var otherTok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", "/v1/repositories/"+other.UUID+"/tokens", adminSecret, map[string]string{"role": "admin"}, &otherTok)
	var e errResp
	if st := s.json("DELETE", v, otherTok.Secret, nil, &e); st != http.StatusNotFound || !strings.Contains(e.Error.Message, "not found") {
		t.Fatalf("another repository's admin deletes: %d %+v", st, e)
	}
	// Admin makes the copy the default, then may delete the old one.
	if st := s.json("PATCH", v, secrets["admin"], map[string]any{"is_default": true}, &created); st != http.StatusOK || !created.IsDefault {
		t.Fatalf("admin switches the default: %d %+v", st, created)
	}
	if st := s.json("DELETE", fmt.Sprintf("%s/versions/%d", base, master.ID), secrets["admin"], nil, nil); st != http.StatusNoContent {
		t.Fatalf("admin deletes the old default: %d", st)
	}
	s.json("GET", base+"/versions", adminSecret, nil, &versions)
	if len(versions) != 1 || versions[0].ID != created.ID || !versions[0].IsDefault {
		t.Fatalf("versions at the end: %+v", versions)
	}
}
