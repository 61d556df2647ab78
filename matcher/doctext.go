package matcher

import (
	"strings"

	"github.com/espbot/espbot/knowledge"
)

// entryText flattens an entry's answer into the text of the body field
// (prose, literals, link texts) and of the code field (code blocks, URLs).
func entryText(e *knowledge.Entry) (body, code string) {
	var bw, cw strings.Builder
	writeBlocks(&bw, &cw, e.Body.Blocks)
	for _, l := range e.Links {
		cw.WriteString(l.URL)
		cw.WriteByte('\n')
	}
	return bw.String(), cw.String()
}

func writeBlocks(bw, cw *strings.Builder, blocks []knowledge.Block) {
	for _, b := range blocks {
		switch b.Kind {
		case knowledge.Paragraph:
			writeInlines(bw, b.Inlines)
		case knowledge.List, knowledge.Note:
			for _, item := range b.Items {
				writeBlocks(bw, cw, item)
			}
		case knowledge.Code:
			cw.WriteString(b.Code)
		case knowledge.Table:
			for _, row := range b.Rows {
				for _, cell := range row {
					writeInlines(bw, cell)
				}
			}
		case knowledge.Image:
			bw.WriteString(b.Alt)
		}
		bw.WriteByte('\n')
		cw.WriteByte('\n')
	}
}

func writeInlines(w *strings.Builder, in []knowledge.Inline) {
	for _, x := range in {
		w.WriteString(x.Text)
	}
	w.WriteByte('\n')
}
