package table

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomTable returns a table of random numeric, exact-integer and text
// columns, with text each format can hold: ascii limits text to printable
// ASCII without trailing spaces (FITS), otherwise any UTF-8 without CR or
// trailing NUL. Every text column starts with a letter, so that CSV reads it
// back as text (a CSV file of no rows cannot tell text from numbers, so
// minRows is 1 for CSV).
func randomTable(r *rand.Rand, ascii bool, minRows int) *Table {
	n := minRows + r.IntN(20)
	t := &Table{n: 0}
	ncol := 1 + r.IntN(5)
	for j := 0; j < ncol; j++ {
		name := fmt.Sprintf("c%d_%s", j, randomText(r, true, 6))
		switch r.IntN(3) {
		case 0:
			v := make([]float64, n)
			for i := range v {
				switch r.IntN(6) {
				case 0:
					v[i] = math.Float64frombits(r.Uint64()) // any bit pattern, NaNs included
				case 1:
					v[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 5e-324, math.MaxFloat64}[r.IntN(6)]
				default:
					v[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20))
				}
				if math.IsNaN(v[i]) {
					v[i] = math.NaN() // one NaN: payloads are not kept by every format
				}
			}
			t.AddColumn(name, v, randomText(r, true, 4))
		case 1:
			v := make([]int64, n)
			for i := range v {
				v[i] = int64(r.Uint64())
			}
			t.AddInt64(name, v, "")
		default:
			v := make([]string, n)
			for i := range v {
				v[i] = "x" + randomText(r, ascii, 8)
			}
			t.AddText(name, v, "")
		}
	}
	return t
}

func randomText(r *rand.Rand, ascii bool, max int) string {
	var b strings.Builder
	for k := r.IntN(max + 1); k > 0; k-- {
		if ascii {
			b.WriteByte(byte(' ' + r.IntN(95)))
		} else {
			c := rune(r.IntN(0x800))
			if c == '\r' || c == 0 {
				c = 'y'
			}
			b.WriteRune(c)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// TestRoundTripRandom writes random tables in every format and reads them
// back: values bit for bit, exact integers, text.
func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	formats := []struct {
		name  string
		ascii bool
		units bool
		min   int
		write func(*bytes.Buffer, *Table) error
		read  func([]byte) (*Table, error)
	}{
		{"csv", false, false, 1, func(b *bytes.Buffer, t *Table) error { return WriteCSV(b, t) },
			func(b []byte) (*Table, error) { return ReadCSV(bytes.NewReader(b), "r.csv") }},
		{"tsv", false, false, 1, func(b *bytes.Buffer, t *Table) error { return WriteTSV(b, t) },
			func(b []byte) (*Table, error) { return ReadTSV(bytes.NewReader(b), "r.tsv") }},
		{"ecsv", false, true, 0, func(b *bytes.Buffer, t *Table) error { return WriteECSV(b, t) },
			func(b []byte) (*Table, error) { return ReadECSV(bytes.NewReader(b), "r.ecsv") }},
		{"npz", false, false, 0, func(b *bytes.Buffer, t *Table) error { return WriteNPZ(b, t) }, readNPZBytes},
		{"fits", true, true, 0, func(b *bytes.Buffer, t *Table) error { return WriteFITS(b, t) },
			func(b []byte) (*Table, error) { return ReadFITS(bytes.NewReader(b), "r.fits", 0) }},
	}
	for iter := 0; iter < 60; iter++ {
		for _, f := range formats {
			tb := randomTable(r, f.ascii, f.min)
			var b bytes.Buffer
			if err := f.write(&b, tb); err != nil {
				t.Fatalf("%s, table %d: %v", f.name, iter, err)
			}
			got, err := f.read(b.Bytes())
			if err != nil {
				t.Fatalf("%s, table %d (%v): %v\n%s", f.name, iter, tb, err, clip(b.String(), 2000))
			}
			sameTable(t, fmt.Sprintf("%s, table %d", f.name, iter), got, tb, f.units)
			if t.Failed() {
				t.Fatalf("%s:\n%q", f.name, clip(b.String(), 3000))
			}
		}
	}
}
