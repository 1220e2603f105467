#!/usr/bin/env bash
# Builds every wasm artifact once, into target/wasm/:
#   wikiwatch_component.wasm  (component, wasm32-unknown-unknown + wit-component, embedded by the CLI)
#   wikiwatch_fluent_bit.wasm (Fluent Bit filter_wasm module, wasm32-wasip1)
#   wikiwatch_proxy_wasm.wasm (proxy-wasm 0.2.1 module, wasm32-wasip1)
#   web/                      (wasm-bindgen output for browsers and Node)
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/wasm
mkdir -p "$out"
for step in scripts/build-wasm.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== build-wasm: $step" >&2
  bash "$step" "$out"
done
ls -l "$out" >&2
