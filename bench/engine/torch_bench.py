#!/usr/bin/python3
"""PyTorch side of the gocinn engine benchmark.

Builds the network of cinn.BenchmarkTrainStep / cinn.BenchmarkSample in plain
PyTorch, exactly as FrEIA's GLOWCouplingBlock + PermuteRandom would (FrEIA is
not installed here): 8 GLOW coupling blocks, subnets of 3 hidden layers x 256
with ReLU, soft clamp clamp*0.636*atan(s), clamp 2, a fixed random permutation
after every block, all parameters drawn from 0.03*N(0,1); dim x 5, dim y 8,
batch 512, Adam(lr 1e-3, betas (0.9, 0.999), eps 1e-6).

Prints one JSON object: train steps/s, posterior samples/s, threads, torch
version. Peak RSS is measured from outside by run.sh.
"""
import argparse
import json
import time

import torch
import torch.nn as nn


def subnet(c_in, c_out, hidden=256, layers=3):
    mods = []
    w = c_in
    for _ in range(layers):
        mods += [nn.Linear(w, hidden), nn.ReLU()]
        w = hidden
    mods.append(nn.Linear(w, c_out))
    return nn.Sequential(*mods)


class GLOWBlock(nn.Module):
    """FrEIA GLOWCouplingBlock: split, y1 = e^s2 x1 + t2 from subnet2([x2, c]),
    then y2 = e^s1 x2 + t1 from subnet1([y1, c])."""

    def __init__(self, dim, dim_c, clamp=2.0, hidden=256, layers=3):
        super().__init__()
        self.d1 = round(dim * 0.5)
        self.d2 = dim - self.d1
        self.clamp = clamp
        self.subnet1 = subnet(self.d1 + dim_c, 2 * self.d2, hidden, layers)
        self.subnet2 = subnet(self.d2 + dim_c, 2 * self.d1, hidden, layers)

    def f(self, s):
        return self.clamp * 0.636 * torch.atan(s)

    def forward(self, x, c):
        x1, x2 = x[:, : self.d1], x[:, self.d1:]
        a2 = self.subnet2(torch.cat([x2, c], 1))
        s2, t2 = self.f(a2[:, : self.d1]), a2[:, self.d1:]
        y1 = torch.exp(s2) * x1 + t2
        a1 = self.subnet1(torch.cat([y1, c], 1))
        s1, t1 = self.f(a1[:, : self.d2]), a1[:, self.d2:]
        y2 = torch.exp(s1) * x2 + t1
        return torch.cat([y1, y2], 1), s2.sum(1) + s1.sum(1)

    def inverse(self, y, c):
        y1, y2 = y[:, : self.d1], y[:, self.d1:]
        a1 = self.subnet1(torch.cat([y1, c], 1))
        s1, t1 = self.f(a1[:, : self.d2]), a1[:, self.d2:]
        x2 = (y2 - t1) * torch.exp(-s1)
        a2 = self.subnet2(torch.cat([x2, c], 1))
        s2, t2 = self.f(a2[:, : self.d1]), a2[:, self.d1:]
        x1 = (y1 - t2) * torch.exp(-s2)
        return torch.cat([x1, x2], 1)


class CINN(nn.Module):
    def __init__(self, dim, dim_c, blocks=8, seed=1):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.blocks = nn.ModuleList([GLOWBlock(dim, dim_c) for _ in range(blocks)])
        self.perms = [torch.randperm(dim, generator=g) for _ in range(blocks)]
        self.invs = [torch.argsort(p) for p in self.perms]
        for p in self.parameters():
            p.data = 0.03 * torch.randn(p.shape, generator=g)

    def forward(self, x, c):
        ld = 0
        for b, p in zip(self.blocks, self.perms):
            x, j = b(x, c)
            x = x[:, p]
            ld = ld + j
        return x, ld

    def inverse(self, z, c):
        for b, inv in zip(reversed(self.blocks), reversed(self.invs)):
            z = b.inverse(z[:, inv], c)
        return z


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--sample-reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=30,
                    help="stop each timed phase after this long (at least 2 iterations)")
    ap.add_argument("--mem-n", type=int, default=0,
                    help="instead: train --mem-steps steps on a float32 training set of this many "
                         "samples and print the peak RSS (as bench/engine/trainmem)")
    ap.add_argument("--mem-steps", type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    dim_x, dim_y, batch, obs = 5, 8, 512, 20
    net = CINN(dim_x, dim_y)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-6)
    if args.mem_n > 0:
        train_memory(net, opt, args, dim_x, dim_y, batch)
        return
    x = torch.randn(batch, dim_x)
    y = torch.randn(batch, dim_y)

    def step():
        opt.zero_grad()
        z, ld = net(x, y)
        loss = torch.mean(0.5 * torch.sum(z ** 2, 1) - ld) / dim_x
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    while done < args.steps and (done < 2 or time.perf_counter() - t0 < args.max_seconds):
        step()
        done += 1
    train = done / (time.perf_counter() - t0)
    train_cpu = (time.process_time() - c0) * 1e3 / done

    # Posterior sampling: 512 draws for each of 20 observations, as
    # cinn.BenchmarkSample.
    yo = torch.randn(obs, dim_y)
    with torch.no_grad():
        def sample():
            for i in range(obs):
                c = yo[i:i + 1].expand(batch, dim_y)
                net.inverse(torch.randn(batch, dim_x), c)
        sample()
        t0, c0 = time.perf_counter(), time.process_time()
        reps = 0
        while reps < args.sample_reps and (reps < 2 or time.perf_counter() - t0 < args.max_seconds):
            sample()
            reps += 1
        samples = reps * obs * batch / (time.perf_counter() - t0)
        sample_cpu = (time.process_time() - c0) * 1e3 / reps
    # CPU milliseconds per training step and per 20 x 512 draws (the Go
    # benchmarks' cpu-ms/op): with one thread, the work's own cost,
    # independent of how much of the machine the process got.
    print(json.dumps({"train_steps_per_s": train, "train_steps": done, "samples_per_s": samples, "sample_reps": reps,
                      "train_cpu_ms": train_cpu, "sample_cpu_ms": sample_cpu,
                      "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "params": sum(p.numel() for p in net.parameters())}))


def train_memory(net, opt, args, dim_x, dim_y, batch):
    """Peak RSS of training on a large in-memory set: shuffled mini-batches
    of the first epoch, as a DataLoader over a TensorDataset would draw."""
    import resource
    n = args.mem_n
    x = torch.rand(n, dim_x) * 2 - 1
    y = torch.cat([torch.exp(x[:, :1] + 0.5 * x[:, 1:2]), 2 + x[:, 1:2] * x[:, 2:3],
                   1 + x[:, 2:3] ** 2 + x[:, 3:4], torch.exp(0.3 * (x[:, 3:4] - x[:, 4:5])),
                   3 + torch.sin(2 * x[:, :1]) + x[:, 4:5], 2 + x[:, :1] * x[:, 4:5],
                   1.5 + torch.cos(x[:, 1:2] + x[:, 3:4]), 4 + x.sum(1, keepdim=True)], 1)
    y = y * (1 + 0.01 * torch.randn_like(y))
    # Standardise as the Go engine does (a float32 copy of the data).
    x = (x - x.mean(0)) / x.std(0)
    y = (y - y.mean(0)) / y.std(0)
    data_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    idx = torch.randperm(n)
    t0 = time.perf_counter()
    steps = min(args.mem_steps, (n + batch - 1) // batch)
    for st in range(steps):
        b = idx[st * batch:(st + 1) * batch]
        opt.zero_grad()
        z, ld = net(x[b], y[b])
        loss = torch.mean(0.5 * torch.sum(z ** 2, 1) - ld) / dim_x
        loss.backward()
        opt.step()
    print(json.dumps({"samples": n, "steps": steps, "batch": batch,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "rss_after_data_mib": data_rss, "seconds": time.perf_counter() - t0,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
