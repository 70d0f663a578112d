// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gocinn/gocinn/cinn/simulators"
)

// ExactC2ST scores what a perfect posterior estimator would score: for
// each of the fixed observations RunTask uses, it draws Settings.Samples
// samples from the task's reference sampler a second time, independently
// of the reference (seed Settings.Seed, a stream of its own per
// observation), and runs the same C2ST against the reference samples.
// Nothing is trained. The result shows how far above 0.5 the test's own
// noise puts a posterior that is exactly right, the floor under every
// estimator's score on those observations (for slcp, a second MCMC run
// against the first: both are approximations checked by split-R̂).
//
// Settings' Budget, Config and Train are ignored; the result has Exact
// set, Budget zero and no training fields.
func ExactC2ST(ctx context.Context, task simulators.Task, s Settings) (TaskResult, error) {
	s.defaults()
	if s.Observations > 10 {
		panic("validation: at most 10 observations")
	}
	name := task.Name()
	res := TaskResult{Task: name, Observations: s.Observations, Samples: s.Samples, Seed: s.Seed, Exact: true, Published: s.Published}
	xObs, err := taskObservations(task, s.Observations, s.Published)
	if err != nil {
		return res, err
	}
	for i := range s.Observations {
		ref, err := observationReference(ctx, task, xObs, i, s, &res)
		if err != nil {
			return res, err
		}
		start := time.Now()
		// Stream 3000+i of s.Seed: the reference draws stream 2000+i of
		// ObservationSeed, a network's samples stream 1000+i of s.Seed.
		exact, rhat, err := ReferenceSamples(ctx, task, xObs.RawRowView(i), s.Samples, rand.NewPCG(uint64(s.Seed), 3000+uint64(i)), s.MCMC)
		res.SampleSeconds += time.Since(start).Seconds()
		res.RefRhat = max(res.RefRhat, rhat)
		if err != nil {
			return res, fmt.Errorf("validation: exact posterior of %s observation %d: %w", name, i+1, err)
		}
		if err := res.score(ctx, s, ref, exact, name+" exact", i); err != nil {
			return res, err
		}
	}
	res.summarise()
	return res, nil
}
