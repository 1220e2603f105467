#!/usr/bin/env bash
# Fluent Bit filter_wasm module (filter/fluent-bit): a wasm32-wasip1 core module exporting
# `wikiwatch_filter` plus wasi-libc's malloc/free (so WAMR copies records in with them).
set -euo pipefail
out="$1"
cargo build -p wikiwatch-fluent-bit --lib --target wasm32-wasip1 --profile wasm
cp target/wasm32-wasip1/wasm/wikiwatch_fluent_bit.wasm "$out/wikiwatch_fluent_bit.wasm"
echo "fluent-bit module: $(stat -c %s "$out/wikiwatch_fluent_bit.wasm") bytes" >&2
