"""Reads merged summary tables of gocinn merge the way users do, and prints
what it read as JSON for python_test.go to compare with Go's values.

usage: read_merged.py CSV FITS NPZ
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from astropy.table import Table


def encode(columns):
    out = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        if arr.dtype.kind in "iu":
            out[name] = {"kind": "i", "dtype": str(arr.dtype), "values": [str(int(v)) for v in arr]}
        elif arr.dtype.kind == "f":
            out[name] = {"kind": "f", "dtype": str(arr.dtype),
                         "values": ["nan" if math.isnan(v) else float(v).hex() for v in arr]}
        else:
            # astropy gives FITS 'A' fields as bytes (dtype S): decode them as users do
            text = [v.decode() if isinstance(v, bytes) else str(v) for v in arr.tolist()]
            out[name] = {"kind": "s", "dtype": str(arr.dtype), "values": [v.strip() for v in text]}
    return out


csv, fits, npz = sys.argv[1:4]
df = pd.read_csv(csv)
t = Table.read(fits)
z = np.load(npz)
result = {
    "pandas": encode({c: df[c].to_numpy() for c in df.columns}),
    "astropy": encode({c: np.asarray(t[c]) for c in t.colnames}),
    "numpy": encode({k: z[k] for k in z.files}),
    "order": {"pandas": list(df.columns), "astropy": list(t.colnames), "numpy": list(z.files)},
}
json.dump(result, sys.stdout)
