package isochrone

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/gocinn/gocinn/cinn/table"
)

// DefaultCMDURL is the CMD web service's form handler (the form itself is
// at http://stev.oapd.inaf.it/cgi-bin/cmd).
const DefaultCMDURL = "https://stev.oapd.inaf.it/cgi-bin/cmd"

// Query describes a request for PARSEC isochrones from the CMD web
// service. Ages and metallicities are (low, high, step) triplets, as on the
// form; a step of 0 asks for the low value only.
type Query struct {
	// URL of the form handler; "" means DefaultCMDURL. Tests point it to a
	// local server.
	URL string

	// Photometry is the photometric system: a short name as ezpadova uses
	// ("gaiaEDR3", "acs_wfc_202101", "ubvrijhk", ...; it becomes
	// YBC_tab_mag_odfnew/tab_mag_<name>.dat) or a full form value ending
	// in .dat. "" means "gaiaEDR3".
	Photometry string

	// LogAge is (low, high, step) in log10(age/yr).
	LogAge [3]float64

	// Exactly one of Z (metal mass fraction) and MH ([M/H], dex) must be
	// set (a non-zero low value).
	Z, MH [3]float64

	// Fields overrides or adds form fields (see ezpadova's parsec.json for
	// their names, e.g. "track_parsec", "imf_file", "extinction_av").
	Fields map[string]string

	// Client is the HTTP client; nil means http.DefaultClient.
	Client *http.Client
}

// cmdDefaults are the form's fields as the CMD 3.8 form sends them by
// default (the values ezpadova uses): PARSEC v1.2S + COLIBRI tracks, Kroupa
// IMF, no extinction, isochrone tables.
var cmdDefaults = map[string]string{
	"cmd_version":      "3.8",
	"track_omegai":     "0.00",
	"track_parsec":     "parsec_CAF09_v1.2S",
	"track_colibri":    "parsec_CAF09_v1.2S_S_LMC_08_web",
	"track_postagb":    "no",
	"n_inTPC":          "10",
	"eta_reimers":      "0.2",
	"kind_interp":      "1",
	"kind_postagb":     "-1",
	"photsys_version":  "YBCnewVega",
	"dust_sourceM":     "dpmod60alox40",
	"dust_sourceC":     "AMCSIC15",
	"kind_mag":         "2",
	"kind_dust":        "0",
	"extinction_av":    "0.0",
	"extinction_coeff": "constant",
	"extinction_curve": "cardelli",
	"kind_LPV":         "3",
	"imf_file":         "tab_imf/imf_kroupa_orig.dat",
	"output_kind":      "0",
	"output_evstage":   "1",
	"lf_maginf":        "-15",
	"lf_magsup":        "20",
	"lf_deltamag":      "0.5",
	"sim_mtot":         "1.0e4",
	"submit_form":      "Submit",
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Form returns the form fields Fetch posts for q, or an error if q is
// incomplete.
func (q Query) Form() (url.Values, error) {
	if !(q.LogAge[0] > 0) || q.LogAge[1] < q.LogAge[0] || q.LogAge[2] < 0 {
		return nil, fmt.Errorf("isochrone: Query.LogAge = %v: give (low, high, step) in log10(age/yr), e.g. (7, 9.5, 0.25)", q.LogAge)
	}
	zSet, mhSet := q.Z != [3]float64{}, q.MH != [3]float64{}
	if zSet == mhSet {
		return nil, fmt.Errorf("isochrone: Query: set exactly one of Z (e.g. (0.01, 0.02, 0.005)) and MH")
	}
	f := url.Values{}
	for k, v := range cmdDefaults {
		f.Set(k, v)
	}
	phot := q.Photometry
	if phot == "" {
		phot = "gaiaEDR3"
	}
	if !strings.HasSuffix(phot, ".dat") {
		phot = "YBC_tab_mag_odfnew/tab_mag_" + phot + ".dat"
	}
	f.Set("photsys_file", phot)
	f.Set("isoc_isagelog", "1")
	f.Set("isoc_lagelow", ftoa(q.LogAge[0]))
	f.Set("isoc_lageupp", ftoa(q.LogAge[1]))
	f.Set("isoc_dlage", ftoa(q.LogAge[2]))
	if zSet {
		f.Set("isoc_ismetlog", "0")
		f.Set("isoc_zlow", ftoa(q.Z[0]))
		f.Set("isoc_zupp", ftoa(q.Z[1]))
		f.Set("isoc_dz", ftoa(q.Z[2]))
	} else {
		f.Set("isoc_ismetlog", "1")
		f.Set("isoc_metlow", ftoa(q.MH[0]))
		f.Set("isoc_metupp", ftoa(q.MH[1]))
		f.Set("isoc_dmet", ftoa(q.MH[2]))
	}
	for k, v := range q.Fields {
		f.Set(k, v)
	}
	return f, nil
}

var (
	outputName = regexp.MustCompile(`output\d+`)
	htmlTag    = regexp.MustCompile(`<[^>]*>`)
	spaces     = regexp.MustCompile(`\s+`)
)

// maxFetch bounds the size of the pages and tables Fetch reads.
const maxFetch = 1 << 30

// Fetch asks the CMD web service for isochrones as ezpadova does: it posts
// the form, finds the name of the output file (output<digits>) in the page
// returned, and downloads <scheme://host>/tmp/<name>.dat, decompressing it
// if gzip- or zip-compressed. It returns the table's text, which
// table.ReadASCII and NewGrid read. Failures say what the service answered
// and how to get the tables by hand.
func Fetch(ctx context.Context, q Query) ([]byte, error) {
	form, err := q.Form()
	if err != nil {
		return nil, err
	}
	base := q.URL
	if base == "" {
		base = DefaultCMDURL
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("isochrone: Query.URL %q is not an absolute URL", base)
	}
	client := q.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("isochrone: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	page, err := get(client, req)
	if err != nil {
		return nil, err
	}
	name := outputName.Find(page)
	if name == nil {
		msg := strings.TrimSpace(spaces.ReplaceAllString(htmlTag.ReplaceAllString(string(page), " "), " "))
		if len(msg) > 400 {
			msg = msg[:400] + "…"
		}
		return nil, fmt.Errorf("isochrone: %s answered without an output table; the page says: %q. Check the query (ages, metallicities, photometric system) on the form, http://stev.oapd.inaf.it/cgi-bin/cmd", base, msg)
	}
	dataURL := u.Scheme + "://" + u.Host + "/tmp/" + string(name) + ".dat"
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, dataURL, nil)
	if err != nil {
		return nil, fmt.Errorf("isochrone: %w", err)
	}
	data, err := get(client, req)
	if err != nil {
		return nil, err
	}
	return decompress(dataURL, data)
}

func get(client *http.Client, req *http.Request) ([]byte, error) {
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("isochrone: %s %s: %w; %s", req.Method, req.URL, err, HowToGet)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("isochrone: %s %s: %s; %s", req.Method, req.URL, resp.Status, HowToGet)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetch+1))
	if err != nil {
		return nil, fmt.Errorf("isochrone: reading %s: %w", req.URL, err)
	}
	if len(b) > maxFetch {
		return nil, fmt.Errorf("isochrone: %s is larger than %d bytes", req.URL, maxFetch)
	}
	return b, nil
}

func decompress(name string, b []byte) ([]byte, error) {
	switch {
	case len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("isochrone: %s: bad gzip data: %w", name, err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxFetch+1))
		if err != nil {
			return nil, fmt.Errorf("isochrone: %s: bad gzip data: %w", name, err)
		}
		return out, nil
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04":
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil || len(zr.File) == 0 {
			return nil, fmt.Errorf("isochrone: %s: bad zip archive (%v)", name, err)
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			return nil, fmt.Errorf("isochrone: %s: %w", name, err)
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, maxFetch+1))
	}
	return b, nil
}

// FetchGrid fetches isochrones (Fetch) and builds a Grid from them.
func FetchGrid(ctx context.Context, q Query, opts Options) (*Grid, error) {
	b, err := Fetch(ctx, q)
	if err != nil {
		return nil, err
	}
	name := "CMD output"
	if q.URL != "" {
		name += " from " + q.URL
	}
	t, err := table.ReadASCII(bytes.NewReader(b), name)
	if err != nil {
		return nil, fmt.Errorf("isochrone: %w", err)
	}
	return NewGrid(name, []*table.Table{t}, opts)
}
