package extract

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/charmap"

	"github.com/weni-ai/sabia"
	"github.com/weni-ai/sabia/content"
)

// zipFile is one entry of a test archive.
type zipFile struct {
	name, body string
}

// buildZip writes an archive with the entries in order.
func buildZip(t testing.TB, files ...zipFile) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipBomb is a small DOCX whose document.xml unpacks past
// maxZipEntryBytes (and whose header says nothing of it).
func zipBomb(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, wordDocument(""))
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for i := 0; i <= maxZipEntryBytes>>20; i++ {
		if _, err := w.Write(spaces); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > MaxFileBytes {
		t.Fatalf("the bomb is %d bytes, more than a file may be", buf.Len())
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"`

// wordDocument wraps body paragraphs in a document part.
func wordDocument(body string) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
		`<w:document ` + wNS + `><w:body>` + body + `<w:sectPr/></w:body></w:document>`
}

func para(style, text string) string {
	ppr := ""
	if style != "" {
		ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return `<w:p>` + ppr + `<w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
}

func listItem(text string) string {
	return `<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>` + text + `</w:t></w:r></w:p>`
}

func tableRow(cells ...string) string {
	s := `<w:tr>`
	for _, c := range cells {
		s += `<w:tc><w:tcPr/>` + para("", c) + `</w:tc>`
	}
	return s + `</w:tr>`
}

// policyDOCX is an exchange policy in Portuguese and Spanish: a title,
// headings, a paragraph split into runs (mid-word), a tab and a line
// break, a deleted revision, a list, a table and a text box whose fallback
// copy must not be read twice.
func policyDOCX(t testing.TB) []byte {
	body := para("Title", "Política de trocas") +
		para("Heading1", "Trocas e devoluções") +
		`<w:p><w:r><w:t xml:space="preserve">Você pode trocar o pro</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>duto em até 30 dias</w:t></w:r>` +
		`<w:del w:id="1" w:author="x"><w:r><w:delText>texto apagado</w:delText></w:r></w:del>` +
		`<w:r><w:t xml:space="preserve"> corridos.</w:t><w:tab/><w:t>Guarde a nota fiscal.</w:t><w:br/><w:t>Dúvidas? Fale conosco.</w:t></w:r></w:p>` +
		para("", "Precisa de:") +
		listItem("a nota fiscal;") +
		listItem("a embalagem original.") +
		para("Ttulo2", "Prazos por produto") +
		`<w:tbl><w:tblPr/>` + tableRow("Produto", "Prazo") + tableRow("Roupas", "30 dias") + tableRow("Eletrônicos", "7 dias") + `</w:tbl>` +
		para("Heading1", "Cambios en Argentina") +
		`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:t>Los cambios se hacen en la tienda.</w:t></mc:Choice><mc:Fallback><w:t>Los cambios se hacen en la tienda.</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>`
	core := `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Política de trocas e devoluções</dc:title><dc:creator>Loja</dc:creator></cp:coreProperties>`
	return buildZip(t,
		zipFile{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		zipFile{"docProps/core.xml", core},
		zipFile{"word/document.xml", wordDocument(body)})
}

const policyDOCXText = `Política de trocas

Trocas e devoluções

Você pode trocar o produto em até 30 dias corridos. Guarde a nota fiscal.
Dúvidas? Fale conosco.

Precisa de:

a nota fiscal;
a embalagem original.

Prazos por produto

Produto | Prazo
Roupas | 30 dias
Eletrônicos | 7 dias

Cambios en Argentina

Los cambios se hacen en la tienda.`

// helpPage is a help-centre page with everything a page carries besides
// its text: head, scripts, styles, navigation, a hidden banner, a footer.
const helpPage = `<!DOCTYPE html>
<html lang="pt-BR"><head><meta charset="utf-8"><title>Central de ajuda &ndash; Entregas</title>
<style>p { color: red }</style><script>var x = "não é texto";</script></head>
<body>
<nav><a href="/">Início</a> <a href="/ajuda">Ajuda</a></nav>
<div hidden>Banner escondido</div>
<main>
<h1>Entregas e fretes</h1>
<p>O prazo de entrega para capitais é de <b>2 a 5</b> dias&nbsp;úteis.
   Para o interior, de 5 a 10 dias úteis.</p>
<h2>Frete grátis</h2>
<ul><li>Compras acima de R$&nbsp;199;</li><li>Clientes do plano <em>Ouro</em> &amp; Prata.</li></ul>
<table><tr><th>Região</th><th>Prazo</th></tr><tr><td>Sudeste</td><td>2 dias</td></tr><tr><td>Norte</td><td>8 dias</td></tr></table>
<p>Rastreie o pedido<br>pelo aplicativo.</p>
<div>¿Envían a Uruguay? Sí, en 15 días.</div>
</main>
<footer>© Loja Sabiá · CNPJ 00.000.000/0001-00</footer>
</body></html>`

const helpPageText = `Entregas e fretes

O prazo de entrega para capitais é de 2 a 5 dias úteis. Para o interior, de 5 a 10 dias úteis.

Frete grátis

Compras acima de R$ 199;
Clientes do plano Ouro & Prata.

Região | Prazo
Sudeste | 2 dias
Norte | 8 dias

Rastreie o pedido
pelo aplicativo.

¿Envían a Uruguay? Sí, en 15 días.`

const faqPDFText = `Perguntas frequentes

Como cancelo minha assinatura? A assinatura pode ser cancelada a qualquer momento pelo aplicativo, sem multa.

Quais formas de pagamento vocês aceitam? Aceitamos:
• Pix, com aprovação imediata;
• boleto bancário, compensado em até 3 dias úteis.

O reembolso é feito em até 7 dias.

Preguntas en español

¿Hacen envíos a Argentina? Sí, el envío internacional tarda de 10 a 15 días hábiles.`

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cp1252(t testing.TB, s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

func utf16LE(s string) []byte {
	out := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

// TestText extracts each format: the text with its paragraph breaks, the
// title and the format.
func TestText(t *testing.T) {
	tests := []struct {
		name, filename, contentType string
		data                        []byte
		title, text                 string
		format                      Format
	}{
		{"pdf", "faq.pdf", "application/pdf", readFixture(t, "faq.pdf"), "Perguntas frequentes da Loja Sabiá", faqPDFText, PDF},
		{"pdf by magic bytes", "upload", "application/octet-stream", readFixture(t, "faq.pdf"), "Perguntas frequentes da Loja Sabiá", faqPDFText, PDF},
		{"docx", "politica.docx", "", policyDOCX(t), "Política de trocas e devoluções", policyDOCXText, DOCX},
		{"docx by magic bytes", "", "application/zip", policyDOCX(t), "Política de trocas e devoluções", policyDOCXText, DOCX},
		{"html", "entregas.html", "text/html; charset=utf-8", []byte(helpPage), "Central de ajuda – Entregas", helpPageText, HTML},
		{"html by magic bytes", "entregas", "", []byte(helpPage), "Central de ajuda – Entregas", helpPageText, HTML},
		{"html title from h1", "p.htm", "", []byte(`<h1>Horário de atendimento</h1><p>Das 8h às 18h.</p>`), "Horário de atendimento", "Horário de atendimento\n\nDas 8h às 18h.", HTML},
		{"html in latin-1", "antigo.html", "text/html; charset=iso-8859-1", cp1252(t, `<p>Atenção: promoção válida até março.</p>`), "antigo", "Atenção: promoção válida até março.", HTML},
		{"markdown", "faq.md", "text/markdown",
			[]byte("\xef\xbb\xbf# Perguntas frequentes\n\nVeja o [regulamento](https://loja.example/regras) ![logo](logo.png) completo.\n## Como troco?\nNa loja ou pelo app:\n- leve a nota;\n- leve o produto.\n\n[ref]: https://loja.example\n"),
			"Perguntas frequentes", "Perguntas frequentes\n\nVeja o regulamento logo completo.\n\nComo troco?\n\nNa loja ou pelo app:\n- leve a nota;\n- leve o produto.", Markdown},
		{"markdown setext title", "leia.markdown", "", []byte("Garantia\n========\n\nUm ano de garantia.\r\n"), "Garantia", "Garantia\n\nUm ano de garantia.", Markdown},
		{"markdown without heading", "notas.md", "text/plain", []byte("Texto simples.\n"), "notas", "Texto simples.", Markdown},
		{"plain", "horario.txt", "text/plain; charset=utf-8", []byte("Atendimento:\r\n\r\n\r\nDe segunda a sexta,   das 8h às 18h.\n"), "horario", "Atendimento:\n\nDe segunda a sexta, das 8h às 18h.", Plain},
		{"plain in windows-1252", "horario.txt", "", cp1252(t, "Horário: 8h às 18h – sábados até 12h."), "horario", "Horário: 8h às 18h – sábados até 12h.", Plain},
		{"plain in utf-16", "leia-me.txt", "", utf16LE("Ação válida\r\naté domingo."), "leia-me", "Ação válida\naté domingo.", Plain},
		{"plain by sniffing", "README", "", []byte("Sem extensão, mas é texto."), "README", "Sem extensão, mas é texto.", Plain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Text(context.Background(), tt.filename, tt.contentType, bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != tt.text {
				t.Errorf("text:\n%s\n--- want:\n%s", got.Text, tt.text)
			}
			if got.Title != tt.title {
				t.Errorf("title %q, want %q", got.Title, tt.title)
			}
			if got.Format != tt.format {
				t.Errorf("format %q, want %q", got.Format, tt.format)
			}
		})
	}
}

// TestTextChunksWell checks what the shaping is for: the chunker keeps a
// question with its answer and never glues two table rows or a heading to
// a paragraph in one sentence.
func TestTextChunksWell(t *testing.T) {
	for _, tt := range []struct {
		filename string
		data     []byte
		together []string // substrings that must share a passage
	}{
		{"faq.pdf", readFixture(t, "faq.pdf"), []string{"Como cancelo minha assinatura?", "cancelada a qualquer momento"}},
		{"politica.docx", policyDOCX(t), []string{"Eletrônicos | 7 dias", "Roupas | 30 dias"}},
		{"entregas.html", []byte(helpPage), []string{"O prazo de entrega para capitais", "Para o interior"}},
	} {
		got, err := Text(context.Background(), tt.filename, "", bytes.NewReader(tt.data))
		if err != nil {
			t.Fatal(err)
		}
		rs := []rune(got.Text)
		ok := false
		for _, sp := range content.Split(got.Text) {
			p := string(rs[sp.Start:sp.End])
			all := true
			for _, s := range tt.together {
				all = all && strings.Contains(p, s)
			}
			ok = ok || all
		}
		if !ok {
			t.Errorf("%s: no passage holds all of %q", tt.filename, tt.together)
		}
		for _, line := range strings.Split(got.Text, "\n") {
			if strings.Count(line, "|") > 1 {
				t.Errorf("%s: table rows glued: %q", tt.filename, line)
			}
		}
	}
}

// TestTextErrors checks every refusal: its code and that the message
// names the file.
func TestTextErrors(t *testing.T) {
	faq := readFixture(t, "faq.pdf")
	bomb := zipBomb(t)
	manyPages := make([]string, MaxPDFPages+1)
	tests := []struct {
		name, filename, contentType string
		data                        []byte
		code, message               string
	}{
		{"corrupt pdf", "quebrado.pdf", "application/pdf", []byte("%PDF-1.4\nnada aqui\n"), sabia.EUNPROCESSABLE, `"quebrado.pdf" is not a readable PDF`},
		{"truncated pdf", "cortado.pdf", "", faq[:len(faq)/2], sabia.EUNPROCESSABLE, `"cortado.pdf" is not a readable PDF`},
		{"pdf whose content makes the reader panic", "estranho.pdf", "", buildPDF("x", []string{"Q Q Q\n"}), sabia.EUNPROCESSABLE, `"estranho.pdf" is corrupt`},
		// The library's lexer would read past the end of the stream forever.
		{"pdf whose hex string never ends", "sem-fim.pdf", "", buildPDF("x", []string{"BT /F1 12 Tf (Entregamos) Tj <48656c6c"}), sabia.EUNPROCESSABLE, `page 1 of the PDF "sem-fim.pdf" is corrupt`},
		{"pdf selecting fonts past the bound", "fontes.pdf", "", fontMapPDF(maxPDFFontSelections+1, 1<<10), sabia.ETOOLARGE, `page 1 of the PDF "fontes.pdf" selects a font more than 10000 times`},
		{"pdf with an oversized ToUnicode map", "mapa.pdf", "", fontMapPDF(1, maxPDFToUnicodeBytes+1), sabia.ETOOLARGE, `page 1 of the PDF "mapa.pdf" uses a font whose ToUnicode map is larger than 1 MiB`},
		{"pdf pages sharing too much content", "repetido.pdf", "", sharedContentPDF(maxPDFFileContentBytes/maxPDFPageContentBytes+1, maxPDFPageContentBytes), sabia.ETOOLARGE, `the PDF "repetido.pdf" has more than 64 MiB of page content (at page 33)`},
		{"scanned pdf", "scanned.pdf", "", readFixture(t, "scanned.pdf"), sabia.EUNPROCESSABLE, `"scanned.pdf" has no text layer; OCR is not supported`},
		{"too many pdf pages", "grande.pdf", "", buildPDF("x", manyPages), sabia.ETOOLARGE, `"grande.pdf" has 1001 pages, more than 1000`},
		{"docx without document.xml", "vazio.docx", "", buildZip(t, zipFile{"word/styles.xml", "<w:styles/>"}), sabia.EUNPROCESSABLE, `"vazio.docx" is not a Word document: it has no word/document.xml`},
		{"docx that is no zip", "falso.docx", "", []byte("isto não é um zip"), sabia.EUNPROCESSABLE, `"falso.docx" is not a readable Word document`},
		{"docx with broken xml", "ruim.docx", "", buildZip(t, zipFile{"word/document.xml", "<w:document><w:body><w:p>"}), sabia.EUNPROCESSABLE, `"ruim.docx" is corrupt`},
		{"zip bomb entry", "bomba.docx", "", bomb, sabia.ETOOLARGE, `"bomba.docx" unpacks into more than 64 MiB`},
		{"docx nested too deep", "fundo.docx", "", buildZip(t, zipFile{"word/document.xml", wordDocument(nested(maxXMLDepth, para("", "texto")))}), sabia.EUNPROCESSABLE, `"fundo.docx" nests XML elements more than 256 deep`},
		{"docx whose core.xml nests too deep", "capa.docx", "", buildZip(t, zipFile{"docProps/core.xml", "<cp:coreProperties>" + nested(maxXMLDepth, "<dc:title>t</dc:title>") + "</cp:coreProperties>"}, zipFile{"word/document.xml", wordDocument(para("", "texto"))}), sabia.EUNPROCESSABLE, `"capa.docx" nests XML elements more than 256 deep`},
		{"zip that is not word", "arquivo.zip", "", buildZip(t, zipFile{"a.txt", "oi"}), sabia.EUNPROCESSABLE, `"arquivo.zip" is a ZIP archive but not a Word document`},
		{"oversized file", "enorme.txt", "text/plain", bytes.Repeat([]byte("a"), MaxFileBytes+1), sabia.ETOOLARGE, `"enorme.txt" is larger than 20 MiB`},
		{"empty file", "vazio.txt", "", []byte(" \n "), sabia.EUNPROCESSABLE, `"vazio.txt" is empty`},
		{"html without text", "vazio.html", "", []byte("<html><head><title>t</title></head><body><script>x()</script></body></html>"), sabia.EUNPROCESSABLE, `"vazio.html" holds no text`},
		{"old word", "antigo.doc", "", []byte("\xd0\xcf\x11\xe0"), sabia.EUNPROCESSABLE, `"antigo.doc" is an old Word .doc; save it as .docx`},
		{"binary", "foto", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), sabia.EUNPROCESSABLE, `the format of the file "foto" is not supported`},
		{"too much text", "longo.txt", "", bytes.Repeat([]byte("ab "), content.MaxDocumentRunes/3+2), sabia.ETOOLARGE, `"longo.txt" has more than 500000 characters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Text(context.Background(), tt.filename, tt.contentType, bytes.NewReader(tt.data))
			var e *sabia.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want a *sabia.Error", err)
			}
			if e.Code != tt.code || !strings.Contains(e.Message, tt.message) {
				t.Errorf("err = %s: %s, want %s containing %q", e.Code, e.Message, tt.code, tt.message)
			}
		})
	}
}

// nested wraps inner in depth nested elements.
func nested(depth int, inner string) string {
	return strings.Repeat("<w:sdt>", depth) + inner + strings.Repeat("</w:sdt>", depth)
}

// TestPDFWorkBounded checks by counting that a PDF's cost follows its
// size: a font selected 2,000 times has its 64 KiB ToUnicode map parsed
// once (the reader's Page.Content parses it at every Tf), and pages past
// a bound are refused before the map is parsed or their content lexed.
func TestPDFWorkBounded(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		err       error // from the first page it fails on, or nil
		text      string
		toUnicode int   // ToUnicode maps parsed
		content   int64 // at most this many bytes of content read
	}{
		{"a font selected 2000 times", fontMapPDF(2000, 64<<10), nil, "ABC", 1, 64 << 10},
		{"a font selected past the bound", fontMapPDF(maxPDFFontSelections+1, 64<<10), errPDFFontSelections, "", 1, 1 << 20},
		{"an oversized ToUnicode map", fontMapPDF(1, maxPDFToUnicodeBytes+1), errPDFToUnicode, "", 0, 1 << 10},
		{"pages sharing too much content", sharedContentPDF(40, maxPDFPageContentBytes), errPDFFileContent, "", 0, maxPDFFileContentBytes},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := pdf.NewReader(bytes.NewReader(tt.data), int64(len(tt.data)))
			if err != nil {
				t.Fatal(err)
			}
			var w pdfWork
			var text strings.Builder
			for i := 1; i <= r.NumPage() && err == nil; i++ {
				var glyphs []pdf.Text
				glyphs, err = pdfPageGlyphs(context.Background(), r.Page(i).V, &w)
				for _, g := range glyphs {
					text.WriteString(g.S)
				}
			}
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err == nil && text.String() != tt.text {
				t.Errorf("text %q, want %q", text.String(), tt.text)
			}
			if w.toUnicode != tt.toUnicode {
				t.Errorf("%d ToUnicode maps parsed, want %d", w.toUnicode, tt.toUnicode)
			}
			if w.contentBytes > tt.content {
				t.Errorf("%d bytes of content read, want at most %d", w.contentBytes, tt.content)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += k
	return k, err
}

// TestXMLDepthBounded checks by counting that a deeply nested part is
// refused after reading its first elements, not the whole part: 4 Mi
// nested elements (12 MiB, 12 KiB zipped) once held about 400 MiB.
func TestXMLDepthBounded(t *testing.T) {
	deep := strings.Repeat("<a>", 4<<20)
	for _, tt := range []struct {
		name string
		read func(io.Reader) error
	}{
		{"document.xml", func(r io.Reader) error { _, err := docxText(context.Background(), r); return err }},
		{"core.xml", func(r io.Reader) error { _, err := coreTitle(r); return err }},
	} {
		c := &countingReader{r: strings.NewReader(deep)}
		if err := tt.read(c); !errors.Is(err, errXMLTooDeep) {
			t.Errorf("%s: err = %v, want errXMLTooDeep", tt.name, err)
		}
		if c.n > 64<<10 {
			t.Errorf("%s: read %d bytes before refusing, want at most 64 KiB", tt.name, c.n)
		}
	}
}

// TestDetect checks the order of the clues: content type, extension,
// first bytes.
func TestDetect(t *testing.T) {
	pdfHead := []byte("%PDF-1.7\n")
	tests := []struct {
		filename, contentType string
		data                  []byte
		want                  Format
	}{
		{"a.bin", "application/pdf", nil, PDF},
		{"a.pdf", "", nil, PDF},
		{"a.PDF", "application/octet-stream", nil, PDF},
		{"a", "", pdfHead, PDF},
		{"a.docx", "", nil, DOCX},
		{"a", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil, DOCX},
		{"a.htm", "", nil, HTML},
		{"a.md", "text/plain", nil, Markdown},
		{"a.txt", "text/html", nil, HTML},
		{"a", "", []byte("  <!DOCTYPE html><p>x"), HTML},
		{"a", "", []byte("texto"), Plain},
		{"a.txt", "", pdfHead, Plain},
	}
	for _, tt := range tests {
		got, err := detect(tt.filename, tt.contentType, tt.data)
		if err != nil || got != tt.want {
			t.Errorf("detect(%q, %q) = %q, %v; want %q", tt.filename, tt.contentType, got, err, tt.want)
		}
	}
}

// TestTextCancelled checks that a cancelled context stops a PDF between
// pages.
func TestTextCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Text(ctx, "faq.pdf", "", bytes.NewReader(readFixture(t, "faq.pdf")))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestHexGuard: the guard finds a hex string open at the end of a content
// stream, and only that.
func TestHexGuard(t *testing.T) {
	for _, tc := range []struct {
		stream string
		open   bool
	}{
		{"BT (Entregamos) Tj ET", false},
		{"<48656c6c6f> Tj", false},
		{"<48656c6c", true},
		{"BT /F1 12 Tf <", true},
		{"<<>> BDC <> Tj", false},
		{"% um comentário com < dentro\nBT ET", false},
		{"(um texto com < e \\) e (parênteses)) Tj", false},
		{"(sem fim <", false}, // an open literal string ends at the end of the stream
		{"<< /Dict <4142", true},
		// After an invalid escape the lexer drops the literal string and
		// reads on: "<<" opens a dictionary, the last "<" a hex string.
		{"[ (\\vS Q2 <<<\\", true},
		{"(\\101\\777 <41", true}, // an octal escape over 255 drops the string too
		{"(\\101\\n <41) Tj", false},
		{"<4G> (x) Tj <41", true}, // a bad pair ends the hex string; the next one opens
		{"<4G> Tj", false},
	} {
		var g hexGuard
		_, _ = g.Write([]byte(tc.stream))
		if g.open() != tc.open {
			t.Errorf("%q: open = %v, want %v", tc.stream, g.open(), tc.open)
		}
	}
}
