#!/usr/bin/env bash
# Builds the seed corpus in tests/fuzz/seeds/<target>/ (not committed: derived from the fixtures).
#   decode, engine_lines: the first lines of every fixture and example log, one seed per
#     format byte; config: the example and fixture configs; restore: real state files written by
#     `wikiwatch replay --state` when target/release/wikiwatch exists.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
seeds=$PWD/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{decode,engine_lines,engine_events,config,restore,clock}

logs=$(find "$root/tests/fixtures" "$root/examples/logs" "$root/host/tests/fixtures" \
  -type f \( -name '*.log' -o -name '*.jsonl' \) 2>/dev/null | sort)
n=0
for f in $logs; do
  n=$((n + 1))
  # Format bytes: 0 auto, 1 confluence-access, 2 combined, 3 audit, 4 json.
  for fmt in 0 1 2 3 4; do
    { printf "\\x0$fmt"; head -c 4000 "$f" | head -n 20; } >"$seeds/decode/$n-$fmt"
    { printf "\\x0$fmt\\x04"; head -c 8000 "$f" | head -n 40; } >"$seeds/engine_lines/$n-$fmt"
  done
done
for f in $(find "$root/examples" "$root/tests/fixtures" "$root/host/tests/fixtures" -name '*.json' \
  ! -name 'truth.json' ! -path '*/node_modules/*' 2>/dev/null); do
  cp "$f" "$seeds/config/$(echo "$f" | tr / _)"
done
echo '{}' >"$seeds/config/empty"
# A few byte strings for the event target: arbitrary turns any bytes into events.
for i in 1 2 3; do head -c 512 /dev/urandom >"$seeds/engine_events/rand$i"; done

cli=$root/target/release/wikiwatch
if [ -x "$cli" ]; then
  i=0
  for f in $logs; do
    case $f in *truth*) continue ;; esac
    i=$((i + 1))
    head -n 300 "$f" >"$seeds/restore/in.log"
    "$cli" replay --engine native --state "$seeds/restore/$i.state" "$seeds/restore/in.log" \
      >/dev/null 2>&1 || true
  done
  rm -f "$seeds/restore/in.log"
fi
echo "seeds: $(find "$seeds" -type f | wc -l) files" >&2
for i in 1 2 3; do head -c 256 /dev/urandom >"$seeds/clock/rand$i"; done
