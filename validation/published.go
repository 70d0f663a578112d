// Copyright ©2026 The gocinn Authors. All rights reserved.

package validation

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/gocinn/gocinn/cinn/simulators"
)

// publishedSLCP are sbibm's ten fixed observations of slcp and the
// parameters that generated them, copied from sbibm v1.1
// (sbibm/tasks/slcp/files/num_observation_K/{true_parameters,observation}.csv,
// MIT licence), in gocinn's layout (x11, x12, x21, ..., x42, as sbibm's).
var publishedSLCP = [10]struct{ theta, x []float64 }{
	{[]float64{-2.8581212, -0.44451332, 2.9473476, 1.2396116, 2.9712725},
		[]float64{2.3718784, 0.49947417, 9.931435, 1.7136912, -10.436423, -1.9067793, -1.2343777, -0.09735}},
	{[]float64{-0.8669908, -2.6278377, 2.8607178, -1.8587376, -2.7437975},
		[]float64{-0.66452104, -2.9279308, -16.49147, 4.06107, 4.232153, -4.652277, -4.9924355, -1.5655216}},
	{[]float64{2.1904812, -0.9653516, 2.2308893, -2.95686, 1.7665963},
		[]float64{3.5023372, 5.254722, 8.685451, 9.995327, 0.40782332, -5.7111573, 10.605566, 12.695774}},
	{[]float64{-2.407025, 0.034922123, 1.4813509, 0.36865616, -2.4579406},
		[]float64{-1.6371447, -0.037302777, -1.5622597, 0.031204943, -3.683134, 0.09953671, -1.7389069, 0.0309663}},
	{[]float64{2.6843572, 2.1535459, -2.8867972, 2.1739058, -2.0535889},
		[]float64{-8.801672, 8.726709, -10.484016, 6.857725, -6.769688, 7.574161, 3.804308, 2.7593615}},
	{[]float64{-1.9131382, 0.0055966377, -1.424882, 1.7892818, 2.2225108},
		[]float64{0.069512725, 4.0657325, -1.1986864, 0.94379723, -1.4434359, 0.02170819, -4.4811616, -4.26959}},
	{[]float64{2.9774556, -1.563847, -2.5354505, 0.4488709, -1.7340868},
		[]float64{-3.0776706, -1.2080946, 25.778881, -2.244017, -0.77473235, -1.5114331, 5.919487, -1.6953411}},
	{[]float64{-2.8381855, -2.4080014, 2.9901233, -0.72601986, 1.2363443},
		[]float64{1.2463324, -2.414371, -2.9786007, -2.3214335, -17.3002, -3.298883, -13.487199, -3.023044}},
	{[]float64{2.03257, 0.039462805, -1.7365737, 1.859148, -1.9385548},
		[]float64{4.755368, -2.3791986, 3.5834174, -1.444761, 5.063205, -3.448882, 0.56577647, 1.3524654}},
	{[]float64{2.1795692, -2.984069, 0.9612086, -0.9602599, -2.1850324},
		[]float64{1.3710914, -2.39026, 1.8363019, -2.4391632, 2.013802, -3.2097385, 2.4036794, -3.0089793}},
}

// PublishedObservations returns sbibm's first n fixed observations of the
// named task and the parameters that generated them (one row each), and
// false for tasks whose published observations gocinn does not carry
// (only slcp's: its posteriors' widths depend most on the observation, so
// its scores are comparable with the published ones only on the same
// observations).
func PublishedObservations(task string, n int) (theta, x *mat.Dense, ok bool) {
	if task != "slcp" || n < 1 || n > len(publishedSLCP) {
		return nil, nil, false
	}
	theta = mat.NewDense(n, len(publishedSLCP[0].theta), nil)
	x = mat.NewDense(n, len(publishedSLCP[0].x), nil)
	for i := range n {
		theta.SetRow(i, publishedSLCP[i].theta)
		x.SetRow(i, publishedSLCP[i].x)
	}
	return theta, x, true
}

// taskObservations returns the first n fixed observations of task: sbibm's
// published ones if published is set, else draws from the prior with
// simulators.ObservationSeed.
func taskObservations(task simulators.Task, n int, published bool) (*mat.Dense, error) {
	if !published {
		_, x := simulators.Observations(task, n, simulators.ObservationSeed)
		return x, nil
	}
	_, x, ok := PublishedObservations(task.Name(), n)
	if !ok {
		return nil, fmt.Errorf("validation: gocinn carries sbibm's published observations only for slcp, not for %s (or not %d of them)", task.Name(), n)
	}
	return x, nil
}
