package magics

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"sync"
	"unicode/utf8"
)

// Output receives what a command shows. The kernel's adapter forwards it to
// the Jupyter frontend; tests record it.
type Output interface {
	Stdout(text string)
	Stderr(text string)
	// Display shows a new output; a non-empty d.ID lets Update replace it.
	Display(d Display)
	// Update replaces the output shown under d.ID.
	Update(d Display)
	// Clear clears the cell's output (with wait: when the next output comes).
	Clear(wait bool)
	// Result shows the cell's result (execute_result).
	Result(d Display)
	// Page shows text in the pager (help).
	Page(d Display)
}

// Inputter is implemented by an Output that can ask the user for a line
// (the kernel's stdin channel). Commands that want confirmation check for
// it; Input fails when the frontend does not allow input.
type Inputter interface {
	Input(ctx context.Context, prompt string, password bool) (string, error)
}

// Display is a MIME bundle with its metadata. Every Display made by this
// package carries text/plain.
type Display struct {
	Data     map[string]any
	Metadata map[string]any
	ID       string
}

// Text is a plain-text display.
func Text(s string) Display {
	return Display{Data: map[string]any{"text/plain": s}}
}

// HTML is an HTML display with its plain-text fallback.
func HTML(htmlText, plain string) Display {
	return Display{Data: map[string]any{"text/html": htmlText, "text/plain": plain}}
}

// PNG is an image display. The image should be rendered at twice its
// logical size; width and height are the logical size in CSS pixels, so
// it is sharp on high-resolution screens.
func PNG(png []byte, width, height int, alt string) Display {
	return Display{
		Data: map[string]any{
			"image/png":  base64.StdEncoding.EncodeToString(png),
			"text/plain": alt,
		},
		Metadata: map[string]any{"image/png": map[string]any{"width": width, "height": height}},
	}
}

// Table is a small table for display: HTML like pandas' tables, with an
// aligned plain-text version. Rows beyond MaxRows (default 20) are elided in
// the middle with a note.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	Note    string
	MaxRows int
	// Index marks the first column as a row header.
	Index bool
}

// Display renders the table.
func (t *Table) Display() Display {
	rows, elided := t.visibleRows()
	var h strings.Builder
	h.WriteString(`<div class="gocinn-table">`)
	h.WriteString(`<table class="dataframe" border="1">`)
	if t.Caption != "" {
		fmt.Fprintf(&h, `<caption style="caption-side:top;text-align:left;font-weight:bold">%s</caption>`, html.EscapeString(t.Caption))
	}
	if len(t.Header) > 0 {
		h.WriteString(`<thead><tr style="text-align:right;">`)
		for _, c := range t.Header {
			fmt.Fprintf(&h, "<th>%s</th>", html.EscapeString(c))
		}
		h.WriteString("</tr></thead>")
	}
	h.WriteString("<tbody>")
	for _, r := range rows {
		h.WriteString("<tr>")
		for j, c := range r {
			tag := "td"
			if t.Index && j == 0 {
				tag = "th"
			}
			fmt.Fprintf(&h, "<%s>%s</%s>", tag, html.EscapeString(c), tag)
		}
		h.WriteString("</tr>")
	}
	h.WriteString("</tbody></table>")
	note := t.Note
	if elided > 0 {
		n := fmt.Sprintf("%d rows, %d not shown", len(t.Rows), elided)
		if note != "" {
			note = n + "; " + note
		} else {
			note = n
		}
	}
	if note != "" {
		fmt.Fprintf(&h, "<p><small>%s</small></p>", html.EscapeString(note))
	}
	h.WriteString("</div>")
	return HTML(h.String(), t.plain(rows, note))
}

func (t *Table) visibleRows() ([][]string, int) {
	max := t.MaxRows
	if max <= 0 {
		max = 20
	}
	if len(t.Rows) <= max {
		return t.Rows, 0
	}
	head := (max + 1) / 2
	tail := max - head
	ncol := len(t.Header)
	if ncol == 0 && len(t.Rows) > 0 {
		ncol = len(t.Rows[0])
	}
	dots := make([]string, ncol)
	for i := range dots {
		dots[i] = "…"
	}
	rows := append([][]string{}, t.Rows[:head]...)
	rows = append(rows, dots)
	rows = append(rows, t.Rows[len(t.Rows)-tail:]...)
	return rows, len(t.Rows) - max
}

func (t *Table) plain(rows [][]string, note string) string {
	all := rows
	if len(t.Header) > 0 {
		all = append([][]string{t.Header}, rows...)
	}
	var widths []int
	for _, r := range all {
		for j, c := range r {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n")
	}
	for _, r := range all {
		for j, c := range r {
			if j > 0 {
				b.WriteString("  ")
			}
			pad := widths[j] - utf8.RuneCountInString(c)
			if j == 0 && (t.Index || len(t.Header) == 0) {
				b.WriteString(c + strings.Repeat(" ", pad))
			} else {
				b.WriteString(strings.Repeat(" ", pad) + c)
			}
		}
		b.WriteString("\n")
	}
	if note != "" {
		b.WriteString(note + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// Recorder is an Output that keeps everything, for tests and for
// non-interactive use.
type Recorder struct {
	mu               sync.Mutex
	Stdouts, Stderrs []string
	Displays         []Display
	Updates          []Display
	Clears           int
	Results          []Display
	Pages            []Display
}

func (r *Recorder) Stdout(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Stdouts = append(r.Stdouts, s)
}
func (r *Recorder) Stderr(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Stderrs = append(r.Stderrs, s)
}
func (r *Recorder) Display(d Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Displays = append(r.Displays, d)
}
func (r *Recorder) Update(d Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Updates = append(r.Updates, d)
}
func (r *Recorder) Clear(wait bool) { r.mu.Lock(); defer r.mu.Unlock(); r.Clears++ }
func (r *Recorder) Result(d Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.Results = append(r.Results, d)
}
func (r *Recorder) Page(d Display) { r.mu.Lock(); defer r.mu.Unlock(); r.Pages = append(r.Pages, d) }

// StdoutText is everything written to stdout.
func (r *Recorder) StdoutText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.Stdouts, "")
}
