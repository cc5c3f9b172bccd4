package extract

import (
	"regexp"
	"strings"
)

// extractPlain returns a text file as it is (decoded to UTF-8, without a
// BOM); its title is the file name.
func extractPlain(_ string, data []byte) (Extracted, error) {
	return Extracted{Text: decodeText(data)}, nil
}

// Markdown cleanup: links and images keep their text, ATX headings lose
// their marks and stand as paragraphs of their own.
var (
	mdImage   = regexp.MustCompile(`!\[([^\]\n]*)\]\([^)\n]*\)`)
	mdLink    = regexp.MustCompile(`\[([^\]\n]+)\]\([^)\n]*\)`)
	mdRefDef  = regexp.MustCompile(`^ {0,3}\[[^\]\n]+\]:\s+\S+.*$`)
	mdHeading = regexp.MustCompile(`^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$`)
	mdRule    = regexp.MustCompile(`^ {0,3}(?:(?:=[ \t]*){3,}|(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
)

// extractMarkdown keeps a Markdown file's text with light cleanup: "[text](url)"
// becomes "text", reference definitions go, headings lose their "#" marks
// and get blank lines around them. Its title is the first level-1 heading.
func extractMarkdown(_ string, data []byte) (Extracted, error) {
	text := decodeText(data)
	var out Extracted
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	fence := false
	prev := "" // the previous line, for setext headings
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fence = !fence
			b.WriteString("\n")
			prev = ""
			continue
		}
		if fence {
			b.WriteString(line + "\n")
			continue
		}
		if mdRefDef.MatchString(line) {
			continue
		}
		if mdRule.MatchString(line) {
			// A setext underline ("Título\n=====") or a thematic break:
			// either way a paragraph ends here.
			if out.Title == "" && prev != "" && strings.HasPrefix(trimmed, "=") {
				out.Title = prev
			}
			b.WriteString("\n")
			prev = ""
			continue
		}
		line = mdImage.ReplaceAllString(line, "$1")
		line = mdLink.ReplaceAllString(line, "$1")
		if m := mdHeading.FindStringSubmatch(line); m != nil {
			if out.Title == "" && len(m[1]) == 1 {
				out.Title = m[2]
			}
			b.WriteString("\n" + m[2] + "\n\n")
			prev = ""
			continue
		}
		b.WriteString(line + "\n")
		prev = trimmed
	}
	out.Text = b.String()
	return out, nil
}
