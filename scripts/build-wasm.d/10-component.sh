#!/usr/bin/env bash
# The detector component (wit/wikiwatch.wit, world `detector`): the core built for
# wasm32-unknown-unknown, wrapped into a component by wit-component. Imports nothing.
# The CLI embeds it when WIKIWATCH_COMPONENT points here (otherwise its build script builds its own).
set -euo pipefail
out="$1"
mkdir -p "$out"
# Same separate target dir as host/build.rs, so the two share one guest build.
# Flags exactly as host/build.rs passes them (SIMD and 64x64->128 multiplies; see the file).
CARGO_ENCODED_RUSTFLAGS="$(grep -v -e '^#' -e '^[[:space:]]*$' filter/component/guest-rustflags | paste -sd $'\x1f')" \
  cargo build -p wikiwatch-component --lib --target wasm32-unknown-unknown --profile wasm --target-dir target/guest
cargo run -q --release -p wikiwatch-component --bin wikiwatch-componentize -- \
  target/guest/wasm32-unknown-unknown/wasm/wikiwatch_component.wasm "$out/wikiwatch_component.wasm"
echo "component: $(stat -c %s "$out/wikiwatch_component.wasm") bytes" >&2
