"""Interoperability checks for cinn/table, run by interop_test.go.

    python interop.py read DIR    reads the files Go wrote in DIR with numpy,
                                  pandas and astropy, prints JSON of what it read
    python interop.py write DIR   writes files with numpy, pandas and astropy
                                  into DIR, and DIR/expected.json with the
                                  values Go must read from them

Floats travel as float.hex() strings and integers as decimal strings, so the
comparison in Go is exact.
"""
import json
import sys

import numpy as np
import pandas as pd
from astropy.io import fits
from astropy.table import Table


def enc(values):
    """Encodes a 1-D array or list for exact comparison."""
    a = np.asarray(values)
    if a.dtype.kind in "iu":
        return {"kind": "i", "values": [str(int(v)) for v in a]}
    if a.dtype.kind == "S":
        return {"kind": "s", "values": [v.decode() for v in a]}
    if a.dtype.kind == "U":
        return {"kind": "s", "values": [str(v) for v in a]}
    if a.dtype.kind == "O":
        return {"kind": "s", "values": ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in a]}
    return {"kind": "f", "values": [float(v).hex() for v in a.astype(np.float64)]}


def read(d):
    out = {}
    df = pd.read_csv(f"{d}/go.csv", float_precision="round_trip", keep_default_na=True)
    out["go.csv"] = {c: enc(df[c].to_numpy()) for c in df.columns}
    df = pd.read_csv(f"{d}/go.tsv", sep="\t", float_precision="round_trip")
    out["go.tsv"] = {c: enc(df[c].to_numpy()) for c in df.columns}
    a = np.load(f"{d}/go.npy", allow_pickle=False)
    out["go.npy"] = {"shape": list(a.shape), "dtype": a.dtype.str}
    out["go.npy"].update({f"col{j}": enc(a[:, j]) for j in range(a.shape[1])})
    with np.load(f"{d}/go.npz", allow_pickle=False) as z:
        out["go.npz"] = {k: dict(enc(z[k]), dtype=z[k].dtype.str) for k in z.files}
    t = Table.read(f"{d}/go.fits")
    out["go.fits"] = {}
    for c in t.colnames:
        e = enc(t[c])
        e["unit"] = "" if t[c].unit is None else str(t[c].unit)
        e["dtype"] = t[c].dtype.str
        out["go.fits"][c] = e
    t = Table.read(f"{d}/go.ecsv", format="ascii.ecsv")
    out["go.ecsv"] = {}
    for c in t.colnames:
        e = enc(t[c])
        e["unit"] = "" if t[c].unit is None else str(t[c].unit)
        e["dtype"] = t[c].dtype.str
        out["go.ecsv"][c] = e
    with fits.open(f"{d}/go.fits") as h:
        h.verify("exception")
        out["go.fits"]["_hdus"] = len(h)
    json.dump(out, sys.stdout)


def write(d):
    np.seterr(over="ignore")
    exp = {}
    x = np.array([0.1, 1 / 3, -0.0, 5e-324, 1e308, np.nan, np.inf, -2.5])

    def put(name, cols):
        exp[name] = {k: enc(v) for k, v in cols.items()}

    # .npy: dtypes, byte orders, orders, versions.
    for name, arr in {
        "f8.npy": x.reshape(4, 2),
        "f4.npy": x.astype("<f4"),
        "bigf8.npy": x.astype(">f8").reshape(2, 4),
        "i8.npy": np.array([[-(2**62) - 1, 2**53 + 1], [7, -8]], dtype="<i8"),
        "i4be.npy": np.array([1, -2, 2**31 - 1], dtype=">i4"),
        "u2.npy": np.array([0, 65535], dtype="<u2"),
        "bool.npy": np.array([True, False, True]),
        "fortran.npy": np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4) / 7),
        "scalar.npy": np.float64(2.75),
    }.items():
        np.save(f"{d}/{name}", arr)
        a = np.atleast_1d(arr)
        if a.ndim == 1:
            put(name, {"col0": a})
        else:
            put(name, {f"col{j}": a[:, j] for j in range(a.shape[1])})
    s = np.zeros(3, dtype=[("mass", "<f8"), ("id", "<i8"), ("mag", ">f4", (2,)), ("ok", "?"), ("name", "<U5")])
    s["mass"] = [0.5, 1.5, np.nan]
    s["id"] = [2**60 + 3, -1, 0]
    s["mag"] = [[1, 2], [3, 4], [5.5, -6]]
    s["ok"] = [True, False, True]
    s["name"] = ["a", "Vega", "αCen"]
    np.save(f"{d}/struct.npy", s)
    put("struct.npy", {"mass": s["mass"], "id": s["id"], "mag_0": s["mag"][:, 0], "mag_1": s["mag"][:, 1], "ok": s["ok"], "name": s["name"]})
    with open(f"{d}/v2.npy", "wb") as f:
        np.lib.format.write_array(f, x, version=(2, 0))
    put("v2.npy", {"col0": x})
    with open(f"{d}/v3.npy", "wb") as f:
        np.lib.format.write_array(f, np.zeros(2, dtype=[("ü", "<f8")]), version=(3, 0))
    put("v3.npy", {"ü": np.zeros(2)})

    # .npz, stored and deflated.
    cols = {"Gmag": x, "n": np.arange(8), "grid": np.arange(16.0).reshape(8, 2)}
    np.savez(f"{d}/plain.npz", **cols)
    np.savez_compressed(f"{d}/deflated.npz", **cols)
    for name in ("plain.npz", "deflated.npz"):
        put(name, {"Gmag": x, "n": np.arange(8), "grid_0": cols["grid"][:, 0], "grid_1": cols["grid"][:, 1]})

    # FITS: an image first, then two tables with every TFORM we read.
    n = 4
    t = Table()
    t["L"] = np.array([True, False, True, False])
    t["B"] = np.array([0, 1, 200, 255], dtype=np.uint8)
    t["I"] = np.array([-32768, 0, 5, 32767], dtype=np.int16)
    t["J"] = np.array([-(2**31), 1, 2, 2**31 - 1], dtype=np.int32)
    t["K"] = np.array([-(2**63), 2**53 + 1, 635860218726658176, 2**63 - 1], dtype=np.int64)
    t["E"] = np.array([0.1, np.nan, -np.inf, 3.5], dtype=np.float32)
    t["D"] = x[:n]
    t["D"].unit = "mag"
    t["A"] = np.array(["", "Vega", "a b", "12345678"])
    t["vec"] = np.arange(3 * n, dtype=np.float64).reshape(n, 3)
    t["u16"] = np.array([0, 1, 40000, 65535], dtype=np.uint16)
    t["u32"] = np.array([0, 1, 3_000_000_000, 2**32 - 1], dtype=np.uint32)
    t["u64"] = np.array([0, 1, 2**63, 2**64 - 1], dtype=np.uint64)
    hdus = fits.HDUList([fits.PrimaryHDU(np.zeros((2, 3), dtype=np.int16))])
    hdus.append(fits.ImageHDU(np.ones(5, dtype=np.float32)))
    hdus.append(fits.table_to_hdu(t))
    # A table with TNULL and TSCAL: written by hand with astropy.io.fits.
    c1 = fits.Column(name="nulled", format="J", null=-999, array=np.array([1, -999, 3, 4], dtype=np.int32))
    c2 = fits.Column(name="scaled", format="I", array=np.array([0, 1, -2, -20], dtype=np.int16))
    hdus.append(fits.BinTableHDU.from_columns([c1, c2]))
    hdus.writeto(f"{d}/multi.fits", overwrite=True)
    # astropy 8 with numpy 2 cannot write a scaled integer column, so add
    # TSCAL2 and TZERO2 to the last header by hand.
    with open(f"{d}/multi.fits", "rb") as f:
        raw = bytearray(f.read())
    start = raw.rfind(b"XTENSION= 'BINTABLE'")
    end = start
    while raw[end:end + 80] != b"END" + b" " * 77:
        end += 80
    assert (end - start) // 80 + 3 <= 36, "no room in the header block"
    cards = b"TSCAL2  =                  0.5".ljust(80) + b"TZERO2  =                 10.0".ljust(80)
    raw[end:end + 240] = cards + raw[end:end + 80]
    with open(f"{d}/multi.fits", "wb") as f:
        f.write(raw)
    u64 = [float(v) for v in t["u64"]]
    put("multi.fits", {
        "L": t["L"], "B": t["B"], "I": t["I"], "J": t["J"], "K": t["K"], "E": t["E"], "D": t["D"],
        "A": t["A"], "vec_0": t["vec"][:, 0], "vec_1": t["vec"][:, 1], "vec_2": t["vec"][:, 2],
        "u16": t["u16"], "u32": t["u32"], "u64": np.array(u64),
    })
    exp["multi.fits"]["D"]["unit"] = "mag"
    tn = Table.read(f"{d}/multi.fits", hdu=3)
    nulled = np.ma.filled(np.ma.asarray(tn["nulled"]).astype(float), np.nan)
    put("multi.fits#3", {"nulled": nulled, "scaled": np.asarray(tn["scaled"], dtype=float)})

    # ECSV from astropy: units, a string column of digits, int64 beyond 2^53.
    e = Table()
    e["x"] = x
    e["x"].unit = "km / s"
    e["id"] = np.array([2**60 + 1, -5, 0, 7, 8, 9, 10, 11], dtype=np.int64)
    e["code"] = ["007", "x y", 'q"', "", "NA", "1e5", "-", "z"]
    e.write(f"{d}/astropy.ecsv", overwrite=True)
    put("astropy.ecsv", {"x": e["x"], "id": e["id"], "code": np.array(e["code"])})
    exp["astropy.ecsv"]["x"]["unit"] = "km / s"

    # CSV from pandas, with missing values and quoting.
    df = pd.DataFrame({"id": [1, 2, 3], "G": [17.2, np.nan, 1 / 3], "name": ["Star, A", 'say "hi"', "ü"]})
    df.to_csv(f"{d}/pandas.csv", index=False)
    put("pandas.csv", {"id": df["id"].to_numpy(), "G": df["G"].to_numpy(), "name": df["name"].to_numpy()})
    with open(f"{d}/expected.json", "w") as f:
        json.dump(exp, f)


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
