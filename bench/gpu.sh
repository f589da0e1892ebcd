#!/usr/bin/env bash
# The GPU bench (issue 20): on a machine with a GPU, prints the WebGPU adapter and times NTK-Gram-sized
# matrix products, CNN/MLP training and VAE training steps on WebGPU beside WebAssembly and, where PyTorch sees CUDA, beside
# PyTorch on the GPU. Run from the repository root after `npm ci`: `bash bench/gpu.sh [--quick]`.
# Without a GPU it runs on Mesa's software adapter (KAIRO_WEBGPU=software; slow, checks the path only).
set -uo pipefail
cd "$(dirname "$0")/.."
args=("$@")
run() { node --import tsx bench/gpu.ts --backend "$1" "${args[@]}" 2> >(grep -v -E 'artificially reduced|^$' >&2); }
echo "== WebGPU"
run webgpu || echo '{"backend":"webgpu","error":"see the lines above"}'
echo "== WebAssembly"
run wasm
echo "== PyTorch (CUDA)"
python3 bench/gpu_peer.py "${args[@]}" || echo '{"peer":"pytorch","error":"not run"}'
