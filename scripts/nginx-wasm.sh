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
# shellcheck source=lib/host-binary.sh
. "$root/scripts/lib/host-binary.sh"
host_binary nginx-wasm NGINX_WASM "$root/../shared/proxy-wasm-host/build.sh"
