#!/usr/bin/env bash
# Runs the inference benchmark from the device kit on a machine without Node (see setup.sh): a
# random checkpoint of `npm run bench`'s model, dense and factorised; writes inference.json and
# inference.txt to $OUT (or the current folder).
#   bash .device-kit/run-inference.sh [--prompt-len 512] [--gen-len 64] [--top-k 1,2] [--batch 1]
set -euo pipefail
. "$(dirname "$0")/setup.sh"
"$node" "$kit/inference.mjs" --json-file "$out/inference.json" "$@" | tee "$out/inference.txt"
