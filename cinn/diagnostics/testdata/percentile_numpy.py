#!/usr/bin/env python3
"""Writes percentile_golden.json: numpy's percentiles, standard deviations
and Silverman bandwidths of a few fixed samples, against which
diagnostics.Percentile, Summarize and SilvermanBandwidth are tested.

Regenerate from the repository root:  go test ./cinn/diagnostics -run Golden -update
(or: ../../.venv/bin/python testdata/percentile_numpy.py > testdata/percentile_golden.json)
"""
import json
import sys

import numpy as np

rng = np.random.default_rng(20200)
cases = {
    "normal37": rng.normal(3.0, 2.0, 37),
    "ties": rng.integers(0, 5, 101).astype(float),
    "lognormal1000": rng.lognormal(0.0, 1.5, 1000),
    "two": np.array([-1.0, 4.0]),
}
levels = [k / 100 for k in range(1, 101)]
out = []
for name, x in cases.items():
    qs = sorted({0.0, 0.25, 0.75, 1.0, *[(1 - q) / 2 for q in levels], *[(1 + q) / 2 for q in levels]})
    s = x.std(ddof=1)
    iqr = np.percentile(x, 75) - np.percentile(x, 25)
    a = min(s, iqr / 1.34)
    if not a > 0:
        a = s
    out.append({
        "name": name,
        "x": x.tolist(),
        "p": qs,
        "percentile": np.percentile(x, [100 * q for q in qs]).tolist(),
        "mean": float(x.mean()),
        "std": float(s),
        "bandwidth": float(0.9 * a * len(x) ** -0.2),
    })
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
