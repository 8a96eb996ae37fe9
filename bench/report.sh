#!/usr/bin/env bash
# One full benchmark run, then BENCHMARKS.md regenerated from its results.
#   ./bench/report.sh        (about 8 minutes on 2 cores; run it on a quiet machine)
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf target/bench/results
mkdir -p target/bench/results
cargo bench --locked -p d1-tracking-bench --bench fold -- --output-format bencher | tee target/bench/results/fold.txt
cargo bench --locked -p d1-tracking-bench --bench memory
cargo bench --locked -p d1-tracking-bench --bench c_abi
cargo bench --locked -p d1-tracking-bench --bench apply_floor
cargo bench --locked -p d1-tracking-bench --bench hostile
cargo bench --locked -p d1-tracking-bench --bench rows
cargo run --locked --release -q -p d1-tracking-bench --bin workloads target/bench/workloads 1000
./bindings-wasm/build.sh
(cd bench/node && npm ci --no-audit --no-fund --silent)
node bench/node/bench.mjs target/bench/workloads 7 | tee target/bench/results/node.jsonl
# C from C against native Rust: the same loop, alternating, 5 times 3 rounds.
cargo build --locked --release -q -p d1-tracking-c -p d1-tracking-bench
gcc -std=c99 -O2 -Wall -Wextra -Werror -I bindings-c/include bench/c/fold_bench.c \
  target/release/libd1_tracking.a -lpthread -ldl -lm -o target/bench/fold_bench
for _ in 1 2 3 4 5; do
  target/release/native_fold target/bench/workloads/stream.jsonl 3
  target/bench/fold_bench target/bench/workloads/stream.jsonl 3
done | tee target/bench/results/c.jsonl
# replay's memory is flat in its input's size: peak RSS for a 100 MB and a
# 1 GB log (the sample log repeated; the cut last line is rejected alone).
cargo build --locked --release -q --example replay
for size in 100000000 1000000000; do
  node -e '
    const fs = require("fs");
    const unit = fs.readFileSync("core/examples/data/sample-log.jsonl");
    const out = fs.openSync(process.argv[2], "w");
    for (let left = Number(process.argv[1]); left > 0; left -= unit.length) fs.writeSync(out, unit, 0, Math.min(left, unit.length));
    fs.closeSync(out);
  ' "$size" target/bench/replay-input.jsonl
  /usr/bin/time -f '%M %e' -o target/bench/replay.time target/release/examples/replay target/bench/replay-input.jsonl >/dev/null 2>&1
  read -r rss seconds < target/bench/replay.time
  echo "{\"bench\":\"replay_memory\",\"input_bytes\":$size,\"peak_rss_kb\":$rss,\"seconds\":$seconds}"
done | tee target/bench/results/replay.jsonl
rm -f target/bench/replay-input.jsonl
bench/receiver.sh
# D1T_BENCH_NOTE="…" adds a line about the conditions of the run.
node bench/report.mjs > BENCHMARKS.md
echo "BENCHMARKS.md written"
