package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/weni-ai/sabia"
)

// checkExtraction is what every input must satisfy: no panic, an error
// that is a *sabia.Error, or valid tidy text.
func checkExtraction(t *testing.T, out Extracted, err error) {
	t.Helper()
	if err != nil {
		var e *sabia.Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v is not a *sabia.Error", err)
		}
		return
	}
	if out.Text == "" || !utf8.ValidString(out.Text) || !utf8.ValidString(out.Title) {
		t.Fatalf("bad extraction %+v", out)
	}
	if bytes.Contains([]byte(out.Text), []byte("\n\n\n")) {
		t.Fatalf("more than one blank line in a row: %q", out.Text)
	}
}

// FuzzHTML feeds arbitrary pages to the HTML extractor.
func FuzzHTML(f *testing.F) {
	f.Add([]byte(helpPage))
	f.Add([]byte(`<table><tr><td>a<table><tr><td>b</td></tr></table></td><td>c</td></tr></table>`))
	f.Add([]byte(`<pre>linha 1
linha 2</pre><h1>título<h1><li>x`))
	f.Add([]byte("<meta charset=\"windows-1252\"><p>a\xe7\xe3o</p>"))
	f.Fuzz(func(t *testing.T, page []byte) {
		out, err := Text(context.Background(), "pagina.html", "text/html", bytes.NewReader(page))
		checkExtraction(t, out, err)
	})
}

// FuzzDOCX feeds arbitrary archives to the DOCX extractor, and arbitrary
// document parts wrapped in a valid archive, so that the XML walk is
// reached by most inputs.
func FuzzDOCX(f *testing.F) {
	f.Add(policyDOCX(f))
	f.Add([]byte(wordDocument(para("Heading1", "Título") + `<w:tbl>` + tableRow("a", "b") + `</w:tbl>`)))
	f.Add([]byte(`<w:p><w:r><w:t>sem fim`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("PK")) {
			data = buildZip(t, zipFile{"word/document.xml", string(data)})
		}
		out, err := Text(context.Background(), "documento.docx", "", bytes.NewReader(data))
		checkExtraction(t, out, err)
	})
}

// FuzzPDF feeds arbitrary files to the PDF extractor (and its own content
// reader): the committed text PDF, a font with a ToUnicode map, and
// content streams wrapped in a valid one-page file, so that most inputs
// reach the operators.
func FuzzPDF(f *testing.F) {
	if faq, err := os.ReadFile("testdata/faq.pdf"); err == nil {
		f.Add(faq)
	}
	f.Add(fontMapPDF(3, 512))
	f.Add([]byte("BT /F1 12 Tf 72 712 Td (Entregamos aos s\\341bados) Tj ET"))
	f.Add([]byte("q Q Q BT [(a) -250 (b)] TJ ' \" ET"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			data = writePDF([]string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
				fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(data), data),
				"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
			})
		}
		out, err := Text(context.Background(), "faq.pdf", "application/pdf", bytes.NewReader(data))
		checkExtraction(t, out, err)
	})
}
