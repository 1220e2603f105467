#!/usr/bin/env bash
# Fuzzes the core briefly (tests/fuzz, cargo-fuzz on nightly): each target for FUZZ_SECS seconds
# (default 25; six targets, about 2.5 min with the build cached) from the saved corpus plus seeds
# made from the fixtures. Fails on any crash, panic or violated invariant; the reproducer is left
# in tests/fuzz/artifacts/<target>/. Longer runs: FUZZ_SECS=600 bash scripts/test.d/50-fuzz.sh
#
# Built without a sanitizer (the core forbids unsafe code) but with debug assertions, so integer
# overflow is a crash too.
set -euo pipefail
cd "$(dirname "$0")/../../tests/fuzz"
secs=${FUZZ_SECS:-25}
targets=${FUZZ_TARGETS:-"decode config restore engine_events engine_lines clock"}
passed=0 failed=0

bash seed.sh
cargo +nightly fuzz build -s none -a >/dev/null 2>&1 || cargo +nightly fuzz build -s none -a
for t in $targets; do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  if cargo +nightly fuzz run -s none -a "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$secs" -max_len=16384 -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$log" 2>&1; then
    passed=$((passed + 1))
    runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    echo "fuzz $t: ok, $runs runs in ${secs}s, $cov" >&2
  else
    failed=$((failed + 1))
    echo "fuzz $t: FAILED" >&2
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|artifact_prefix' "$log" | head -20 >&2
  fi
  rm -f "$log"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
