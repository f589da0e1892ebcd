#!/usr/bin/env bash
# Writes a built WebAssembly module as a TypeScript file (base64-embedded, so every bundle and
# the packaged app carry it without file lookups), or with --check fails if the shipped file
# differs from what the source builds to now.
#   embed-wasm.sh <module.wasm> <out.ts> <CONST_PREFIX> <provenance line> [--check]
set -euo pipefail
wasm="$1" out="$2" prefix="$3" provenance="$4" mode="${5:-}"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
{
  echo "// $provenance Do not edit."
  echo "export const ${prefix}_WASM_SHA256 = '$(sha256sum "$wasm" | cut -d' ' -f1)';"
  echo "export const ${prefix}_WASM_BASE64 ="
  echo "  '$(base64 -w0 "$wasm")';"
} > "$tmp"
rel="${out#"$(cd "$(dirname "$0")/.." && pwd)/"}"
if [ "$mode" = "--check" ]; then
  if ! cmp -s "$tmp" "$out"; then
    echo "$rel does not match its source; rebuild it with its native/*/build.sh and commit" >&2
    exit 1
  fi
  echo "$rel matches its source ($(wc -c <"$wasm") bytes of wasm)"
else
  cp "$tmp" "$out"
  echo "wrote $rel ($(wc -c <"$wasm") bytes of wasm)"
fi
