package main

import (
	"archive/zip"
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"testing"
)

// multipartBody builds an upload: a file part and text fields.
func multipartBody(t *testing.T, filename, contentType string, file []byte, fields map[string]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+filename+`"`)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write(file)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// exchangeDOCX is a Word document written for this test: an exchange
// policy with a heading, paragraphs and a table.
func exchangeDOCX(t *testing.T) []byte {
	t.Helper()
	p := func(style, text string) string {
		ppr := ""
		if style != "" {
			ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
		}
		return `<w:p>` + ppr + `<w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
	}
	cell := func(s string) string { return `<w:tc>` + p("", s) + `</w:tc>` }
	body := p("Heading1", "Política de trocas") +
		p("", "Produtos com defeito podem ser trocados em até 90 dias, com a nota fiscal.") +
		p("", "Para trocar um presente, basta levar a etiqueta de troca a qualquer loja física em até 30 dias.") +
		`<w:tbl><w:tr>` + cell("Categoria") + cell("Prazo") + `</w:tr><w:tr>` + cell("Calçados") + cell("60 dias") + `</w:tr></w:tbl>`
	doc := `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `</w:body></w:document>`
	core := `<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Trocas e devoluções</dc:title></cp:coreProperties>`
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct{ name, body string }{{"word/document.xml", doc}, {"docProps/core.xml", core}} {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(f.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const deliveryPage = `<!DOCTYPE html><html><head><title>Entregas | Loja</title><script>track("não responda isto")</script></head>
<body><nav>Início · Ajuda</nav><h1>Entregas</h1>
<p>Entregamos em Manaus e Belém em até 12 dias úteis, pela transportadora parceira.</p>
<ul><li>Frete grátis acima de R$&nbsp;300.</li><li>Retirada na loja sem custo.</li></ul>
<footer>Loja Sabiá</footer></body></html>`

// roleTokens creates a token of each role for the repository at base
// and returns their secrets by role.
func (s *server) roleTokens(base string, roles ...string) map[string]string {
	s.t.Helper()
	tokens := map[string]string{}
	for _, role := range roles {
		var tok struct {
			Secret string `json:"secret"`
		}
		if st := s.json("POST", base+"/tokens", adminSecret, map[string]string{"role": role, "name": role}, &tok); st != http.StatusCreated {
			s.t.Fatalf("token %s: %d", role, st)
		}
		tokens[role] = tok.Secret
	}
	return tokens
}

type uploadResp struct {
	ID             int64  `json:"id"`
	Title          string `json:"title"`
	Source         string `json:"source"`
	Language       string `json:"language"`
	Text           string `json:"text"`
	Chars          int    `json:"chars"`
	Chunks         int    `json:"chunks"`
	Format         string `json:"format"`
	ExtractedChars int    `json:"extracted_chars"`
}

// TestUploadDocuments uploads a DOCX, an HTML page and a PDF through the
// real server and gets extractive answers that only the uploaded files
// hold.
func TestUploadDocuments(t *testing.T) {
	s := startServer(t, t.TempDir())
	var repo repoResp
	if st := s.json("POST", "/v1/repositories", adminSecret, map[string]any{"name": "Loja", "language": "pt_br"}, &repo); st != http.StatusCreated {
		t.Fatalf("create repository: %d", st)
	}
	base := "/v1/repositories/" + repo.UUID
	tokens := s.roleTokens(base, "user", "contributor")
	// Something else to answer from, so that retrieval has to choose.
	other := map[string]string{"title": "Pagamentos", "text": "Aceitamos Pix, boleto e cartão de crédito em até 10 vezes sem juros."}
	if st := s.json("POST", base+"/documents", tokens["contributor"], other, nil); st != http.StatusCreated {
		t.Fatalf("add document: %d", st)
	}

	body, ct := multipartBody(t, "trocas.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", exchangeDOCX(t), map[string]string{"language": "pt-BR"})
	var e errResp
	if st := s.do("POST", base+"/documents/upload", tokens["user"], ct, body, &e); st != http.StatusForbidden || e.Error.Code != "forbidden" {
		t.Fatalf("a user uploads: %d %+v", st, e)
	}
	var docx uploadResp
	if st := s.do("POST", base+"/documents/upload", tokens["contributor"], ct, body, &docx); st != http.StatusCreated {
		t.Fatalf("upload docx: %d %+v", st, docx)
	}
	if docx.ID == 0 || docx.Title != "Trocas e devoluções" || docx.Source != "trocas.docx" || docx.Language != "pt_br" || docx.Format != "docx" ||
		docx.Text != "" || docx.Chunks == 0 || docx.ExtractedChars != docx.Chars || docx.Chars < 150 {
		t.Fatalf("uploaded docx: %+v", docx)
	}

	body, ct = multipartBody(t, "entregas.html", "text/html", []byte(deliveryPage), map[string]string{"title": "Entregas no Norte", "source": "https://loja.example/entregas"})
	var page uploadResp
	if st := s.do("POST", base+"/documents/upload", tokens["contributor"], ct, body, &page); st != http.StatusCreated {
		t.Fatalf("upload html: %d", st)
	}
	if page.Title != "Entregas no Norte" || page.Source != "https://loja.example/entregas" || page.Format != "html" {
		t.Fatalf("uploaded html: %+v", page)
	}
	var full struct {
		Text string `json:"text"`
	}
	if st := s.json("GET", base+"/documents/"+strconv.FormatInt(page.ID, 10), tokens["user"], nil, &full); st != http.StatusOK ||
		strings.Contains(full.Text, "track") || strings.Contains(full.Text, "Início") || !strings.Contains(full.Text, "Frete grátis acima de R$ 300.\nRetirada na loja") {
		t.Fatalf("html text: %d %q", st, full.Text)
	}

	pdf, err := os.ReadFile("../../content/extract/testdata/faq.pdf")
	if err != nil {
		t.Fatal(err)
	}
	body, ct = multipartBody(t, "faq.pdf", "", pdf, nil)
	var fromPDF uploadResp
	if st := s.do("POST", base+"/documents/upload", tokens["contributor"], ct, body, &fromPDF); st != http.StatusCreated || fromPDF.Format != "pdf" || fromPDF.Title != "Perguntas frequentes da Loja Sabiá" {
		t.Fatalf("upload pdf: %d %+v", st, fromPDF)
	}

	for _, c := range []struct {
		question, want string
		doc            int64
	}{
		{"em quantos dias posso trocar um presente?", "etiqueta de troca", docx.ID},
		{"qual o prazo de entrega para Manaus?", "12 dias úteis", page.ID},
		{"como cancelo minha assinatura?", "cancelada a qualquer momento", fromPDF.ID},
	} {
		var a answerResp
		if st := s.json("POST", base+"/answer", tokens["user"], map[string]string{"question": c.question}, &a); st != http.StatusOK {
			t.Fatalf("answer %q: %d", c.question, st)
		}
		if !a.Answered || a.Mode != "extractive" || !strings.Contains(a.Answer, c.want) || len(a.Sources) == 0 || a.Sources[0].DocumentID != c.doc {
			t.Errorf("%q: %+v", c.question, a)
		}
	}

	scanned, err := os.ReadFile("../../content/extract/testdata/scanned.pdf")
	if err != nil {
		t.Fatal(err)
	}
	bad := func(name string, file []byte, fields map[string]string) ([]byte, string) {
		return multipartBody(t, name, "", file, fields)
	}
	for _, c := range []struct {
		name   string
		body   func() ([]byte, string)
		status int
		code   string
	}{
		{"not multipart", func() ([]byte, string) { return []byte(`{"title":"x"}`), "application/json" }, http.StatusBadRequest, "invalid"},
		{"no file", func() ([]byte, string) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("title", "sem arquivo")
			_ = mw.Close()
			return buf.Bytes(), mw.FormDataContentType()
		}, http.StatusBadRequest, "invalid"},
		{"unknown field", func() ([]byte, string) { return bad("a.txt", []byte("oi"), map[string]string{"autor": "x"}) }, http.StatusBadRequest, "invalid"},
		{"scanned pdf", func() ([]byte, string) { return bad("scan.pdf", scanned, nil) }, http.StatusUnprocessableEntity, "unprocessable"},
		{"not a docx", func() ([]byte, string) { return bad("falso.docx", []byte("texto"), nil) }, http.StatusUnprocessableEntity, "unprocessable"},
		{"too large", func() ([]byte, string) { return bad("grande.txt", bytes.Repeat([]byte("a "), 10<<20+1), nil) }, http.StatusRequestEntityTooLarge, "too_large"},
		{"bad language", func() ([]byte, string) { return bad("a.txt", []byte("oi"), map[string]string{"language": "klingon"}) }, http.StatusBadRequest, "invalid"},
	} {
		b, ct := c.body()
		var e errResp
		if st := s.do("POST", base+"/documents/upload", tokens["contributor"], ct, b, &e); st != c.status || e.Error.Code != c.code || e.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", c.name, st, e, c.status, c.code)
		}
	}
	var list struct {
		Total int `json:"total"`
	}
	if st := s.json("GET", base+"/documents", tokens["user"], nil, &list); st != http.StatusOK || list.Total != 4 {
		t.Fatalf("documents after bad uploads: %d %d, want 4", st, list.Total)
	}
}
