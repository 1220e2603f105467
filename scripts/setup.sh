#!/usr/bin/env bash
# Installs what a fresh machine lacks for the full test run: rust targets, Debian's chromium and
# chromium-driver (browser tests), wasm-bindgen-cli at the crate's exact version, npm packages.
# Idempotent: each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the `wasm-bindgen = "=..."` pin in Cargo.toml

rustup target add wasm32-wasip2 wasm32-wasip1 wasm32-unknown-unknown >/dev/null 2>&1 || true

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "== setup: installing chromium and chromium-driver" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  echo "== setup: installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 5 minutes)" >&2
  # Not --locked: a locked dependency version is missing from the registry here.
  cargo install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install -q cargo-nextest --locked
fi

for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  bash "$step"
done
