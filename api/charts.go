package api

import (
	"bytes"
	"fmt"
	"html"
	"math"
)

// maxConfusionLabels is the largest matrix drawn whole; past it only the
// intents involved in an error are drawn, so 150 intents stay readable.
const maxConfusionLabels = 40 // rows

// confusionSVG draws a confusion matrix (expected → predicted → count) as an
// SVG heat map: rows are expected intents, columns predicted ones, colour is
// the share of the row, numbers are counts.
func confusionSVG(matrix map[string]map[string]int, title string) []byte {
	labelSet := map[string]bool{}
	for e, row := range matrix {
		labelSet[e] = true
		for p := range row {
			labelSet[p] = true
		}
	}
	labels := sortedKeys(labelSet)
	note := ""
	if len(labels) > maxConfusionLabels {
		errs := map[string]bool{}
		for e, row := range matrix {
			for p, n := range row {
				if p != e && n > 0 {
					errs[e], errs[p] = true, true
				}
			}
		}
		note = fmt.Sprintf("%d of %d intents shown: only those with errors", len(errs), len(labels))
		labels = sortedKeys(errs)
	}
	n := len(labels)
	cell := 22.0
	if n > 60 {
		cell = 14
	}
	labelW := 10.0
	for _, l := range labels {
		labelW = math.Max(labelW, float64(len([]rune(l)))*6.5)
	}
	labelW = math.Min(labelW, 260)
	top := labelW + 60
	left := labelW + 20
	w := math.Max(left+cell*float64(n)+20, float64(len([]rune(title)))*7.5+20)
	h := top + cell*float64(n) + 40
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif">`, w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`, html.EscapeString(title))
	if note != "" {
		fmt.Fprintf(&b, `<text x="10" y="38" font-size="11" fill="#555">%s</text>`, html.EscapeString(note))
	}
	if n == 0 {
		fmt.Fprintf(&b, `<text x="10" y="60" font-size="12">no predictions</text></svg>`)
		return b.Bytes()
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" fill="#555">predicted →</text>`, left, top-labelW-8+labelW*0.1)
	fmt.Fprintf(&b, `<text x="10" y="%.0f" font-size="11" fill="#555">expected ↓</text>`, top-6)
	for i, l := range labels {
		y := top + cell*float64(i) + cell*0.7
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" font-size="10" text-anchor="end">%s</text>`, left-4, y, html.EscapeString(clip(l, 40)))
		x := left + cell*float64(i) + cell*0.65
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="10" transform="rotate(-60 %.1f %.0f)">%s</text>`, x, top-4, x, top-4, html.EscapeString(clip(l, 40)))
	}
	for i, e := range labels {
		row := matrix[e]
		total := 0
		for _, c := range row {
			total += c
		}
		for j, p := range labels {
			c := row[p]
			x, y := left+cell*float64(j), top+cell*float64(i)
			fill := "#f7f7f7"
			if c > 0 && total > 0 {
				// sqrt makes a few errors among many right answers visible.
				share := math.Sqrt(float64(c) / float64(total))
				if i == j {
					fill = fmt.Sprintf("rgb(%d,%d,%d)", int(235-share*180), int(245-share*90), int(235-share*180))
				} else {
					fill = fmt.Sprintf("rgb(%d,%d,%d)", 250, int(235-share*190), int(225-share*190))
				}
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="white"><title>%s → %s: %d</title></rect>`,
				x, y, cell, cell, fill, html.EscapeString(e), html.EscapeString(p), c)
			if c > 0 && cell >= 20 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="9" text-anchor="middle">%d</text>`, x+cell/2, y+cell*0.65, c)
			}
		}
	}
	b.WriteString(`</svg>`)
	return b.Bytes()
}

// confidenceBins is how many bars the confidence histogram has.
const confidenceBins = 10

// confidenceSVG draws the histogram of top confidences for correct and
// wrong predictions side by side.
func confidenceSVG(correct, wrong []float64, title string) []byte {
	var cc, wc [confidenceBins]int
	bin := func(x float64) int { return min(max(int(x*confidenceBins), 0), confidenceBins-1) }
	for _, x := range correct {
		cc[bin(x)]++
	}
	for _, x := range wrong {
		wc[bin(x)]++
	}
	maxC := 1
	for i := 0; i < confidenceBins; i++ {
		maxC = max(maxC, cc[i], wc[i])
	}
	const w, h, left, top, plotH, barW = 560.0, 320.0, 50.0, 50.0, 220.0, 20.0
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif">`, w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="14" font-weight="bold">%s</text>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<rect x="%.0f" y="30" width="10" height="10" fill="#4caf50"/><text x="%.0f" y="39" font-size="11">correct (%d)</text>`, left, left+14, len(correct))
	fmt.Fprintf(&b, `<rect x="%.0f" y="30" width="10" height="10" fill="#e53935"/><text x="%.0f" y="39" font-size="11">wrong (%d)</text>`, left+120, left+134, len(wrong))
	base := top + plotH
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`, left, base, left+float64(confidenceBins)*2*barW+float64(confidenceBins)*8, base)
	for i := 0; i < confidenceBins; i++ {
		x := left + float64(i)*(2*barW+8)
		for k, c := range []int{cc[i], wc[i]} {
			bh := plotH * float64(c) / float64(maxC)
			color := []string{"#4caf50", "#e53935"}[k]
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%.1f–%.1f: %d</title></rect>`,
				x+float64(k)*barW, base-bh, barW, bh, color, float64(i)/confidenceBins, float64(i+1)/confidenceBins, c)
			if c > 0 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="9" text-anchor="middle">%d</text>`, x+float64(k)*barW+barW/2, base-bh-3, c)
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="9" text-anchor="middle">%.1f–%.1f</text>`, x+barW, base+14, float64(i)/confidenceBins, float64(i+1)/confidenceBins)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11" fill="#555">top confidence</text>`, left, base+32)
	b.WriteString(`</svg>`)
	return b.Bytes()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
