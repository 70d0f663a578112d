"""The notebook workflow of gocinn's magics through a real Jupyter client.

simulate → data → model → train → sample → eval → plot → export runs in one
kernel through jupyter_client; then numpy, pandas and astropy read what the
kernel exported and the values are checked against the problem (two moons:
θ in [-1, 1]², and the exact relation between the exports). An interrupted
%train is followed by a working %sample.
"""

from __future__ import annotations

import base64
import time

import pytest

from conftest import REPLY_TIMEOUT, collect, execute, stream_text

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
astropy_table = pytest.importorskip("astropy.table")


def ok(kc, code, timeout=120):
    reply, out = execute(kc, code, timeout=timeout)
    errors = [m["content"] for m in out if m["msg_type"] == "error"]
    assert reply["content"]["status"] == "ok", (code, reply["content"], errors)
    for m in out:
        if m["msg_type"] in ("display_data", "update_display_data", "execute_result"):
            assert "text/plain" in m["content"]["data"], (code, m["content"]["data"].keys())
    return out


def pngs(out):
    return [m for m in out if m["msg_type"] == "display_data" and "image/png" in m["content"]["data"]]


def test_workflow_and_exports(kernel, tmp_path):
    km, kc = kernel
    out = ok(kc, "%simulate two_moons --n 4000 --seed 1 --obs 3")
    assert any("4000 rows" in m["content"]["data"]["text/plain"] for m in out if m["msg_type"] == "display_data")
    ok(kc, "%data two_moons --split 0.8,0.1,0.1 --seed 2")
    out = ok(kc, "%%model\nblocks: 4\nhidden: 48\nlayers: 2\nseed: 1")
    assert "trainable parameters" in out[0]["content"]["data"]["text/plain"]

    out = ok(kc, "%train --epochs 6 --batch 128 --lr 3e-3")
    (first,) = [m for m in out if m["msg_type"] == "display_data" and m["content"].get("transient")]
    did = first["content"]["transient"]["display_id"]
    updates = [m for m in out if m["msg_type"] == "update_display_data"]
    assert updates and all(u["content"]["transient"]["display_id"] == did for u in updates)
    assert "data:image/png;base64," in updates[-1]["content"]["data"]["text/html"]
    assert "training summary" in out[-1]["content"]["data"]["text/plain"]

    out = ok(kc, "%sample --obs two_moons_obs --n 3000 --as post")
    tables = [m["content"]["data"] for m in out if m["msg_type"] == "display_data"]
    assert len(tables) == 2 and all("<table" in t["text/html"] and "true" in t["text/plain"] for t in tables)

    out = ok(kc, "%eval --n 300 --max 150")
    assert "median |e_cal|" in out[0]["content"]["data"]["text/plain"]
    assert len(pngs(out)) == 1

    for kind in ["loss", "corner --reference", "marginals --obs 1", "calibration", "truth", "sbc", "hist2d --x x1 --y x2"]:
        out = ok(kc, f"%plot {kind} --width 400")
        (p,) = pngs(out)
        raw = base64.b64decode(p["content"]["data"]["image/png"])
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        assert p["content"]["metadata"]["image/png"]["width"] == 400
        assert int.from_bytes(raw[16:20], "big") == 800, kind

    d = tmp_path
    ok(kc, f"%export post_samples {d}/samples.npz\n%export post {d}/summary.csv\n%export post {d}/summary.fits\n"
           f"%export post_samples {d}/samples.npy\n%export eval {d}/eval.csv\n%plot corner --out {d}/corner.png")

    # numpy: one array per column, 3 observations × 3000 samples.
    z = np.load(d / "samples.npz")
    assert sorted(z.files) == ["obs", "theta1", "theta2"]
    assert z["theta1"].shape == (9000,) and z["theta1"].dtype == np.float64
    assert sorted(set(z["obs"].tolist())) == [0.0, 1.0, 2.0]
    assert np.all(np.abs(z["theta1"]) <= 1.05) and np.all(np.abs(z["theta2"]) <= 1.05)
    a = np.load(d / "samples.npy")
    assert a.shape == (9000, 3) and np.array_equal(a[:, 1], z["theta1"])

    # pandas: the summaries are those of the samples (numpy's percentiles).
    s = pd.read_csv(d / "summary.csv")
    assert list(s["obs"]) == [0, 1, 2]
    for i in range(3):
        th = z["theta1"][z["obs"] == i]
        assert s["theta1_median"][i] == pytest.approx(np.median(th), abs=1e-12)
        assert s["theta1_lo68"][i] == pytest.approx(np.percentile(th, 16), abs=1e-12)
        assert s["theta1_hi68"][i] == pytest.approx(np.percentile(th, 84), abs=1e-12)
        assert s["theta1_lo68"][i] <= s["theta1_map"][i] + 0.3
    assert s["theta1_true"].between(-1, 1).all()

    # astropy: the same table as FITS, bit for bit.
    t = astropy_table.Table.read(d / "summary.fits")
    assert np.array_equal(np.asarray(t["theta2_median"]), s["theta2_median"].to_numpy())

    e = pd.read_csv(d / "eval.csv")
    assert list(e["parameter"]) == ["theta1", "theta2"]
    assert e["coverage95"].between(0, 1).all() and (e["u68"] > 0).all()
    assert (d / "corner.png").read_bytes()[:4] == b"\x89PNG"


def test_interrupted_train_then_sample(kernel):
    km, kc = kernel
    ok(kc, "%simulate two_moons --n 20000 --seed 3 --obs 2 --quiet\n%data two_moons\n%model --blocks 4 --hidden 64 --layers 2")
    msg_id = kc.execute("%train --epochs 1000 --patience -1 --batch 64\n%echo not reached")
    # Wait for the first progress update, then press the interrupt button.
    deadline = time.monotonic() + REPLY_TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        m = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(m)
        if m["msg_type"] == "update_display_data":
            break
    else:
        pytest.fail("no progress update within the timeout")
    start = time.monotonic()
    km.interrupt_kernel()
    reply, out = collect(kc, msg_id, timeout=30)
    assert time.monotonic() - start < 10, "the interrupt did not stop training"
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    out = seen + out
    assert "not reached" not in stream_text(out)
    assert "keeps" in stream_text(out, "stderr")

    out = ok(kc, "%sample --obs two_moons_obs --n 1000")
    assert len([m for m in out if m["msg_type"] == "display_data"]) == 2
    ok(kc, "%train --epochs 1 --batch 256")


def test_completion_and_inspection_of_session_names(kernel):
    km, kc = kernel
    ok(kc, "%simulate two_moons --n 200 --quiet")
    for code, want in [
        ("%data two", ["two_moons"]),
        ("%data two_moons --x theta1,th", ["theta1", "theta2"]),
        ("%simulate gaussian_l", ["gaussian_linear", "gaussian_linear_uniform"]),
        ("%plot co", ["corner"]),
        ("%trai", ["%train"]),
    ]:
        kc.complete(code, len(code))
        reply = kc.get_shell_msg(timeout=REPLY_TIMEOUT)
        assert reply["content"]["matches"] == want, (code, reply["content"])
        assert reply["content"]["cursor_end"] == len(code)
    kc.inspect("%train --epochs 3", 3, 1)
    reply = kc.get_shell_msg(timeout=REPLY_TIMEOUT)
    assert reply["content"]["found"] and "--patience" in reply["content"]["data"]["text/plain"]
    kc.is_complete("%%model\nblocks: 4")
    assert kc.get_shell_msg(timeout=REPLY_TIMEOUT)["content"]["status"] == "complete"
