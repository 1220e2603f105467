# Sourced by the scripts that find a real host binary for the tests (fluent-bit.sh,
# nginx-wasm.sh): one way to take it from an environment variable or build it once.
#
#   host_binary LABEL VAR BUILD_SCRIPT
#
# Prints the path in $VAR when that is an executable file; else runs BUILD_SCRIPT (which builds
# from source once, caches outside the checkout, and prints the binary's path last) and prints
# what it printed. The build runs from a directory in no git work tree: the upstream builds ask
# git about their own source (LuaJIT's CMake does), and this repository's rust-toolchain.toml
# must not reach a cargo build inside them. Exits 2 when nothing can be tried, 1 on a failed
# build.
host_binary() {
  local label=$1 var=$2 build=$3 value=${!2:-} outside bin
  if [ -n "$value" ]; then
    if [ -f "$value" ] && [ -x "$value" ]; then
      echo "$value"
      return 0
    fi
    echo "$label: $var=$value is not an executable file; trying the build script" >&2
  fi
  if [ ! -f "$build" ]; then
    echo "$label: no $label: set $var=/path/to/binary, or provide $build" >&2
    exit 2
  fi
  build=$(cd "$(dirname "$build")" && pwd)/$(basename "$build")
  outside=$(mktemp -d)
  # Expanded now: the function's locals are gone when the shell exits.
  trap "rm -rf '$outside'" EXIT
  if git -C "$outside" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    echo "$label: $outside is inside a git work tree; set TMPDIR to a directory outside one" >&2
    exit 2
  fi
  if ! bin=$(cd "$outside" && bash "$build" | tail -n 1) || [ -z "$bin" ]; then
    echo "$label: $build failed; set $var=/path/to/binary instead" >&2
    exit 1
  fi
  if [ ! -x "$bin" ]; then
    echo "$label: $build printed '$bin', which is not an executable" >&2
    exit 1
  fi
  echo "$bin"
}
