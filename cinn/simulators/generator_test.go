package simulators

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"math/rand/v2"

	"github.com/gocinn/gocinn/cinn/internal/shareddata"
)

// sharedData returns the folder of real data shared by the project's tests.
func sharedData(t *testing.T) string { return shareddata.Dir(t, "the real tables") }

func TestGeneratorNames(t *testing.T) {
	want := []string{"gaussian_linear", "gaussian_linear_uniform", "gaussian_mixture", "hii", "parsec_gaia", "parsec_hst", "slcp", "two_moons"}
	if got := GeneratorNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("GeneratorNames() = %v", got)
	}
	for _, n := range want {
		if DescribeGenerator(n) == "" {
			t.Errorf("no description for %s", n)
		}
	}
	g, err := NewGenerator("Two-Moons", "")
	if err != nil {
		t.Fatal(err)
	}
	tb, err := g.Generate(context.Background(), 10, rand.NewPCG(1, 1))
	if err != nil || tb.Len() != 10 || g.Name() != "two_moons" {
		t.Fatalf("two_moons generator: %v, %v", tb, err)
	}
	if _, err := NewGenerator("four_moons", ""); err == nil || !strings.Contains(err.Error(), "parsec_gaia") {
		t.Errorf("unknown generator: %v", err)
	}
	_, err = NewGenerator("parsec_gaia", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "stev.oapd.inaf.it") {
		t.Errorf("absent isochrones: %v", err)
	}
	_, err = NewGenerator("hii", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "HII-CHI-Mistry") {
		t.Errorf("absent HII grid: %v", err)
	}
}

func TestSharedDataGenerators(t *testing.T) {
	dir := sharedData(t)
	for _, tc := range []struct {
		name        string
		params, obs string
	}{
		{"parsec_gaia", "logAge Mass logL logTe logg Mini Zini", "Gmag G_BPmag G_RPmag"},
		{"parsec_hst", "logAge Mini", "F435W F555W F814W"},
		{"hii", "OH NO logU", "log_OII_3727 log_NeIII_3868 log_OIII_4363 log_OIII_5007 log_NII_5755 log_SIII_6312 log_NII_6584 log_SII_6717_31 log_OII_7325 log_SIII_9069"},
	} {
		g, err := NewGenerator(tc.name, dir)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(g.ParamNames(), " ") != tc.params || strings.Join(g.ObsNames(), " ") != tc.obs {
			t.Errorf("%s: params %v obs %v", tc.name, g.ParamNames(), g.ObsNames())
		}
		tb, err := g.Generate(context.Background(), 300, rand.NewPCG(2, 3))
		if err != nil {
			t.Fatal(err)
		}
		if tb.Len() != 300 || !reflect.DeepEqual(tb.Names(), append(g.ParamNames(), g.ObsNames()...)) {
			t.Errorf("%s: %d rows, columns %v", tc.name, tb.Len(), tb.Names())
		}
		if _, err := tb.Matrix(tb.Names()...); err != nil {
			t.Errorf("%s: the table is not ready for training: %v", tc.name, err)
		}
	}
}
