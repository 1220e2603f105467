#!/usr/bin/env bash
# Prints the path of a Fluent Bit binary for the tests and benchmarks that run the real shipper:
# $FLUENT_BIT when it is set and executable, else the one ../shared/fluent-bit/build.sh builds
# (Fluent Bit 5.1.1 from its source, once; later calls reuse it).
#
#   export FLUENT_BIT=$(scripts/fluent-bit.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${FLUENT_BIT:-}" ]; then
  if [ -f "$FLUENT_BIT" ] && [ -x "$FLUENT_BIT" ]; then
    echo "$FLUENT_BIT"
    exit 0
  fi
  echo "fluent-bit: FLUENT_BIT=$FLUENT_BIT is not an executable file; trying the build script" >&2
fi

build=$root/../shared/fluent-bit/build.sh
if [ ! -f "$build" ]; then
  echo "fluent-bit: no Fluent Bit: set FLUENT_BIT=/path/to/fluent-bit, or provide $build" >&2
  exit 2
fi
build=$(cd "$(dirname "$build")" && pwd)/$(basename "$build")

# The build runs CMake projects (LuaJIT among them) that ask git about their own source;
# inside this repository's work tree that question fails, so it runs from a directory that is
# in no work tree.
outside=$(mktemp -d)
trap 'rm -rf "$outside"' EXIT
if git -C "$outside" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "fluent-bit: $outside is inside a git work tree; set TMPDIR to a directory outside one" >&2
  exit 2
fi

if ! bin=$(cd "$outside" && bash "$build" | tail -n 1) || [ -z "$bin" ]; then
  echo "fluent-bit: $build failed; set FLUENT_BIT=/path/to/fluent-bit instead" >&2
  exit 1
fi
if [ ! -x "$bin" ]; then
  echo "fluent-bit: $build printed '$bin', which is not an executable" >&2
  exit 1
fi
echo "$bin"
