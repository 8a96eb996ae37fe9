#!/usr/bin/env bash
# One full benchmark run, then BENCHMARKS.md regenerated from its results.
#   ./bench/report.sh        (about 5 minutes on 2 cores; run it on a quiet machine)
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf target/criterion target/bench/results
cargo bench --locked -p d1-tracking-bench --bench fold
cargo bench --locked -p d1-tracking-bench --bench memory
cargo run --locked --release -q -p d1-tracking-bench --bin workloads target/bench/workloads 1000
./bindings-wasm/build.sh
(cd bench/node && npm ci --no-audit --no-fund --silent)
node bench/node/bench.mjs target/bench/workloads 7 | tee target/bench/results/node.jsonl
node bench/report.mjs > BENCHMARKS.md
echo "BENCHMARKS.md written"
