#!/usr/bin/env bash
# The browser/Node module (filter/web, crate wikiwatch-web): wasm-bindgen output
#   $1/web/      --target web     (ES module + .wasm; also copied to examples/browser/pkg/ for the harness)
#   $1/web-node/ --target nodejs  (CommonJS, for Node scripts and tests)
# wasm-bindgen-cli must be the exact version of the `wasm-bindgen` crate pin (scripts/setup.sh).
set -euo pipefail
out="$1"
# Not stripped by cargo: wasm-bindgen reads the `target_features` section to use reference
# types; the symbol names are dropped after it instead (strip_custom below).
CARGO_PROFILE_WASM_STRIP=false \
  cargo build -q -p wikiwatch-web --lib --target wasm32-unknown-unknown --profile wasm
wasm=target/wasm32-unknown-unknown/wasm/wikiwatch_web.wasm
rm -rf "$out/web" "$out/web-node"
wasm-bindgen --target web --out-dir "$out/web" "$wasm"
wasm-bindgen --target nodejs --out-dir "$out/web-node" "$wasm"

# Drops the `name` and `producers` custom sections (debug names: ~10 % of the module).
strip_custom() {
  node - "$1" <<'JS'
const fs = require("fs");
const path = process.argv[2];
const b = fs.readFileSync(path);
const leb = (i) => { let v = 0, s = 0, x; do { x = b[i++]; v += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return [v, i]; };
const keep = [b.subarray(0, 8)];
for (let i = 8; i < b.length;) {
  const start = i, id = b[i];
  const [size, body] = leb(i + 1);
  i = body + size;
  if (id === 0) {
    const [n, p] = leb(body);
    const name = b.subarray(p, p + n).toString();
    if (name === "name" || name === "producers") continue;
  }
  keep.push(b.subarray(start, i));
}
fs.writeFileSync(path, Buffer.concat(keep));
JS
}
strip_custom "$out/web/wikiwatch_web_bg.wasm"
strip_custom "$out/web-node/wikiwatch_web_bg.wasm"

rm -rf examples/browser/pkg
mkdir -p examples/browser/pkg
cp "$out/web/"* examples/browser/pkg/
size=$(stat -c %s "$out/web/wikiwatch_web_bg.wasm")
gz=$(gzip -9c "$out/web/wikiwatch_web_bg.wasm" | wc -c)
echo "web: wikiwatch_web_bg.wasm $size bytes ($gz gzipped)" >&2
