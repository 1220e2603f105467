#!/usr/bin/env bash
# Compiles the Fluent Bit module ahead of time for WAMR, the runtime inside Fluent Bit's
# filter_wasm. An AOT file only loads in the WAMR version that made it, so wamrc is built from
# the WAMR source that ships inside the Fluent Bit source tarball (Fluent Bit 5.1.1: WAMR 2.4.1),
# against the system's LLVM (Debian: llvm-19-dev, installed when missing and apt is there).
#
#   scripts/aot.sh [MODULE.wasm] [OUT.aot]
#
# Defaults: target/wasm/wikiwatch_fluent_bit.wasm -> target/wasm/wikiwatch_fluent_bit.aot.
# Environment:
#   FLUENT_BIT_SRC  the Fluent Bit source tarball (default: ../shared/fluent-bit/ beside the repo)
#   WAMRC           an existing wamrc of the same WAMR version (skips the build)
#   WAMR_TARGET     wamrc's --target (default x86_64; on ARM servers: aarch64v8)
#   WAMR_CPU        wamrc's --cpu (default: x86-64-v2 for x86_64, generic for aarch64v8).
#                   wamrc's own default is the CPU of the machine it runs on, which makes a
#                   file that may not run on another (older) server; x86-64-v2 (SSE4.2,
#                   POPCNT: every x86-64 server CPU since 2009) is the portable baseline.
#                   Set it to the fleet's oldest CPU (e.g. x86-64-v3, neoverse-n1) if known.
#   WAMRC_PREFIX    where the built wamrc is kept (default /var/cache/wamrc-<version>)
#
# The module uses no SIMD (Fluent Bit's WAMR is built without it), so the AOT file is made
# without it too; bounds checks stay on (the filter is a sandbox, not a trusted plugin).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
in=${1:-$root/target/wasm/wikiwatch_fluent_bit.wasm}
out=${2:-${in%.wasm}.aot}
target=${WAMR_TARGET:-x86_64}
case "$target" in
  x86_64) cpu=${WAMR_CPU:-x86-64-v2} ;;
  *) cpu=${WAMR_CPU:-generic} ;;
esac
tarball=${FLUENT_BIT_SRC:-$(ls "$root"/../shared/fluent-bit/fluent-bit-*-src.tar.xz 2>/dev/null | head -1)}

wamrc=${WAMRC:-}
if [ -z "$wamrc" ]; then
  [ -f "$tarball" ] || { echo "aot: no Fluent Bit source tarball (set FLUENT_BIT_SRC)" >&2; exit 2; }
  version=$({ tar -tJf "$tarball" || true; } | grep -m1 -oE 'wasm-micro-runtime-WAMR-[0-9.]+' | sed 's/.*WAMR-//')
  [ -n "$version" ] || { echo "aot: no WAMR source inside $tarball" >&2; exit 2; }
  prefix=${WAMRC_PREFIX:-/var/cache/wamrc-$version}
  wamrc=$prefix/wamrc
  if ! "$wamrc" --version >/dev/null 2>&1; then
    llvm_dir=$(ls -d /usr/lib/llvm-*/lib/cmake/llvm 2>/dev/null | sort -V | tail -1 || true)
    if [ -z "$llvm_dir" ] || ! command -v cmake >/dev/null; then
      if command -v apt-get >/dev/null; then
        echo "aot: installing llvm-19-dev and cmake (wamrc links against LLVM)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq llvm-19-dev cmake zlib1g-dev libzstd-dev >&2
        llvm_dir=/usr/lib/llvm-19/lib/cmake/llvm
      else
        echo "aot: wamrc needs LLVM's CMake files (Debian: llvm-19-dev) and cmake" >&2
        exit 2
      fi
    fi
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    echo "aot: building wamrc $version against $llvm_dir" >&2
    tar -xJf "$tarball" -C "$work" --wildcards "*/wasm-micro-runtime-WAMR-$version/*"
    src=$(ls -d "$work"/*/lib/wasm-micro-runtime-WAMR-"$version")
    cmake -S "$src/wamr-compiler" -B "$work/build" -DCMAKE_BUILD_TYPE=Release \
      -DWAMR_BUILD_WITH_CUSTOM_LLVM=1 -DLLVM_DIR="$llvm_dir" >"$work/cmake.log" 2>&1 \
      || { tail -30 "$work/cmake.log" >&2; exit 1; }
    make -C "$work/build" -j"$(nproc)" >"$work/make.log" 2>&1 \
      || { tail -40 "$work/make.log" >&2; exit 1; }
    mkdir -p "$prefix"
    cp "$work/build/wamrc" "$wamrc"
  fi
fi

# --opt-level=3 and --size-level=3 are wamrc's defaults, stated so the recipe is explicit.
"$wamrc" --target="$target" --cpu="$cpu" --opt-level=3 --size-level=3 --disable-simd \
  -o "$out" "$in" >&2
echo "aot: $out ($(stat -c %s "$out") bytes, $target, cpu $cpu, from $(stat -c %s "$in") bytes of wasm)" >&2
echo "$out"
