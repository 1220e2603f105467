#!/usr/bin/env bash
# cargo-fuzz (libFuzzer driver) and the nightly toolchain it needs, for scripts/test.d/50-fuzz.sh.
set -euo pipefail
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "== setup: installing the nightly toolchain (cargo-fuzz needs it)" >&2
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== setup: installing cargo-fuzz (about 2 minutes)" >&2
  cargo install -q cargo-fuzz --locked
fi
