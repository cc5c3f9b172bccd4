package extract

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/weni-ai/sabia"
)

// htmlSkipped are elements whose content is not the page's text: code,
// styles, navigation, page furniture and form controls.
var htmlSkipped = map[atom.Atom]bool{
	atom.Head: true, atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Nav: true, atom.Footer: true, atom.Svg: true, atom.Math: true, atom.Iframe: true,
	atom.Object: true, atom.Canvas: true, atom.Select: true, atom.Button: true,
	atom.Input: true, atom.Textarea: true,
}

// htmlParagraphs are block elements set apart by blank lines.
var htmlParagraphs = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Table: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Blockquote: true, atom.Pre: true,
	atom.Section: true, atom.Article: true, atom.Main: true, atom.Header: true, atom.Aside: true,
	atom.Figure: true, atom.Details: true, atom.Address: true, atom.Hr: true, atom.Caption: true,
	atom.Fieldset: true,
}

// htmlLines are block elements that stand on a line of their own.
var htmlLines = map[atom.Atom]bool{
	atom.Div: true, atom.Li: true, atom.Dt: true, atom.Dd: true, atom.Tr: true, atom.Summary: true,
	atom.Figcaption: true, atom.Legend: true, atom.Option: true,
}

// extractHTML returns a page's readable text. The page is decoded by its
// declared charset (Content-Type, BOM or <meta>) and parsed as a browser
// would; script, style, head, nav, footer and hidden elements are dropped;
// headings, paragraphs, list items and table rows become lines, table cells
// are separated by " | ". The title is <title>, else the first <h1>.
func extractHTML(name, contentType string, data []byte) (Extracted, error) {
	r, err := charset.NewReader(bytes.NewReader(data), contentType)
	if err != nil {
		return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the HTML page %s has an unknown character set", name)
	}
	doc, err := html.Parse(r)
	if err != nil {
		return Extracted{}, wrap(sabia.EUNPROCESSABLE, err, "the HTML page %s could not be parsed", name)
	}
	w := htmlWalker{}
	if err := w.walk(doc, 0); err != nil {
		return Extracted{}, tooMuchText(name)
	}
	title := w.title
	if strings.TrimSpace(title) == "" {
		title = w.h1
	}
	return Extracted{Title: title, Text: w.out.String()}, nil
}

type htmlWalker struct {
	out       blocks
	title, h1 string
	pre       int // depth inside <pre>
	cellIndex []int
}

// maxHTMLDepth bounds recursion; the parser itself nests at most 512 deep.
const maxHTMLDepth = 1024

func (w *htmlWalker) walk(n *html.Node, depth int) error {
	if depth > maxHTMLDepth {
		return nil
	}
	if w.out.full() {
		return errTooMuchText
	}
	switch n.Type {
	case html.TextNode:
		if w.pre > 0 {
			w.out.raw(n.Data)
		} else {
			w.out.text(n.Data)
		}
		return nil
	case html.DocumentNode:
		return w.children(n, depth)
	case html.ElementNode:
	default:
		return nil
	}
	if n.DataAtom == atom.Title && w.title == "" {
		w.title = nodeText(n)
	}
	if htmlSkipped[n.DataAtom] || hidden(n) {
		if n.DataAtom == atom.Head && w.title == "" {
			if t := findElement(n, atom.Title, depth); t != nil {
				w.title = nodeText(t)
			}
		}
		return nil
	}
	a := n.DataAtom
	if a == atom.H1 && w.h1 == "" {
		w.h1 = nodeText(n)
	}
	switch {
	case a == atom.Br:
		w.out.line()
		return nil
	case a == atom.Img:
		return nil
	case a == atom.Td || a == atom.Th:
		if k := len(w.cellIndex); k > 0 {
			if w.cellIndex[k-1] > 0 {
				w.out.cell()
			}
			w.cellIndex[k-1]++
		}
		return w.children(n, depth)
	case a == atom.Tr:
		w.out.line()
		w.cellIndex = append(w.cellIndex, 0)
		err := w.children(n, depth)
		w.cellIndex = w.cellIndex[:len(w.cellIndex)-1]
		w.out.line()
		return err
	case a == atom.Pre:
		w.out.paragraph()
		w.pre++
		err := w.children(n, depth)
		w.pre--
		w.out.paragraph()
		return err
	case htmlParagraphs[a]:
		w.out.paragraph()
		err := w.children(n, depth)
		w.out.paragraph()
		return err
	case htmlLines[a]:
		w.out.line()
		err := w.children(n, depth)
		w.out.line()
		return err
	}
	return w.children(n, depth)
}

func (w *htmlWalker) children(n *html.Node, depth int) error {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if err := w.walk(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// hidden reports elements a browser does not show.
func hidden(n *html.Node) bool {
	for _, at := range n.Attr {
		switch strings.ToLower(at.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(at.Val, "true") {
				return true
			}
		case "style":
			s := strings.ReplaceAll(strings.ToLower(at.Val), " ", "")
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// nodeText is the text inside n, white space collapsed.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node, int)
	rec = func(n *html.Node, depth int) {
		if depth > maxHTMLDepth || b.Len() > 4096 {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c, depth+1)
		}
	}
	rec(n, 0)
	return oneLine(b.String())
}

// findElement returns the first element a under n, or nil.
func findElement(n *html.Node, a atom.Atom, depth int) *html.Node {
	if depth > maxHTMLDepth {
		return nil
	}
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a, depth+1); f != nil {
			return f
		}
	}
	return nil
}
