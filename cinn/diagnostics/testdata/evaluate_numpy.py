#!/usr/bin/env python3
"""Writes evaluate_golden.json: an independent numpy implementation of the
diagnostics of diagnostics.Evaluate (e_cal, median |e_cal|, coverage, u68,
RMSE, SBC ranks, support fraction, KDE MAP by brute force on a fine grid) on
a small fixed test set with over-dispersed, biased and calibrated
parameters.

Regenerate from the repository root:  go test ./cinn/diagnostics -run Golden -update
"""
import json
import sys

import numpy as np

rng = np.random.default_rng(2020)
nobs, nsamp = 40, 60
mu = rng.normal(0, 3, (nobs, 3))
sigma = np.exp(rng.normal(0, 0.5, (nobs, 3)))
truth = mu + sigma * rng.normal(size=(nobs, 3))
scale = np.array([1.0, 1.6, 1.0])
bias = np.array([0.0, 0.0, 0.7])
samples = mu[:, None, :] + bias * sigma[:, None, :] + scale * sigma[:, None, :] * rng.normal(size=(nobs, nsamp, 3))
samples = np.round(samples, 6)  # exact in the JSON text
truth = np.round(truth, 6)

qs = np.arange(1, 101) / 100


def kde_map(x):
    s = x.std(ddof=1)
    iqr = np.percentile(x, 75) - np.percentile(x, 25)
    a = min(s, iqr / 1.34)
    if not a > 0:
        a = s
    h = 0.9 * a * len(x) ** -0.2
    t = np.linspace(x.min(), x.max(), 200001)
    f = np.zeros_like(t)
    for v in x:
        f += np.exp(-0.5 * ((t - v) / h) ** 2)
    return float(t[f.argmax()]), float((x.max() - x.min()) / 200000)


params = []
for j in range(3):
    inside = np.zeros((nobs, len(qs)), bool)
    w68 = np.zeros(nobs)
    in68 = np.zeros(nobs, bool)
    in95 = np.zeros(nobs, bool)
    ranks = np.zeros(nobs, int)
    maps = np.zeros(nobs)
    steps = np.zeros(nobs)
    for i in range(nobs):
        x, t = samples[i, :, j], truth[i, j]
        for k, q in enumerate(qs):
            lo, hi = np.quantile(x, [(1 - q) / 2, (1 + q) / 2])
            inside[i, k] = lo <= t <= hi
        lo, hi = np.quantile(x, [0.16, 0.84])
        w68[i], in68[i] = hi - lo, lo <= t <= hi
        lo, hi = np.quantile(x, [0.025, 0.975])
        in95[i] = lo <= t <= hi
        ranks[i] = int((x < t).sum())
        maps[i], steps[i] = kde_map(x)
    ecal = inside.mean(axis=0) - qs
    params.append({
        "ecal": ecal.tolist(),
        "median_abs": float(np.median(np.abs(ecal))),
        "coverage68": float(in68.mean()),
        "coverage95": float(in95.mean()),
        "u68": float(np.median(w68)),
        "in_support": float(np.mean((samples[:, :, j].min(axis=1) <= truth[:, j]) & (truth[:, j] <= samples[:, :, j].max(axis=1)))),
        "rmse_samples": float(np.sqrt(np.mean((samples[:, :, j] - truth[:, j][:, None]) ** 2))),
        "ranks": ranks.tolist(),
        "map": maps.tolist(),
        "map_step": steps.tolist(),
    })
json.dump({"samples": samples.tolist(), "truth": truth.tolist(), "params": params}, sys.stdout)
sys.stdout.write("\n")
