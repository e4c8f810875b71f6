"""Seconds per RFM iteration (exact solve and EigenPro 2 inner solvers), the AGOP's share, and peak memory.

One RFM iteration is a kernel fit with the current metric M plus the AGOP that gives the next M: exactly what the
history's `seconds` measures (the per-iteration diagnostics, i.e. the eigensystem of the fixed subsample and the
training scores, are not counted); `agop_seconds` is the AGOP part. Each configuration runs `RFM(iters=1)` on a
seeded synthetic Gaussian mixture (d = 100, 10 classes) in its own subprocess, so that the peak resident memory
(ru_maxrss) printed for it is that configuration's alone. A last configuration computes one AGOP alone at the
largest n, to show that its memory stays bounded: the gradients are accumulated in row batches and never held as
an (n, c, d) array, and the kernel blocks inside them are sized by `kernels.block_rows`.

Usage: python benchmarks/rfm.py [--n 5000 20000] [--d 100] [--solvers solve eigenpro] [--device cpu]
"""
import argparse
import json
import resource
import subprocess
import sys
import time

import torch

from ep3dynamics.data import load_dataset
from ep3dynamics.metrics import accuracy_from_predictions
from ep3dynamics.rfm import RFM, agop, mahalanobis_kernel


def peak_memory(device):
    "Peak resident memory of this process in GB (and peak CUDA allocation when on a GPU)."
    out = {'peak_rss_gb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20}  # ru_maxrss is in kB on Linux
    if device.type == 'cuda': out['peak_cuda_gb'] = torch.cuda.max_memory_allocated(device) / 2**30
    return out


def data(a):
    _, (X, y), (Xt, yt) = load_dataset('synthetic', n_train=a.n, n_test=2000, d=a.d, n_classes=10, seed=a.seed)
    return X, y, Xt, yt


def run_rfm(a):
    "One RFM iteration (+ the final fit) with `a.solver`; timings from the history."
    X, y, Xt, yt = data(a)
    model = RFM(solver=a.solver, iters=1, ep_epochs=a.ep_epochs, device=a.device, seed=a.seed, verbose=False).fit(X, y)
    h = model.history.isel(step=0)  # step 0: fit with M_0 and the AGOP that gives M_1
    seconds, agop_seconds = float(h.seconds), float(h.agop_seconds)
    return {'seconds_per_iteration': seconds, 'agop_seconds': agop_seconds, 'agop_share': agop_seconds / seconds,
            'test_accuracy': accuracy_from_predictions(model.predict(Xt), yt), **peak_memory(model.device)}


def run_agop(a):
    "One AGOP alone, with random weights, over all n points."
    X, y, _, _ = data(a)
    device = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    X, alpha = X.to(device), torch.randn(len(X), y.shape[1], generator=torch.Generator().manual_seed(0)).to(device)
    grad_fn = mahalanobis_kernel('laplace', torch.eye(X.shape[1], device=device), 10.0, grad=True)
    t0 = time.perf_counter()
    agop(grad_fn, X, X, alpha)
    if device.type == 'cuda': torch.cuda.synchronize(device)
    return {'agop_seconds': time.perf_counter() - t0, **peak_memory(device)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, nargs='+', default=[5000, 20000], help='training set sizes (default 5000 20000)')
    ap.add_argument('--d', type=int, default=100, help='dimension (default 100)')
    ap.add_argument('--solvers', nargs='+', default=['solve', 'eigenpro'], choices=['solve', 'eigenpro'])
    ap.add_argument('--ep-epochs', type=int, default=10, help='EigenPro 2 epochs per fit (default 10)')
    ap.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--one', choices=['solve', 'eigenpro', 'agop'], help=argparse.SUPPRESS)  # a child run
    a = ap.parse_args(argv)
    if a.one:
        a.n, a.solver = a.n[0], a.one
        print(json.dumps(run_agop(a) if a.one == 'agop' else run_rfm(a)))
        return
    configs = [(n, s) for n in a.n for s in a.solvers] + [(max(a.n), 'agop')]
    print(f"RFM, synthetic d={a.d}, 10 classes, Laplacian L=10, agop_samples=20000, device={a.device or 'auto'}")
    for n, what in configs:
        cmd = [sys.executable, __file__, '--one', what, '--n', str(n), '--d', str(a.d), '--ep-epochs', str(a.ep_epochs),
               '--seed', str(a.seed)] + (['--device', a.device] if a.device else [])
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        mem = f"peak RSS {r['peak_rss_gb']:.2f} GB" + (f", peak CUDA {r['peak_cuda_gb']:.2f} GB" if 'peak_cuda_gb' in r else '')
        if what == 'agop': print(f"n={n:6d} AGOP alone       : {r['agop_seconds']:8.2f} s; {mem}")
        else:
            print(f"n={n:6d} {what:8s} iteration: {r['seconds_per_iteration']:8.2f} s, AGOP {r['agop_seconds']:.2f} s "
                  f"({100 * r['agop_share']:.1f} %); test accuracy {r['test_accuracy']:.4f}; {mem}", flush=True)


if __name__ == '__main__':
    main()
