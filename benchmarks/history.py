"""Cost of recording one history step as the history grows.

Records `--steps` + 1 steps (default 201) of an s = 2000, q = 500 eigensystem (a 4 MB float32 eigenvector block a
step) with `HistoryStore`, into a zarr store in a temporary folder, timing every `record` on the wall clock and on
the process's CPU clock (all threads, zarr's I/O thread included). Prints, for step 5 and step 200 (target: ratio
<= 1.5, the cost of step t does not grow with t): wall and CPU seconds, the medians over steps 1-10 and over the
last 10 (one noisy step on a shared machine moves these less), the bytes the step added to the store, and the
store's size on disk. On a loaded machine wall times swing with the load even for an in-memory store
(`--memory`); CPU time and bytes written are what the store itself costs. (The previous netCDF recorder,
which rewrote the whole file at every step, is gone; its figures stay in benchmarks/README.md for contrast.)

Usage: python benchmarks/history.py [--s 2000] [--q 500] [--steps 200] [--dir /tmp] [--memory]
"""
import argparse, os, statistics, tempfile, time
from pathlib import Path

import numpy as np

from ep3dynamics.history import HistoryStore


def folder_bytes(path):
    "Bytes of the files under `path` (a folder) or of the file `path`."
    path = Path(path)
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob('*') if p.is_file())


def timed_records(rec, steps, s, q, path=None, seed=0, probe=()):
    "(wall seconds, CPU seconds, {step: bytes the step added}) of each `rec.record(t, ...)`, t = 0..steps-1."
    rng = np.random.default_rng(seed)
    vecs = rng.standard_normal((s, q))
    vals = np.sort(rng.uniform(0.1, 1.0, q))[::-1].copy()
    idx, wall, cpu, added = np.arange(s), [], [], {}
    for t in range(steps):
        vecs[:, t % q] = rng.standard_normal(s)  # every step stores different numbers
        before = folder_bytes(path) if path is not None and t in probe else 0
        t0, c0 = time.perf_counter(), time.process_time()
        rec.record(t, (vals, vecs, idx), train_loss=1.0 / (t + 1), seconds=0.0, residual_coords=np.ones(q),
                   state={'weights': vecs[:, :10]})
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if path is not None and t in probe:
            added[t] = folder_bytes(path) - before
    return wall, cpu, added


def report(name, wall, cpu, late, added=None, size=None):
    "Print step 5 against step `late`, single steps and medians, on both clocks."
    med = statistics.median
    for clock, secs in (('wall', wall), ('cpu', cpu)):
        print(f"{name} [{clock}]: step 5 {secs[5]:.4f} s, step {late} {secs[late]:.4f} s, "
              f"ratio {secs[late] / secs[5]:.2f}; median steps 1-10 {med(secs[1:11]):.4f} s, "
              f"last 10 {med(secs[-10:]):.4f} s, ratio {med(secs[-10:]) / med(secs[1:11]):.2f}")
    if added:
        print(f"{name}: bytes added by step 5 {added[5]:,}, by step {late} {added[late]:,}")
    if size is not None:
        print(f"{name}: on disk {size / 2**20:.0f} MiB")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--s', type=int, default=2000)
    ap.add_argument('--q', type=int, default=500)
    ap.add_argument('--steps', type=int, default=200, help='steps recorded; the last is timed against step 5')
    ap.add_argument('--dir', default=None, help='folder for the temporary store (default: the system temp folder)')
    ap.add_argument('--memory', action='store_true', help='an in-memory store (no disk): the load\'s share of wall time')
    a = ap.parse_args(argv)
    print(f"s = {a.s}, q = {a.q}, {a.steps} steps, temporary folder under {a.dir or tempfile.gettempdir()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(dir=a.dir) as tmp:
        path = None if a.memory else Path(tmp) / 'bench.zarr'
        with HistoryStore.open(path, 'eigenpro3', 'epoch', {'s': a.s, 'q': a.q}) as store:
            wall, cpu, added = timed_records(store, a.steps + 1, a.s, a.q, path, probe=(5, a.steps))
        report('HistoryStore (memory)' if a.memory else 'HistoryStore (zarr)', wall, cpu, a.steps, added,
               None if a.memory else folder_bytes(path))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")

if __name__ == '__main__':
    main()
