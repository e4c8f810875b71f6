"""EigenPro 3 (`KernelModel`) speed and memory on seeded synthetic mixtures.

1. Speed: seconds of setup (data preconditioner, projection preconditioner) and seconds per epoch on a seeded
   Gaussian mixture with n = 20 000, d = 100, p = 2 000 centers (random training points), Laplacian kernel of
   bandwidth 1, float32, default settings, then with the Nyström subsample drawn from the centers (the unbiased
   variant whose preconditioner correction needs no kernel evaluation); with the test accuracy after the epochs.
   At n = 20 000 the model precomputes Φ = K(X, X_other) E_other (n × q) at setup, so an epoch's correction is a
   gather instead of n·s_other kernel entries (the n = 200 000 memory run keeps the per-batch path). The reference implementation
   needs about 1.4 s per epoch on this problem on a 2-core CPU. Besides wall time, the CPU time of the process per
   epoch is printed: on a shared machine wall time is inflated by the other jobs, CPU time much less.
2. Memory: peak resident memory (`resource.getrusage(...).ru_maxrss`, measured in a fresh subprocess) of setting up
   and training one epoch with n = 200 000, d = 64, p = 5 000, against the target "data size + 1 GB". The child
   also reports its resident memory after importing torch and ep3dynamics and building the data, before the model:
   the imported libraries alone are several hundred MB of resident memory that no algorithm can save.
   The mixture is drawn in float32 blocks so that drawing it does not set the peak.
3. On CUDA (when present, or with --device cuda): seconds per epoch on a CIFAR-10-shaped mixture
   (n = 50 000, d = 3 072, p = 10 000).

`--threads N` limits torch's and the BLAS/LAPACK thread pools (SciPy's OpenBLAS too, via threadpoolctl) to N threads,
also in the memory child: on a shared machine a busy thread pool spins and inflates CPU time, so compare runs at
`--threads 1`.

Usage: python benchmarks/eigenpro3.py [--skip-speed] [--skip-memory] [--skip-cuda] [--epochs 3] [--mem-gb GB] [--threads N]
"""
import argparse
import json
import os
import resource
import shlex
import subprocess
import sys
import time
from functools import partial

import torch
from threadpoolctl import threadpool_limits

from ep3dynamics.data import load_dataset
from ep3dynamics.eigenpro3 import KernelModel
from ep3dynamics.kernels import laplacian
from ep3dynamics.metrics import accuracy_from_predictions

REFERENCE_EPOCH_SECONDS = 1.4  # the reference implementation on the speed problem, 2-core CPU (issue text)


def speed(n, d, p, epochs, device, separation=0.3, n_test=2000, bandwidth=1.0, seed=0, subsample_in_centers=False, center_seed=None):
    "Setup seconds, per-epoch seconds (wall, and CPU time of this process) and test accuracy of KernelModel on a seeded mixture."
    c, (X, y), (Xt, yt) = load_dataset('synthetic', n_train=n, n_test=n_test, d=d, n_classes=10, seed=seed,
                                        separation=separation)
    X, y = X.to(device), y.to(device)
    center_index = torch.randperm(n, generator=torch.Generator().manual_seed(seed if center_seed is None else center_seed))[:p]
    centers = X[center_index.to(device)]
    kernel_fn = partial(laplacian, bandwidth=bandwidth)
    setup_cpu0 = time.process_time()
    model = KernelModel(c, centers, kernel_fn, X=X, y=y, devices=[device], seed=seed, verbose=False,
                        nystrom_samples=center_index if subsample_in_centers else None)
    cpu0 = time.process_time()
    setup_cpu = cpu0 - setup_cpu0
    model.fit(model.train_loaders, epochs=epochs)
    cpu = (time.process_time() - cpu0) / epochs
    sec = model.history.seconds.values
    return dict(n=n, d=d, p=p, device=str(device), setup_s=model.setup_seconds, setup_cpu_s=setup_cpu, epoch_s=sec.tolist(), epoch_cpu_s=cpu,
                epoch_median_s=float(sorted(sec)[len(sec) // 2]), batch_size=model.batch_size,
                batches_per_epoch=-(-n // model.batch_size), s=model.preconditioner.eigensystem.s,
                shared=len(set(center_index.tolist()) & set(model.preconditioner.eigensystem.sample_index.tolist())),
                test_accuracy=accuracy_from_predictions(model.predict(Xt), yt))


def rss_mb():
    "Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in kB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(n, d, p, mem_gb, seed=0):
    "Run in a fresh process: build the data in float32 blocks, set up and train one epoch; print a JSON line."
    g = torch.Generator().manual_seed(seed)
    means = torch.randn(10, d, generator=g) * 3 / d**0.5
    labels = torch.randint(0, 10, (n,), generator=g)
    X = torch.empty(n, d)
    for i in range(0, n, 10_000):
        X[i:i + 10_000] = means[labels[i:i + 10_000]] + torch.randn(len(X[i:i + 10_000]), d, generator=g) / d**0.5
    y = torch.nn.functional.one_hot(labels, 10).float()
    data_mb = (X.numel() * X.element_size() + y.numel() * y.element_size()) / 2**20
    base = rss_mb()
    centers = X[torch.randperm(n, generator=g)[:p]]
    t0 = time.perf_counter()
    model = KernelModel(10, centers, partial(laplacian, bandwidth=1.0), X=X, y=y, mem_gb=mem_gb, verbose=False)
    model.fit(model.train_loaders, epochs=1)
    print(json.dumps(dict(n=n, d=d, p=p, mem_gb=mem_gb, data_mb=data_mb, baseline_mb=base, peak_mb=rss_mb(),
                          seconds=time.perf_counter() - t0, batch_size=model.batch_size)))


def memory(n, d, p, mem_gb, threads=None):
    "Peak RSS of `memory_child` in a fresh process."
    # Not a direct child: Linux carries the parent's peak RSS into a vfork+exec'd child's ru_maxrss (this process has
    # torch and the speed runs in memory). A shell that forks (the trailing `; true` stops it from exec'ing) gives the
    # child a fresh count.
    cmd = shlex.join([sys.executable, __file__, '--memory-child', str(n), str(d), str(p), str(mem_gb or 0)] + ([] if threads is None else ['--threads', str(threads)]))
    out = subprocess.run(['/bin/sh', '-c', f'{cmd}; true'], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--epochs', type=int, default=3, help='epochs per speed run (default 3)')
    ap.add_argument('--separation', type=float, default=0.3, help='class-mean scale of the mixture (default 0.3, as benchmarks/eigenpro2.py)')
    ap.add_argument('--mem-gb', type=float, default=None, help='kernel block budget for the memory run (default: package default)')
    ap.add_argument('--threads', type=int, default=None, help='threads for torch and BLAS (default: all)')
    ap.add_argument('--skip-speed', action='store_true')
    ap.add_argument('--skip-memory', action='store_true')
    ap.add_argument('--skip-cuda', action='store_true')
    ap.add_argument('--memory-child', nargs=4, metavar=('N', 'D', 'P', 'MEM_GB'), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.threads is not None:
        torch.set_num_threads(a.threads)
        threadpool_limits(a.threads)  # SciPy's LAPACK (the subsample's eigendecomposition) has its own pool
    if a.memory_child:
        n, d, p, mem_gb = a.memory_child
        return memory_child(int(n), int(d), int(p), float(mem_gb) or None)

    if not a.skip_speed:
        r = speed(20_000, 100, 2_000, a.epochs, torch.device('cpu'), a.separation)
        load = os.getloadavg()[0]
        print(f"CPU speed (n={r['n']}, d={r['d']}, p={r['p']}, s={r['s']} of which {r['shared']} are centers, Laplacian L=1, {torch.get_num_threads()} threads, "
              f"load average {load:.1f} on {os.cpu_count()} cores): setup {r['setup_s']:.2f} s ({r['setup_cpu_s']:.1f} CPU-s), "
              f"{r['epoch_median_s']:.3f} s per epoch wall, {r['epoch_cpu_s']:.3f} CPU-s per epoch (median of {a.epochs}: "
              f"{', '.join(f'{s:.3f}' for s in r['epoch_s'])}), batch size {r['batch_size']} ({r['batches_per_epoch']} batches), "
              f"test accuracy {r['test_accuracy']:.4f}; reference {REFERENCE_EPOCH_SECONDS} s per epoch / ours = "
              f"{REFERENCE_EPOCH_SECONDS / r['epoch_median_s']:.2f}")
        # The centers above are the first p of the seed-0 permutation, as is the default subsample (its first s points):
        # the p centers are among the s subsample points, whose kernel rows the step then reads from the centers'.
        # Centers drawn with another seed share only about p·s/n points with the subsample:
        r = speed(20_000, 100, 2_000, a.epochs, torch.device('cpu'), a.separation, center_seed=1)
        print(f"CPU speed, same problem, centers drawn with another seed ({r['shared']} of the s={r['s']} subsample points are centers): "
              f"setup {r['setup_s']:.2f} s ({r['setup_cpu_s']:.1f} CPU-s), {r['epoch_median_s']:.3f} s per epoch wall, "
              f"{r['epoch_cpu_s']:.3f} CPU-s per epoch, test accuracy {r['test_accuracy']:.4f}")
        r = speed(20_000, 100, 2_000, a.epochs, torch.device('cpu'), a.separation, subsample_in_centers=True)
        print(f"CPU speed, same problem, Nyström subsample = the centers (s={r['s']}, unbiased, correction free): "
              f"setup {r['setup_s']:.2f} s ({r['setup_cpu_s']:.1f} CPU-s), {r['epoch_median_s']:.3f} s per epoch wall, {r['epoch_cpu_s']:.3f} CPU-s per epoch, "
              f"batch size {r['batch_size']}, test accuracy {r['test_accuracy']:.4f}; reference / ours = "
              f"{REFERENCE_EPOCH_SECONDS / r['epoch_median_s']:.2f}")
    if not a.skip_memory:
        m = memory(200_000, 64, 5_000, a.mem_gb, a.threads)
        load = os.getloadavg()[0]
        target = m['data_mb'] + 1024
        print(f"CPU memory (n={m['n']}, d={m['d']}, p={m['p']}, mem_gb={m['mem_gb']}): peak RSS {m['peak_mb']:.0f} MB, "
              f"target data + 1 GB = {target:.0f} MB ({'met' if m['peak_mb'] < target else 'NOT met'}); "
              f"RSS before the model (libraries + data) {m['baseline_mb']:.0f} MB, so the model added "
              f"{m['peak_mb'] - m['baseline_mb']:.0f} MB; setup + 1 epoch {m['seconds']:.1f} s, batch size {m['batch_size']}; "
              f"load average {load:.1f}")
    if torch.cuda.is_available() and not a.skip_cuda:
        dev = torch.device('cuda')
        r = speed(20_000, 100, 2_000, a.epochs, dev, a.separation)
        print(f"CUDA speed, same problem: setup {r['setup_s']:.2f} s, {r['epoch_median_s']:.3f} s per epoch, "
              f"test accuracy {r['test_accuracy']:.4f}")
        r = speed(50_000, 3072, 10_000, a.epochs, dev, a.separation)
        print(f"CUDA CIFAR-10-shaped (n=50000, d=3072, p=10000, s={r['s']}): setup {r['setup_s']:.2f} s, "
              f"{r['epoch_median_s']:.3f} s per epoch, batch size {r['batch_size']}, test accuracy {r['test_accuracy']:.4f} "
              f"({torch.cuda.get_device_name(dev)})")


if __name__ == '__main__':
    main()
