#!/usr/bin/env bash
# Builds the device kit: the kernel and inference benchmarks as bundled files, Dawn's node addon,
# this machine's Node binary (xz) and the Vulkan loader package, in .device-kit/ (git-ignored), for
# a GPU machine that has neither Node nor a registry. Run from anywhere; then carry .device-kit to
# the machine and run .device-kit/run.sh and run-inference.sh there (see README, "Measuring on a
# GPU server").
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.device-kit
rm -rf "$kit"
mkdir -p "$kit/node_modules/webgpu/dist"

bundle() {
  npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --external:webgpu \
    --log-level=warning --outfile="$kit/$2"
}
bundle gpu/src/bench/kernel-benchmark-main.ts bench.mjs
bundle gpu/src/bench/inference-benchmark-main.ts inference.mjs
# The peers' scripts are found beside the code that runs them.
cp gpu/src/bench/*.py "$kit/"
# Dawn for Linux x86-64 only: the machines lent are x86-64.
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$kit/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$kit/node_modules/webgpu/dist/"
xz -6 -T0 <"$(command -v node)" >"$kit/node.xz"
(cd "$kit" && apt-get download libvulkan1 >/dev/null)
cp gpu/device-kit/setup.sh gpu/device-kit/run.sh gpu/device-kit/run-inference.sh "$kit/"
du -sh "$kit"
