#!/usr/bin/env bash
# Runs the kernel benchmark from the device kit on a machine without Node: unpacks Node and the
# Vulkan loader into a temporary folder, finds the NVIDIA driver's Vulkan ICD if the loader would
# not, and writes kernels.json and kernels.txt to $OUT (or the current folder).
#   bash .device-kit/run.sh [--sizes 256,512,1024,2048,4096] [--repeats 10]
set -euo pipefail
kit="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:-$PWD}"
work="$(mktemp -d)"
xz -dc "$kit/node.xz" >"$work/node"
chmod +x "$work/node"
if ! { PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; }; then
  dpkg -x "$kit"/libvulkan1_*.deb "$work/vulkan"
  export LD_LIBRARY_PATH="$work/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES="$nvidia_icd"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv >"$out/gpu.txt" 2>&1 || true
"$work/node" "$kit/bench.mjs" --json-file "$out/kernels.json" "$@" | tee "$out/kernels.txt"
