#!/usr/bin/env bash
# The reference receiver under load (part of bench/report.sh; runs alone too):
# SQLite and a throw-away PostgreSQL, 1 and 4 workers, the load generator on
# the same machine. Writes target/bench/results/receiver.jsonl and
# fat-card.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p target/bench/results
(cd bindings-wasm/receiver && npm ci --no-audit --no-fund --silent)
pg_dir=$(mktemp -d /tmp/d1t-pg.XXXXXX)
chmod 755 "$pg_dir"
trap 'bindings-wasm/receiver/test/postgres.sh stop "$pg_dir"' EXIT
pg_url=$(bindings-wasm/receiver/test/postgres.sh start "$pg_dir")
for database in sqlite postgres; do
  for workers in 1 4; do
    D1T_BENCH_DATABASE_URL="$pg_url" node bindings-wasm/receiver/bench/load.mjs \
      --database "$database" --workers "$workers" --cards 4000 --clients 16
  done
  # One client at a time: where a request's time goes, without queueing.
  D1T_BENCH_DATABASE_URL="$pg_url" node bindings-wasm/receiver/bench/load.mjs \
    --database "$database" --workers 1 --cards 1000 --clients 1
done | tee target/bench/results/receiver.jsonl
# One card fattened within the library's bounds, beside other cards' traffic.
node bindings-wasm/receiver/bench/fat-card.mjs --seconds 10 | tee target/bench/results/fat-card.jsonl
