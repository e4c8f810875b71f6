"""EigenPro 3 (`KernelModel`) end to end against the official EigenPro 3 code, its floating-point floor, and memory.

1. Side by side, same data, same centers, same thread count, one process: setup seconds, seconds per epoch, setup +
   `--epochs` epochs end to end, and test accuracy, for ep3dynamics and for the official code (github.com/EigenPro/
   EigenPro3, checked out at `--official`; run as published, except that its removed SciPy call
   `eigh(eigvals=...)` is translated to `subset_by_index=...` by a shim around `scipy.linalg`). Two problems:
   - `synthetic`: seeded Gaussian mixture, n = 16 000, d = 100, 10 classes (class-mean scale 0.3), p = 2 000 centers
     drawn from the training points, Laplacian kernel of bandwidth 1;
   - `images`: a 784-d stand-in for MNIST-like images (no downloads here): scikit-learn's 8 x 8 digits upsampled
     to 28 x 28 (bilinear), each sample a random digit shifted by up to 2 pixels with Gaussian pixel noise
     (sd 0.05), clipped to [0, 1]; train and test drawn from disjoint digits; n = 8 000, p = 5 000, Laplacian
     kernel of bandwidth 10.
2. The floor of one of our epochs: its kernel evaluations and products counted in flops (the distance GEMMs, the
   products with the weights and residuals, the correction, the projection), divided by the rate of a
   (batch x d) @ (d x p) GEMM measured in the same run; the printed ratio is epoch seconds / floor. The kernel's
   elementwise work (for the Laplacian: square root and exponential of every entry), which the floor does not count,
   is timed separately on one batch block (the kernel's time minus its GEMM's) and printed with a second ratio,
   epoch / (floor + elementwise).
3. `--paper`: the paper's own size, CIFAR-10-shaped (n = 50 000, d = 3 072, p = 5 000, s = 2 000, NTK depth 2 on
   unit-norm rows of a seeded mixture), in a fresh process: setup seconds, seconds per epoch, peak RSS.
4. `--memory`: peak RSS of a fresh process that sets up and trains one epoch at n = 200 000, d = 64, p = 5 000.
With `--devices cuda` the same runs happen on the GPU (`benchmarks/gpu_check.sh` does this).

The machine is shared: wall times are printed with the CPU time of the process and the load average.

Usage: python benchmarks/eigenpro3.py [--official DIR] [--problems synthetic images] [--epochs 3] [--threads N]
       [--devices cpu cuda] [--paper] [--memory]
"""
import argparse
import contextlib
import io
import json
import math
import os
import resource
import shlex
import subprocess
import sys
import time
from functools import partial

import scipy.linalg
import torch
from threadpoolctl import threadpool_limits

from ep3dynamics.data import load_dataset
from ep3dynamics.eigenpro3 import KernelModel
from ep3dynamics.kernels import laplacian, ntk_relu
from ep3dynamics.metrics import accuracy_from_predictions
from ep3dynamics.nystrom import thin_mm, tmm


def digits_784(n, n_test, seed=0, shift=2, noise=0.05):
    "MNIST-like 784-d stand-in: 8 x 8 digits upsampled to 28 x 28, randomly shifted, noisy, in [0, 1]."
    from sklearn.datasets import load_digits
    d = load_digits()
    img = torch.tensor(d.images, dtype=torch.float32)[:, None] / 16
    big = torch.nn.functional.interpolate(img, size=(24, 24), mode='bilinear', align_corners=False)[:, 0]
    labels = torch.tensor(d.target)
    g = torch.Generator().manual_seed(seed)
    split = int(0.8 * len(big))  # train and test drawn from disjoint digits

    def draw(m, lo, hi):
        pick = torch.randint(lo, hi, (m,), generator=g)
        out = torch.zeros(m, 28, 28)
        dx, dy = (torch.randint(0, 2 * shift + 1, (m,), generator=g) for _ in range(2))
        for i in range(m):
            out[i, dy[i]:dy[i] + 24, dx[i]:dx[i] + 24] = big[pick[i]]
        out = (out + noise * torch.randn(m, 28, 28, generator=g)).clamp_(0, 1)
        return out.reshape(m, 784), labels[pick]

    (X, yl), (Xt, yt) = draw(n, 0, split), draw(n_test, split, len(big))
    return 10, (X, torch.nn.functional.one_hot(yl, 10).float()), (Xt, torch.nn.functional.one_hot(yt, 10).float())


PROBLEMS = {
    'synthetic': dict(n=16_000, d=100, p=2_000, bandwidth=1.0),
    'images': dict(n=8_000, d=784, p=5_000, bandwidth=10.0),
}


def problem(name, device, seed=0, n_test=2000):
    "`(c, (X, y), (Xt, yt), centers, bandwidth)` of a named problem."
    P = PROBLEMS[name]
    if name == 'synthetic':
        c, (X, y), (Xt, yt) = load_dataset('synthetic', n_train=P['n'], n_test=n_test, d=P['d'], n_classes=10,
                                            seed=seed, separation=0.3)
    else:
        c, (X, y), (Xt, yt) = digits_784(P['n'], n_test, seed)
    centers = X[torch.randperm(len(X), generator=torch.Generator().manual_seed(seed + 1))[:P['p']]]
    return c, (X.to(device), y.to(device)), (Xt.to(device), yt.to(device)), centers.to(device), P['bandwidth']


def gemm_rate(b, d, p, dtype, device, reps=5):
    "Flops per second of a (b, d) @ (d, p) matrix product, best of `reps` (per CPU-second on the CPU)."
    A, B = torch.randn(b, d, dtype=dtype, device=device), torch.randn(d, p, dtype=dtype, device=device)
    clock = time.perf_counter if device.type == 'cuda' else time.process_time  # CPU time: robust to other jobs
    best = math.inf
    for _ in range(reps):
        if device.type == 'cuda': torch.cuda.synchronize(device)
        t = clock()
        A @ B
        if device.type == 'cuda': torch.cuda.synchronize(device)
        best = min(best, clock() - t)
    return 2 * b * d * p / best


def elementwise_seconds(kernel, X, centers, b, reps=3):
    "Seconds (CPU-s on the CPU) of the kernel's non-GEMM work on a (b, p) block: its time minus its GEMM's, best of 3."
    device = X.device
    clock = time.perf_counter if device.type == 'cuda' else time.process_time
    Xb = X[:b]

    def best(f):
        out = math.inf
        for _ in range(reps):
            if device.type == 'cuda': torch.cuda.synchronize(device)
            t = clock()
            f()
            if device.type == 'cuda': torch.cuda.synchronize(device)
            out = min(out, clock() - t)
        return out
    return max(0.0, best(lambda: kernel(Xb, centers)) - best(lambda: Xb @ centers.T)), len(Xb) * len(centers)


def epoch_entries(model, n):
    "Kernel entries evaluated in one epoch: K(X_B, Z) for every batch, and K(X_other, X_B) when Φ is not cached."
    other = model.preconditioner.eigensystem.s - model.shared_subsample
    return n * len(model.centers) + (0 if model.eigenfunctions_cached else other * n)


def thin_rate(b, p, c, dtype, device, reps=5):
    "Flops per second of the thin products on a (b, p) block with c columns, `Kᵀ g` and `K α` as the package does them."
    K, g, a = (torch.randn(*shape, dtype=dtype, device=device) for shape in ((b, p), (b, c), (p, c)))
    clock = time.perf_counter if device.type == 'cuda' else time.process_time
    best = math.inf
    for _ in range(reps):
        if device.type == 'cuda': torch.cuda.synchronize(device)
        t = clock()
        tmm(K, g), thin_mm(K, a)
        if device.type == 'cuda': torch.cuda.synchronize(device)
        best = min(best, clock() - t)
    return 4 * b * p * c / best


def distance_flops(model, n):
    "Flops of one epoch's distance GEMMs: K(X_B, Z), and K(X_other, X_B) when Φ is not cached."
    d, other = model.centers.shape[1], model.preconditioner.eigensystem.s - model.shared_subsample
    return 2 * n * len(model.centers) * d + (0 if model.eigenfunctions_cached else 2 * other * n * d)


def epoch_flops(model, n):
    "One epoch's flops as run: distance GEMMs, K α, Kᵀ g, the correction, the projection, the record's residual."
    p, d, c = len(model.centers), model.centers.shape[1], model.n_classes
    pre = model.preconditioner
    s, q, b = pre.eigensystem.s, pre.level, model.batch_size
    batches, other = math.ceil(n / b), s - model.shared_subsample
    work = 2 * n * p * d + 4 * n * p * c  # K(X_B, Z) by its distance GEMM, then K α and Kᵀ g
    if model.eigenfunctions_cached: work += 2 * n * q * c
    else: work += 2 * other * n * (d + c)  # K(X_other, X_B) g
    work += batches * (2 * s * q * c + 2 * p * q * c)  # Eᵀ(·) and P(·)
    pp, gs, epochs = model.projection_preconditioner, model.projection_solver, model.projection_epochs
    if pp is None: work += batches * 2 * p * p * c  # the exact projection's triangular solves
    else:  # the projection's EigenPro 2 epochs: K θ (none from θ = 0 in a full batch), K r, Vᵀ(·) and V D(·)
        sp, qp = pp.eigensystem.s, pp.eigensystem.q
        if gs is not None and gs.full_batch:
            work += batches * ((2 * epochs - 1) * 2 * p * p * c + epochs * 4 * sp * qp * c)
        elif gs is not None: work += batches * epochs * (4 * p * p * c + 4 * sp * qp * c)
        else: work += batches * epochs * (2 * p * p * c + 2 * sp * p * c + 4 * sp * qp * c)  # kernel evaluated
    return work + 2 * s * p * c  # the history's residual at the subsample, f(X_s) = K(X_s, Z) α (K kept from setup)


def run_ours(c, X, y, Xt, yt, centers, kernel, epochs, device):
    "Setup and per-epoch seconds (wall and CPU), floor ratio and test accuracy of ep3dynamics."
    cpu0, t0 = time.process_time(), time.perf_counter()
    model = KernelModel(c, centers, kernel, X=X, y=y, devices=[device], verbose=False)
    setup, setup_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    per_epoch, per_epoch_cpu = [], []
    for e in range(epochs):
        c0, t = time.process_time(), time.perf_counter()
        model.fit(model.train_loaders, epochs=1)
        per_epoch.append(time.perf_counter() - t)
        per_epoch_cpu.append(time.process_time() - c0)
    total = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    rate = gemm_rate(model.batch_size, X.shape[1], len(centers), X.dtype, device)
    floor = epoch_flops(model, len(X)) / rate  # CPU-seconds on the CPU, seconds on a GPU
    el, entries = elementwise_seconds(kernel, X, centers, model.batch_size)
    dist = distance_flops(model, len(X))
    thin = thin_rate(model.batch_size, len(centers), c, X.dtype, device)
    measured = dist / rate + (epoch_flops(model, len(X)) - dist) / thin  # the thin products at their own rate
    pp = model.projection_preconditioner
    return dict(setup=setup, setup_cpu=setup_cpu, epochs=per_epoch, epochs_cpu=per_epoch_cpu, total=total, cpu=cpu,
                floor=floor, elementwise=el / entries * epoch_entries(model, len(X)), measured=measured,
                thin_gflops=thin / 1e9, thin_share=1 - dist / epoch_flops(model, len(X)), s=model.preconditioner.eigensystem.s,
                level=model.preconditioner.level, proj=None if pp is None else (pp.eigensystem.s, pp.q),
                gflops=rate / 1e9, acc=accuracy_from_predictions(model.predict(Xt), yt), bs=model.batch_size,
                cached=model.eigenfunctions_cached, shared=model.shared_subsample)


class _ScipyShim:
    "`scipy.linalg` for the official code: its removed `eigh(eigvals=(lo, hi))` is passed as `subset_by_index`."
    def __getattr__(self, name): return getattr(scipy.linalg, name)

    @staticmethod
    def eigh(a, eigvals=None, **kw): return scipy.linalg.eigh(a, subset_by_index=eigvals, **kw)


def run_official(path, c, X, y, Xt, yt, centers, bandwidth, epochs, device):
    "The official EigenPro 3 on the same data: setup and per-epoch seconds, end to end, test accuracy."
    sys.path.insert(0, path)
    if not hasattr(sys.modules.get('eigenpro3'), '__path__'): sys.modules.pop('eigenpro3', None)  # this script's name
    import eigenpro3.models as om
    import eigenpro3.utils.svd as osvd
    from eigenpro3.kernels import laplacian as official_laplacian
    osvd.linalg = _ScipyShim()
    kernel = lambda x, z: official_laplacian(x, z, bandwidth=bandwidth)  # noqa: E731 (as the official README)
    torch.manual_seed(0)
    sink = io.StringIO()
    cpu0, t0 = time.process_time(), time.perf_counter()
    with contextlib.redirect_stdout(sink):
        model = om.KernelModel(c, centers, kernel, X=X, y=y, devices=[device])
        setup = time.perf_counter() - t0
        setup_cpu = time.process_time() - cpu0
        per_epoch, per_epoch_cpu = [], []
        for _ in range(epochs):
            c0, t = time.process_time(), time.perf_counter()
            model.fit(model.train_loaders, epochs=1)
            if device.type == 'cuda': torch.cuda.synchronize(device)
            per_epoch.append(time.perf_counter() - t)
            per_epoch_cpu.append(time.process_time() - c0)
    total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    pred = torch.cat([kernel(Xt[i:i + 1000], model.centers) @ model.weights.to(Xt) for i in range(0, len(Xt), 1000)])
    return dict(setup=setup, setup_cpu=setup_cpu, epochs=per_epoch, epochs_cpu=per_epoch_cpu, total=total, cpu=cpu,
                acc=accuracy_from_predictions(pred, yt),
                bs=model.batch_size)


def side_by_side(name, official, epochs, device):
    c, (X, y), (Xt, yt), centers, bw = problem(name, device)
    P = PROBLEMS[name]
    load0 = os.getloadavg()[0]
    ours = run_ours(c, X, y, Xt, yt, centers, partial(laplacian, bandwidth=bw), epochs, device)
    peer = run_official(official, c, X, y, Xt, yt, centers, bw, epochs, device) if official else None
    load1 = os.getloadavg()[0]
    fmt = lambda e: ', '.join(f'{s:.2f}' for s in e)  # noqa: E731
    print(f"[{name}] n={P['n']}, d={P['d']}, p={P['p']}, Laplacian L={bw}, {device}, "
          f"{torch.get_num_threads()} threads, load average {load0:.1f} -> {load1:.1f}")
    print(f"  ep3dynamics: setup {ours['setup']:.2f} s ({ours['setup_cpu']:.1f} CPU-s), "
          f"epochs {fmt(ours['epochs'])} s, setup + {epochs} epochs {ours['total']:.2f} s "
          f"({ours['cpu']:.1f} CPU-s), batch {ours['bs']}, "
          f"Φ cached {ours['cached']}, s={ours['s']} (level {ours['level']}), {ours['shared']} subsample points are "
          f"centers, projection (s, q)={ours['proj']}, test accuracy {ours['acc']:.4f}")
    med = sorted(ours['epochs'])[len(ours['epochs']) // 2]
    key = 'epochs' if device.type == 'cuda' else 'epochs_cpu'
    med_floor = sorted(ours[key])[len(ours[key]) // 2]
    unit = 's' if device.type == 'cuda' else 'CPU-s'
    print(f"  floor: {ours['gflops']:.1f} GFLOP/{unit} GEMM -> {ours['floor']:.3f} {unit} per epoch; "
          f"epoch ({med_floor:.3f} {unit}, recording included) / floor = {med_floor / ours['floor']:.2f}; "
          f"the kernel's elementwise work (not in the floor) {ours['elementwise']:.3f} {unit} per epoch; "
          f"epoch / (floor + elementwise) = {med_floor / (ours['floor'] + ours['elementwise']):.2f}")
    print(f"  {100 * ours['thin_share']:.0f}% of those flops are products with {c} columns, measured at "
          f"{ours['thin_gflops']:.1f} GFLOP/{unit} (memory-bound); at the two measured rates, with the elementwise work, "
          f"the floor is {ours['measured'] + ours['elementwise']:.3f} {unit}: epoch / that = "
          f"{med_floor / (ours['measured'] + ours['elementwise']):.2f}")
    if peer:
        print(f"  official:    setup {peer['setup']:.2f} s ({peer['setup_cpu']:.1f} CPU-s), "
              f"epochs {fmt(peer['epochs'])} s, setup + {epochs} epochs {peer['total']:.2f} s "
              f"({peer['cpu']:.1f} CPU-s), batch {peer['bs']}, "
              f"test accuracy {peer['acc']:.4f}")
        pm = sorted(peer['epochs'])[len(peer['epochs']) // 2]
        pc, oc = (sorted(r['epochs_cpu'])[len(r['epochs_cpu']) // 2] for r in (peer, ours))
        print(f"  ours / official, wall: end to end {ours['total'] / peer['total']:.2f}, setup "
              f"{ours['setup'] / peer['setup']:.2f}, per epoch {med / pm:.2f}; CPU time: end to end "
              f"{ours['cpu'] / peer['cpu']:.2f}, setup {ours['setup_cpu'] / peer['setup_cpu']:.2f}, "
              f"per epoch {oc / pc:.2f}")


def rss_mb():
    "Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in kB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def mixture(n, d, seed=0, unit=False, block=10_000):
    "A seeded 10-class Gaussian mixture drawn in float32 blocks (rows of unit norm when `unit`)."
    g = torch.Generator().manual_seed(seed)
    means = torch.randn(10, d, generator=g) * 3 / d**0.5
    labels = torch.randint(0, 10, (n,), generator=g)
    X = torch.empty(n, d)
    for i in range(0, n, block):
        X[i:i + block] = means[labels[i:i + block]] + torch.randn(len(X[i:i + block]), d, generator=g) / d**0.5
        if unit: X[i:i + block] /= X[i:i + block].norm(dim=1, keepdim=True)
    return X, torch.nn.functional.one_hot(labels, 10).float()


def child(kind, device):
    "Run in a fresh process: the paper-size or the memory problem, set up and one epoch; print a JSON line."
    device = torch.device(device)
    if kind == 'paper':
        (n, d, p), kw, kernel = (50_000, 3072, 5_000), dict(nystrom_size=2000), partial(ntk_relu, depth=2)
    else:
        (n, d, p), kw, kernel = (200_000, 64, 5_000), {}, partial(laplacian, bandwidth=1.0)
    X, y = mixture(n, d, unit=kind == 'paper')
    base = rss_mb()
    centers = X[torch.randperm(n, generator=torch.Generator().manual_seed(1))[:p]]
    X, y, centers = X.to(device), y.to(device), centers.to(device)
    t0 = time.perf_counter()
    model = KernelModel(10, centers, kernel, X=X, y=y, devices=[device], verbose=False, **kw)
    setup = time.perf_counter() - t0
    model.fit(model.train_loaders, epochs=1)
    print(json.dumps(dict(kind=kind, n=n, d=d, p=p, s=model.preconditioner.eigensystem.s, setup=setup,
                          epoch=float(model.history.seconds[-1]), baseline_mb=base, peak_mb=rss_mb(),
                          batch_size=model.batch_size, cached=model.eigenfunctions_cached,
                          data_mb=(X.numel() * X.element_size() + y.numel() * y.element_size()) / 2**20)))


def in_child(kind, device, threads):
    "Peak RSS of `child` in a fresh process."
    # Not a direct child: Linux carries the parent's peak RSS into a vfork+exec'd child's ru_maxrss. A shell that
    # forks (the trailing `; true` stops it from exec'ing) gives the child a fresh count.
    cmd = shlex.join([sys.executable, __file__, '--child', kind, str(device)]
                     + ([] if threads is None else ['--threads', str(threads)]))
    load0 = os.getloadavg()[0]
    out = subprocess.run(['/bin/sh', '-c', f'{cmd}; true'], check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(f"[{kind}] n={r['n']}, d={r['d']}, p={r['p']}, s={r['s']}, {device}: setup {r['setup']:.1f} s, "
          f"{r['epoch']:.1f} s per epoch, batch {r['batch_size']}, Φ cached {r['cached']}, "
          f"peak RSS {r['peak_mb']:.0f} MB "
          f"(libraries + data {r['baseline_mb']:.0f} MB, data {r['data_mb']:.0f} MB); load average {load0:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")
    return r


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--official', default=None, help='checkout of github.com/EigenPro/EigenPro3 (omit: ours only)')
    ap.add_argument('--problems', nargs='*', default=list(PROBLEMS), choices=list(PROBLEMS))
    ap.add_argument('--epochs', type=int, default=3, help='epochs per side-by-side run (default 3)')
    ap.add_argument('--threads', type=int, default=None, help='threads for torch and BLAS (default: all)')
    ap.add_argument('--paper', action='store_true', help='the CIFAR-10-shaped paper size in a fresh process')
    ap.add_argument('--memory', action='store_true', help='peak RSS at n = 200 000 in a fresh process')
    ap.add_argument('--devices', nargs='*', default=['cpu'], help='devices to run on (default: cpu)')
    ap.add_argument('--child', nargs=2, metavar=('KIND', 'DEVICE'), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.threads is not None:
        torch.set_num_threads(a.threads)
        threadpool_limits(a.threads)  # SciPy's LAPACK (the subsample's eigendecomposition) has its own pool
    if a.child: return child(*a.child)
    for dev in map(torch.device, a.devices):
        if dev.type == 'cuda': print(f"CUDA: {torch.cuda.get_device_name(dev)}")
        for name in a.problems: side_by_side(name, a.official, a.epochs, dev)
        if a.paper: in_child('paper', dev, a.threads)
        if a.memory: in_child('memory', dev, a.threads)


if __name__ == '__main__':
    main()
