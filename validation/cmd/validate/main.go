// Copyright ©2026 The gocinn Authors. All rights reserved.

// Command validate runs gocinn's validation against published numbers
// (issue 10): sbibm C2ST per task and simulation budget, and the seeds'
// criteria on PARSEC isochrones. Results go to one JSON file per run in -out;
// -table prints the Markdown tables of all results found there, and for
// runs on sbibm's observations at 10^5 (-published) a table of the paired
// differences from NPE's score on each observation.
//
//	go run ./validation/cmd/validate -tasks all -budgets 1000,10000
//	go run ./validation/cmd/validate -isochrone -data ../shared/data
//	go run ./validation/cmd/validate -table
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gocinn/gocinn/cinn"
	"github.com/gocinn/gocinn/cinn/diagnostics"
	"github.com/gocinn/gocinn/cinn/simulators"
	"github.com/gocinn/gocinn/validation"
)

func main() {
	var (
		tasks     = flag.String("tasks", "all", "comma-separated sbibm tasks, or all, or none")
		budgets   = flag.String("budgets", "1000,10000", "comma-separated simulation budgets")
		obs       = flag.Int("obs", 10, "fixed observations per task (at most 10)")
		samples   = flag.Int("samples", 10000, "posterior and reference samples per observation")
		seed      = flag.Int64("seed", 1, "seed of the training data, and the default of -net-seed, -batch-seed (plus 1) and -iso-test-seed")
		netSeed   = flag.Int64("net-seed", 0, "seed of the network's initial weights and permutations (0: -seed)")
		batchSeed = flag.Int64("batch-seed", 0, "seed of the mini-batch order (0: -seed plus 1)")
		permSeed  = flag.Int64("perm-seed", 0, "seed of the network's permutations alone, its initial weights staying -net-seed's (0: -net-seed)")
		permute   = flag.String("permute", "", "design of the network's permutations: random or balanced (empty: engine default)")
		mix       = flag.Bool("mix", false, "follow every permutation with a learned invertible linear map (GLOW's 1×1 convolution in LU form)")
		mixInit   = flag.String("mix-init", "", "start of the -mix maps: identity or rotation (a random rotation per block, GLOW's; empty: identity)")
		out       = flag.String("out", "validation/results", "directory of the JSON results")
		tag       = flag.String("tag", "", "suffix of the result files (to keep runs with other settings apart)")
		epochs    = flag.Int("epochs", 0, "training epochs (0: engine default)")
		patience  = flag.Int("patience", 0, "early-stopping patience (0: engine default)")
		lr        = flag.Float64("lr", 0, "learning rate (0: engine default)")
		batch     = flag.Int("batch", 0, "batch size (0: engine default)")
		gamma     = flag.Float64("gamma", 0, "exponential learning-rate decay per epoch (0: none)")
		cosine    = flag.Float64("cosine", -1, "anneal the learning rate over the epoch budget on a cosine to this fraction of it, without early stopping unless -patience is set (-1: no cosine schedule)")
		ema       = flag.Float64("ema", 0, "decay per step of the weights' moving average (0: off, the engine default)")
		wd        = flag.Float64("wd", 0, "weight decay: an L2 penalty wd·θ added to the gradient (0: off, the engine default)")
		adamw     = flag.Bool("adamw", false, "apply -wd as AdamW's decoupled decay, θ -= lr·wd·θ, instead of an L2 penalty")
		layers    = flag.Int("layers", 0, "hidden layers per subnet (0: engine default)")
		hidden    = flag.Int("hidden", 0, "width of the subnet hidden layers (0: engine default)")
		clamp     = flag.Float64("clamp", 0, "soft clamp of the affine log-scales (0: engine default)")
		blocks    = flag.Int("blocks", 0, "coupling blocks (0: engine default)")
		coupling  = flag.String("coupling", "", "coupling transform: affine, spline or mixed (empty: engine default)")
		bins      = flag.Int("bins", 0, fmt.Sprintf("spline bins (0: cinn.DefaultBinsFor the training rows, %d, or %d from %d rows)", cinn.DefaultBins, cinn.DefaultBinsLarge, cinn.LargeTrainingRows))
		tail      = flag.Float64("tail-bound", 0, "spline interval half-width (0: engine default)")
		iso       = flag.Bool("isochrone", false, "run the PARSEC isochrone validation")
		data      = flag.String("data", "../shared/data", "the project's data folder")
		figs      = flag.String("figures", "docs/figures", "directory of the isochrone figures")
		isoN      = flag.Int("iso-train", 10000, "isochrone training stars")
		isoProbit = flag.Bool("iso-age-probit", false, "map the isochrone network's logAge through the probit of the grid's age range")
		isoModel  = flag.String("iso-model", "", "file to save the trained isochrone network to (empty: not saved)")
		isoTest   = flag.Int("iso-test", 0, "isochrone test stars per test set (0: the default, 5000)")
		isoLoad   = flag.String("iso-load", "", "evaluate this saved isochrone network (-iso-model of an earlier run) instead of training one; the network and training flags are then ignored")
		isoTSeed  = flag.Int64("iso-test-seed", 0, "seed of the isochrone test stars and posterior draws (0: -seed)")
		isoDeriv  = flag.Bool("iso-derived", false, "infer logAge, Mini and Zini only and read Mass, logL, logTe, logg off the isochrone per sample")
		condNet   = flag.String("condnet", "", "comma-separated widths of a conditioning network (empty: none)")
		burn      = flag.Int("mcmc-burn", 20000, "burn-in steps per chain of the slcp reference MCMC")
		maxRhat   = flag.Float64("mcmc-maxrhat", 1.05, "largest split-R̂ accepted for the slcp reference MCMC")
		table     = flag.Bool("table", false, "print the Markdown tables of the results in -out and exit")
		nullCal   = flag.Int("null-cal", 0, "print the distribution of the median |e_cal| a perfectly calibrated posterior scores on this many test stars with 1,000 samples each (20,000 draws, -seed) and exit")
		bounded   = flag.Bool("bounded", false, "map parameters with a box prior from the box to the real line (a probit) before training")
		published = flag.Bool("published", false, "score sbibm's published observations instead of ten drawn from the prior (slcp, gaussian_linear, gaussian_linear_uniform)")
		reject    = flag.Bool("reject", false, "keep only posterior samples inside the prior's support (sbi's leakage correction)")
		exact     = flag.Bool("exact", false, "score a second, independent draw of each -tasks' reference posterior instead of a trained network (no training; -budgets ignored): the C2ST a perfect posterior gets on the same observations, written as TASK-exact.json")
		resume    = flag.Bool("resume", false, "keep the scores of an earlier result file of the same run in -out (with fewer -obs) when the retrained network is the same")
	)
	flag.Parse()
	log.SetFlags(log.Ltime)
	log.Printf("matrix kernels: %s; results record them as BLAS, GOCINN_BLAS picks others", cinn.BLAS())
	if *table {
		if err := printTables(*out); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *nullCal != 0 {
		if *nullCal < 0 {
			log.Fatalf("validate: -null-cal %d: want a positive number of test stars", *nullCal)
		}
		d := diagnostics.NullMedianCal(*nullCal, diagnostics.NullOptions{Samples: 1000, Draws: 20000}, rand.NewPCG(uint64(*seed), 9000))
		over := len(d) - sort.Search(len(d), func(i int) bool { return d[i] > 0.01 })
		fmt.Printf("median |e_cal| of a perfectly calibrated posterior on %d test stars (%d draws): median %.2f%%, 90%% %.2f%%, 99%% %.2f%%; above 1%% in %.1f%% of the draws\n",
			*nullCal, len(d), 100*diagnostics.Percentile(d, 0.5), 100*diagnostics.Percentile(d, 0.9), 100*diagnostics.Percentile(d, 0.99), 100*float64(over)/float64(len(d)))
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	ts := cinn.TrainSettings{Epochs: *epochs, Patience: *patience, LR: *lr, BatchSize: *batch, EMA: *ema, WeightDecay: *wd, DecoupledWeightDecay: *adamw, Seed: *batchSeed}
	cfg := cinn.Config{Layers: *layers, Hidden: *hidden, Clamp: *clamp, Blocks: *blocks, Coupling: *coupling, Bins: *bins, TailBound: *tail, Seed: *netSeed, PermSeed: *permSeed, Permute: *permute, LinearMix: *mix, MixInit: *mixInit}
	if *condNet != "" {
		for _, w := range strings.Split(*condNet, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil || n < 1 {
				log.Fatalf("validate: bad width %q in -condnet (want positive integers, e.g. 512,512,256)", w)
			}
			cfg.CondNet = append(cfg.CondNet, n)
		}
	}
	if *gamma != 0 && *cosine >= 0 {
		log.Fatal("validate: -gamma and -cosine both set a schedule; choose one")
	}
	if *gamma != 0 {
		ts.Schedule = cinn.Schedule{Kind: cinn.ExponentialSchedule, Gamma: *gamma}
	}
	if *cosine >= 0 {
		ts.Schedule = cinn.Schedule{Kind: cinn.CosineSchedule, Floor: *cosine}
	}
	names := simulators.Names()
	if *tasks == "none" {
		names = nil
	} else if *tasks != "all" {
		names = strings.Split(*tasks, ",")
	}
	failed := false
	var bs []int
	for _, b := range strings.Split(*budgets, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(b))
		if err != nil || n < 10 {
			log.Fatalf("validate: bad budget %q in -budgets (want integers ≥ 10, e.g. 1000,10000)", b)
		}
		bs = append(bs, n)
	}
	if *obs < 1 || *obs > 10 {
		log.Fatalf("validate: -obs %d: want 1 to 10 (the fixed observations)", *obs)
	}
	mcmc := simulators.MCMCSettings{Burn: *burn, MaxRhat: *maxRhat}
	if *exact {
		bs = []int{0} // one pass over the tasks, nothing trained
	}
	for _, b := range bs {
		for _, name := range names {
			task, err := simulators.Lookup(strings.TrimSpace(name))
			if err != nil {
				log.Fatal(err)
			}
			run := fmt.Sprintf("%s %d", task.Name(), b)
			file := filepath.Join(*out, fmt.Sprintf("%s-%d%s.json", task.Name(), b, *tag))
			s := validation.Settings{
				Budget: b, Observations: *obs, Samples: *samples, Seed: *seed, Train: ts, Config: cfg,
				Reference: validation.ReferenceCache(filepath.Join(*out, "reference"), *samples, mcmc), MCMC: mcmc,
				Log: log.Printf, PriorRejection: *reject, Bounded: *bounded, Published: *published,
			}
			var res validation.TaskResult
			if *exact {
				run = task.Name() + " exact"
				file = filepath.Join(*out, fmt.Sprintf("%s-exact%s.json", task.Name(), *tag))
				res, err = validation.ExactC2ST(ctx, task, s)
			} else {
				if *resume {
					if s.Previous, err = readResult(file); err != nil {
						log.Fatal(err)
					}
				}
				res, err = validation.RunTask(ctx, task, s)
			}
			if err != nil {
				// Go on with the other tasks; the table shows the gap.
				log.Printf("%s: FAILED: %v", run, err)
				failed = true
				continue
			}
			log.Printf("%s: mean C2ST %.4f ± %.4f (train %.0fs, sample %.0fs, reference %.0fs, C2ST %.0fs)",
				run, res.Mean, res.Std, res.TrainSeconds, res.SampleSeconds, res.RefSeconds, res.C2STSeconds)
			if err := writeJSON(file, res); err != nil {
				log.Fatal(err)
			}
		}
	}
	if *iso {
		start := time.Now()
		res, err := validation.RunIsochrone(ctx, *data, validation.IsochroneSettings{
			TrainStars: *isoN, TestStars: *isoTest, Model: *isoModel, Load: *isoLoad, TestSeed: *isoTSeed, AgeProbit: *isoProbit, Derived: *isoDeriv, Seed: *seed, Train: ts, Config: cfg, Figures: *figs, Log: log.Printf,
		})
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("isochrone: done in %s", time.Since(start).Round(time.Second))
		if err := writeJSON(filepath.Join(*out, "isochrone"+*tag+".json"), res); err != nil {
			log.Fatal(err)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// readResult reads the result file of an earlier run; a missing file is
// no result.
func readResult(file string) (*validation.TaskResult, error) {
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r validation.TaskResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("validate: -resume: %s: %v (delete it or run without -resume)", file, err)
	}
	return &r, nil
}

func writeJSON(file string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(file, append(b, '\n'), 0o644)
}

// printTables prints the Markdown tables of the results in dir.
func printTables(dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	var rs []validation.TaskResult
	var iso []validation.IsochroneResult
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if strings.HasPrefix(filepath.Base(f), "isochrone") {
			var r validation.IsochroneResult
			if err := json.Unmarshal(b, &r); err != nil {
				return fmt.Errorf("validate: %s: %v (delete it or rerun the isochrone validation)", f, err)
			}
			iso = append(iso, r)
			continue
		}
		var r validation.TaskResult
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("validate: %s: %v (delete it or rerun its task)", f, err)
		}
		if r.Task == "" {
			continue
		}
		rs = append(rs, r)
	}
	fmt.Print(validation.C2STTable(rs))
	if t := validation.ExactTable(rs); t != "" {
		fmt.Println()
		fmt.Print(t)
	}
	if t := validation.PairedNPETable(rs); t != "" {
		fmt.Println()
		fmt.Print(t)
	}
	for _, r := range iso {
		fmt.Println()
		fmt.Print(r.Table())
	}
	return nil
}
