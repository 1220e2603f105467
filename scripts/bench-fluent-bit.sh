#!/usr/bin/env bash
# What the wikiwatch filter costs inside the real Fluent Bit: CPU seconds (user+sys of the
# fluent-bit process) and records per CPU-second for `tail -> file` of the same log
#   (a) without a filter, (b) with the wasm module (WAMR bytecode), (c) with the AOT file,
#   (b', c') the same with `fluent_bit.annotate: alerts` (only records with alerts annotated),
#   (d, e) with a filter that returns each record as it came (filter/fluent-bit/examples/
#   echo_filter.rs), as bytecode and AOT: the floor that filter_wasm itself sets,
# each the median of RUNS runs, in one run on one machine, plus the module sizes and each
# filtered run's CPU over the unfiltered one (the filter's per-record cost relative to the
# shipper's own).
#
#   scripts/bench-fluent-bit.sh                 # RUNS=5 LINES=200000
#   RUNS=3 LINES=50000 scripts/bench-fluent-bit.sh
#
# CPU is shared on build machines: only ratios against the no-filter runs of the same
# invocation mean anything, and each figure is a median. Where the time goes, before changing
# anything: `perf record` on the fluent-bit process splits Fluent Bit's own work (JSON <->
# msgpack of each record, the file output) from the module (wasm_interp_call_func_bytecode for
# bytecode, unnamed [JIT] code for AOT). Inside the module, WAMR built from the same source
# with WAMR_BUILD_PERF_PROFILING=1 and WAMR_BUILD_CUSTOM_NAME_SECTION=1 times each function of
# an unstripped module (CARGO_PROFILE_WASM_STRIP=false; the per-call timing inflates small
# functions, so read its call counts more than its times). A deterministic cost per record,
# unlike time on a shared machine: that WAMR's iwasm built as Fluent Bit builds it (fast
# interpreter, no SIMD) plus WAMR_DISABLE_HW_BOUND_CHECK=1 and WAMR_DISABLE_WRITE_GS_BASE=1
# (valgrind runs neither guard pages nor wrgsbase), running filter_loop built for
# wasm32-wasip1 under `valgrind --tool=callgrind` over 10,000 and 20,000 lines: the
# difference of the two counts over 10,000.
#
# Environment:
#   FLUENT_BIT     the binary (default: what scripts/fluent-bit.sh finds or builds)
#   WIKIWATCH_WASM the module (default target/wasm/wikiwatch_fluent_bit.wasm)
#   WIKIWATCH_AOT  the AOT file (default target/wasm/wikiwatch_fluent_bit.aot; (c) is left
#                  out when there is none)
#   WIKIWATCH_CLI  the CLI that generates the log (default target/release/wikiwatch)
#   WIKIWATCH_ECHO the echo filter (default: built into target/wasm/echo_filter.wasm, and
#                  compiled ahead of time beside it when (c) runs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
lines=${LINES:-200000}
case "$runs$lines" in *[!0-9]*) echo "bench: RUNS and LINES are numbers" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] && [ "$lines" -ge 1 ] || { echo "bench: RUNS and LINES must be at least 1" >&2; exit 2; }

fb=$("$root/scripts/fluent-bit.sh")
wasm=${WIKIWATCH_WASM:-$root/target/wasm/wikiwatch_fluent_bit.wasm}
aot=${WIKIWATCH_AOT:-$root/target/wasm/wikiwatch_fluent_bit.aot}
cli=${WIKIWATCH_CLI:-$root/target/release/wikiwatch}
[ -f "$wasm" ] || { echo "bench: no $wasm (scripts/build-wasm.sh builds it)" >&2; exit 2; }
[ -x "$cli" ] || { echo "bench: no $cli (cargo build --release -p wikiwatch)" >&2; exit 2; }
if [ -n "${WIKIWATCH_AOT:-}" ] && [ ! -f "$aot" ]; then
  echo "bench: WIKIWATCH_AOT=$aot is not a file" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo_wasm=${WIKIWATCH_ECHO:-$root/target/wasm/echo_filter.wasm}
if [ ! -f "$echo_wasm" ]; then
  # `cargo rustc`: the allocator exports (as build.rs gives the real module) reach the
  # example's link only this way; so both pay the same allocator calls per record.
  (cd "$root" && cargo rustc -q -p wikiwatch-fluent-bit --example echo_filter --crate-type cdylib \
    --target wasm32-wasip1 --profile wasm -- -C link-arg=--export=malloc -C link-arg=--export=free)
  cp "$root/target/wasm32-wasip1/wasm/examples/echo_filter.wasm" "$echo_wasm"
fi

# Synthetic Confluence traffic, in time order, as many days as it takes for LINES lines.
log=$work/conf_access_log.log
days=$(( lines / 40000 + 1 ))
while :; do
  "$cli" simulate --days "$days" --format confluence-access --out "$work/sim" >/dev/null 2>&1
  have=$(wc -l <"$work/sim/confluence-access.log")
  [ "$have" -ge "$lines" ] && break
  days=$(( days * 2 ))
done
head -n "$lines" "$work/sim/confluence-access.log" >"$log"
rm -rf "$work/sim"

# One Fluent Bit run over the whole log; prints its CPU seconds (user+sys). Exit_On_Eof stops
# Fluent Bit once tail has read the file (every record has gone through the filter by then:
# filters run as tail appends records); Grace lets the file output write the last chunks.
run() {
  local mode=$1 module=${2:-} function=${3:-wikiwatch_filter} config=${4:-} dir
  dir=$(mktemp -d "$work/run.XXXXXX")
  mkdir -p "$dir/wikiwatch"
  [ -z "$config" ] || printf '%s\n' "$config" >"$dir/wikiwatch/wikiwatch.json"
  {
    printf '[SERVICE]\n    Flush 1\n    Grace 5\n    Log_Level warn\n    HTTP_Server Off\n\n'
    printf '[INPUT]\n    Name tail\n    Tag confluence.access\n    Path %s\n' "$log"
    printf '    Read_from_Head true\n    Exit_On_Eof On\n    Buffer_Chunk_Size 1M\n    Buffer_Max_Size 16M\n\n'
    if [ -n "$module" ]; then
      printf '[FILTER]\n    Name wasm\n    Match confluence.*\n    WASM_Path %s\n' "$module"
      printf '    Function_Name %s\n    Accessible_Paths %s/wikiwatch\n' "$function" "$dir"
      printf '    Event_Format json\n    Wasm_Heap_Size 4M\n    Wasm_Stack_Size 256K\n\n'
    fi
    printf '[OUTPUT]\n    Name file\n    Match *\n    Path %s\n    File out.jsonl\n    Format plain\n' "$dir"
  } >"$dir/fluent-bit.conf"
  local TIMEFORMAT='%3U %3S' times
  # Bounded: a Fluent Bit that never sees the end of its file is stopped after 30 minutes.
  if ! { time timeout 1800 "$fb" -c "$dir/fluent-bit.conf" >"$dir/fluent-bit.log" 2>&1; } 2>"$dir/time"; then
    echo "bench: $mode: fluent-bit failed; its log:" >&2
    tail -20 "$dir/fluent-bit.log" >&2
    exit 1
  fi
  times=$(tail -1 "$dir/time")
  local got
  got=$(wc -l <"$dir/out.jsonl" 2>/dev/null || echo 0)
  if [ "$got" -ne "$lines" ]; then
    echo "bench: $mode: $got of $lines records in the output; its log:" >&2
    tail -20 "$dir/fluent-bit.log" >&2
    exit 1
  fi
  # Annotated: the first record, or with only alerts annotated, some record.
  local annotated=yes
  if [ -n "$config" ]; then
    grep -q '"wikiwatch":{' "$dir/out.jsonl" || annotated=
  else
    head -1 "$dir/out.jsonl" | grep -q '"wikiwatch":{' || annotated=
  fi
  if [ "$function" = wikiwatch_filter ] && [ -n "$module" ] && [ -z "$annotated" ]; then
    echo "bench: $mode: records are not annotated; its log:" >&2
    tail -20 "$dir/fluent-bit.log" >&2
    exit 1
  fi
  rm -rf "$dir"
  awk -v t="$times" 'BEGIN { split(t, a, " "); printf "%.3f\n", a[1] + a[2] }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

alerts_only='{"fluent_bit":{"annotate":"alerts"}}'
modes=("no filter" "wasm (bytecode)" "bytecode, alerts")
modules=("" "$wasm" "$wasm")
functions=("" wikiwatch_filter wikiwatch_filter)
configs=("" "" "$alerts_only")
if [ -f "$aot" ]; then
  modes+=("wasm (AOT)" "AOT, alerts")
  modules+=("$aot" "$aot")
  functions+=(wikiwatch_filter wikiwatch_filter)
  configs+=("" "$alerts_only")
fi
modes+=("echo (bytecode)")
modules+=("$echo_wasm")
functions+=(echo_filter)
configs+=("")
if [ -f "$aot" ]; then
  echo_aot=$work/echo_filter.aot
  bash "$root/scripts/aot.sh" "$echo_wasm" "$echo_aot" >/dev/null
  modes+=("echo (AOT)")
  modules+=("$echo_aot")
  functions+=(echo_filter)
  configs+=("")
fi

version=$("$fb" --version 2>/dev/null | head -1)
echo "$version ($fb)"
echo "input: $lines lines ($(stat -c %s "$log") bytes) of wikiwatch simulate traffic; median of $runs runs; $(nproc) CPUs"
echo "module: $(basename "$wasm") $(stat -c %s "$wasm") bytes"
if [ -f "$aot" ]; then
  echo "module: $(basename "$aot") $(stat -c %s "$aot") bytes (AOT)"
else
  echo "module: no AOT file ($aot; scripts/aot.sh makes one)"
fi

declare -a medians
for i in "${!modes[@]}"; do
  samples=()
  for _ in $(seq "$runs"); do
    samples+=("$(run "${modes[$i]}" "${modules[$i]}" "${functions[$i]}" "${configs[$i]}")")
  done
  medians[i]=$(printf '%s\n' "${samples[@]}" | median)
  echo "runs: ${modes[$i]}: ${samples[*]} CPU s"
done

printf '%-16s %12s %16s %12s %18s\n' mode "CPU s" "records/CPU s" "x no-filter" "filter us/record"
base=${medians[0]}
for i in "${!modes[@]}"; do
  awk -v m="${modes[$i]}" -v c="${medians[$i]}" -v b="$base" -v n="$lines" -v first="$i" 'BEGIN {
    rate = (c > 0) ? sprintf("%.0f", n / c) : "inf"
    ratio = (b > 0) ? sprintf("%.2f", c / b) : "-"
    extra = (first == 0) ? "-" : sprintf("%.2f", (c - b) / n * 1e6)
    printf "%-16s %12.3f %16s %12s %18s\n", m, c, rate, ratio, extra
  }'
done
