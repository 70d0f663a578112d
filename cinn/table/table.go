package table

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Table is a set of named columns of equal length. Numeric columns hold
// float64 values; a missing value is NaN (see the package documentation).
// Text columns (string cells, such as FITS 'A' fields or a CSV column of star
// names) are kept apart from the numeric ones: Names and Col see only numeric
// columns, TextNames and Text only text columns.
//
// The zero Table is an empty table with no columns and no rows.
type Table struct {
	cols  []column
	index map[string]int
	n     int
}

type column struct {
	name string
	unit string
	num  []float64 // numeric column, or nil for a text column
	text []string  // text column, or nil for a numeric column

	// ints holds the exact values of a column read from an integer field
	// (int64 identifiers such as Gaia's source_id exceed float64's 2^53).
	// It is nil for other columns, and is trusted only where it still
	// agrees with num (see exactInts), so writes through Col are safe.
	ints []int64
}

// exactInts returns the column's integers if it came from an integer field
// and every value of num still equals its integer (rounded to float64).
func (c *column) exactInts() ([]int64, bool) {
	if c.ints == nil || len(c.ints) != len(c.num) {
		return nil, false
	}
	for i, v := range c.ints {
		if float64(v) != c.num[i] {
			return nil, false
		}
	}
	return c.ints, true
}

// Int64 returns the exact integer values of a numeric column that was read
// from an integer field (FITS B, I, J, K; NumPy integer arrays) and has not
// been changed since. ok is false otherwise. Integers beyond ±2^53, such as
// Gaia source_id, are not exact in the float64 column; Int64 keeps them,
// and the writers write such columns as 64-bit integers.
func (t *Table) Int64(name string) (v []int64, ok bool) {
	i, found := t.index[name]
	if !found {
		return nil, false
	}
	return t.cols[i].exactInts()
}

// AddInt64 appends a numeric column of integers, kept exactly (see Int64).
func (t *Table) AddInt64(name string, v []int64, unit string) error {
	num := make([]float64, len(v))
	for i, x := range v {
		num[i] = float64(x)
	}
	return t.addColumn(column{name: name, unit: unit, num: num, ints: v})
}

func (c *column) isText() bool { return c.num == nil && c.text != nil }

// New returns a table with the given numeric columns. The slices are used
// as they are, not copied. It returns an error if a name is empty or
// repeated, or if the columns differ in length; names and cols must have the
// same length, or New panics.
func New(names []string, cols [][]float64) (*Table, error) {
	if len(names) != len(cols) {
		panic(fmt.Sprintf("table: New with %d names and %d columns", len(names), len(cols)))
	}
	t := &Table{}
	for i, name := range names {
		if err := t.addColumn(column{name: name, num: nonNil(cols[i])}); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// NewFromMatrix returns a table whose columns are the columns of m, named
// by names, which must have one name per column of m or NewFromMatrix panics.
// The values are copied.
func NewFromMatrix(names []string, m mat.Matrix) (*Table, error) {
	r, c := m.Dims()
	if len(names) != c {
		panic(fmt.Sprintf("table: NewFromMatrix with %d names for a %d×%d matrix", len(names), r, c))
	}
	cols := make([][]float64, c)
	for j := range cols {
		col := make([]float64, r)
		for i := range col {
			col[i] = m.At(i, j)
		}
		cols[j] = col
	}
	return New(names, cols)
}

func nonNil(v []float64) []float64 {
	if v == nil {
		return []float64{}
	}
	return v
}

func (t *Table) addColumn(c column) error {
	if c.name == "" {
		return fmt.Errorf("table: empty column name (column %d)", len(t.cols)+1)
	}
	if _, dup := t.index[c.name]; dup {
		return fmt.Errorf("table: column %q appears twice", c.name)
	}
	n := len(c.num)
	if c.isText() {
		n = len(c.text)
	}
	if len(t.cols) > 0 && n != t.n {
		return fmt.Errorf("table: column %q has %d rows, the table has %d", c.name, n, t.n)
	}
	if t.index == nil {
		t.index = make(map[string]int)
	}
	t.index[c.name] = len(t.cols)
	t.cols = append(t.cols, c)
	t.n = n
	return nil
}

// Len returns the number of rows.
func (t *Table) Len() int { return t.n }

// Names returns the names of the numeric columns, in order.
func (t *Table) Names() []string {
	var names []string
	for _, c := range t.cols {
		if !c.isText() {
			names = append(names, c.name)
		}
	}
	return names
}

// TextNames returns the names of the text columns, in order.
func (t *Table) TextNames() []string {
	var names []string
	for _, c := range t.cols {
		if c.isText() {
			names = append(names, c.name)
		}
	}
	return names
}

// AllNames returns the names of all columns, numeric and text, in order.
func (t *Table) AllNames() []string {
	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	return names
}

// Has reports whether the table has a column (numeric or text) with the
// given name.
func (t *Table) Has(name string) bool {
	_, ok := t.index[name]
	return ok
}

func (t *Table) lookup(name string) (*column, error) {
	i, ok := t.index[name]
	if !ok {
		return nil, &ColumnError{Name: name, Have: t.AllNames(), Err: ErrNoColumn}
	}
	return &t.cols[i], nil
}

func (t *Table) numeric(name string) (*column, error) {
	c, err := t.lookup(name)
	if err != nil {
		return nil, err
	}
	if c.isText() {
		return nil, &ColumnError{Name: name, Have: t.Names(), Err: ErrTextColumn}
	}
	return c, nil
}

// Col returns the numeric column with the given name. The slice is the
// table's own storage: writes to it change the table. The error, wrapping
// ErrNoColumn or ErrTextColumn, lists the columns that do exist.
func (t *Table) Col(name string) ([]float64, error) {
	c, err := t.numeric(name)
	if err != nil {
		return nil, err
	}
	return c.num, nil
}

// Text returns the text column with the given name (the table's own
// storage). The error wraps ErrNoColumn, or ErrTextColumn when the column
// is numeric.
func (t *Table) Text(name string) ([]string, error) {
	c, err := t.lookup(name)
	if err != nil {
		return nil, err
	}
	if !c.isText() {
		return nil, &ColumnError{Name: name, Have: t.TextNames(), Err: ErrTextColumn}
	}
	return c.text, nil
}

// Unit returns the unit of the named column, or "" when it has none or
// does not exist.
func (t *Table) Unit(name string) string {
	if i, ok := t.index[name]; ok {
		return t.cols[i].unit
	}
	return ""
}

// SetUnit sets the unit of the named column.
func (t *Table) SetUnit(name, unit string) error {
	c, err := t.lookup(name)
	if err != nil {
		return err
	}
	c.unit = unit
	return nil
}

// Rename renames column old to new.
func (t *Table) Rename(old, new string) error {
	c, err := t.lookup(old)
	if err != nil {
		return err
	}
	if new == "" {
		return fmt.Errorf("table: cannot rename %q to an empty name", old)
	}
	if _, dup := t.index[new]; dup && new != old {
		return fmt.Errorf("table: cannot rename %q to %q: that column exists", old, new)
	}
	i := t.index[old]
	delete(t.index, old)
	c.name = new
	t.index[new] = i
	return nil
}

// AddColumn appends a numeric column. v is used as it is, not copied; its
// length must equal Len, unless the table has no columns yet.
func (t *Table) AddColumn(name string, v []float64, unit string) error {
	return t.addColumn(column{name: name, unit: unit, num: nonNil(v)})
}

// AddText appends a text column. v is used as it is, not copied.
func (t *Table) AddText(name string, v []string, unit string) error {
	if v == nil {
		v = []string{}
	}
	return t.addColumn(column{name: name, unit: unit, text: v})
}

// Drop returns a copy of the table without the named columns.
func (t *Table) Drop(names ...string) (*Table, error) {
	drop := make(map[string]bool)
	for _, name := range names {
		if _, err := t.lookup(name); err != nil {
			return nil, err
		}
		drop[name] = true
	}
	var keep []string
	for _, c := range t.cols {
		if !drop[c.name] {
			keep = append(keep, c.name)
		}
	}
	return t.Select(keep...)
}

// Select returns a new table holding copies of the named columns (numeric or
// text), in the order given. With no names it copies the whole table.
func (t *Table) Select(names ...string) (*Table, error) {
	if len(names) == 0 {
		names = t.AllNames()
	}
	out := &Table{}
	for _, name := range names {
		c, err := t.lookup(name)
		if err != nil {
			return nil, err
		}
		cp := column{name: c.name, unit: c.unit}
		if c.isText() {
			cp.text = append([]string{}, c.text...)
		} else {
			cp.num = append([]float64{}, c.num...)
			if ints, ok := c.exactInts(); ok {
				cp.ints = append([]int64{}, ints...)
			}
		}
		if err := out.addColumn(cp); err != nil {
			return nil, err
		}
	}
	if len(names) == 0 {
		out.n = t.n
	}
	return out, nil
}

// Rows returns a new table holding copies of the given rows, in the order
// given (rows may repeat). An index out of range panics.
func (t *Table) Rows(idx []int) *Table {
	for _, i := range idx {
		if i < 0 || i >= t.n {
			panic(fmt.Sprintf("table: row %d out of range [0,%d)", i, t.n))
		}
	}
	out := &Table{cols: make([]column, len(t.cols)), index: make(map[string]int, len(t.cols)), n: len(idx)}
	for j, c := range t.cols {
		cp := column{name: c.name, unit: c.unit}
		if c.isText() {
			cp.text = make([]string, len(idx))
			for k, i := range idx {
				cp.text[k] = c.text[i]
			}
		} else {
			cp.num = make([]float64, len(idx))
			for k, i := range idx {
				cp.num[k] = c.num[i]
			}
			if ints, ok := c.exactInts(); ok {
				cp.ints = make([]int64, len(idx))
				for k, i := range idx {
					cp.ints[k] = ints[i]
				}
			}
		}
		out.cols[j] = cp
		out.index[c.name] = j
	}
	return out
}

// Filter returns a new table with the rows for which keep returns true.
func (t *Table) Filter(keep func(row int) bool) *Table {
	var idx []int
	for i := 0; i < t.n; i++ {
		if keep(i) {
			idx = append(idx, i)
		}
	}
	return t.Rows(idx)
}

// Head returns a copy of the first n rows (all of them if there are fewer).
func (t *Table) Head(n int) *Table {
	n = min(max(n, 0), t.n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return t.Rows(idx)
}

// Split shuffles the rows with src and cuts them into len(fracs) tables
// holding the given fractions of the rows, for example {0.8, 0.1, 0.1} for
// training, validation and test sets. The fractions must be positive and sum
// to at most 1; when they sum to 1 (within 1e-9) every row lands in exactly
// one part, otherwise the remaining rows are left out. Part k gets
// round(n·(f_0+…+f_k)) − round(n·(f_0+…+f_{k−1})) rows. The same src state
// gives the same split.
func (t *Table) Split(fracs []float64, src rand.Source) ([]*Table, error) {
	if len(fracs) == 0 {
		return nil, fmt.Errorf("table: Split needs at least one fraction")
	}
	sum := 0.0
	for i, f := range fracs {
		if !(f > 0) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("table: Split fraction %d is %v; fractions must be positive", i, f)
		}
		sum += f
	}
	if sum > 1+1e-9 {
		return nil, fmt.Errorf("table: Split fractions sum to %v; they must sum to at most 1", sum)
	}
	if math.Abs(sum-1) <= 1e-9 {
		sum = 1
	}
	perm := rand.New(src).Perm(t.n)
	parts := make([]*Table, len(fracs))
	cum, start := 0.0, 0
	for k, f := range fracs {
		cum += f
		end := int(math.Round(float64(t.n) * cum))
		if k == len(fracs)-1 && sum == 1 {
			end = t.n
		}
		end = min(end, t.n)
		parts[k] = t.Rows(perm[start:end])
		start = end
	}
	return parts, nil
}

// Matrix returns the named numeric columns (all of them when no names are
// given) as the columns of a new Len×len(names) matrix, ready for training.
// A missing (NaN) or infinite value is an error, a *ValueError naming the
// column and row and wrapping ErrMissing or ErrNotFinite; use DropMissing
// first to discard incomplete rows.
func (t *Table) Matrix(names ...string) (*mat.Dense, error) {
	if len(names) == 0 {
		names = t.Names()
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("table: Matrix of a table with no numeric columns")
	}
	if t.n == 0 {
		return nil, fmt.Errorf("table: Matrix of a table with no rows (columns %s)", quoteList(names))
	}
	cols := make([][]float64, len(names))
	for j, name := range names {
		c, err := t.numeric(name)
		if err != nil {
			return nil, err
		}
		for i, v := range c.num {
			if math.IsNaN(v) {
				return nil, &ValueError{Col: name, Row: i, Value: v, Err: ErrMissing}
			}
			if math.IsInf(v, 0) {
				return nil, &ValueError{Col: name, Row: i, Value: v, Err: ErrNotFinite}
			}
		}
		cols[j] = c.num
	}
	m := mat.NewDense(t.n, len(names), nil)
	raw := m.RawMatrix()
	for i := 0; i < t.n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+len(names)]
		for j, c := range cols {
			row[j] = c[i]
		}
	}
	return m, nil
}

// IsMissing reports whether v is a missing value (NaN).
func IsMissing(v float64) bool { return math.IsNaN(v) }

// Missing returns the number of missing values in the named numeric column.
func (t *Table) Missing(name string) (int, error) {
	c, err := t.numeric(name)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range c.num {
		if math.IsNaN(v) {
			n++
		}
	}
	return n, nil
}

// DropMissing returns a copy of the table without the rows that have a
// missing value in any of the named numeric columns (in any numeric column
// when no names are given).
func (t *Table) DropMissing(names ...string) (*Table, error) {
	if len(names) == 0 {
		names = t.Names()
	}
	cols := make([][]float64, len(names))
	for j, name := range names {
		c, err := t.numeric(name)
		if err != nil {
			return nil, err
		}
		cols[j] = c.num
	}
	return t.Filter(func(i int) bool {
		for _, c := range cols {
			if math.IsNaN(c[i]) {
				return false
			}
		}
		return true
	}), nil
}

// derive adds a column computed row by row from the named source columns.
func (t *Table) derive(name, unit string, src []string, f func(v []float64) float64) error {
	cols := make([][]float64, len(src))
	for j, s := range src {
		c, err := t.numeric(s)
		if err != nil {
			return err
		}
		cols[j] = c.num
	}
	if _, dup := t.index[name]; dup {
		return fmt.Errorf("table: cannot add column %q: it exists", name)
	}
	out := make([]float64, t.n)
	v := make([]float64, len(src))
	for i := range out {
		miss := false
		for j, c := range cols {
			v[j] = c[i]
			miss = miss || math.IsNaN(c[i])
		}
		if miss {
			out[i] = math.NaN()
			continue
		}
		out[i] = f(v)
	}
	return t.AddColumn(name, out, unit)
}

// AddDiff adds the column a − b, named name (or "a-b" when name is empty),
// for example the colour BP−RP from two magnitudes. The unit is that of a
// when a and b share it. A row missing either input is missing.
func (t *Table) AddDiff(name, a, b string) error {
	if name == "" {
		name = a + "-" + b
	}
	unit := ""
	if t.Unit(a) == t.Unit(b) {
		unit = t.Unit(a)
	}
	return t.derive(name, unit, []string{a, b}, func(v []float64) float64 { return v[0] - v[1] })
}

// AddRatio adds the column a / b, named name (or "a/b"), for example an
// emission-line ratio. Rows where b is zero, or either input is missing,
// are missing.
func (t *Table) AddRatio(name, a, b string) error {
	if name == "" {
		name = a + "/" + b
	}
	return t.derive(name, "", []string{a, b}, func(v []float64) float64 {
		if v[1] == 0 {
			return math.NaN()
		}
		return v[0] / v[1]
	})
}

// AddLog10 adds the column log10(a), named name (or "log10(a)"), with unit
// "dex". Rows where a is zero or negative (the logarithm is undefined), or
// missing, are missing: a grid of line ratios with zeros can be logged and
// then cleaned with DropMissing.
func (t *Table) AddLog10(name, a string) error {
	if name == "" {
		name = "log10(" + a + ")"
	}
	return t.derive(name, "dex", []string{a}, func(v []float64) float64 {
		if !(v[0] > 0) {
			return math.NaN()
		}
		return math.Log10(v[0])
	})
}

// AddFunc adds a column computed row by row: f receives the values of the
// named source columns at one row. Rows missing any input are missing, and
// f is not called for them.
func (t *Table) AddFunc(name, unit string, src []string, f func(v []float64) float64) error {
	return t.derive(name, unit, src, f)
}

// Summary is the per-column description returned by Describe.
type Summary struct {
	Name     string
	Unit     string
	Count    int // non-missing values
	Missing  int
	Min, Max float64
	Mean     float64
}

// Describe returns one Summary per numeric column, ignoring missing values.
func (t *Table) Describe() []Summary {
	var out []Summary
	for _, c := range t.cols {
		if c.isText() {
			continue
		}
		s := Summary{Name: c.name, Unit: c.unit, Min: math.NaN(), Max: math.NaN(), Mean: math.NaN()}
		sum := 0.0
		for _, v := range c.num {
			if math.IsNaN(v) {
				s.Missing++
				continue
			}
			if s.Count == 0 || v < s.Min {
				s.Min = v
			}
			if s.Count == 0 || v > s.Max {
				s.Max = v
			}
			s.Count++
			sum += v
		}
		if s.Count > 0 {
			s.Mean = sum / float64(s.Count)
		}
		out = append(out, s)
	}
	return out
}

// String returns a short description: the size and the column names.
func (t *Table) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table: %d rows × %d columns", t.n, len(t.cols))
	for i, c := range t.cols {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(c.name)
		if c.unit != "" {
			fmt.Fprintf(&b, " [%s]", c.unit)
		}
		if c.isText() {
			b.WriteString(" (text)")
		}
	}
	return b.String()
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// closest returns the names in have nearest to name, for error messages.
func closest(name string, have []string) []string {
	type cand struct {
		s string
		d int
	}
	var cs []cand
	if len(have) > 5000 {
		return nil // not worth the time in an error message
	}
	lname := strings.ToLower(name)
	for _, h := range have {
		d := editDistance(lname, strings.ToLower(h))
		if d <= max(2, len(name)/3) || strings.Contains(strings.ToLower(h), lname) {
			cs = append(cs, cand{h, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].s)
	}
	return out
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Concat returns a new table holding the rows of the tables one after the
// other, such as isochrones kept one per file. The tables must have the
// same columns (by name, of the same kind); the order and units are those
// of the first. Exact integers (see Int64) are kept when every table has
// them for a column.
func Concat(ts ...*Table) (*Table, error) {
	if len(ts) == 0 {
		return &Table{}, nil
	}
	first := ts[0]
	out := &Table{}
	for _, c := range first.cols {
		col := column{name: c.name, unit: c.unit}
		allInts := !c.isText()
		for k, t := range ts {
			tc, err := t.lookup(c.name)
			if err != nil {
				return nil, fmt.Errorf("table: Concat: table %d has no column %q (it has %s)", k, c.name, quoteList(clipList(t.AllNames(), 60)))
			}
			if tc.isText() != c.isText() {
				return nil, fmt.Errorf("table: Concat: column %q is text in one table and numeric in table %d", c.name, k)
			}
			if len(t.cols) != len(first.cols) {
				return nil, fmt.Errorf("table: Concat: table %d has %d columns, table 0 has %d", k, len(t.cols), len(first.cols))
			}
			if c.isText() {
				col.text = append(col.text, tc.text...)
				continue
			}
			col.num = append(col.num, tc.num...)
			if ints, ok := tc.exactInts(); ok && allInts {
				col.ints = append(col.ints, ints...)
			} else {
				allInts, col.ints = false, nil
			}
		}
		if c.isText() && col.text == nil {
			col.text = []string{} // text columns of no rows
		} else if !c.isText() {
			col.num = nonNil(col.num)
		}
		if err := out.addColumn(col); err != nil {
			return nil, err
		}
	}
	return out, nil
}
