"""RFM: EigenPro 2 inner solve against the exact solve (time per iteration, accuracy, crossover n), and against xRFM.

One RFM iteration is a kernel fit with the current metric M plus the AGOP that gives the next M. Each configuration
runs `RFM(iters=1)` (fit, AGOP, final fit) in its own subprocess, so that its peak resident memory (ru_maxrss) is its
own; the test accuracy is that of the final fit. Seconds are the process's CPU clock (`time.process_time`; with one
torch thread it does not count the time other jobs on a shared machine take): iteration 0 from the start of `fit` to
its callback (the Nyström eigensystem the history records and EigenPro 2 preconditions with, the fit, the AGOP and
the recording), and the final fit (iteration 1: with EigenPro 2 it starts from iteration 0's weights). The history's
wall-clock `seconds` of iteration 0 is printed too. The printed ratio eigenpro / solve is measured within one run of
this script (the machines are shared: absolute seconds swing with the load, ratios much less).

Data: a seeded synthetic Gaussian mixture (d = 100, 10 classes) and `images784`, 784-d images made from
scikit-learn's 8 x 8 digits, upsampled to 28 x 28 and shifted by up to 2 pixels at random (MNIST-shaped real
images; the MNIST files cannot be downloaded on the machines this was written on).

`--xrfm` adds xRFM (`pip install xrfm`; run outside the package) on the same data: `xrfm.RFM(kernel='laplace',
bandwidth=10, solver='solve').fit(..., iters=1, method='lstsq', reg=1e-3)` against our `RFM(iters=1,
solver='solve')`, end to end (wall seconds of the whole fit, each in its own subprocess).

EigenPro 2 keeps K(X, X) in memory while it fits `RFM(gram_gb=4)` (n up to about 32 000 in float32) and reads its
epochs' kernel rows from it; `--blocks N ...` adds, at those sizes, EigenPro 2 with `gram_gb=0` (kernel blocks
evaluated in every epoch, the only way past that memory), to show what keeping the matrix buys. `--large` runs
EigenPro 2 alone past the exact solve's memory with `--mem-gb` (default 1) and blocks.

`--study N` runs the reproduce study's RFM setting on the 784-d images (rows scaled to unit norm, L = 10, 8 AGOP
updates, EigenPro 2 stopping at `inner_tol` within `inner_epochs=50`) with both solvers and prints the test accuracy
of every iteration, the largest gap, and how converged each EigenPro 2 fit was.

Usage: python benchmarks/rfm.py [--n 1000 2000 5000 10000 20000] [--d 100] [--images 5000] [--blocks 20000]
       [--large 50000] [--xrfm] [--device cuda] [--threads 1]
"""
import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np
import torch

from ep3dynamics.data import load_dataset
from ep3dynamics.metrics import accuracy_from_predictions
from ep3dynamics.rfm import RFM


def peak_memory():
    "Peak resident memory of this process in GB (ru_maxrss is in kB on Linux)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def images784(n, n_test, seed):
    "784-d digit images: sklearn's 8x8 digits upsampled to 28x28, shifted by up to 2 pixels; unit-range pixels."
    from sklearn.datasets import load_digits
    X, labels = load_digits(return_X_y=True)
    g = np.random.default_rng(seed)
    pick = g.integers(0, len(X), n + n_test)
    imgs = torch.nn.functional.interpolate(torch.tensor(X[pick], dtype=torch.float32).view(-1, 1, 8, 8) / 16,
                                           size=(24, 24), mode='bilinear', align_corners=False)
    out = torch.zeros(len(pick), 28, 28)
    for i, (dx, dy) in enumerate(g.integers(0, 5, (len(pick), 2))): out[i, dy:dy + 24, dx:dx + 24] = imgs[i, 0]
    X, y = out.view(len(pick), 784), torch.nn.functional.one_hot(torch.tensor(labels[pick]), 10).float()
    return X[:n], y[:n], X[n:], y[n:]


def data(a):
    if a.data == 'images784': return images784(a.n, 2000, a.seed)
    _, (X, y), (Xt, yt) = load_dataset('synthetic', n_train=a.n, n_test=2000, d=a.d, n_classes=10, seed=a.seed)
    return X, y, Xt, yt


def run_ours(a):
    X, y, Xt, yt = data(a)
    cpu = [time.process_time()]
    t0 = time.perf_counter()
    gram = {} if a.gram_gb is None else {'gram_gb': a.gram_gb}
    model = RFM(solver=a.solver, iters=1, device=a.device, seed=a.seed, mem_gb=a.mem_gb, verbose=False, **gram)
    model.fit(X, y, callback=lambda t, m: cpu.append(time.process_time()))
    wall, cpu_total = time.perf_counter() - t0, time.process_time() - cpu[0]
    h = model.history  # step 0: fit with M_0 and the AGOP that gives M_1; step 1: the final fit with M_1
    return {'seconds_per_iteration': cpu[1] - cpu[0], 'final_fit_seconds': cpu[2] - cpu[1],
            'wall_iteration': float(h.seconds[0]), 'agop_seconds': float(h.agop_seconds[0]), 'wall': wall,
            'cpu': cpu_total,
            'inner_epochs': h.inner_epochs_run.values.tolist(), 'residual': h.train_residual.values.tolist(),
            'q': int(h.attrs['q']), 'gram': a.solver == 'eigenpro' and len(X) ** 2 * 4 <= model.gram_gb * 2**30,
            'test_accuracy': accuracy_from_predictions(model.predict(Xt), yt),
            'peak_rss_gb': peak_memory()}


def run_study(a):
    "The reproduce study's RFM setting: per-iteration test accuracy, epochs and residuals, CPU seconds of the run."
    X, y, Xt, yt = data(a)
    X, Xt = X / X.norm(dim=1, keepdim=True), Xt / Xt.norm(dim=1, keepdim=True)
    c0 = time.process_time()
    model = RFM(solver=a.solver, iters=8, inner_epochs=50, device=a.device, seed=a.seed, verbose=False)
    model.fit(X, y, Xt, yt)
    h = model.history
    return {'cpu': time.process_time() - c0, 'accuracy': h.val_score.values.tolist(),
            'epochs': h.inner_epochs_run.values.tolist(), 'residual': h.train_residual.values.tolist()}


def study(a, n):
    "Both solvers in the study's setting; the per-iteration accuracies and the largest gap."
    rs = {s: child(a, f'study_{s}', n, 'images784', 784) for s in ('solve', 'eigenpro')}
    for s, r in rs.items():
        if 'error' in r:
            print(f"study images784 n={n} {s}: failed ({r['error']})", flush=True)
            continue
        print(f"study images784 n={n} {s:8s}: {r['cpu']:7.1f} CPU-s; test accuracy per iteration "
              f"{' '.join(f'{v:.4f}' for v in r['accuracy'])}", flush=True)
        if s == 'eigenpro':
            print(f"  epochs {'/'.join(map(str, r['epochs']))}; relative residual "
                  f"{' '.join(f'{v:.1e}' for v in r['residual'])}", flush=True)
    if all('error' not in r for r in rs.values()):
        gaps = [100 * (e - x) for e, x in zip(rs['eigenpro']['accuracy'], rs['solve']['accuracy'])]
        print(f"  -> eigenpro − solve per iteration (points): {' '.join(f'{g:+.2f}' for g in gaps)}; "
              f"largest |gap| {max(map(abs, gaps)):.2f}; CPU time eigenpro / solve "
              f"{rs['eigenpro']['cpu'] / rs['solve']['cpu']:.2f}", flush=True)


def run_xrfm(a):
    import xrfm
    X, y, Xt, yt = data(a)
    t0, c0 = time.perf_counter(), time.process_time()
    model = xrfm.RFM(kernel='laplace', bandwidth=10.0, device=a.device or 'cpu', verbose=False, solver='solve')
    model.fit((X, y), (Xt[:500], yt[:500]), iters=1, method='lstsq', reg=1e-3, early_stop_rfm=False)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    pred = torch.as_tensor(np.asarray(model.predict(Xt)))
    return {'wall': wall, 'cpu': cpu, 'test_accuracy': accuracy_from_predictions(pred.reshape(len(Xt), -1), yt),
            'peak_rss_gb': peak_memory()}


def child(a, what, n, dataset, d, mem_gb=None, gram_gb=None):
    cmd = [sys.executable, __file__, '--one', what, '--data', dataset, '--n', str(n), '--d', str(d),
           '--seed', str(a.seed), '--device', a.device, '--threads', str(a.threads)]
    cmd += [] if mem_gb is None else ['--mem-gb', str(mem_gb)]
    cmd += [] if gram_gb is None else ['--gram-gb', str(gram_gb)]
    # with --threads, SciPy's LAPACK (the Nyström eigensolver) gets as many threads as torch
    env = {**os.environ, **({k: str(a.threads) for k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS')}
                            if a.threads else {})}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode: return {'error': r.stderr.strip().splitlines()[-1]}
    return json.loads(r.stdout.strip().splitlines()[-1])


def line(label, r, end_to_end=False):
    if 'error' in r: return f"{label}: failed ({r['error']})"
    if 'seconds_per_iteration' in r and not end_to_end:
        epochs = '/'.join(map(str, r['inner_epochs']))
        residual = '/'.join(f'{v:.1e}' for v in r['residual'])
        kept = ' K(X, X) kept;' if r.get('gram') else ''
        return (f"{label}: {r['seconds_per_iteration']:8.2f} CPU-s iteration 0 (wall {r['wall_iteration']:.2f} s, "
                f"AGOP {r['agop_seconds']:.2f} s), final fit {r['final_fit_seconds']:.2f} CPU-s; epochs {epochs}, "
                f"residual {residual}, q {r['q']};{kept} acc {r['test_accuracy']:.4f}; "
                f"peak RSS {r['peak_rss_gb']:.2f} GB")
    return (f"{label}: {r['cpu']:8.2f} CPU-s ({r['wall']:.2f} s wall) end to end; acc {r['test_accuracy']:.4f}; "
            f"peak RSS {r['peak_rss_gb']:.2f} GB")


def compare(a, n, dataset, d):
    "eigenpro vs solve on one problem: both lines and the ratio (and eigenpro with blocks at the `--blocks` sizes)."
    rs = {s: child(a, s, n, dataset, d) for s in ('solve', 'eigenpro')}
    for s, r in rs.items(): print(line(f"{dataset:9s} n={n:6d} d={d:4d} {s:8s}", r), flush=True)
    if n in a.blocks and dataset == 'synthetic':
        b = child(a, 'eigenpro', n, dataset, d, gram_gb=0)
        print(line(f"{dataset:9s} n={n:6d} d={d:4d} eigenpro, blocks (gram_gb=0)", b), flush=True)
        if 'error' not in b and 'error' not in rs['solve']:
            print(f"  -> eigenpro with blocks / solve time per iteration "
                  f"{b['seconds_per_iteration'] / rs['solve']['seconds_per_iteration']:.2f}", flush=True)
    if all('error' not in r for r in rs.values()):
        e, s = rs['eigenpro'], rs['solve']
        ratio = e['seconds_per_iteration'] / s['seconds_per_iteration']
        final = e['final_fit_seconds'] / s['final_fit_seconds']
        print(f"  -> eigenpro / solve time per iteration {ratio:.2f} (final fit, warm-started {final:.2f}); "
              f"accuracy difference {100 * (e['test_accuracy'] - s['test_accuracy']):+.2f} points", flush=True)
        return ratio
    return None


def crossover(ratios):
    "Where eigenpro / solve falls below 1, interpolated in log n between the measured sizes."
    pts = sorted((n, r) for n, r in ratios.items() if r is not None)
    for (n0, r0), (n1, r1) in zip(pts, pts[1:]):
        if r0 >= 1 > r1:
            n = math.exp(math.log(n0) + (math.log(n1) - math.log(n0)) * math.log(r0) / (math.log(r0) - math.log(r1)))
            return f"crossover (eigenpro / solve = 1) near n = {n:.0f}, between n = {n0} and n = {n1}"
    if pts and all(r < 1 for _, r in pts): return f"no crossover measured: eigenpro ahead from n = {pts[0][0]}"
    return "no crossover measured: eigenpro behind at every size run" if pts else "no ratios measured"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, nargs='*', default=[1000, 2000, 5000, 10000, 20000], help='synthetic sizes')
    ap.add_argument('--d', type=int, default=100)
    ap.add_argument('--images', type=int, nargs='*', default=[5000], help='784-d image sizes')
    ap.add_argument('--large', type=int, nargs='*', default=[50000], help='EigenPro 2 only, with --mem-gb')
    ap.add_argument('--blocks', type=int, nargs='*', default=[20000],
                    help='synthetic sizes (among --n) also run with EigenPro 2 evaluating kernel blocks (gram_gb=0)')
    ap.add_argument('--mem-gb', type=float, default=None)
    ap.add_argument('--gram-gb', type=float, default=None, help=argparse.SUPPRESS)
    ap.add_argument('--xrfm', action='store_true', help='add xRFM against our exact path')
    ap.add_argument('--study', type=int, nargs='*', default=[], help="the reproduce study's RFM setting at these n")
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--device', default='cpu', help="'cpu' (default) or 'cuda'")
    ap.add_argument('--threads', type=int, default=0,
                    help='torch CPU threads (0: torch default; 1 is steadier on a busy machine)')
    ap.add_argument('--data', default='synthetic', help=argparse.SUPPRESS)
    ap.add_argument('--one', choices=['solve', 'eigenpro', 'xrfm', 'ours_solve', 'study_solve', 'study_eigenpro'],
                    help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    if a.one:
        a.n, a.solver = a.n[0], a.one.replace('ours_', '').replace('study_', '')
        run = run_xrfm if a.one == 'xrfm' else run_study if a.one.startswith('study_') else run_ours
        print(json.dumps(run(a)))
        return
    print(f"RFM(iters=1), Laplacian L=10, float32, {a.device}, CPU threads {torch.get_num_threads()}; "
          f"defaults otherwise", flush=True)
    ratios = {n: compare(a, n, 'synthetic', a.d) for n in a.n}
    print(f"synthetic d={a.d}: {crossover(ratios)}", flush=True)
    for n in a.images: compare(a, n, 'images784', 784)
    for n in a.study: study(a, n)
    for n in a.large:
        r = child(a, 'eigenpro', n, 'synthetic', a.d, a.mem_gb or 1.0)
        print(line(f"synthetic n={n:6d} d={a.d:4d} eigenpro", r), flush=True)
    if a.xrfm:
        for n, dataset, d in [(n, 'images784', 784) for n in a.images]:
            ours, theirs = child(a, 'ours_solve', n, dataset, d), child(a, 'xrfm', n, dataset, d)
            print(line(f"{dataset:9s} n={n:6d} ours (exact)", ours, end_to_end=True), flush=True)
            print(line(f"{dataset:9s} n={n:6d} xRFM 0.4.5  ", theirs), flush=True)
            if 'error' not in ours and 'error' not in theirs:
                print(f"  -> ours / xRFM end to end {ours['cpu'] / theirs['cpu']:.2f} CPU-s "
                      f"({ours['wall'] / theirs['wall']:.2f} wall)", flush=True)


if __name__ == '__main__':
    main()
