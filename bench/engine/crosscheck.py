#!/usr/bin/python3
"""Cross-check the gocinn engine against an independent PyTorch implementation.

Loads cinn/testdata/crosscheck.json (written by `go test ./cinn/ -run
TestCrosscheckFile -update`: weights, permutations, inputs, and the engine's
z, log|det J|, loss and gradients, all in float64) into the GLOW network of
torch_bench.py (FrEIA's GLOWCouplingBlock + PermuteRandom in plain PyTorch),
recomputes everything in float64 with autograd and prints the largest
differences. Exits non-zero if any exceeds 1e-9.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_bench import GLOWBlock  # noqa: E402


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "cinn", "testdata", "crosscheck.json")
    cc = json.load(open(path))
    torch.set_default_dtype(torch.float64)
    D, dy = cc["Dim"], cc["DimY"]
    blocks = []
    for k in range(cc["Blocks"]):
        b = GLOWBlock(D, dy, clamp=cc["Clamp"], hidden=cc["Hidden"], layers=cc["Layers"])
        for s, sub in enumerate([b.subnet1, b.subnet2]):
            lins = [m for m in sub if isinstance(m, torch.nn.Linear)]
            assert len(lins) == len(cc["Weights"][k][s]), "layer count differs"
            for lin, (w, bias) in zip(lins, cc["Weights"][k][s]):
                W = torch.tensor(w).reshape(lin.in_features, lin.out_features)
                lin.weight.data = W.t().contiguous()
                lin.bias.data = torch.tensor(bias)
        blocks.append(b)
    x = torch.tensor(cc["X"]).reshape(-1, D)
    y = torch.tensor(cc["Y"]).reshape(-1, dy)
    z, ld = x, 0
    for b, p in zip(blocks, cc["Perms"]):
        z, j = b(z, y)
        z = z[:, p]
        ld = ld + j
    loss = torch.mean(0.5 * torch.sum(z ** 2, 1) - ld) / D
    loss.backward()
    diffs = {
        "z": (z.detach().flatten() - torch.tensor(cc["Z"])).abs().max().item(),
        "logdet": (ld.detach() - torch.tensor(cc["LogDet"])).abs().max().item(),
        "loss": abs(loss.item() - cc["Loss"]),
    }
    g = 0.0
    for k, b in enumerate(blocks):
        for s, sub in enumerate([b.subnet1, b.subnet2]):
            lins = [m for m in sub if isinstance(m, torch.nn.Linear)]
            for lin, (gw, gb) in zip(lins, cc["Grads"][k][s]):
                GW = torch.tensor(gw).reshape(lin.in_features, lin.out_features).t()
                g = max(g, (lin.weight.grad - GW).abs().max().item(), (lin.bias.grad - torch.tensor(gb)).abs().max().item())
    diffs["gradient"] = g
    print("max |gocinn - PyTorch| (float64):", ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
    if max(diffs.values()) > 1e-9:
        print("MISMATCH")
        sys.exit(1)
    print("OK: forward, log|det J|, loss and all gradients agree")


if __name__ == "__main__":
    main()
