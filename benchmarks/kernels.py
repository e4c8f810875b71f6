"""Speed of the kernels against the matrix product they are built on.

Prints time(X @ Z.T) / time(kernel(X, Z)) for the Laplacian, Gaussian and depth-2 ReLU NTK at 4096 x 4096,
d = 512, float32, on the CPU and (when present) on CUDA. A ratio of 1 means the elementwise work is free;
the targets are >= 0.5 for the Laplacian and Gaussian and >= 0.35 for the NTK.

The machine may be shared and noisy, so the product and the kernel are timed alternately and the ratio is the
median over repeats of the per-repeat ratio (noise that hits both halves of a repeat cancels). On a CPU shared
with other jobs, `--threads 1 --clock cpu` measures the CPU time the process itself used, which other processes
barely disturb (with several threads, CPU time also counts the threads' waiting, so use wall time there).

Usage: python benchmarks/kernels.py [--n 4096] [--d 512] [--repeats 7] [--devices cpu cuda] [--threads N] [--clock wall|cpu]
"""
import argparse, statistics, time

import torch

from ep3dynamics.kernels import make_kernel

KERNELS = {'laplacian': make_kernel('laplacian', bandwidth=10.0), 'gaussian': make_kernel('gaussian', bandwidth=10.0),
           'ntk_relu(depth=2)': make_kernel('ntk_relu', depth=2)}
TARGETS = {'laplacian': 0.5, 'gaussian': 0.5, 'ntk_relu(depth=2)': 0.35}

CLOCKS = {'wall': time.perf_counter, 'cpu': time.process_time}

def timed(fn, device, clock='wall'):
    "Seconds one call of `fn` takes on `clock`, synchronising CUDA around it."
    sync = torch.cuda.synchronize if device.type == 'cuda' else (lambda: None)
    now = CLOCKS[clock]
    sync(); t = now(); fn(); sync()
    return now() - t

def ratios(X, Z, kernel_fn, repeats, clock='wall'):
    "(median ratio, median matmul seconds, median kernel seconds), timing the two alternately."
    for _ in range(2): X @ Z.T; kernel_fn(X, Z)  # warm-up: allocator, threads, CUDA kernels
    mm, kk = [], []
    for _ in range(repeats):
        mm.append(timed(lambda: X @ Z.T, X.device, clock)); kk.append(timed(lambda: kernel_fn(X, Z), X.device, clock))
    return statistics.median(m / k for m, k in zip(mm, kk)), statistics.median(mm), statistics.median(kk)

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--n', type=int, default=4096)
    ap.add_argument('--d', type=int, default=512)
    ap.add_argument('--repeats', type=int, default=7)
    ap.add_argument('--devices', nargs='*', default=['cpu', 'cuda'])
    ap.add_argument('--threads', type=int, default=None, help='CPU threads for torch (default: torch\'s choice)')
    ap.add_argument('--clock', choices=sorted(CLOCKS), default='wall')
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads, n = m = {a.n}, d = {a.d}, float32, "
          f"{a.clock} clock, median of {a.repeats} alternating repeats")
    print(f"{'device':8} {'kernel':18} {'matmul s':>9} {'kernel s':>9} {'ratio':>6} {'target':>6}")
    for name in a.devices:
        if name == 'cuda' and not torch.cuda.is_available(): print('cuda     (not available)'); continue
        dev = torch.device(name)
        g = torch.Generator(device='cpu').manual_seed(0)
        X, Z = (torch.randn(a.n, a.d, generator=g).div_(a.d ** 0.5).to(dev) for _ in range(2))
        for kname, fn in KERNELS.items():
            r, tm, tk = ratios(X, Z, fn, a.repeats, a.clock if dev.type == 'cpu' else 'wall')
            print(f"{name:8} {kname:18} {tm:9.4f} {tk:9.4f} {r:6.2f} {TARGETS[kname]:6.2f}"
                  f"{'' if r >= TARGETS[kname] else '  below target'}", flush=True)

if __name__ == '__main__': main()
