#!/usr/bin/env bash
# Runs the kernel benchmark from the device kit on a machine without Node (see setup.sh) and
# writes kernels.json, kernels.txt and gpu.txt to $OUT (or the current folder).
#   bash .device-kit/run.sh [--sizes 256,512,1024,2048,4096] [--repeats 10] [--matmul-kernels all]
set -euo pipefail
. "$(dirname "$0")/setup.sh"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv >"$out/gpu.txt" 2>&1 || true
"$node" "$kit/bench.mjs" --json-file "$out/kernels.json" "$@" | tee "$out/kernels.txt"
