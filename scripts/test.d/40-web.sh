#!/usr/bin/env bash
# Browser module (filter/web) and harness (examples/browser):
#   1. wasm-bindgen-test unit tests of the `Detector` class in Node, then in headless Chromium
#      (Debian's chromium through chromedriver; filter/web/webdriver.json adds --no-sandbox);
#   2. the end-to-end test: the harness page in headless Chromium (playwright-core, no browser
#      download) must show and download exactly the alerts `wikiwatch replay --engine native`
#      writes for the bundled example log and config; its Log coverage JSON what `wikiwatch
#      coverage --json` writes; on a two-week corpus, a drag across the plot zooms into one
#      incident and its exposure report is `wikiwatch report`'s. Screenshots:
#      tests/out/browser-harness.png and target/browser-e2e/.
# Needs scripts/build-wasm.sh to have run (examples/browser/pkg).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
passed=0

# The runner is set here, not in a cargo config, so no other crate's tests are affected.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/filter/web/webdriver.json"
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}

count() { # passes the runner's "test result: ok. N passed" through and adds N
  local log=$1 n
  n=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
  [ "$n" -gt 0 ] || { echo "no wasm-bindgen test ran" >&2; exit 1; }
  passed=$((passed + n))
}

mkdir -p tests/out
echo "== web: wasm-bindgen-test in Node" >&2
cargo test --target wasm32-unknown-unknown -p wikiwatch-web --test wasm 2>&1 | tee tests/out/web-node.log
count tests/out/web-node.log

echo "== web: wasm-bindgen-test in headless Chromium" >&2
WASM_BINDGEN_USE_BROWSER=1 cargo test --target wasm32-unknown-unknown -p wikiwatch-web --test wasm 2>&1 \
  | tee tests/out/web-browser.log
grep -q 'Running headless tests in Chrome' tests/out/web-browser.log || { echo "did not run in Chromium" >&2; exit 1; }
count tests/out/web-browser.log

echo "== web: end-to-end harness test" >&2
# scripts/test.sh's release test run has just built the CLI with the whole workspace's features;
# `cargo build -p wikiwatch` alone would resolve features differently and rebuild wasmtime.
[ -x target/release/wikiwatch ] || cargo build -q --release --workspace --bins
( cd tests/browser && { [ -d node_modules/playwright-core ] || PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund; } )
node tests/browser/e2e.mjs | tee tests/out/web-e2e.log
e2e=$(grep -Eo '^[0-9]+ passed, 0 failed' tests/out/web-e2e.log | awk '{print $1}')
passed=$((passed + e2e))
echo "$passed passed, 0 failed"
