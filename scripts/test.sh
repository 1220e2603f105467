#!/usr/bin/env bash
# Runs every test: setup, each wasm artifact built once, lints, the Rust test suites (release:
# wasmtime's compiler is slow unoptimised), then the extra steps in scripts/test.d/ (browser,
# Node, detection quality...). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/setup.sh
bash scripts/build-wasm.sh
# The CLI embeds the component built above instead of building it a second time.
export WIKIWATCH_COMPONENT="$root/target/wasm/wikiwatch_component.wasm"
export WIKIWATCH_WASM_DIR="$root/target/wasm"
# The real Fluent Bit for its end-to-end tests (built once; they skip, saying so, without it).
if FLUENT_BIT=$(bash scripts/fluent-bit.sh); then export FLUENT_BIT; else echo "== no Fluent Bit: its end-to-end tests skip" >&2; fi
# The module compiled ahead of time by wamrc of Fluent Bit's own WAMR version, for the AOT run.
if [ -n "${FLUENT_BIT:-}" ] && WIKIWATCH_AOT=$(bash scripts/aot.sh | tail -n 1) && [ -f "$WIKIWATCH_AOT" ]; then
  export WIKIWATCH_AOT
else
  echo "== no AOT file: the AOT run in Fluent Bit skips" >&2
fi
# nginx with Kong's ngx_wasm_module, the real proxy-wasm host for the proxy module's end-to-end
# tests (built once; they skip, saying so, without it).
if NGINX_WASM=$(bash scripts/nginx-wasm.sh); then export NGINX_WASM; else echo "== no nginx-wasm: its end-to-end tests skip" >&2; fi

echo "== fmt" >&2
cargo fmt --all -- --check
echo "== clippy (native)" >&2
cargo clippy -q --workspace --all-targets -- -D warnings
echo "== clippy (wasm targets)" >&2
cargo clippy -q -p wikiwatch-core -p wikiwatch-component --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p wikiwatch-web -p wikiwatch-report --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p wikiwatch-fluent-bit -p wikiwatch-proxy-wasm --target wasm32-wasip1 -- -D warnings
echo "== doc" >&2
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps

echo "== cargo tests (release)" >&2
cargo nextest run --workspace --release --no-fail-fast
cargo test -q --release --workspace --doc

for step in scripts/test.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== $step" >&2
  bash "$step"
done
echo "== all tests passed" >&2
