package install

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden logos in testdata")

func TestLogoGolden(t *testing.T) {
	for _, tc := range []struct {
		file string
		data []byte
	}{
		{"logo-32x32.png", LogoPNG(32)},
		{"logo-64x64.png", LogoPNG(64)},
		{"logo-svg.svg", LogoSVG()},
	} {
		golden := filepath.Join("testdata", tc.file)
		if *update {
			if err := os.WriteFile(golden, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./install -update to create it)", err)
		}
		if !bytes.Equal(tc.data, want) {
			t.Errorf("%s differs from %s; look at both and run go test ./install -update if the change is meant", tc.file, golden)
		}
	}
}

func TestLogoPNG(t *testing.T) {
	for _, size := range []int{32, 64} {
		img, err := png.Decode(bytes.NewReader(LogoPNG(size)))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Fatalf("logo %d has bounds %v", size, b)
		}
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("logo %d: corner alpha %d, want transparent", size, a)
		}
		// The centre is the star, the left middle the ring.
		for _, p := range []struct {
			x, y int
			want [3]uint8
		}{
			{size / 2, size / 2, [3]uint8{starCol.R, starCol.G, starCol.B}},
			{int(float64(size) * (0.5 - ringRadius)), size / 2, [3]uint8{ringCol.R, ringCol.G, ringCol.B}},
		} {
			r, g, b, a := img.At(p.x, p.y).RGBA()
			got := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8)}
			if a != 0xffff || got != p.want {
				t.Errorf("logo %d at (%d,%d) = %v alpha %d, want %v opaque", size, p.x, p.y, got, a, p.want)
			}
		}
	}
}

func TestLogoSVGIsXML(t *testing.T) {
	d := xml.NewDecoder(bytes.NewReader(LogoSVG()))
	var elems int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("logo-svg.svg: %v", err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			elems++
		}
	}
	if elems < 5 {
		t.Errorf("logo-svg.svg has %d elements, want the square, ring and star", elems)
	}
}

func TestLogoPNGPanicsOnBadSize(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("LogoPNG(0) did not panic")
		}
	}()
	LogoPNG(0)
}
