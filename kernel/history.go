package kernel

import (
	"regexp"
	"strings"
)

// historySession is the session number of this kernel's cells in history
// replies. Only the current session is kept; 0 and negative session
// numbers in a range request mean the current one, as in IPython.
const historySession = 1

type histEntry struct {
	line int
	code string
}

func (k *Kernel) historyReply(ch *channel, m *Message, r *historyRequest) {
	k.mu.Lock()
	hist := append([]histEntry(nil), k.history...)
	k.mu.Unlock()

	var sel []histEntry
	switch r.HistAccessType {
	case "tail":
		sel = tail(hist, r.N)
	case "range":
		if r.Session <= 0 || r.Session == historySession {
			for _, h := range hist {
				if h.line >= r.Start && (r.Stop <= 0 || h.line < r.Stop) {
					sel = append(sel, h)
				}
			}
		}
	case "search":
		re := globRegexp(r.Pattern)
		for _, h := range hist {
			if re.MatchString(h.code) {
				sel = append(sel, h)
			}
		}
		if r.Unique {
			sel = unique(sel)
		}
		sel = tail(sel, r.N)
	default:
		k.log.Warn("unknown hist_access_type; replying with no history", "hist_access_type", r.HistAccessType)
	}
	out := make([]any, 0, len(sel))
	for _, h := range sel {
		var input any = h.code
		if r.Output {
			input = []any{h.code, nil} // outputs are not recorded
		}
		out = append(out, []any{historySession, h.line, input})
	}
	k.send(ch, "history_reply", m, map[string]any{"status": "ok", "history": out})
}

// tail returns the last n entries (all if n <= 0).
func tail(h []histEntry, n int) []histEntry {
	if n > 0 && len(h) > n {
		return h[len(h)-n:]
	}
	return h
}

// unique keeps the last occurrence of each input, in order.
func unique(h []histEntry) []histEntry {
	last := map[string]int{}
	for i, e := range h {
		last[e.code] = i
	}
	var out []histEntry
	for i, e := range h {
		if last[e.code] == i {
			out = append(out, e)
		}
	}
	return out
}

// globRegexp compiles a glob as SQLite's GLOB (used by IPython's history
// search) understands it: * any run, ? one character, [...] a class; the
// whole input must match. An empty pattern matches everything.
func globRegexp(glob string) *regexp.Regexp {
	if glob == "" {
		glob = "*"
	}
	// Invalid UTF-8 (which JSON decoding already replaces) would make
	// even the literal fallback below fail to compile.
	glob = strings.ToValidUTF8(glob, "\uFFFD")
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '[':
			j := i + 1
			if j < len(rs) && (rs[j] == '^' || rs[j] == '!') {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) { // unterminated: a literal [
				b.WriteString(regexp.QuoteMeta("["))
				continue
			}
			class := string(rs[i+1 : j])
			neg := strings.HasPrefix(class, "^") || strings.HasPrefix(class, "!")
			if neg {
				class = class[1:]
			}
			class = strings.ReplaceAll(class, `\`, `\\`)
			if neg {
				b.WriteString("[^" + class + "]")
			} else {
				b.WriteString("[" + class + "]")
			}
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil { // a class regexp rejects, such as [z-a]: match literally
		return regexp.MustCompile(`(?s)^` + regexp.QuoteMeta(glob) + `$`)
	}
	return re
}
