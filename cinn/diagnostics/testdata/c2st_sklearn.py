#!/usr/bin/env python3
"""C2ST as sbibm defines it (sbibm/metrics/c2st.py, Lueckmann et al. 2021),
with scikit-learn, on CSV inputs.

Usage:
    c2st_sklearn.py [--seed 1] REFERENCE.csv OTHER.csv [REFERENCE.csv OTHER.csv ...]

Each CSV holds one sample per row, comma-separated, no header. For every pair
the script prints one line: the mean held-out accuracy (%.6f). It is the
reference against which the Go port (diagnostics.C2ST) is tested; sbibm's
recipe is reproduced without torch: z-score both sets with the reference's
mean and standard deviation (ddof=1, as torch.std), an MLPClassifier with two
hidden layers of 10*dim ReLU units, adam, max_iter=10000, random_state=seed,
and cross_val_score with KFold(5, shuffle=True, random_state=seed).
"""
import argparse
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPClassifier


def c2st(X, Y, seed=1, n_folds=5):
    X_mean = X.mean(axis=0)
    X_std = X.std(axis=0, ddof=1)
    X = (X - X_mean) / X_std
    Y = (Y - X_mean) / X_std
    ndim = X.shape[1]
    clf = MLPClassifier(
        activation="relu",
        hidden_layer_sizes=(10 * ndim, 10 * ndim),
        max_iter=10000,
        solver="adam",
        random_state=seed,
    )
    data = np.concatenate((X, Y))
    target = np.concatenate((np.zeros((X.shape[0],)), np.ones((Y.shape[0],))))
    shuffle = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    scores = cross_val_score(clf, data, target, cv=shuffle, scoring="accuracy")
    return float(np.mean(scores))


def load(path):
    a = np.loadtxt(path, delimiter=",", dtype=np.float64, ndmin=2)
    if not np.all(np.isfinite(a)):
        sys.exit(f"{path}: non-finite values")
    return a


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    if len(args.files) % 2:
        sys.exit("need pairs of files: REFERENCE.csv OTHER.csv ...")
    warnings.simplefilter("ignore", ConvergenceWarning)
    for ref, other in zip(args.files[::2], args.files[1::2]):
        print("%.6f" % c2st(load(ref), load(other), seed=args.seed), flush=True)


if __name__ == "__main__":
    main()
