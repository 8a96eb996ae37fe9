#!/usr/bin/env bash
# The instruction-count guard (README "Fuzzing and benchmarks", BENCHMARKS.md
# "Instruction-count guard", docs/decisions.md "The instruction-count guard
# (v3)"): callgrind's instruction counts (Ir) per notification of
# Tracker::apply and of the row path (bench/src/bin/one_pass.rs, modes apply
# and rows, less mode read) on the bench stream, against
# bench/guard/budget.toml.
#
#   bench/guard/check.sh                    this tree against the budget
#   bench/guard/check.sh --features deliberately-slower --reuse-baseline
#                                           the self-test (test.sh): must exit 1
#   bench/guard/check.sh --remeasure        against the budget's commit measured
#                                           now, whatever the environment
#   bench/guard/check.sh --write-budget [COMMIT]
#                                           measure COMMIT (default HEAD) and
#                                           rewrite the budget from it
#
# The build uses the pinned toolchain (installed when missing) in its own
# target directory, target/guard/. When the environment (rustc, valgrind, the
# C library, the CPU, the harness, the workload) is not the budget's, the
# budget's commit is measured in the same run and this tree is compared with
# that instead of the file's numbers.
#
# Exit status: 0 within budget, 1 over budget, 2 could not measure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$(date +%s)

toolchain=1.95.0
budget_file=bench/guard/budget.toml
default_tolerance=3
stream_cards=1000
# Relative, so that the programs measured see the same arguments wherever the
# clone is: a longer path moves the heap, and the counts, by up to 0.02 %.
guard=target/guard
run=$guard/run

say() { echo "guard: $*"; }
die() {
  echo "guard: $*" >&2
  exit 2
}

features=""
remeasure=false
reuse_baseline=false
write_budget=""
while [ $# -gt 0 ]; do
  case "$1" in
    --features)
      [ $# -ge 2 ] || die "--features needs a list"
      features=$2
      shift 2
      ;;
    --remeasure) remeasure=true; shift ;;
    --reuse-baseline) reuse_baseline=true; shift ;;
    --write-budget)
      write_budget=HEAD
      shift
      if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
        write_budget=$1
        shift
      fi
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

# ------------------------------------------------------------ tools
if ! rustup toolchain list | grep "^$toolchain-" >/dev/null; then
  rustup toolchain install "$toolchain" --profile minimal
fi
command -v valgrind >/dev/null || die "valgrind is missing (test.sh installs it: apt-get install valgrind)"

# ------------------------------------------------------------ environment
# What the counts depend on besides the code: the compiler, valgrind's
# emulation, the C library (malloc, memcpy), the CPU (the C library picks its
# memcpy and strlen by the CPU's features), and the harness and workload.
env_keys="rustc valgrind libc cpu_model cpu_flags_sha256 harness_sha256 workload_sha256"
declare -A here
here[rustc]=$(rustc "+$toolchain" -vV | awk -F': ' '
  /^rustc / { v = $0 } /^host:/ { h = $2 } /^LLVM version:/ { l = $2 }
  END { print v ", " h ", LLVM " l }')
here[valgrind]=$(valgrind --version)
here[libc]=$(ldd --version 2>&1 | sed -n 1p)
here[cpu_model]=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
here[cpu_flags_sha256]=$(awk -F': ' '/^flags/ { print $2; exit }' /proc/cpuinfo \
  | tr ' ' '\n' | sed '/^$/d' | sort | sha256sum | cut -d' ' -f1)
# The harness: the measured program and what it calls besides the library.
harness_files="bench/src/bin/one_pass.rs bench/src/lib.rs bench/src/workload.rs"
# shellcheck disable=SC2086
here[harness_sha256]=$(cat $harness_files | sha256sum | cut -d' ' -f1)

# ------------------------------------------------------------ steps
# build SRC LABEL TARGET [FEATURES]: one_pass and workloads of the tree SRC,
# with the pinned toolchain, in the target directory $guard/TARGET, copied to
# $guard/LABEL/.
build() {
  local src=$1 label=$2 target=$root/$guard/$3 with=${4:-} locked=--locked
  # The budget's commit has its own Cargo.lock, which this tree's bench/ may
  # need to extend.
  [ "$label" = baseline ] && locked=""
  if [ "$src" = . ]; then
    say "building one_pass and workloads of this tree with rustc $toolchain${with:+, features $with}"
  else
    say "building one_pass and workloads of $src with rustc $toolchain"
  fi
  (cd "$src" && env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS \
    CARGO_TARGET_DIR="$target" \
    cargo "+$toolchain" build --release $locked -q -p d1-tracking-bench \
    --bin one_pass --bin workloads ${with:+--features "$with"}) \
    || die "the build of $src failed"
  mkdir -p "$guard/$label"
  cp "$target/release/one_pass" "$target/release/workloads" "$guard/$label/"
}

# ir MODE OUT: the total instructions of one run of $run/one_pass MODE.
ir() {
  valgrind --tool=callgrind --callgrind-out-file="$2" "$run/one_pass" "$1" "$run/stream.jsonl" \
    >/dev/null 2>"$2.log" || die "callgrind failed on $1 (see $2.log)"
  sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$2.log"
}

# measure LABEL: counts[LABEL.apply], counts[LABEL.rows], per notification,
# of $guard/LABEL/one_pass, each mode run twice (the counts must repeat).
declare -A counts
measure() {
  local label=$1 mode first second
  local -A total
  cp "$guard/$label/one_pass" "$run/one_pass"
  for mode in read apply rows; do
    first=$(ir "$mode" "$guard/$label/callgrind.$mode.out")
    second=$(ir "$mode" "$guard/$label/callgrind.$mode.again.out")
    [ -n "$first" ] || die "no count in $guard/$label/callgrind.$mode.out.log"
    [ "$first" = "$second" ] || die "$label $mode: $first then $second instructions: not repeatable"
    total[$mode]=$first
  done
  for mode in apply rows; do
    counts[$label.$mode]=$(( (${total[$mode]} - ${total[read]} + notifications / 2) / notifications ))
  done
  say "$label: read ${total[read]}, apply ${total[apply]}, rows ${total[rows]} instructions in all (each run twice: the same)"
}

# baseline COMMIT: counts[baseline.*] of COMMIT's library with this tree's
# harness (bench/): COMMIT's files from git, bench/ replaced by this tree's,
# built and measured as this tree is, then removed.
baseline() {
  local commit=$1 src=$guard/baseline-src key cache=$guard/baseline.counts
  git rev-parse -q --verify "$commit^{commit}" >/dev/null \
    || die "commit $commit (the budget's) is not in this clone; a shallow clone lacks it: git fetch --unshallow"
  commit=$(git rev-parse "$commit^{commit}")
  key="$commit $(for k in $env_keys; do printf '%s;' "${here[$k]}"; done | sha256sum | cut -d' ' -f1)"
  if $reuse_baseline && [ -f "$cache" ] && [ "$(head -1 "$cache")" = "$key" ]; then
    counts[baseline.apply]=$(sed -n 2p "$cache")
    counts[baseline.rows]=$(sed -n 3p "$cache")
    say "reusing the measurement of ${commit:0:12} that the guard's previous run made in this environment ($cache)"
    return
  fi
  rm -rf "$src" "$cache"
  mkdir -p "$src"
  trap 'rm -rf "$root/$guard/baseline-src"' EXIT
  # git archive gives every file the commit's time as its mtime, and tar
  # keeps bench/'s mtimes: cargo, which judges freshness by mtimes, rebuilds
  # only what changed since the last run, in a target directory of this
  # commit's own (another commit's files may be older than its artefacts).
  git archive "$commit" | tar -x -C "$src"
  rm -rf "$src/bench"
  tar -c --exclude=node_modules bench | tar -x -C "$src"
  say "measuring ${commit:0:12} now"
  build "$src" baseline "target-${commit:0:12}"
  rm -rf "$src"
  measure baseline
  printf '%s\n%s\n%s\n' "$key" "${counts[baseline.apply]}" "${counts[baseline.rows]}" >"$cache"
}

# ------------------------------------------------------------ this tree
mkdir -p "$run"
build . head target-head "$features"
# The workload, twice: the generator must be deterministic.
"$guard/head/workloads" "$guard/workloads" "$stream_cards" 2>/dev/null
"$guard/head/workloads" "$guard/workloads.again" "$stream_cards" 2>/dev/null
cmp -s "$guard/workloads/stream.jsonl" "$guard/workloads.again/stream.jsonl" \
  || die "the workload generator wrote two different streams"
cp "$guard/workloads/stream.jsonl" "$run/stream.jsonl"
here[workload_sha256]=$(sha256sum <"$run/stream.jsonl" | cut -d' ' -f1)
notifications=$(wc -l <"$run/stream.jsonl")
# One notification per body in the stream: per body is per notification.
[ "$(grep -o '"operationId"' "$run/stream.jsonl" | wc -l)" -eq "$notifications" ] \
  || die "the stream's bodies do not hold one notification each"
say "the stream of $stream_cards cards: $notifications notifications, sha256 ${here[workload_sha256]:0:16}"

# ------------------------------------------------------------ a new budget
if [ -n "$write_budget" ]; then
  [ -z "$features" ] || die "--write-budget measures the build without features"
  tolerance=$default_tolerance
  if [ -f "$budget_file" ]; then
    tolerance=$(sed -n 's/^tolerance_percent = \([0-9]*\)$/\1/p' "$budget_file")
  fi
  reuse_baseline=false
  baseline "$write_budget"
  commit=$(git rev-parse "$write_budget^{commit}")
  {
    echo "# The instruction-count guard's budget: bench/guard/check.sh compares this tree's counts with"
    echo "# these and fails above budget x (1 + tolerance). Written by bench/guard/check.sh --write-budget"
    echo "# from a measurement of \`commit\` (its library, the harness of the tree that wrote this file);"
    echo "# raise it on purpose only, with the reason in the commit message (README, BENCHMARKS.md)."
    echo ""
    echo "# The commit measured."
    echo "commit = \"$commit\""
    echo "# Instructions (callgrind's Ir) per notification on the stream: one_pass MODE less one_pass read,"
    echo "# divided by the notifications."
    echo "apply_ir_per_notification = ${counts[baseline.apply]}"
    echo "rows_ir_per_notification = ${counts[baseline.rows]}"
    echo "tolerance_percent = $tolerance"
    echo "stream_cards = $stream_cards"
    echo "notifications = $notifications"
    echo ""
    echo "# Where it was measured: when any of these differs, the guard measures \`commit\` again in the"
    echo "# same run and compares with that instead."
    echo "[environment]"
    for k in $env_keys; do echo "$k = \"${here[$k]}\""; done
  } >"$budget_file"
  say "wrote $budget_file: apply ${counts[baseline.apply]}, rows ${counts[baseline.rows]} Ir per notification at ${commit:0:12}"
  say "done in $(( $(date +%s) - started ))s"
  exit 0
fi

# ------------------------------------------------------------ compare
[ -f "$budget_file" ] || die "$budget_file is missing: bench/guard/check.sh --write-budget COMMIT"
value() { sed -n "s/^$1 = \"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" "$budget_file" | sed -n 1p; }
commit=$(value commit)
tolerance=$(value tolerance_percent)
[ -n "$commit" ] && [ -n "$tolerance" ] && [ -n "$(value apply_ir_per_notification)" ] \
  && [ -n "$(value rows_ir_per_notification)" ] || die "$budget_file lacks a field"
[ "$(value stream_cards)" = "$stream_cards" ] \
  || die "$budget_file was measured on a stream of $(value stream_cards) cards, the guard uses $stream_cards: write the budget again"

measure head

differs=()
for k in $env_keys; do
  if [ "$(value "$k")" != "${here[$k]}" ]; then
    differs+=("$k: \"$(value "$k")\" in the budget, \"${here[$k]}\" here")
  fi
done
if [ ${#differs[@]} -gt 0 ] || $remeasure; then
  if [ ${#differs[@]} -gt 0 ]; then
    say "the environment is not the budget's:"
    printf '  %s\n' "${differs[@]}"
  fi
  say "comparing against the budget's commit ${commit:0:12} measured here, with this tree's harness, instead of $budget_file's numbers"
  baseline "$commit"
  reference="the budget's commit ${commit:0:12} measured here (the file records apply $(value apply_ir_per_notification), rows $(value rows_ir_per_notification))"
  budget_apply=${counts[baseline.apply]}
  budget_rows=${counts[baseline.rows]}
else
  reference="$budget_file (commit ${commit:0:12}, the same environment)"
  budget_apply=$(value apply_ir_per_notification)
  budget_rows=$(value rows_ir_per_notification)
fi

say "instructions per notification, ${features:+features $features, }against $reference; tolerance $tolerance %:"
over=0
for mode in apply rows; do
  measured=${counts[head.$mode]}
  budget=budget_$mode
  budget=${!budget}
  if (( measured * 100 > budget * (100 + tolerance) )); then
    verdict="OVER BUDGET"
    over=1
  else
    verdict=ok
  fi
  awk -v m="$mode" -v x="$measured" -v b="$budget" -v t="$tolerance" -v v="$verdict" \
    'BEGIN { printf "  %-5s %9d Ir  budget %9d Ir  ratio %.4f  limit %.4f  %s\n", m, x, b, x / b, 1 + t / 100, v }'
done
# The counts for bench/report.sh (BENCHMARKS.md), the build without features only.
if [ -z "$features" ]; then
  mkdir -p target/bench/results
  printf '{"commit":"%s","apply":%d,"rows":%d,"budget_apply":%d,"budget_rows":%d}\n' \
    "$(git rev-parse --short=7 HEAD)" "${counts[head.apply]}" "${counts[head.rows]}" \
    "$budget_apply" "$budget_rows" >target/bench/results/guard.jsonl
fi
say "done in $(( $(date +%s) - started ))s"
if [ "$over" = 1 ]; then
  say "over budget. If the cost is worth it, raise the budget on purpose: commit the change, run"
  say "bench/guard/check.sh --write-budget, and commit $budget_file with the reason in the message."
  exit 1
fi
