package magics

import (
	"bytes"
	"encoding/base64"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPlotGolden renders %plot figures of a seeded session and compares
// them with testdata/plot_*_golden.png (at most 0.5% of the pixels may
// differ, for anti-aliasing) and their text with plot_*_golden.txt. The
// session is reproducible from its seeds: simulation, split, weights,
// shuffling and sampling. cinn/figure's own goldens check each figure's
// drawing in detail; these check what the magics feed it. After a
// deliberate change: go test ./magics -run TestPlotGolden -update, and look
// at the images.
func TestPlotGolden(t *testing.T) {
	s := NewSession(Options{Dir: t.TempDir()})
	run(t, s, "%simulate two_moons --n 2000 --seed 7 --obs 1 --quiet\n%data two_moons --seed 7\n%model --blocks 3 --hidden 24 --layers 1 --seed 7\n%train --epochs 3 --batch 200 --lr 0.001 --seed 7\n%sample --obs two_moons_obs --n 2000 --seed 7")
	for _, tc := range []struct{ name, code string }{
		{"hist2d", "%plot hist2d --data two_moons --x x1 --y x2 --width 400"},
		{"loss", "%plot loss --width 400"},
		{"corner", "%plot corner --width 400"},
	} {
		d := mustPNG(t, s, tc.code)
		raw, _ := base64.StdEncoding.DecodeString(d.Data["image/png"].(string))
		text := d.Data["text/plain"].(string)
		pngPath := filepath.Join("testdata", "plot_"+tc.name+"_golden.png")
		txtPath := filepath.Join("testdata", "plot_"+tc.name+"_golden.txt")
		if *update {
			os.MkdirAll("testdata", 0o755)
			if err := os.WriteFile(pngPath, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(txtPath, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		wantText, err := os.ReadFile(txtPath)
		if err != nil {
			t.Fatalf("%v (run go test ./magics -run TestPlotGolden -update)", err)
		}
		if string(wantText) != text {
			t.Errorf("%s: text\n%s\nwant\n%s", tc.code, text, wantText)
		}
		wantPNG, err := os.ReadFile(pngPath)
		if err != nil {
			t.Fatal(err)
		}
		if frac := pixelDiff(t, raw, wantPNG); frac > 0.005 {
			t.Errorf("%s: %.2f%% of the pixels differ from %s", tc.code, 100*frac, pngPath)
		}
	}
}

func pixelDiff(t *testing.T, a, b []byte) float64 {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return 1
	}
	r := ia.Bounds()
	diff := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !sameColor(ia, ib, x, y) {
				diff++
			}
		}
	}
	return float64(diff) / float64(r.Dx()*r.Dy())
}

func sameColor(a, b image.Image, x, y int) bool {
	r1, g1, b1, a1 := a.At(x, y).RGBA()
	r2, g2, b2, a2 := b.At(x, y).RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
