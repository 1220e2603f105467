#!/usr/bin/env bash
# Prints the path of an nginx binary with Kong's ngx_wasm_module (a real proxy-wasm host) for the
# tests and benchmarks that run the proxy module in it: $NGINX_WASM when it is set and
# executable, else the one ../shared/proxy-wasm-host/build.sh builds (nginx 1.27.4 +
# ngx_wasm_module + the wasmtime 26 C API, from source, once, into /var/cache/ngx-wasm-1.27.4
# or $NGX_WASM_PREFIX; later calls reuse it).
#
#   export NGINX_WASM=$(scripts/nginx-wasm.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

if [ -n "${NGINX_WASM:-}" ]; then
  if [ -f "$NGINX_WASM" ] && [ -x "$NGINX_WASM" ]; then
    echo "$NGINX_WASM"
    exit 0
  fi
  echo "nginx-wasm: NGINX_WASM=$NGINX_WASM is not an executable file; trying the build script" >&2
fi

build=$root/../shared/proxy-wasm-host/build.sh
if [ ! -f "$build" ]; then
  echo "nginx-wasm: no nginx with ngx_wasm_module: set NGINX_WASM=/path/to/nginx, or provide $build" >&2
  exit 2
fi
build=$(cd "$(dirname "$build")" && pwd)/$(basename "$build")

# The build runs cargo for the wasmtime C API in a directory of its own; it runs from a directory
# in no work tree so that this repository's rust-toolchain.toml and git state do not reach it.
outside=$(mktemp -d)
trap 'rm -rf "$outside"' EXIT
if git -C "$outside" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "nginx-wasm: $outside is inside a git work tree; set TMPDIR to a directory outside one" >&2
  exit 2
fi

if ! bin=$(cd "$outside" && bash "$build" | tail -n 1) || [ -z "$bin" ]; then
  echo "nginx-wasm: $build failed; set NGINX_WASM=/path/to/nginx instead" >&2
  exit 1
fi
if [ ! -x "$bin" ]; then
  echo "nginx-wasm: $build printed '$bin', which is not an executable" >&2
  exit 1
fi
echo "$bin"
