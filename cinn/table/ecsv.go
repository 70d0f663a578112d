package table

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"
)

// ecsvColumn is one column of an ECSV header.
type ecsvColumn struct {
	name, unit, datatype string
}

// ReadECSV reads astropy's Enhanced Character-Separated Values
// (Table.write("x.ecsv")): '#' lines holding a YAML header with each
// column's name, unit and datatype and the delimiter (a space unless
// stated), then a header line and the rows. Units are kept, string columns
// are text even when their values look like numbers, bool columns read as
// 1 and 0; empty cells are missing. name is used in errors.
func ReadECSV(r io.Reader, name string) (*Table, error) {
	return readECSV(r, name, ReadOptions{})
}

func readECSV(r io.Reader, name string, opts ReadOptions) (*Table, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	lr := &lineReader{r: br}
	var hdr []string
	var first []byte
	start := int64(0)
	for {
		line, s, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &ParseError{File: name, Line: lr.line + 1, Offset: s, Err: err}
		}
		if bytes.HasPrefix(line, []byte("#")) {
			hdr = append(hdr, string(line))
			continue
		}
		first, start = append([]byte{}, line...), s
		break
	}
	if len(hdr) == 0 || !strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(hdr[0], "#")), "%ECSV") {
		return nil, &ParseError{File: name, Line: 1, Offset: 0, Err: cause(ErrHeader, "not an ECSV file: the first line must be '# %%ECSV <version>'; read it as CSV or ASCII instead")}
	}
	cols, delim := parseECSVHeader(hdr)
	if first == nil {
		return nil, &ParseError{File: name, Line: lr.line + 1, Offset: lr.off, Err: cause(ErrHeader, "the ECSV header is not followed by a line of column names")}
	}
	text := map[string]bool{}
	for _, c := range cols {
		if c.datatype == "string" || c.datatype == "bool" || c.datatype == "object" {
			text[c.name] = true
		}
	}
	rest := io.MultiReader(bytes.NewReader(append(first, '\n')), br)
	t, err := readDelimitedFrom(rest, name, delim, opts, textStart{line: lr.line - 1, off: start, text: text})
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		col, err := t.lookup(c.name)
		if err != nil {
			return nil, &ParseError{File: name, Line: lr.line, Offset: start, Err: cause(ErrHeader,
				"the ECSV header describes column %q, which the line of names lacks (it names %s)", c.name, quoteList(clipList(t.AllNames(), 60)))}
		}
		col.unit = c.unit
		if c.datatype == "bool" {
			num := make([]float64, len(col.text))
			for i, s := range col.text {
				switch strings.ToLower(strings.TrimSpace(s)) {
				case "true", "1":
					num[i] = 1
				case "false", "0":
					num[i] = 0
				default:
					num[i] = math.NaN()
				}
			}
			col.num, col.text = num, nil
		}
	}
	return t, nil
}

// parseECSVHeader reads the columns and the delimiter from the YAML of an
// ECSV header: flow style ("- {name: a, unit: mag, datatype: float64}") or
// block style ("- name: a" then "  unit: mag"). Keys it does not know are
// ignored.
func parseECSVHeader(lines []string) ([]ecsvColumn, rune) {
	var cols []ecsvColumn
	delim := ' '
	inDatatype := false
	set := func(c *ecsvColumn, key, value string) {
		switch key {
		case "name":
			c.name = value
		case "unit":
			c.unit = value
		case "datatype":
			c.datatype = value
		}
	}
	for _, line := range lines[1:] {
		content := strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ")
		switch {
		case content == "---" || strings.TrimSpace(content) == "":
		case strings.HasPrefix(content, "datatype:"):
			inDatatype = true
		case inDatatype && strings.HasPrefix(content, "- {") && strings.HasSuffix(strings.TrimSpace(content), "}"):
			var c ecsvColumn
			body := strings.TrimSpace(content)
			for _, kv := range splitFlow(body[3 : len(body)-1]) {
				k, v, _ := strings.Cut(kv, ":")
				set(&c, strings.TrimSpace(k), yamlScalar(v))
			}
			cols = append(cols, c)
		case inDatatype && strings.HasPrefix(content, "- "):
			var c ecsvColumn
			k, v, _ := strings.Cut(content[2:], ":")
			set(&c, strings.TrimSpace(k), yamlScalar(v))
			cols = append(cols, c)
		case inDatatype && strings.HasPrefix(content, "  ") && !strings.HasPrefix(content, "   ") && len(cols) > 0:
			k, v, _ := strings.Cut(content[2:], ":")
			set(&cols[len(cols)-1], strings.TrimSpace(k), yamlScalar(v))
		case !strings.HasPrefix(content, " ") && !strings.HasPrefix(content, "-"):
			inDatatype = false
			if k, v, ok := strings.Cut(content, ":"); ok && strings.TrimSpace(k) == "delimiter" {
				if d := yamlScalar(v); len(d) == 1 {
					delim = rune(d[0])
				}
			}
		}
	}
	return cols, delim
}

// splitFlow splits the inside of a YAML flow mapping at top-level commas.
func splitFlow(s string) []string {
	var out []string
	depth, quote, startAt := 0, byte(0), 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[startAt:i])
			startAt = i + 1
		}
	}
	return append(out, s[startAt:])
}

// yamlScalar unquotes a plain or quoted YAML scalar.
func yamlScalar(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' && v[len(v)-1] == '\'' || v[0] == '"' && v[len(v)-1] == '"') {
		inner := v[1 : len(v)-1]
		if v[0] == '\'' {
			return strings.ReplaceAll(inner, "''", "'")
		}
		return strings.ReplaceAll(inner, `\"`, `"`)
	}
	return v
}

// WriteECSV writes the table as ECSV 1.0, the text format astropy reads
// with units (Table.read("x.ecsv")): a YAML header giving each column's
// name, unit and datatype (float64; int64 for exact integer columns;
// string for text), then space-separated rows. Missing values are written
// as nan.
func WriteECSV(w io.Writer, t *Table) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("# %ECSV 1.0\n# ---\n# datatype:\n")
	ints := make([][]int64, len(t.cols))
	for j := range t.cols {
		c := &t.cols[j]
		dt := "float64"
		switch exact, ok := c.exactInts(); {
		case c.isText():
			dt = "string"
		case ok:
			dt, ints[j] = "int64", exact
		}
		bw.WriteString("# - {name: " + yamlQuote(c.name))
		if c.unit != "" {
			bw.WriteString(", unit: " + yamlQuote(c.unit))
		}
		bw.WriteString(", datatype: " + dt + "}\n")
	}
	bw.WriteString("# schema: astropy-2.0\n")
	for j := range t.cols {
		if j > 0 {
			bw.WriteByte(' ')
		}
		bw.WriteString(ecsvQuote(t.cols[j].name))
	}
	bw.WriteByte('\n')
	var num []byte
	for i := 0; i < t.n; i++ {
		for j := range t.cols {
			if j > 0 {
				bw.WriteByte(' ')
			}
			c := &t.cols[j]
			switch {
			case c.isText():
				bw.WriteString(ecsvQuote(c.text[i]))
			case ints[j] != nil:
				num = strconv.AppendInt(num[:0], ints[j][i], 10)
				bw.Write(num)
			case math.IsNaN(c.num[i]):
				bw.WriteString("nan")
			default:
				bw.WriteString(formatFloat(c.num[i]))
			}
		}
		if err := bw.WriteByte('\n'); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// yamlQuote single-quotes a YAML scalar.
func yamlQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// ecsvQuote quotes a space-separated field when needed.
func ecsvQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \"\t\r\n") && s[0] != '#' {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
