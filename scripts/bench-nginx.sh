#!/usr/bin/env bash
# What the proxy module costs inside a real proxy-wasm host (nginx with Kong's ngx_wasm_module,
# two worker processes): per request, the median latency (median of ROUNDS rounds of REQUESTS
# sequential keep-alive requests each, rounds interleaved across the proxies) and requests/s
# under a small concurrent load (CLIENTS clients x LOAD requests), of
#   (a) plain nginx, (b) nginx with a minimal proxy-wasm filter (every callback returns at once),
#   (c) nginx with wikiwatch in detect mode, (d) in enforce mode,
# each proxying to an upstream server block of the same nginx that names the user in
# X-AUSERNAME. The client (scripts/bench-nginx-client.py) and every server are on 127.0.0.1;
# the latency includes the client's own time, which is the same for every proxy.
#
#   scripts/bench-nginx.sh                  # ROUNDS=5 REQUESTS=1500 CLIENTS=4 LOAD=2000
#   ROUNDS=3 REQUESTS=500 scripts/bench-nginx.sh
#
# Environment:
#   NGINX_WASM      the nginx binary (default: what scripts/nginx-wasm.sh finds or builds)
#   WIKIWATCH_WASM  the module (default target/wasm/wikiwatch_proxy_wasm.wasm)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}
requests=${REQUESTS:-1500}
clients=${CLIENTS:-4}
load=${LOAD:-2000}
case "$rounds$requests$clients$load" in
  *[!0-9]*) echo "bench: ROUNDS, REQUESTS, CLIENTS and LOAD are numbers" >&2; exit 2 ;;
esac
for n in "$rounds" "$requests" "$clients" "$load"; do
  [ "$n" -ge 1 ] || { echo "bench: ROUNDS, REQUESTS, CLIENTS and LOAD must be at least 1" >&2; exit 2; }
done

nginx=$(NGINX_WASM=${NGINX_WASM:-} "$root/scripts/nginx-wasm.sh")
wasm=${WIKIWATCH_WASM:-$root/target/wasm/wikiwatch_proxy_wasm.wasm}
[ -f "$wasm" ] || { echo "bench: no $wasm (scripts/build-wasm.sh builds it)" >&2; exit 2; }

work=$(mktemp -d)
started=()
cleanup() {
  for d in "${started[@]}"; do
    "$nginx" -p "$d" -c "$d/nginx.conf" -s stop 2>/dev/null || true
  done
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

# The minimal filter, as text (ngx_wasm_module compiles .wat modules): every callback the SDKs
# export, each returning at once (ngx_wasm_module's workers crash, SIGSEGV, on a filter that
# lacks some of them).
cat >"$work/noop.wat" <<'WAT'
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "_initialize"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
  (func (export "proxy_on_tick") (param i32))
  (func (export "proxy_on_queue_ready") (param i32 i32))
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param i32)))
WAT

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
user=""
[ "$(id -u)" = 0 ] && user="user root;"

# start NAME FILTER-DIRECTIVE: an nginx of its own, listening on $listening
start() {
  local name=$1 filter=$2 d=$work/$1 p up
  p=$(port); up=$(port)
  mkdir -p "$d/logs"
  cat >"$d/nginx.conf" <<EOF
daemon on;
worker_processes 2;
$user
error_log $d/logs/error.log warn;
pid $d/logs/nginx.pid;
events { worker_connections 1024; }
wasm {
    module wikiwatch $wasm;
    module noop $work/noop.wat;
    shm_kv wikiwatch 4m;
    shm_queue wikiwatch_events 16m;
}
http {
    access_log off;
    upstream confluence { server 127.0.0.1:$up; keepalive 16; }
    server {
        listen 127.0.0.1:$up;
        location / { add_header X-AUSERNAME \$remote_user; return 200 "<html>page</html>"; }
    }
    server {
        listen 127.0.0.1:$p;
        location / {
            $filter
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://confluence;
        }
    }
}
EOF
  "$nginx" -p "$d" -c "$d/nginx.conf"
  started+=("$d")
  listening=$p
}

start plain ""; plain=$listening
start noop "proxy_wasm noop;"; noop=$listening
start detect "proxy_wasm wikiwatch '{\"proxy\":{\"mode\":\"detect\",\"trusted_hops\":1}}';"; detect=$listening
start enforce "proxy_wasm wikiwatch '{\"proxy\":{\"mode\":\"enforce\",\"trusted_hops\":1}}';"; enforce=$listening
proxies="plain=$plain noop=$noop detect=$detect enforce=$enforce"

# Ready: each answers (the workers compile the modules first, a few seconds), then warm up.
for p in $plain $noop $detect $enforce; do
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -m 2 "http://127.0.0.1:$p/" && break
    sleep 0.1
  done
done
# shellcheck disable=SC2086
python3 "$root/scripts/bench-nginx-client.py" latency 1 300 $proxies >/dev/null

echo "nginx with ngx_wasm_module, 2 workers: $("$nginx" -v 2>&1)" >&2
echo "latency: median of $rounds rounds x $requests sequential requests (us per request, client included)"
# shellcheck disable=SC2086
python3 "$root/scripts/bench-nginx-client.py" latency "$rounds" "$requests" $proxies >"$work/latency"
echo "load: $clients clients x $load requests (requests/s)"
# shellcheck disable=SC2086
python3 "$root/scripts/bench-nginx-client.py" load "$clients" "$load" $proxies >"$work/load"

awk -F'\t' '
  NR == FNR { lat[$1] = $2; bad[$1] += $3; next }
  { rps[$1] = $2; bad[$1] += $3 }
  END {
    printf "%-8s %12s %14s %12s %10s\n", "proxy", "median us", "over noop", "requests/s", "not 200"
    n = split("plain noop detect enforce", order, " ")
    for (i = 1; i <= n; i++) {
      k = order[i]
      over = (k == "plain" || k == "noop") ? "" : sprintf("%+.1f%%", 100 * (lat[k] - lat["noop"]) / lat["noop"])
      printf "%-8s %12.1f %14s %12d %10d\n", k, lat[k], over, rps[k], bad[k]
    }
  }' "$work/latency" "$work/load"
for d in "${started[@]}"; do
  if grep -q '\[emerg\]\|\[error\]' "$d/logs/error.log"; then
    echo "bench: errors in $(basename "$d")'s log:" >&2
    grep '\[emerg\]\|\[error\]' "$d/logs/error.log" | head -5 >&2
  fi
done
