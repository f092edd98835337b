#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine of the project's kind lacks for the tests:
# Mesa lavapipe (a CPU Vulkan driver Dawn accepts; only the bookworm-backports build is new enough),
# the Vulkan loader, Chromium for browser tests, and Debian's PyTorch with numpy and OpenBLAS for
# the PyTorch peer tests (without OpenBLAS Debian's torch multiplies through the reference BLAS,
# about 25x slower than what users get). Idempotent; derives the backports source from
# the machine's own apt sources rather than naming a mirror.
set -euo pipefail

need_lavapipe() { ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 || ! dpkg -s libvulkan1 >/dev/null 2>&1 || ! dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q bpo; }
need_chromium() { ! command -v chromium >/dev/null 2>&1; }
# Only to check docker-compose.yml parses (`docker-compose config`); no Docker engine is needed.
need_compose() { ! command -v docker-compose >/dev/null 2>&1; }
need_torch() { ! /usr/bin/python3 -c 'import numpy, torch' >/dev/null 2>&1 || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; }

if ! need_lavapipe && ! need_chromium && ! need_compose && ! need_torch; then
  echo "system deps: lavapipe, chromium, docker-compose and PyTorch with OpenBLAS already installed"
  exit 0
fi

sources=/etc/apt/sources.list.d/debian.sources
backports=/etc/apt/sources.list.d/factorlab-backports.sources
if [ ! -f "$backports" ]; then
  if [ ! -f "$sources" ]; then
    echo "error: $sources not found; add a bookworm-backports apt source by hand, then rerun" >&2
    exit 1
  fi
  # First stanza of the existing sources (the main archive), with the suite switched to backports.
  awk 'BEGIN{RS=""; ORS="\n\n"} NR==1{print; exit}' "$sources" \
    | sed -E 's/^Suites:.*/Suites: bookworm-backports/' >"$backports"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if need_lavapipe; then
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
fi
if need_chromium; then
  apt-get install -y -qq chromium >/dev/null
fi
if need_compose; then
  apt-get install -y -qq docker-compose >/dev/null
fi
if need_torch; then
  # Installing libopenblas0-pthread switches Debian's libblas.so.3 alternative to OpenBLAS.
  apt-get install -y -qq python3-torch python3-numpy libopenblas0-pthread >/dev/null
fi
echo "system deps: installed lavapipe $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), $(chromium --version 2>/dev/null)" \
  "and torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') on $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
