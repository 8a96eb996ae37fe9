#!/usr/bin/env bash
# Runs every fuzz target for a fixed time: ./fuzz/run.sh [SECONDS] [TARGET...]
# Fails on any crash, leak or timeout; copies crash inputs into
# tests/fuzz-crashes/<target>/ so that cargo test replays them.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(apply_body fold_sequence restore_snapshot c_abi)

node make-corpus.mjs >/dev/null
cargo +nightly fuzz build -O
status=0
for target in "${targets[@]}"; do
  mkdir -p "artifacts/$target"
  echo "-- fuzz $target for ${seconds}s"
  if ! cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -dict=d1.dict -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 2>"artifacts/$target.log"; then
    status=1
    tail -40 "artifacts/$target.log"
    for crash in artifacts/"$target"/*; do
      [ -f "$crash" ] && cp "$crash" "../tests/fuzz-crashes/$target/" && echo "kept $crash in tests/fuzz-crashes/$target/"
    done
  fi
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: ' "artifacts/$target.log" | tail -3
done
exit $status
