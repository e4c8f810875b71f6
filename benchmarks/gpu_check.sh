#!/usr/bin/env bash
# One prepared run of every GPU check, for a session that is lent a CUDA machine: the `#| gpu` notebook cells,
# then the CUDA lines of the benchmarks. Results go to $OUT (or ./gpu-results) for benchmarks/README.md.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-gpu-results}; mkdir -p "$out"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name())" | tee "$out/device.txt" || exit 1
nbdev_test --flags gpu --do_print --timing 2>&1 | tee "$out/nbdev_test_gpu.txt"
python benchmarks/kernels.py --devices cpu cuda 2>&1 | tee "$out/kernels.txt"
# EigenPro 3 on the GPU: ours against the official code when a checkout of github.com/EigenPro/EigenPro3 was carried
# to .peers/EigenPro3 (git-ignored), both problems, then the CIFAR-10-shaped paper size
official=$([ -d .peers/EigenPro3/eigenpro3 ] && echo "--official .peers/EigenPro3")
python benchmarks/eigenpro3.py $official --devices cuda --paper 2>&1 | tee "$out/eigenpro3.txt"
python benchmarks/eigenpro2.py --device cuda 2>&1 | tee "$out/eigenpro2.txt"
python benchmarks/rfm.py --device cuda --n 5000 20000 2>&1 | tee "$out/rfm.txt"
python benchmarks/network.py --devices cuda 2>&1 | tee "$out/network.txt"
