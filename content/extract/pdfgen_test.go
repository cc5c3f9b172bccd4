package extract

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// update rewrites the PDF fixtures in testdata from the generator below.
var update = flag.Bool("update", false, "rewrite testdata/*.pdf")

// The fixtures in testdata are written by this generator, not taken from
// anywhere: minimal PDF 1.4 files with the standard Courier fonts
// (WinAnsiEncoding, every glyph 600/1000 wide, so /Widths is exact), the
// page resources inherited from the page tree, uncompressed content
// streams and a classic xref table. Regenerate them with
//
//	go test ./content/extract -run TestGeneratePDF -update
//
// and without -update the test checks that the committed files are what
// the generator writes.

// pdfFixtures maps each fixture's file name to its bytes.
func pdfFixtures() map[string][]byte {
	return map[string][]byte{
		"faq.pdf":     buildPDF("Perguntas frequentes da Loja Sabiá", faqPages()),
		"scanned.pdf": buildPDF("Digitalização", []string{scannedPage}),
	}
}

// faqPages is a two-page FAQ in Portuguese: a heading, questions and
// answers in paragraphs, a hyphenated word at a line end, a bulleted list,
// a page number at the foot of the page, and a heading in Spanish on the
// second page.
func faqPages() []string {
	var p1 pdfContent
	p1.line("F2", 16, 72, 740, "Perguntas frequentes")
	p1.line("F1", 11, 72, 700, "Como cancelo minha assinatura?")
	p1.line("F1", 11, 72, 686, "A assinatura pode ser can-")
	p1.line("F1", 11, 72, 672, "celada a qualquer momento pelo aplicativo,")
	p1.line("F1", 11, 72, 658, "sem multa.")
	p1.line("F1", 11, 72, 620, "Quais formas de pagamento vocês aceitam?")
	p1.line("F1", 11, 72, 606, "Aceitamos:")
	p1.line("F1", 11, 72, 592, "• Pix, com aprovação imediata;")
	p1.line("F1", 11, 72, 578, "• boleto bancário, compensado em até 3 dias úteis.")
	// Words drawn as separate strings: the space comes from their positions.
	p1.words("F1", 11, 72, 540, "O", "reembolso", "é", "feito", "em", "até", "7", "dias.")
	p1.line("F1", 9, 300, 40, "1")
	var p2 pdfContent
	p2.line("F2", 16, 72, 740, "Preguntas en español")
	p2.line("F1", 11, 72, 700, "¿Hacen envíos a Argentina? Sí, el envío internacional")
	p2.line("F1", 11, 72, 686, "tarda de 10 a 15 días hábiles.")
	p2.line("F1", 9, 300, 40, "2")
	return []string{p1.String(), p2.String()}
}

// scannedPage draws an image over the page and no text: what a scanner
// produces without OCR.
const scannedPage = "q 612 0 0 792 0 0 cm /Im1 Do Q\n0 0 1 rg 72 72 100 100 re f\n"

// pdfContent writes a content stream.
type pdfContent struct{ strings.Builder }

// line draws s at (x, y) in font f of size pt.
func (c *pdfContent) line(f string, pt, x, y float64, s string) {
	fmt.Fprintf(c, "BT /%s %g Tf %g %g Td (%s) Tj ET\n", f, pt, x, y, pdfString(s))
}

// words draws each word as its own string, one space width apart, as
// typesetters that position every word do.
func (c *pdfContent) words(f string, pt, x, y float64, ws ...string) {
	fmt.Fprintf(c, "BT /%s %g Tf %g %g Td", f, pt, x, y)
	for i, w := range ws {
		if i > 0 {
			fmt.Fprintf(c, " %g 0 Td", float64(len([]rune(ws[i-1]))+1)*0.6*pt)
		}
		fmt.Fprintf(c, " (%s) Tj", pdfString(w))
	}
	c.WriteString(" ET\n")
}

// pdfString encodes s in WinAnsiEncoding and escapes it for a literal string.
func pdfString(s string) string {
	b, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`).Replace(b)
}

// buildPDF writes a PDF whose pages have the given content streams.
func buildPDF(title string, pages []string) []byte {
	var objs []string // objs[i] is object i+1
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("") // filled in below
	tree := add("")
	widths := strings.TrimSpace(strings.Repeat("600 ", 224))
	f1 := add("<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [" + widths + "] >>")
	f2 := add("<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [" + widths + "] >>")
	img := add("<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")
	info := add(fmt.Sprintf("<< /Title (%s) /Producer (sabia content/extract test generator) >>", pdfString(title)))
	var kids []string
	for _, content := range pages {
		c := add(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content))
		p := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R >>", tree, c))
		kids = append(kids, fmt.Sprintf("%d 0 R", p))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree)
	objs[tree-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>",
		strings.Join(kids, " "), len(kids), f1, f2, img)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, info, xref)
	return b.Bytes()
}

// TestGeneratePDF keeps testdata/*.pdf equal to what the generator writes
// (and rewrites them with -update).
func TestGeneratePDF(t *testing.T) {
	for name, want := range pdfFixtures() {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestGeneratePDF -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run go test -run TestGeneratePDF -update", path)
		}
	}
}

// writePDF writes objects 1…n (object 1 the catalog) with a classic xref
// table.
func writePDF(objs []string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// flateStream is a stream object holding s compressed.
func flateStream(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = w.Write([]byte(s))
	_ = w.Close()
	return fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", b.Len(), b.String())
}

// fontMapPDF is one page that selects font F1 tfs times and then shows
// "ABC"; F1 has no /Encoding, so the reader decodes through its
// ToUnicode map, which takes at least mapBytes. The reader's own
// Page.Content parses that map again at every Tf: tfs × mapBytes of work
// from a file of a few KiB.
func fontMapPDF(tfs, mapBytes int) []byte {
	var cm strings.Builder
	cm.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <00> <FF> endcodespacerange\n")
	for cm.Len() < mapBytes {
		cm.WriteString("100 beginbfchar\n")
		for i := 0; i < 100; i++ {
			fmt.Fprintf(&cm, "<%02X> <00%02X>\n", 0x41+i%26, 0x41+i%26)
		}
		cm.WriteString("endbfchar\n")
	}
	cm.WriteString("endcmap CMapName currentdict /CMap defineresource pop end end\n")
	return writePDF([]string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		flateStream("BT " + strings.Repeat("/F1 12 Tf ", tfs) + "72 700 Td (ABC) Tj ET\n"),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /ToUnicode 6 0 R >>",
		flateStream(cm.String()),
	})
}

// sharedContentPDF is pages pages that all draw one content stream of
// contentBytes (white space, which compresses to almost nothing).
func sharedContentPDF(pages, contentBytes int) []byte {
	kids := make([]string, pages)
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", "", flateStream(strings.Repeat(" ", contentBytes))}
	for i := range kids {
		objs = append(objs, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>")
		kids[i] = fmt.Sprintf("%d 0 R", len(objs))
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages)
	return writePDF(objs)
}
