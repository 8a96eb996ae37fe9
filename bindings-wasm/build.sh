#!/usr/bin/env bash
# Builds the npm package d1-tracking into bindings-wasm/pkg/ and packs it into
# bindings-wasm/d1-tracking-VERSION.tgz. Needs the wasm32-unknown-unknown
# target and the wasm-bindgen CLI at Cargo.lock's version (test.sh installs both).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -p d1-tracking-wasm --target wasm32-unknown-unknown --profile wasm-release --locked
out=bindings-wasm/pkg
rm -rf "$out"
mkdir -p "$out/wasm"
wasm-bindgen --target nodejs --remove-name-section --remove-producers-section --out-dir "$out/wasm" \
  target/wasm32-unknown-unknown/wasm-release/d1_tracking_wasm.wasm
# wasm-bindgen's own declarations type the raw layer; the package's are ours.
rm -f "$out"/wasm/*.d.ts
cp bindings-wasm/js/index.cjs bindings-wasm/js/index.mjs bindings-wasm/js/index.d.ts bindings-wasm/js/README.md \
  LICENSE-MIT LICENSE-APACHE "$out/"
# The same declarations for `import` (an ES module's types must be an .d.mts
# of their own, or TypeScript reads them as CommonJS).
cp bindings-wasm/js/index.d.ts "$out/index.d.mts"

version=$(cargo metadata --format-version 1 --no-deps --locked \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages.find(p=>p.name==="d1-tracking-wasm");process.stdout.write(p.version)})')
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("bindings-wasm/js/package.json", "utf8"));
  pkg.version = process.argv[1];
  fs.writeFileSync(process.argv[2], JSON.stringify(pkg, null, 2) + "\n");
' "$version" "$out/package.json"

rm -f bindings-wasm/d1-tracking-*.tgz
(cd "$out" && npm pack --silent --pack-destination .. >/dev/null)
wasm_bytes=$(wc -c < "$out/wasm/d1_tracking_wasm_bg.wasm")
echo "built $out (d1-tracking@$version, .wasm $wasm_bytes bytes) and bindings-wasm/d1-tracking-$version.tgz"
