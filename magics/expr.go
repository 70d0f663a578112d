package magics

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/gocinn/gocinn/cinn/table"
)

// An expression over the columns of a table, as %derive and %plot's
// --x/--y take them: column names, numbers, + - * / ^, parentheses, unary
// minus and the functions log10, ln, exp, sqrt, abs and pow10. A column
// whose name is not a plain identifier is written in brackets: [12+log(O/H)].
// A missing input gives a missing (NaN) result, as do the logarithm of a
// non-positive value and a division by zero.

type exprNode func(row int) float64

type exprParser struct {
	src  string
	rs   []rune
	pos  int
	t    *table.Table
	cols []string // columns used, in order of first use
}

// evalExpr evaluates expr on every row of t.
func evalExpr(t *table.Table, expr string) ([]float64, []string, error) {
	p := &exprParser{src: expr, rs: []rune(expr), t: t}
	n, err := p.parseOr()
	if err != nil {
		return nil, nil, err
	}
	p.skip()
	if p.pos < len(p.rs) {
		return nil, nil, p.errf("unexpected %q", string(p.rs[p.pos:]))
	}
	out := make([]float64, t.Len())
	for i := range out {
		v := n(i)
		if math.IsInf(v, 0) {
			v = math.NaN()
		}
		out[i] = v
	}
	return out, p.cols, nil
}

func (p *exprParser) errf(format string, a ...any) error {
	return Errorf("ValueError", "expressions use column names, numbers, + - * / ^, comparisons < <= > >= == != joined by & and |, parentheses and log10, ln, exp, sqrt, abs, pow10; write odd column names in [brackets]",
		"in expression %q at character %d: %s", p.src, p.pos+1, fmt.Sprintf(format, a...))
}

func (p *exprParser) skip() {
	for p.pos < len(p.rs) && unicode.IsSpace(p.rs[p.pos]) {
		p.pos++
	}
}

func (p *exprParser) peek() rune {
	p.skip()
	if p.pos < len(p.rs) {
		return p.rs[p.pos]
	}
	return 0
}

// parseOr parses a | b (either true), the loosest binding; a & b (both)
// binds tighter, comparisons tighter still. True is 1, false 0, and a
// missing operand gives a missing result.
func (p *exprParser) parseOr() (exprNode, error) {
	l, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	for p.peek() == '|' {
		p.pos++
		r, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(i int) float64 {
			x, y := a(i), b(i)
			if math.IsNaN(x) || math.IsNaN(y) {
				return math.NaN()
			}
			return boolNum(x != 0 || y != 0)
		}
	}
	return l, nil
}

func (p *exprParser) parseAnd() (exprNode, error) {
	l, err := p.parseCompare()
	if err != nil {
		return nil, err
	}
	for p.peek() == '&' {
		p.pos++
		r, err := p.parseCompare()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(i int) float64 {
			x, y := a(i), b(i)
			if math.IsNaN(x) || math.IsNaN(y) {
				return math.NaN()
			}
			return boolNum(x != 0 && y != 0)
		}
	}
	return l, nil
}

func boolNum(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (p *exprParser) parseCompare() (exprNode, error) {
	l, err := p.parseSum()
	if err != nil {
		return nil, err
	}
	p.skip()
	var op string
	for _, o := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if strings.HasPrefix(string(p.rs[p.pos:min(p.pos+2, len(p.rs))]), o) {
			op = o
			break
		}
	}
	if op == "" {
		return l, nil
	}
	p.pos += len(op)
	r, err := p.parseSum()
	if err != nil {
		return nil, err
	}
	cmp := map[string]func(x, y float64) bool{
		"<": func(x, y float64) bool { return x < y }, ">": func(x, y float64) bool { return x > y },
		"<=": func(x, y float64) bool { return x <= y }, ">=": func(x, y float64) bool { return x >= y },
		"==": func(x, y float64) bool { return x == y }, "!=": func(x, y float64) bool { return x != y },
	}[op]
	return func(i int) float64 {
		x, y := l(i), r(i)
		if math.IsNaN(x) || math.IsNaN(y) {
			return math.NaN()
		}
		return boolNum(cmp(x, y))
	}, nil
}

func (p *exprParser) parseSum() (exprNode, error) {
	l, err := p.parseProduct()
	if err != nil {
		return nil, err
	}
	for {
		switch op := p.peek(); op {
		case '+', '-':
			p.pos++
			r, err := p.parseProduct()
			if err != nil {
				return nil, err
			}
			a, b := l, r
			if op == '+' {
				l = func(i int) float64 { return a(i) + b(i) }
			} else {
				l = func(i int) float64 { return a(i) - b(i) }
			}
		default:
			return l, nil
		}
	}
}

func (p *exprParser) parseProduct() (exprNode, error) {
	l, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	for {
		switch op := p.peek(); op {
		case '*', '/':
			p.pos++
			r, err := p.parseUnary()
			if err != nil {
				return nil, err
			}
			a, b := l, r
			if op == '*' {
				l = func(i int) float64 { return a(i) * b(i) }
			} else {
				l = func(i int) float64 {
					d := b(i)
					if d == 0 {
						return math.NaN()
					}
					return a(i) / d
				}
			}
		default:
			return l, nil
		}
	}
}

// parseUnary binds a minus sign more loosely than ^, as Python does:
// -a^2 is -(a^2).
func (p *exprParser) parseUnary() (exprNode, error) {
	if p.peek() == '-' {
		p.pos++
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return func(i int) float64 { return -x(i) }, nil
	}
	return p.parsePower()
}

func (p *exprParser) parsePower() (exprNode, error) {
	base, err := p.parseAtom()
	if err != nil {
		return nil, err
	}
	if p.peek() == '^' {
		p.pos++
		exp, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return func(i int) float64 { return math.Pow(base(i), exp(i)) }, nil
	}
	return base, nil
}

var exprFuncs = map[string]func(float64) float64{
	"log10": func(v float64) float64 {
		if v <= 0 {
			return math.NaN()
		}
		return math.Log10(v)
	},
	"ln": func(v float64) float64 {
		if v <= 0 {
			return math.NaN()
		}
		return math.Log(v)
	},
	"exp":   math.Exp,
	"sqrt":  math.Sqrt,
	"abs":   math.Abs,
	"pow10": func(v float64) float64 { return math.Pow(10, v) },
}

func (p *exprParser) parseAtom() (exprNode, error) {
	c := p.peek()
	switch {
	case c == 0:
		return nil, p.errf("expression ends too early")
	case c == '(':
		p.pos++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, p.errf("missing )")
		}
		p.pos++
		return n, nil
	case c == '[':
		end := p.pos + 1
		for end < len(p.rs) && p.rs[end] != ']' {
			end++
		}
		if end == len(p.rs) {
			return nil, p.errf("missing ]")
		}
		name := string(p.rs[p.pos+1 : end])
		p.pos = end + 1
		return p.column(name)
	case unicode.IsDigit(c) || c == '.':
		start := p.pos
		for p.pos < len(p.rs) && (unicode.IsDigit(p.rs[p.pos]) || p.rs[p.pos] == '.' ||
			((p.rs[p.pos] == 'e' || p.rs[p.pos] == 'E') && p.pos+1 < len(p.rs) && (unicode.IsDigit(p.rs[p.pos+1]) || p.rs[p.pos+1] == '-' || p.rs[p.pos+1] == '+')) ||
			((p.rs[p.pos] == '-' || p.rs[p.pos] == '+') && p.pos > start && (p.rs[p.pos-1] == 'e' || p.rs[p.pos-1] == 'E'))) {
			p.pos++
		}
		v, err := strconv.ParseFloat(string(p.rs[start:p.pos]), 64)
		if err != nil {
			return nil, p.errf("bad number %q", string(p.rs[start:p.pos]))
		}
		return func(int) float64 { return v }, nil
	case unicode.IsLetter(c) || c == '_':
		start := p.pos
		for p.pos < len(p.rs) && (unicode.IsLetter(p.rs[p.pos]) || unicode.IsDigit(p.rs[p.pos]) || p.rs[p.pos] == '_') {
			p.pos++
		}
		name := string(p.rs[start:p.pos])
		if f, ok := exprFuncs[name]; ok && p.peek() == '(' && !p.t.Has(name) {
			p.pos++
			arg, err := p.parseOr()
			if err != nil {
				return nil, err
			}
			if p.peek() != ')' {
				return nil, p.errf("missing ) after the argument of %s", name)
			}
			p.pos++
			return func(i int) float64 { return f(arg(i)) }, nil
		}
		return p.column(name)
	}
	return nil, p.errf("unexpected %q", string(c))
}

func (p *exprParser) column(name string) (exprNode, error) {
	col, err := p.t.Col(name)
	if err != nil {
		return nil, Errorf("ColumnError", "", "%v", err)
	}
	if !contains(p.cols, name) {
		p.cols = append(p.cols, name)
	}
	return func(i int) float64 { return col[i] }, nil
}
