package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"github.com/weni-ai/sabia"
)

// PDF layout heuristics, in multiples of the font size.
const (
	pdfSameLine     = 0.5  // glyphs within this vertical distance share a line
	pdfWordGap      = 0.15 // a horizontal gap wider than this between glyphs is a space
	pdfParagraphGap = 1.6  // a vertical step larger than this (1.2 is single spacing) starts a paragraph
	pdfHeadingScale = 1.15 // lines this much larger than the body text are headings
	// pdfMaxTreeDepth bounds the page tree and the Parent chains walked, so
	// that a cyclic tree in a hostile file cannot loop forever.
	pdfMaxTreeDepth = 64
)

// extractPDF reads the text layer of a PDF: glyphs are put back into lines
// by position, lines into paragraphs by spacing, headings (larger type)
// stand alone, list items keep their own lines, and words hyphenated at a
// line end are joined. The title is the document information's Title.
// The PDF reader panics on some malformed files; those become
// EUNPROCESSABLE like any other corrupt file.
func extractPDF(ctx context.Context, name string, data []byte) (out Extracted, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, err = Extracted{}, wrap(sabia.EUNPROCESSABLE, fmt.Errorf("pdf reader: %v", p), "the PDF %s is corrupt", name)
		}
	}()
	if bytes.HasPrefix(data, []byte("%PDF-2.")) {
		// The reader only knows the 1.x header; PDF 2.0 files are read
		// the same way. Same length, so no offset moves.
		data = append([]byte("%PDF-1.7"), data[len("%PDF-2.0"):]...)
	}
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		if errors.Is(err, pdf.ErrInvalidPassword) || strings.Contains(err.Error(), "encrypt") {
			return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the PDF %s is password-protected or encrypted", name)
		}
		return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the file %s is not a readable PDF", name)
	}
	if n := r.NumPage(); n > MaxPDFPages {
		return Extracted{}, sabia.Errorf(sabia.ETOOLARGE, "the PDF %s has %d pages, more than %d", name, n, MaxPDFPages)
	}
	pages, err := pdfPages(r.Trailer().Key("Root").Key("Pages"))
	if err != nil {
		return Extracted{}, wrap(sabia.ETOOLARGE, err, "the PDF %s has more than %d pages", name, MaxPDFPages)
	}
	var (
		all   [][]pdfLine
		runes int
		work  pdfWork
	)
	for i, pg := range pages {
		if err := ctx.Err(); err != nil {
			return Extracted{}, fmt.Errorf("reading %s: %w", name, err)
		}
		glyphs, err := pdfPageGlyphs(ctx, pg, &work)
		if err != nil {
			return Extracted{}, pdfPageError(name, i+1, err)
		}
		lines := pdfLines(glyphs)
		for _, l := range lines {
			runes += utf8.RuneCountInString(l.text)
		}
		if runes > maxTextRunes {
			return Extracted{}, tooMuchText(name)
		}
		all = append(all, lines)
	}
	title := r.Trailer().Key("Info").Key("Title").Text()
	return Extracted{Title: title, Text: pdfText(all)}, nil
}

// pdfPages lists the page objects of the page tree, in order, refusing
// trees with more than MaxPDFPages pages or deeper than pdfMaxTreeDepth.
func pdfPages(root pdf.Value) ([]pdf.Value, error) {
	var pages []pdf.Value
	visited := 0
	var walk func(n pdf.Value, depth int) error
	walk = func(n pdf.Value, depth int) error {
		if visited++; visited > 4*MaxPDFPages || depth > pdfMaxTreeDepth {
			return errors.New("page tree too large or cyclic")
		}
		kids := n.Key("Kids")
		if n.Key("Type").Name() == "Pages" || (kids.Kind() == pdf.Array && n.Key("Type").Name() != "Page") {
			for i := 0; i < kids.Len(); i++ {
				if err := walk(kids.Index(i), depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if len(pages) >= MaxPDFPages {
			return errors.New("too many pages")
		}
		pages = append(pages, n)
		return nil
	}
	if root.IsNull() {
		return nil, nil
	}
	return pages, walk(root, 0)
}

// pdfPageGlyphs checks a page, then reads its glyphs.
func pdfPageGlyphs(ctx context.Context, pg pdf.Value, w *pdfWork) ([]pdf.Text, error) {
	if err := checkPDFPage(pg, w); err != nil {
		return nil, err
	}
	return pageGlyphs(ctx, pdf.Page{V: pg}, w)
}

// pdfPageError is the error of reading page n of a PDF, naming the file
// and the page.
func pdfPageError(name string, n int, err error) error {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("reading %s: %w", name, err)
	case errors.Is(err, errPartTooLarge):
		return wrap(sabia.ETOOLARGE, err, "page %d of the PDF %s is larger than %d MiB of content", n, name, maxPDFPageContentBytes>>20)
	case errors.Is(err, errPDFFileContent):
		return wrap(sabia.ETOOLARGE, err, "the PDF %s has more than %d MiB of page content (at page %d)", name, maxPDFFileContentBytes>>20, n)
	case errors.Is(err, errPDFFontSelections):
		return wrap(sabia.ETOOLARGE, err, "page %d of the PDF %s selects a font more than %d times", n, name, maxPDFFontSelections)
	case errors.Is(err, errPDFToUnicode):
		return wrap(sabia.ETOOLARGE, err, "page %d of the PDF %s uses a font whose ToUnicode map is larger than %d MiB", n, name, maxPDFToUnicodeBytes>>20)
	case errors.Is(err, errPDFDecodeWork):
		return wrap(sabia.ETOOLARGE, err, "the PDF %s maps too much text through large ToUnicode maps (at page %d)", name, n)
	}
	return wrap(sabia.EUNPROCESSABLE, err, "page %d of the PDF %s is corrupt", n, name)
}

// checkPDFPage refuses a page whose Parent chain does not end (the reader
// would follow it forever) or whose content unpacks into more than
// maxPDFPageContentBytes, or past maxPDFFileContentBytes for the file
// with the pages before it (counted in w).
func checkPDFPage(pg pdf.Value, w *pdfWork) error {
	v := pg
	for depth := 0; !v.IsNull(); depth++ {
		if depth > pdfMaxTreeDepth {
			return errors.New("cyclic Parent chain")
		}
		v = v.Key("Parent")
	}
	contents := pg.Key("Contents")
	streams := []pdf.Value{contents}
	if contents.Kind() == pdf.Array {
		streams = streams[:0]
		for i := 0; i < contents.Len(); i++ {
			streams = append(streams, contents.Index(i))
		}
	}
	var total int64
	for _, s := range streams {
		if s.Kind() != pdf.Stream {
			continue
		}
		fileLeft := maxPDFFileContentBytes - w.contentBytes
		limit := min(maxPDFPageContentBytes-total, fileLeft)
		rc := s.Reader()
		var guard hexGuard
		n, err := io.Copy(&guard, &cappedReader{r: rc, n: limit})
		rc.Close()
		total += n
		w.contentBytes += n
		if errors.Is(err, errPartTooLarge) && limit == fileLeft {
			return errPDFFileContent
		}
		if err != nil {
			return err
		}
		if guard.open() {
			return errors.New("a hex string (<…>) never ends")
		}
	}
	return nil
}

// hexGuard follows the strings and comments of a content stream (or a
// ToUnicode map) as the PDF library's lexer reads them, to find a hex string
// "<…" still open at the end: the lexer reads past the end of the stream
// forever looking for its ">" (a 70-byte page and a truncated map each hung
// extraction in fuzzing). Other malformed tokens
// make the lexer fail, which the extractor reports.
type hexGuard struct {
	// state: 0 between tokens, '%' in a comment, '(' in a literal string,
	// '\\' after a backslash in one, '8' in its octal escape, '<' after one
	// '<', 'h' in a hex string, 'x' after the first digit of a pair.
	state byte
	depth int // of parentheses in a literal string
	octal int // digits read of an octal escape, and its value
	value int
}

// The lexer resumes after a token it cannot read (an invalid escape, a
// bad hex digit), so the guard does the same to stay in step with it.
func (g *hexGuard) Write(p []byte) (int, error) {
	for _, c := range p {
		g.step(c)
	}
	return len(p), nil
}

func (g *hexGuard) step(c byte) {
	switch g.state {
	case 0:
		switch c {
		case '%':
			g.state = '%'
		case '(':
			g.state, g.depth = '(', 1
		case '<':
			g.state = '<'
		}
	case '%':
		if c == '\n' || c == '\r' {
			g.state = 0
		}
	case '(':
		switch c {
		case '\\':
			g.state = '\\'
		case '(':
			g.depth++
		case ')':
			if g.depth--; g.depth == 0 {
				g.state = 0
			}
		}
	case '\\':
		switch c {
		case 'n', 'r', 'b', 't', 'f', '(', ')', '\\', '\r', '\n':
			g.state = '('
		case '0', '1', '2', '3', '4', '5', '6', '7':
			g.state, g.octal, g.value = '8', 1, int(c-'0')
		default: // invalid escape: the lexer drops the string here
			g.state = 0
		}
	case '8':
		if c >= '0' && c <= '7' && g.octal < 3 {
			g.octal++
			g.value = g.value*8 + int(c-'0')
			if g.octal == 3 {
				g.state = '('
				if g.value > 255 {
					g.state = 0
				}
			}
			return
		}
		g.state = '('
		if g.value > 255 {
			g.state = 0
		}
		g.step(c)
	case '<':
		if c == '<' { // a dictionary
			g.state = 0
			return
		}
		g.state = 'h'
		g.step(c)
	case 'h':
		switch {
		case c == '>':
			g.state = 0
		case isPDFSpace(c):
		default:
			g.state = 'x'
			if !isHexDigit(c) {
				g.state = 'X' // the pair is bad whatever follows
			}
		}
	case 'x', 'X':
		switch {
		case isPDFSpace(c):
		case g.state == 'x' && isHexDigit(c):
			g.state = 'h'
		default: // a bad pair: the lexer gives the string up
			g.state = 0
		}
	}
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// isPDFSpace reports whether the lexer skips c as white space.
func isPDFSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

// open reports whether the stream ended inside a hex string.
func (g *hexGuard) open() bool {
	return g.state == '<' || g.state == 'h' || g.state == 'x' || g.state == 'X'
}

// pdfLine is a line of text as laid out on a page.
type pdfLine struct {
	text string
	y    float64 // baseline, increasing upwards
	size float64 // the largest font size on the line
}

// pdfLines puts a page's glyphs, in the order they are drawn, back into
// lines: a glyph far enough above or below the line starts a new one, a
// horizontal gap between glyphs is a space.
func pdfLines(glyphs []pdf.Text) []pdfLine {
	var (
		lines []pdfLine
		b     strings.Builder
		cur   pdfLine
		lastX float64 // end of the previous glyph, when its width is known
		known bool
	)
	flush := func() {
		if t := strings.TrimSpace(b.String()); t != "" {
			cur.text = t
			lines = append(lines, cur)
		}
		b.Reset()
		known = false
	}
	for _, g := range glyphs {
		if g.S == "" || g.S == "\n" {
			continue
		}
		size := math.Max(math.Abs(g.FontSize), 1)
		if b.Len() == 0 || math.Abs(g.Y-cur.y) > pdfSameLine*math.Max(size, cur.size) {
			flush()
			cur = pdfLine{y: g.Y, size: size}
		} else {
			gap := g.X - lastX
			space := strings.HasSuffix(b.String(), " ") || strings.TrimSpace(g.S) == ""
			if !space && known && (gap > pdfWordGap*size || gap < -2*size) {
				b.WriteByte(' ')
			}
			cur.size = math.Max(cur.size, size)
		}
		b.WriteString(g.S)
		lastX, known = g.X+g.W, g.W > 0
	}
	flush()
	return lines
}

// pdfText joins the pages' lines into paragraphs: a larger vertical step,
// a change to or from heading size, or a new page ends a paragraph; a list
// item or a line after a colon starts a new line; other lines of a
// paragraph are joined with a space, or without the hyphen when a word was
// split at the line end. A line that is only a page number is dropped.
func pdfText(pages [][]pdfLine) string {
	body := bodySize(pages)
	var out blocks
	var para []byte // the paragraph being joined; "\n" separates its lines
	flush := func() {
		out.raw(string(para))
		out.paragraph()
		para = para[:0]
	}
	for _, lines := range pages {
		flush()
		var prev *pdfLine
		for i := range lines {
			l := &lines[i]
			if (i == 0 || i == len(lines)-1) && isPageNumber(l.text) {
				continue
			}
			heading := l.size > body*pdfHeadingScale
			if prev != nil {
				prevHeading := prev.size > body*pdfHeadingScale
				step := prev.y - l.y
				height := math.Max(prev.size, l.size)
				switch {
				case heading || prevHeading || step < 0 || step > pdfParagraphGap*height:
					flush()
				case isListItem(l.text) || strings.HasSuffix(prev.text, ":"):
					para = append(para, '\n')
				case hyphenated(prev.text, l.text):
					para = para[:len(para)-1]
				default:
					para = append(para, ' ')
				}
			}
			para = append(para, l.text...)
			prev = l
		}
	}
	flush()
	return out.String()
}

// bodySize is the font size most of the text is set in.
func bodySize(pages [][]pdfLine) float64 {
	count := map[float64]int{}
	for _, lines := range pages {
		for _, l := range lines {
			count[math.Round(l.size*2)/2] += utf8.RuneCountInString(l.text)
		}
	}
	sizes := make([]float64, 0, len(count))
	for s := range count {
		sizes = append(sizes, s)
	}
	sort.Float64s(sizes)
	best, n := 0.0, -1
	for _, s := range sizes {
		if count[s] > n {
			best, n = s, count[s]
		}
	}
	return best
}

func isPageNumber(s string) bool {
	if len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isListItem reports lines that start with a bullet or an item number
// ("•", "-", "1.", "2)", "a)").
func isListItem(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	switch r {
	case '•', '◦', '▪', '‣', '·', '-', '–', '—', '*', '○', '■', '□', '➢', '✓':
		return true
	}
	rest := s[size:]
	if unicode.IsDigit(r) {
		rest = strings.TrimLeftFunc(rest, unicode.IsDigit)
	} else if !unicode.IsLower(r) || utf8.RuneCountInString(s) < 3 {
		return false
	}
	return strings.HasPrefix(rest, ". ") || strings.HasPrefix(rest, ") ")
}

// hyphenated reports a word split at the end of prev ("cance-") and
// continued in lower case on next ("lamento").
func hyphenated(prev, next string) bool {
	if !strings.HasSuffix(prev, "-") || len(prev) < 2 {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(prev[:len(prev)-1])
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLetter(before) && unicode.IsLower(first)
}
