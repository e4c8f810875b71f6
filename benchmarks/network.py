"""Network benchmark: the empirical NTK by layer-wise Gram matrices against torch.func Jacobians, and a NetworkTrainer epoch.

Prints, for each device:
- seconds for `empirical_ntk` on s x s points (s = 2000, d = 64, C = 10, width 1024) at depth 2 and 3, float32;
- at s = 200 (where the Jacobians fit in memory), time(torch.func Jacobian eNTK) / time(empirical_ntk);
- on digits (n = 1437), the seconds of one SGD epoch and of one history record (s = 1000, q = 100) at width 1024.
Usage: python benchmarks/network.py [--threads N] [--devices cpu cuda] [--repeats 3]
"""
import argparse
import statistics
import time

import torch
from torch.func import functional_call, jacrev, vmap

from ep3dynamics.data import load_dataset
from ep3dynamics.network import FCNet, NetworkTrainer, empirical_ntk


def sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)


def timed(fn, device, repeats):
    "Median wall seconds of `fn()` over `repeats` runs (after one warm-up)."
    fn(); sync(device)
    out = []
    for _ in range(repeats):
        t = time.perf_counter(); fn(); sync(device)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def jacobian_ntk(net, X):
    "(1/C) Σ_k ⟨∂f_k(x)/∂θ, ∂f_k(z)/∂θ⟩ from per-example torch.func Jacobians."
    params = {k: v.detach() for k, v in net.named_parameters()}
    f = lambda p, x: functional_call(net, p, (x[None],))[0]
    J = vmap(jacrev(f), (None, 0))(params, X)
    J = torch.cat([j.flatten(2) for j in J.values()], 2)  # (s, C, P)
    return torch.einsum('nkp,mkp->nm', J, J) / net.n_classes


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--devices', nargs='*', default=['cpu'] + (['cuda'] if torch.cuda.is_available() else []))
    ap.add_argument('--repeats', type=int, default=3)
    args = ap.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)")
    g = torch.Generator().manual_seed(0)
    for name in args.devices:
        device = torch.device(name)
        X = torch.rand(2000, 64, generator=g).to(device)
        for depth in (2, 3):
            net = FCNet(64, 10, width=1024, depth=depth).to(device)
            sec = timed(lambda: empirical_ntk(net, X, X), device, args.repeats)
            print(f"[{name}] empirical_ntk s=2000 width=1024 depth={depth}: {sec:.2f} s")
        net = FCNet(64, 10, width=1024, depth=2).to(device)
        small = X[:200]
        err = (jacobian_ntk(net, small) - empirical_ntk(net, small, small)).norm() / jacobian_ntk(net, small).norm()
        t_jac = timed(lambda: jacobian_ntk(net, small), device, args.repeats)
        t_gram = timed(lambda: empirical_ntk(net, small, small), device, args.repeats)
        print(f"[{name}] s=200 width=1024 depth=2: torch.func {t_jac:.3f} s, layer-wise {t_gram:.4f} s, "
              f"ratio {t_jac / t_gram:.0f}x (relative difference {float(err):.1e})")
        _, (Xd, yd), _ = load_dataset('digits')
        trainer = NetworkTrainer(FCNet(64, 10, width=1024), lr=0.2, batch_size=32, nystrom_size=1000, q=100,
                                 device=device, verbose=False).fit(Xd, yd, epochs=2)
        h = trainer.history
        epoch = float(h['seconds'][1:].mean())
        record = timed(lambda: trainer.fit(Xd, yd, epochs=0), device, 1)  # a new in-memory history: step 0 only
        print(f"[{name}] digits n={len(Xd)} width=1024 batch 32: SGD epoch {epoch:.2f} s, "
              f"one record (s=1000, q=100) ~{record:.2f} s")


if __name__ == '__main__':
    main()
