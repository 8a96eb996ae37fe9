#!/usr/bin/env bash
# The receiver before and after a change, as alternating pairs in one run:
# BASE (a commit; by default f4631ae, the last before the receiver's v3
# work) and HEAD (this checkout's last commit: edits not committed are not
# measured), each in a worktree of its own, each pair in the other order than the last, on
# SQLite and on a throw-away PostgreSQL (2 workers, 2,000 cards' traffic, 16
# clients). Prints each run as a JSON line, then the median ratio of
# notifications/s (this checkout ÷ BASE) per database. The goal for a change
# to the receiver: a ratio of 0.90 or more.
#   bench/receiver-ab.sh [BASE] [PAIRS]     (about 10 minutes for 5 pairs on 2 cores;
#                                          AB_DATABASES="sqlite" for one database)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-f4631ae}
pairs=${2:-5}
head_dir=$PWD/target/ab/head
base_dir=$PWD/target/ab/base
mkdir -p target/ab
worktree() {
  if [ "$(git -C "$1" rev-parse HEAD 2>/dev/null)" != "$(git rev-parse "$2^{commit}")" ]; then
    git worktree remove --force "$1" 2>/dev/null || rm -rf "$1"
    git worktree prune
    git worktree add --detach "$1" "$2" >/dev/null
  fi
}
worktree "$base_dir" "$base"
worktree "$head_dir" HEAD
for dir in "$base_dir" "$head_dir"; do
  [ -f "$dir/bindings-wasm/pkg/package.json" ] || "$dir/bindings-wasm/build.sh" >&2
  (cd "$dir/bindings-wasm/receiver" && npm ci --no-audit --no-fund --silent) >&2
done
pg_dir=$(mktemp -d /tmp/d1t-pg.XXXXXX)
chmod 755 "$pg_dir"
trap 'bindings-wasm/receiver/test/postgres.sh stop "$pg_dir"' EXIT
pg_url=$(bindings-wasm/receiver/test/postgres.sh start "$pg_dir")
out=target/ab/runs.jsonl
: > "$out"
for database in ${AB_DATABASES:-sqlite postgres}; do
  for i in $(seq 1 "$pairs"); do
    if [ $((i % 2)) = 1 ]; then order="base head"; else order="head base"; fi
    for side in $order; do
      dir=$base_dir
      [ "$side" = head ] && dir=$head_dir
      D1T_BENCH_DATABASE_URL="$pg_url" node "$dir/bindings-wasm/receiver/bench/load.mjs" \
        --database "$database" --workers 2 --cards 2000 --clients 16 \
        | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);r.side=process.argv[1];r.pair=Number(process.argv[2]);console.log(JSON.stringify(r))})' "$side" "$i" \
        | tee -a "$out"
    done
  done
done
node -e '
  const runs = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  for (const database of [...new Set(runs.map((r) => r.database))]) {
    const of = (side) => runs.filter((r) => r.database === database && r.side === side);
    const ratios = of("head").map((h) => h.notifications_per_s / of("base").find((b) => b.pair === h.pair).notifications_per_s);
    console.log(JSON.stringify({ bench: "receiver_ab", database, base: process.argv[2], head: process.argv[3], pairs: ratios.length,
      base_median_per_s: median(of("base").map((r) => r.notifications_per_s)),
      head_median_per_s: median(of("head").map((r) => r.notifications_per_s)),
      ratios: ratios.map((r) => Number(r.toFixed(3))), median_ratio: Number(median(ratios).toFixed(3)) }));
  }
' "$out" "$base" "$(git rev-parse --short HEAD)"
