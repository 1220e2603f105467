#!/usr/bin/env bash
# proxy-wasm 0.2.1 module (Envoy, Kong/ngx_wasm_module, APISIX): $1/wikiwatch_proxy_wasm.wasm
set -euo pipefail
out="$1"
cargo build -p wikiwatch-proxy-wasm --target wasm32-wasip1 --profile wasm
cp "${CARGO_TARGET_DIR:-target}/wasm32-wasip1/wasm/wikiwatch_proxy_wasm.wasm" "$out/wikiwatch_proxy_wasm.wasm"
