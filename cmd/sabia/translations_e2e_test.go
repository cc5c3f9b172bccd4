package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// spanOf returns the span of the first occurrence of sub in text, in runes.
func spanOf(text, sub, entity string) span {
	i := strings.Index(text, sub)
	start := len([]rune(text[:i]))
	return span{Start: start, End: start + len([]rune(sub)), Entity: entity}
}

// spanish translates some of storeExamples, as a bot builder would.
var spanish = map[string]string{
	"quero a segunda via do boleto":          "quiero la segunda vía de mi factura",
	"me manda o boleto atualizado pfv":       "mándame la factura actualizada porfa",
	"2 via da fatura":                        "2da vía de la factura",
	"qual o valor da minha fatura deste mês": "cuál es el valor de mi factura de este mes",
	"quero cancelar meu plano":               "quiero cancelar mi plan",
	"cancela minha assinatura por favor":     "cancela mi suscripción por favor",
	"não quero mais o serviço":               "ya no quiero el servicio",
	"desejo encerrar o contrato":             "deseo terminar el contrato",
	"onde está meu pedido?":                  "¿dónde está mi pedido?",
	"meu pedido ainda não chegou":            "mi pedido todavía no llegó",
	"qual o status da entrega":               "cuál es el estado de la entrega",
	"quero rastrear minha encomenda":         "quiero rastrear mi paquete",
}

// spanishProducts are the translations of "buy" examples, with their
// product.
var spanishProducts = map[string][2]string{
	"quero comprar o Cartão Gold":     {"quiero comprar la Tarjeta Gold", "Tarjeta Gold"},
	"quero assinar o plano Turbo":     {"quiero contratar el plan Turbo", "plan Turbo"},
	"como contrato o Cartão Platinum": {"cómo contrato la Tarjeta Platinum", "Tarjeta Platinum"},
}

type exampleResp struct {
	ID             int64  `json:"id"`
	Text           string `json:"text"`
	Language       string `json:"language"`
	Intent         string `json:"intent"`
	Entities       []span `json:"entities"`
	TranslatedFrom int64  `json:"translated_from"`
}

type examplePage struct {
	Items []exampleResp `json:"items"`
	Total int           `json:"total"`
}

// get returns the body of a GET with the admin token, failing unless 200.
func (s *server) get(t *testing.T, path string) []byte {
	t.Helper()
	req, err := http.NewRequest("GET", s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return body
}

// TestTranslations translates a pt_br bot into Spanish over HTTP, checks
// the rules and the listings, trains Spanish and classifies a Spanish
// sentence, and carries the translations through a Bothub export and import.
func TestTranslations(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja", "language": "pt_br", "languages": []string{"es"}}, &repo)
	base := "/v1/repositories/" + repo.UUID + "/examples"
	if st := s.json("POST", base, adminSecret, storeExamples, nil); st != http.StatusCreated {
		t.Fatalf("adding examples: %d", st)
	}
	var page examplePage
	s.json("GET", base+"?limit=100", adminSecret, nil, &page)
	ids := map[string]int64{}
	for _, e := range page.Items {
		ids[e.Text] = e.ID
	}
	var tok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", "/v1/repositories/"+repo.UUID+"/tokens", adminSecret, map[string]string{"role": "user"}, &tok)

	for pt, es := range spanish {
		var got exampleResp
		if st := s.json("POST", fmt.Sprintf("%s/%d/translations", base, ids[pt]), adminSecret, map[string]any{"language": "es", "text": es}, &got); st != http.StatusCreated {
			t.Fatalf("translating %q: %d", pt, st)
		}
		if got.TranslatedFrom != ids[pt] || got.Language != "es" || got.Text != es || got.Intent == "" {
			t.Fatalf("translation of %q = %+v", pt, got)
		}
	}
	for pt, es := range spanishProducts {
		body := map[string]any{"language": "es", "text": es[0], "entities": []span{spanOf(es[0], es[1], "product")}}
		if st := s.json("POST", fmt.Sprintf("%s/%d/translations", base, ids[pt]), adminSecret, body, nil); st != http.StatusCreated {
			t.Fatalf("translating %q: %d", pt, st)
		}
	}

	boleto := ids["quero a segunda via do boleto"]
	gold := ids["quero comprar o Cartão Gold"]
	var translations []exampleResp
	if st := s.json("GET", fmt.Sprintf("%s/%d/translations", base, boleto), tok.Secret, nil, &translations); st != http.StatusOK ||
		len(translations) != 1 || translations[0].Text != "quiero la segunda vía de mi factura" || translations[0].Intent != "billing" {
		t.Fatalf("translations: %d %+v", st, translations)
	}
	tr := translations[0].ID

	cases := []struct {
		label, method, path, token string
		body                       any
		status                     int
		code, msg                  string
	}{
		{"a user token cannot translate", "POST", fmt.Sprintf("%s/%d/translations", base, boleto), tok.Secret,
			map[string]any{"language": "es", "text": "qro la factura"}, http.StatusForbidden, "forbidden", ""},
		{"same language", "POST", fmt.Sprintf("%s/%d/translations", base, boleto), adminSecret,
			map[string]any{"language": "pt-BR", "text": "qro a 2ª via do boleto"}, http.StatusBadRequest, "invalid", "another language"},
		{"second translation into es", "POST", fmt.Sprintf("%s/%d/translations", base, boleto), adminSecret,
			map[string]any{"language": "es", "text": "necesito la 2ª vía de la factura"}, http.StatusConflict, "conflict", "already has a translation into es"},
		{"entities missing", "POST", fmt.Sprintf("%s/%d/translations", base, ids["me vende o Cartão Gold"]), adminSecret,
			map[string]any{"language": "es", "text": "véndeme la Tarjeta Gold"}, http.StatusBadRequest, "invalid", `missing "product"`},
		{"translating a translation", "POST", fmt.Sprintf("%s/%d/translations", base, tr), adminSecret,
			map[string]any{"language": "pt_br", "text": "qro o boleto"}, http.StatusBadRequest, "invalid", "translate the original"},
		{"a translation's own intent", "PATCH", fmt.Sprintf("%s/%d", base, tr), adminSecret,
			map[string]any{"intent": "cancel"}, http.StatusBadRequest, "invalid", "change the original's intent"},
		{"unknown example", "POST", base + "/999999/translations", adminSecret,
			map[string]any{"language": "es", "text": "hola"}, http.StatusNotFound, "not_found", ""},
		{"unknown field", "POST", fmt.Sprintf("%s/%d/translations", base, boleto), adminSecret,
			map[string]any{"language": "es", "text": "hola", "intent": "x"}, http.StatusBadRequest, "invalid", ""},
		{"bad untranslated language", "GET", base + "?untranslated=klingon", adminSecret, nil, http.StatusBadRequest, "invalid", ""},
		{"bad translated_from", "GET", base + "?translated_from=x", adminSecret, nil, http.StatusBadRequest, "invalid", ""},
	}
	for _, c := range cases {
		var e errResp
		st := s.json(c.method, c.path, c.token, c.body, &e)
		if st != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.msg) {
			t.Errorf("%s: %d %+v, want %d %s containing %q", c.label, st, e.Error, c.status, c.code, c.msg)
		}
	}

	// The listing filters: an example's translations, and what is left to
	// translate into Spanish.
	s.json("GET", fmt.Sprintf("%s?translated_from=%d", base, gold), tok.Secret, nil, &page)
	if page.Total != 1 || page.Items[0].Text != "quiero comprar la Tarjeta Gold" || len(page.Items[0].Entities) != 1 {
		t.Fatalf("translated_from: %+v", page)
	}
	s.json("GET", base+"?untranslated=es&limit=100", tok.Secret, nil, &page)
	if want := len(storeExamples) - len(spanish) - len(spanishProducts); page.Total != want {
		t.Fatalf("untranslated into es: %d, want %d", page.Total, want)
	}

	// Spanish trains on the translations and understands Spanish.
	if j := s.trainWith(repo.UUID, map[string]any{"language": "es"}); j.Status != "succeeded" {
		t.Fatalf("training es: %+v", j)
	}
	var flowTok struct {
		Secret string `json:"secret"`
	}
	s.json("POST", "/v1/repositories/"+repo.UUID+"/tokens", adminSecret, map[string]string{"role": "user", "name": "flows"}, &flowTok)
	for text, want := range map[string]string{
		"necesito la 2ª vía de mi factura": "billing",
		"¿cuándo llega mi pedido?":         "tracking",
		"quiero cancelar mi suscripción":   "cancel",
	} {
		var p bothubResp
		if st := s.json("POST", "/v2/parse/", flowTok.Secret, map[string]any{"text": text, "language": "es"}, &p); st != http.StatusOK || p.Intent.Name != want {
			t.Errorf("%q in es → %d %+v, want %s", text, st, p.Intent, want)
		}
	}

	// The original's entities change: the status of es warns and counts
	// what is left to translate.
	if st := s.json("PATCH", fmt.Sprintf("%s/%d", base, gold), adminSecret, map[string]any{"entities": []span{}}, nil); st != http.StatusOK {
		t.Fatalf("changing the original's entities: %d", st)
	}
	var status struct {
		Warnings []struct {
			Code     string   `json:"code"`
			Examples []string `json:"examples"`
		} `json:"warnings"`
		Counts struct {
			Untranslated int `json:"untranslated"`
		} `json:"counts"`
	}
	s.json("GET", "/v1/repositories/"+repo.UUID+"/languages/es/status", tok.Secret, nil, &status)
	found := false
	for _, w := range status.Warnings {
		if w.Code == "translation_entities_mismatch" {
			found = len(w.Examples) == 1 && w.Examples[0] == "quiero comprar la Tarjeta Gold"
		}
	}
	if !found || status.Counts.Untranslated != page.Total {
		t.Fatalf("es status: %+v", status)
	}

	// A Bothub export nests the translations; importing it elsewhere makes
	// them translations again.
	file := s.get(t, "/v1/repositories/"+repo.UUID+"/export?format=bothub")
	if !strings.Contains(string(file), `"translations"`) || !strings.Contains(string(file), "quiero la segunda vía de mi factura") {
		t.Fatalf("export holds no translations:\n%s", file)
	}
	var other repoResp
	s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Cópia", "language": "pt_br", "languages": []string{"es"}}, &other)
	var res struct {
		Imported            int `json:"imported"`
		Translations        int `json:"translations"`
		SkippedTranslations int `json:"skipped_translations"`
	}
	// The Tarjeta Gold translation no longer matches its original: the
	// import refuses it, all or nothing, naming it.
	var e errResp
	if st := s.do("POST", "/v1/repositories/"+other.UUID+"/import?format=bothub", adminSecret, "application/json", file, &e); st != http.StatusBadRequest ||
		!strings.Contains(e.Error.Message, `extra "product"`) {
		t.Fatalf("import with a mismatched translation: %d %+v", st, e)
	}
	if st := s.json("PATCH", fmt.Sprintf("%s/%d", base, gold), adminSecret, map[string]any{"entities": []span{{Start: 16, End: 27, Entity: "product"}}}, nil); st != http.StatusOK {
		t.Fatalf("restoring the original's entities: %d", st)
	}
	file = s.get(t, "/v1/repositories/"+repo.UUID+"/export?format=bothub")
	if st := s.do("POST", "/v1/repositories/"+other.UUID+"/import?format=bothub", adminSecret, "application/json", file, &res); st != http.StatusOK ||
		res.Imported != len(storeExamples) || res.Translations != len(spanish)+len(spanishProducts) {
		t.Fatalf("import: %d %+v", st, res)
	}
	if st := s.do("POST", "/v1/repositories/"+other.UUID+"/import?format=bothub", adminSecret, "application/json", file, &res); st != http.StatusOK ||
		res.Imported != 0 || res.Translations != 0 || res.SkippedTranslations != len(spanish)+len(spanishProducts) {
		t.Fatalf("import again: %d %+v", st, res)
	}
	s.json("GET", "/v1/repositories/"+other.UUID+"/examples?untranslated=es&limit=100", adminSecret, nil, &page)
	if want := len(storeExamples) - len(spanish) - len(spanishProducts); page.Total != want {
		t.Fatalf("untranslated after the import: %d, want %d", page.Total, want)
	}
}
