#!/usr/bin/env bash
# Runs every test: setup, each wasm artifact built once, lints, the Rust test suites (release:
# wasmtime's compiler is slow unoptimised), then the extra steps in scripts/test.d/ (browser,
# Node, detection quality...). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Each step is announced with the time since the start, so a slow run shows where it went.
step() { printf '== %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)) >&2; }

bash scripts/setup.sh
step "build-wasm"
bash scripts/build-wasm.sh
# The CLI embeds the component built above instead of building it a second time.
export WIKIWATCH_COMPONENT="$root/target/wasm/wikiwatch_component.wasm"
export WIKIWATCH_WASM_DIR="$root/target/wasm"
step "real hosts (Fluent Bit, its AOT file, nginx with ngx_wasm_module)"
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

step "fmt"
cargo fmt --all -- --check
step "clippy (native)"
cargo clippy -q --workspace --all-targets -- -D warnings
step "clippy (wasm targets)"
cargo clippy -q -p wikiwatch-core -p wikiwatch-component --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p wikiwatch-web -p wikiwatch-report --target wasm32-unknown-unknown -- -D warnings
cargo clippy -q -p wikiwatch-fluent-bit -p wikiwatch-proxy-wasm --target wasm32-wasip1 -- -D warnings
step "doc"
RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps

step "cargo tests (release)"
cargo nextest run --workspace --release --no-fail-fast
cargo test -q --release --workspace --doc

for part in scripts/test.d/*.sh; do
  [ -e "$part" ] || continue
  step "$part"
  bash "$part"
done
step "all tests passed"
