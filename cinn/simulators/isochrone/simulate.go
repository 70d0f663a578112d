package isochrone

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gocinn/gocinn/cinn/table"
)

// DefaultExtinction gives A_band/A_V for the bands of the CMD Gaia EDR3
// and pydol HST ACS/WFC tables:
//
//   - Gaia G, G_BP, G_RP: 0.789, 1.002, 0.589 (Wang & Chen 2019, ApJ 877,
//     116, Table 3).
//   - HST ACS/WFC F435W, F555W, F814W: 1.317, 1.018, 0.557, the ratios of
//     A/E(B-V) = 3.610, 2.792, 1.526 to Landolt V's 2.742 in Schlafly &
//     Finkbeiner (2011, ApJ 737, 103, Table 6; R_V = 3.1).
//
// These are mean coefficients for a star of solar type: extinction in a
// broad band depends on the star's spectrum, which this simple model
// ignores.
var DefaultExtinction = map[string]float64{
	"Gmag":    0.789,
	"G_BPmag": 1.002,
	"G_RPmag": 0.589,
	"F435W":   3.610 / 2.742,
	"F555W":   2.792 / 2.742,
	"F814W":   1.526 / 2.742,
}

// Simulator draws stars from a Grid: log age uniform, initial mass from an
// IMF, properties and magnitudes interpolated, then shifted by a distance
// modulus and extinction and blurred by photometric noise. The zero values
// of its fields (apart from Grid) are documented defaults.
type Simulator struct {
	Grid *Grid

	// Z fixes the metallicity (one of Grid.Metallicities, to 0.1%). 0
	// means: a single-metallicity grid's Z, or for several metallicities a
	// metallicity drawn uniformly among them for each star, reported in a
	// Zini column.
	Z float64

	// LogAgeMin and LogAgeMax bound the uniform log-age distribution; 0
	// means the grid's range (Grid.AgeRange).
	LogAgeMin, LogAgeMax float64

	// IMF is the initial mass function; nil means Kroupa2001(). It is
	// restricted to the initial masses of the isochrone at the star's age
	// and to [MinMass, MaxMass] (0: no bound).
	IMF              IMF
	MinMass, MaxMass float64

	// Noise is the Gaussian photometric error σ (mag) per band; absent
	// bands get none. NoiseFunc, if not nil, replaces it with a σ that
	// depends on the band and the apparent magnitude (see
	// ExponentialNoise).
	Noise     map[string]float64
	NoiseFunc func(band string, mag float64) float64

	// DistanceModulus (mag) is added to every magnitude.
	DistanceModulus float64

	// AV is the V-band extinction (mag); band b gets AV·Extinction[b]
	// (nil: DefaultExtinction). A band without a coefficient is an error
	// when AV is not 0.
	AV         float64
	Extinction map[string]float64
}

// ExponentialNoise returns a magnitude-dependent error model
// σ(m) = a + b·exp(c·(m - m0)), the usual shape of photometric errors
// against magnitude, for Simulator.NoiseFunc (same for every band).
func ExponentialNoise(a, b, c, m0 float64) func(string, float64) float64 {
	return func(_ string, m float64) float64 { return a + b*math.Exp(c*(m-m0)) }
}

// ParamNames returns the names of the physical columns of the tables Sample
// returns: logAge, the grid's quantities (Mass, logL, logTe, logg when the
// tables have them), Mini, and Zini when the metallicity is drawn.
func (s *Simulator) ParamNames() []string {
	names := append([]string{"logAge"}, s.Grid.quantities...)
	names = append(names, "Mini")
	if s.Z == 0 && len(s.Grid.zs) > 1 {
		names = append(names, "Zini")
	}
	return names
}

// ObsNames returns the names of the magnitude columns (the grid's bands).
func (s *Simulator) ObsNames() []string { return s.Grid.Bands() }

func (s *Simulator) metallicities() ([]float64, error) {
	g := s.Grid
	if s.Z == 0 {
		return g.zs, nil
	}
	for _, z := range g.zs {
		if math.Abs(z-s.Z) <= 1e-3*math.Abs(z) {
			return []float64{z}, nil
		}
	}
	return nil, fmt.Errorf("isochrone: Z = %g is not in the grid (%s has Z = %v); download isochrones for it (%s)", s.Z, g.source, g.zs, HowToGet)
}

// Sample draws n stars and returns them as a table with ParamNames then
// ObsNames columns (with units). It returns ctx.Err() if ctx is cancelled.
func (s *Simulator) Sample(ctx context.Context, n int, src rand.Source) (*table.Table, error) {
	if s.Grid == nil {
		panic("isochrone: Simulator without a Grid")
	}
	if n < 0 {
		panic("isochrone: negative number of stars")
	}
	g := s.Grid
	zs, err := s.metallicities()
	if err != nil {
		return nil, err
	}
	lo, hi := s.LogAgeMin, s.LogAgeMax
	glo, ghi := g.AgeRange()
	if lo == 0 && hi == 0 {
		lo, hi = glo, ghi
	}
	if !(lo <= hi) || lo < glo || hi > ghi {
		return nil, fmt.Errorf("isochrone: log ages [%g, %g] outside the grid's [%g, %g] (%s)", lo, hi, glo, ghi, g.source)
	}
	imf := s.IMF
	if imf == nil {
		imf = Kroupa2001()
	}
	ext := s.Extinction
	if ext == nil {
		ext = DefaultExtinction
	}
	shift := make([]float64, len(g.bands))
	for j, b := range g.bands {
		shift[j] = s.DistanceModulus
		if s.AV != 0 {
			k, ok := ext[b]
			if !ok {
				return nil, fmt.Errorf("isochrone: no extinction coefficient A_%s/A_V for band %s; set Simulator.Extinction", b, b)
			}
			shift[j] += s.AV * k
		}
	}
	nq := len(g.quantities)
	params := s.ParamNames()
	cols := make([][]float64, len(params)+len(g.bands))
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	rnd := rand.New(src)
	vals := make([]float64, nq+len(g.bands))
	var cv curve
	for i := 0; i < n; i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var (
			z, age, m float64
			ok        bool
		)
		for try := 0; try < 1000 && !ok; try++ {
			z = zs[rnd.IntN(len(zs))]
			age = lo + (hi-lo)*rnd.Float64()
			p, w, err := g.pairFor(z, age)
			if err != nil {
				return nil, err
			}
			c := p.curve(w, &cv)
			mlo, mhi := c.massRange()
			if s.MinMass > 0 {
				mlo = math.Max(mlo, s.MinMass)
			}
			if s.MaxMass > 0 {
				mhi = math.Min(mhi, s.MaxMass)
			}
			ilo, ihi := imf.Range()
			mlo, mhi = math.Max(mlo, ilo), math.Min(mhi, ihi)
			if !(mhi > mlo) {
				continue // no mass allowed at this age: draw another
			}
			m = imf.Quantile(rnd.Float64(), mlo, mhi)
			ok = c.eval(m, vals)
		}
		if !ok {
			return nil, fmt.Errorf("isochrone: no star could be drawn in 1000 tries: the mass bounds [%g, %g] and the IMF leave no initial mass on the isochrones (%s)", s.MinMass, s.MaxMass, g.source)
		}
		cols[0][i] = age
		copy2(cols[1:1+nq], i, vals[:nq])
		cols[1+nq][i] = m
		if len(params) > nq+2 {
			cols[nq+2][i] = z
		}
		off := len(params)
		for j := range g.bands {
			mag := vals[nq+j] + shift[j]
			sd := 0.0
			if s.NoiseFunc != nil {
				sd = s.NoiseFunc(g.bands[j], mag)
			} else if s.Noise != nil {
				sd = s.Noise[g.bands[j]]
			}
			if sd > 0 {
				mag += sd * rnd.NormFloat64()
			}
			cols[off+j][i] = mag
		}
	}
	names := append(params, g.bands...)
	t, err := table.New(names, cols)
	if err != nil {
		panic("isochrone: internal: " + err.Error())
	}
	for _, nm := range params {
		if u := units[nm]; u != "" {
			_ = t.SetUnit(nm, u)
		}
	}
	for _, b := range g.bands {
		_ = t.SetUnit(b, "mag")
	}
	return t, nil
}

func copy2(cols [][]float64, i int, v []float64) {
	for j := range cols {
		cols[j][i] = v[j]
	}
}
