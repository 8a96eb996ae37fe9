// Writes BENCHMARKS.md (to stdout) from one run's results: what the benches
// write themselves, under target/bench/results/ (JSON Lines, and criterion's
// `--output-format bencher` lines that report.sh keeps); never criterion's
// internal files.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
// Criterion's documented `bencher` output: "test GROUP/BENCH ... bench: N ns/iter (+/- M)".
const bencherFile = `${root}target/bench/results/fold.txt`;
const bencher = existsSync(bencherFile) ? readFileSync(bencherFile, 'utf8') : '';
const median = (group, bench) => {
  const line = bencher.split('\n').find((l) => l.startsWith(`test ${group}/${bench} `));
  const m = line && /bench:\s+([\d,]+) ns\/iter/.exec(line);
  return m ? Number(m[1].replace(/,/g, '')) : null; // ns per iteration
};
const ms = (ns) => (ns / 1e6).toFixed(2);
const ratio = (a, b) => (a === null || b === null ? 'n/a' : `${(a / b).toFixed(2)}×`);
const lines = (name) => readFileSync(`${root}target/bench/results/${name}`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const median_of = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sh = (cmd) => { try { return execSync(cmd, { encoding: 'utf8' }).trim(); } catch { return 'unknown'; } };

const out = [];
out.push('# Benchmarks', '');
out.push('Regenerate: `./bench/report.sh` (one run of every bench; this file is its output).', '');
out.push('## Machine and method', '');
out.push(`- ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; ${sh('rustc --version')}; ${sh('node --version')}.`);
out.push('- Workloads come from one deterministic generator (`bench/src/workload.rs`): single bodies of each kind for 1,000 cards; bulk bodies of 100 operations; the realistic stream (typical cards: production, then a shipment PENDING and 4 updates, one body each; 20 % delivered twice; shuffled). Members are written in the order of the example in D1\'s documentation (`operationId`, `operation`, `status`, …), not sorted, as a webhook body comes.');
if (process.env.D1T_BENCH_NOTE) out.push(`- Conditions: ${process.env.D1T_BENCH_NOTE}`);
out.push('- Every ratio is measured side by side: the two sides run alternately in one process (apply/floor, C ABI, memory and scaling), or interleaved rounds (Node; the C program and its native twin). Criterion (20 samples of about 3 s each, median) measures the paths that have no peer: duplicates, merge, snapshot and restore.');
out.push('');

out.push('## apply against the parse floor (goal: ≤ 1.5×)', '');
out.push('The floor is `serde_json` reading the same bytes into typed structs of the same fields (`bench/src/floor.rs`).', '');
const pairsOf = existsSync(`${root}target/bench/results/apply-floor.jsonl`) ? lines('apply-floor.jsonl') : [];
if (pairsOf[0]) out.push(`Floor and \`apply\` (into a fresh tracker) run alternately, ${pairsOf[0].pairs} pairs per workload; median of each, and the median of the per-pair ratios (\`bench/benches/apply_floor.rs\`).`, '');
out.push('| workload | bodies | parse floor (ms) | apply (ms) | apply / floor |', '|---|---|---|---|---|');
for (const r of pairsOf) {
  out.push(`| ${r.workload} | ${r.bodies} | ${r.floor_ms.toFixed(2)} | ${r.apply_ms.toFixed(2)} | ${(r.ratio ?? r.apply_ms / r.floor_ms).toFixed(2)}× |`);
}
out.push('');

out.push('## Other native paths', '');
out.push('| bench | median (ms) | per item |', '|---|---|---|');
const dup = median('duplicate/stream1k', 'apply_again');
out.push(`| the stream again, every notification a duplicate (7,200 bodies) | ${dup === null ? 'n/a' : ms(dup)} | ${dup === null ? 'n/a' : (dup / 7200 / 1000).toFixed(2) + ' µs'} |`);
const merge = median('merge/1k+1k', 'merge');
out.push(`| merge of two 1,000-card trackers (half shared) | ${merge === null ? 'n/a' : ms(merge)} | |`);
const snap = median('snapshot/1k', 'snapshot');
const rest = median('snapshot/1k', 'restore');
const snapBytes = existsSync(`${root}target/bench/results/snapshot-size.jsonl`) ? lines('snapshot-size.jsonl')[0].bytes : null;
const mbps = (ns) => (snapBytes && ns ? `${(snapBytes / (ns / 1e9) / 1e6).toFixed(0)} MB/s` : '');
out.push(`| snapshot of 1,000 cards${snapBytes ? ` (${(snapBytes / 1e6).toFixed(2)} MB)` : ''} | ${snap === null ? 'n/a' : ms(snap)} | ${mbps(snap)} |`);
out.push(`| restore of it | ${rest === null ? 'n/a' : ms(rest)} | ${mbps(rest)} |`);
out.push('');

out.push('## C library against native Rust (goal: overhead ≤ 10 %)', '');
const paired = existsSync(`${root}target/bench/results/c-abi.jsonl`) ? lines('c-abi.jsonl')[0] : null;
out.push(`The stream (7,200 bodies) folded through \`Tracker::apply\` and through \`d1t_tracker_apply\` (the exported function, called from Rust through the C ABI, report not requested), alternately${paired ? `, ${paired.pairs} pairs` : ''}; median of each, and the overhead as the median of the per-pair ratios (\`bench/benches/c_abi.rs\`).`, '');
out.push('| native (ms) | C ABI (ms) | overhead |', '|---|---|---|');
if (paired) out.push(`| ${paired.native_ms.toFixed(2)} | ${paired.c_abi_ms.toFixed(2)} | ${(((paired.ratio ?? paired.c_abi_ms / paired.native_ms) - 1) * 100).toFixed(1)} % |`);
out.push('');

out.push('## Memory and scaling', '');
const results = lines('native-memory.jsonl');
const mem = results.find((r) => r.bench === 'memory_per_typical_card');
const scale = results.find((r) => r.bench === 'throughput_by_cards');
out.push('| measure | value | goal |', '|---|---|---|');
if (mem) out.push(`| heap bytes per typical card (counting allocator, ${mem.cards} cards) | ${mem.bytes} | ≤ 2,048 |`);
if (scale) {
  out.push(`| notifications/s into fresh ${scale.small_cards}-card trackers (${scale.large_cards / scale.small_cards} of them) | ${scale.small_per_s} | |`);
  out.push(`| notifications/s into one tracker growing to ${scale.large_cards} cards (interleaved with the line above, 1,000 cards at a time) | ${scale.large_per_s} | |`);
  out.push(`| throughput at ${scale.large_cards} cards / at ${scale.small_cards} | ${(scale.ratio * 100).toFixed(0)} % | ≥ 80 % |`);
}
out.push('');
out.push('## Read memory (goal: ≤ 4× the input, whatever its shape)', '');
out.push('What reading a body (`apply`) or a snapshot (`restore`) needs beyond the state it leaves and the report it returns: the peak of a counting allocator minus what is live after, per byte of input (`bench/benches/memory.rs`). The hostile shapes are bodies of about 1 MiB whose every operation is within every default bound and carries an unknown member `filler` holding thousands of tiny values; the snapshot is the one the body leaves.', '');
out.push('| shape | body (bytes) | apply needs | per body byte | snapshot (bytes) | restore needs | per snapshot byte |', '|---|---|---|---|---|---|---|');
for (const r of results.filter((x) => x.bench === 'read_memory')) {
  out.push(`| ${r.shape} | ${r.body_bytes} | ${r.apply_peak_bytes} | ${r.apply_ratio.toFixed(2)}× | ${r.snapshot_bytes} | ${r.restore_peak_bytes} | ${r.restore_ratio.toFixed(2)}× |`);
}
const worst = results.find((r) => r.bench === 'read_memory_worst');
if (worst) out.push('', `Worst ratio: **${worst.ratio.toFixed(2)}×**.`);
out.push('');

out.push('## Hostile input: notifications that tie on every rank (goal: ≤ 2×)', '');
const tie = existsSync(`${root}target/bench/results/hostile.jsonl`) ? lines('hostile.jsonl').find((r) => r.bench === 'tie_case') : null;
out.push('Bodies of 100 operations folded into one operation that already keeps 40 notifications of about 14 KiB which tie on every rank of the fold\'s order (they differ in their last bytes), against the same notifications each into a fresh operation; alternating pairs, median of the per-pair ratios (`bench/benches/hostile.rs`).', '');
out.push('| notifications | fresh operations (ms) | into the tying operation (ms) | ratio |', '|---|---|---|---|');
if (tie) out.push(`| ${tie.notifications} | ${tie.fresh_ms.toFixed(2)} | ${tie.tie_ms.toFixed(2)} | ${tie.ratio.toFixed(2)}× |`);
out.push('');

out.push('## Folding against per-card rows (goal: ≤ 2× apply on a warm tracker)', '');
const rows = existsSync(`${root}target/bench/results/rows.jsonl`) ? lines('rows.jsonl')[0] : null;
out.push('The realistic stream (1,000 cards, 7,200 bodies): `apply` into one tracker that keeps every card, against what a host with a database does per body — `cards_of_body`, the rows from a table (a `HashMap`), `fold_rows`, the new rows written back; alternating pairs, median of the per-pair ratios (`bench/benches/rows.rs`).', '');
out.push('| bodies | apply, warm tracker (ms) | through rows (ms) | ratio |', '|---|---|---|---|');
if (rows) out.push(`| ${rows.bodies} | ${rows.apply_ms.toFixed(2)} | ${rows.rows_ms.toFixed(2)} | ${rows.ratio.toFixed(2)}× |`);
out.push('');

// The guard's budget, as bench/guard/budget.toml records it (key = value lines).
const budgetFile = `${root}bench/guard/budget.toml`;
const budget = existsSync(budgetFile)
  ? Object.fromEntries([...readFileSync(budgetFile, 'utf8').matchAll(/^(\w+) = "?([^"\n]*)"?$/gm)].map((m) => [m[1], m[2]]))
  : null;
if (budget) {
  const n = (x) => Number(x).toLocaleString('en-US');
  const limit = (x) => n(Math.floor((Number(x) * (100 + Number(budget.tolerance_percent))) / 100));
  out.push('## Instruction-count guard (`./test.sh` fails above the budget)', '');
  out.push(`Timings here wander by ±20 % between runs; instruction counts do not. \`bench/guard/check.sh\` counts under callgrind the instructions (Ir) per notification of \`Tracker::apply\` and of the row path (\`cards_of_body\`, the rows from a table, \`fold_rows\`, the new rows written back: \`fold_through_rows\`, the step of \`bench/benches/rows.rs\`) on the stream of ${n(budget.stream_cards)} cards (${n(budget.notifications)} notifications, one per body): \`one_pass apply\` and \`one_pass rows\` less \`one_pass read\` (reading the file and splitting its lines), divided by the notifications. It builds with the pinned rustc (1.95.0, installed when missing) in \`target/guard/\`, runs each mode twice (the counts must be equal) and fails when a count is above budget × (1 + tolerance).`, '');
  out.push(`| path | budget (Ir per notification) | fails above (+${budget.tolerance_percent} %) | measured on |`, '|---|---|---|---|');
  out.push(`| apply | ${n(budget.apply_ir_per_notification)} | ${limit(budget.apply_ir_per_notification)} | ${budget.commit.slice(0, 7)} |`);
  out.push(`| rows | ${n(budget.rows_ir_per_notification)} | ${limit(budget.rows_ir_per_notification)} | ${budget.commit.slice(0, 7)} |`, '');
  // The last count (bench/guard/check.sh writes it), against the budget it was checked with.
  const guard = existsSync(`${root}target/bench/results/guard.jsonl`) ? lines('guard.jsonl')[0] : null;
  if (guard) {
    const ratio = (x, b) => (x / b).toFixed(3);
    out.push(`Measured at ${guard.commit}: apply ${n(guard.apply)} Ir per notification (${ratio(guard.apply, guard.budget_apply)}× the budget), rows ${n(guard.rows)} (${ratio(guard.rows, guard.budget_rows)}×).`, '');
  }
  out.push(`- Tolerance ${budget.tolerance_percent} %: the counts repeat exactly, so it is not there for noise; it lets a small change through and stops one of the size of a round (docs/decisions.md, "The instruction-count guard (v3)").`);
  out.push('- Raising the budget, on purpose: commit the change, run `bench/guard/check.sh --write-budget` (it measures the committed HEAD), and commit `bench/guard/budget.toml` with the reason in the commit message.');
  out.push(`- The budget records where it was measured: ${budget.rustc}; ${budget.valgrind}; ${budget.libc}; ${budget.cpu_model} (a hash of its CPU flags); hashes of the harness and the stream. When any of them differs, the guard measures the budget's commit in the same run (its files from git, this tree's \`bench/\`, the same toolchain) and compares with that instead of the file's numbers, saying so; a clone without that commit fails (exit 2).`);
  out.push('- Its self-test (`./test.sh`): the bench crate\'s `deliberately-slower` feature folds every tenth body twice; the guard must refuse that build.', '');
}

out.push('## replay: memory flat in the input\'s size', '');
const replayRuns = existsSync(`${root}target/bench/results/replay.jsonl`) ? lines('replay.jsonl') : [];
out.push('`replay` on the sample log repeated to 100 MB and to 1 GB (one line at a time; the cards are the sample\'s six): peak resident memory by `/usr/bin/time`.', '');
out.push('| input | peak RSS | time (s) |', '|---|---|---|');
for (const r of replayRuns) out.push(`| ${(r.input_bytes / 1e6).toFixed(0)} MB | ${(r.peak_rss_kb / 1024).toFixed(1)} MiB | ${r.seconds.toFixed(1)} |`);
out.push('');

out.push('## The reference receiver under load', '');
const receiverRuns = existsSync(`${root}target/bench/results/receiver.jsonl`) ? lines('receiver.jsonl') : [];
out.push('`bindings-wasm/receiver/bench/load.mjs`: the receiver (`npm start`\'s process tree) with 1 and 4 workers on SQLite (WAL, `synchronous = FULL`) and on PostgreSQL 15 (`synchronous_commit = on`, a local cluster), fed the load test\'s D1-like traffic for 4,000 cards (shuffled; a fifth of the bodies twice; bulk, re-serialised and invalid operations; request records) by 16 concurrent HTTP clients over loopback, each request sent until accepted; then 1,000 cards\' traffic by one client, one request at a time, to show where a request\'s time goes without queueing. The clients, the receiver and the database share the machine\'s cores; per core = the machine\'s rate divided by its cores. Latency is the client\'s, per request; the shares are of the receiver\'s own time for a request (its `Server-Timing`: inside `d1-tracking`, in database calls, the rest HTTP and waiting for the event loop).', '');
out.push('| database | workers | clients | notifications | requests | notifications/s | per core | p50 (ms) | p99 (ms) | receiver time per request (ms) | in d1-tracking (ms) | in database calls (ms) | library share | database share |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of receiverRuns) {
  out.push(`| ${r.database === 'postgres' ? 'PostgreSQL' : 'SQLite'} | ${r.workers} | ${r.clients} | ${r.notifications} | ${r.requests} | ${r.notifications_per_s.toFixed(0)} | ${r.notifications_per_s_per_core.toFixed(0)} | ${r.p50_ms.toFixed(1)} | ${r.p99_ms.toFixed(1)} | ${r.server_ms_per_request.toFixed(2)} | ${r.library_ms_per_request.toFixed(3)} | ${r.database_ms_per_request.toFixed(2)} | ${(r.library_share * 100).toFixed(1)} % | ${(r.database_share * 100).toFixed(1)} % |`);
}
out.push('', 'Database calls include waiting: for SQLite\'s write lock (one writer per file: more workers only queue there) and for a PostgreSQL connection of the worker\'s pool (8) and the commit\'s WAL flush. The library\'s time per request is the CPU cost of `cardsOfBody` + `foldRows` (or `recordRequestOnRow`) on the body\'s rows.', '');

const fatRuns = existsSync(`${root}target/bench/results/fat-card.jsonl`) ? lines('fat-card.jsonl') : [];
out.push('## A fat card', '');
out.push('`bindings-wasm/receiver/bench/fat-card.mjs`: SQLite, 2 workers; one card fattened within every bound of the library (64 operations of 32 notifications of about 15 KiB, 60 to a body), then for 10 s five clients send it small new notifications while one client sends other cards\' bodies, one at a time (each request sent until accepted). Without a per-card bound (`MAX_CARD_BYTES` at its maximum) and with the default 1 MiB, past which the card\'s operations are parked.', '');
out.push('| run | fat card\'s row | its requests | its p50 (ms) | its max (ms) | other cards\' requests | their p50 (ms) | p99 (ms) | max (ms) |', '|---|---|---|---|---|---|---|---|---|');
for (const r of fatRuns) {
  out.push(`| ${r.run} | ${(r.fat_row_bytes / 1e6).toFixed(2)} MB | ${r.fat_requests} | ${r.fat_p50_ms.toFixed(0)} | ${r.fat_max_ms.toFixed(0)} | ${r.other_requests} | ${r.other_p50_ms.toFixed(0)} | ${r.other_p99_ms.toFixed(0)} | ${r.other_max_ms.toFixed(0)} |`);
}
out.push('');

out.push('## The npm package against its peers (goal: ahead of both)', '');
out.push('The same bodies as `Buffer`s, into the package, a plain-JavaScript reducer with the same semantics (`bench/node/plain-reducer.mjs`) and the same fold on XState (`bench/node/xstate-reducer.mjs`); run interleaved, 7 rounds, median. Before timing, both peers\' card views are checked equal to the package\'s on the whole stream.', '');
out.push('| workload | package (ms) | plain JS (ms) | XState (ms) | plain / package | XState / package |', '|---|---|---|---|---|---|');
if (existsSync(`${root}target/bench/results/node.jsonl`)) {
  for (const r of lines('node.jsonl').filter((l) => l.bench === 'node')) {
    out.push(`| ${r.workload} (${r.bodies} bodies) | ${r.ms.package.toFixed(1)} | ${r.ms.plain.toFixed(1)} | ${r.ms.xstate.toFixed(1)} | ${r.plain_over_package.toFixed(2)} | ${r.xstate_over_package.toFixed(2)} |`);
  }
}
out.push('', 'A ratio above 1 means the package is ahead.', '');
const nodeRows = existsSync(`${root}target/bench/results/node.jsonl`) ? lines('node.jsonl').find((l) => l.bench === 'node_rows') : null;
if (nodeRows) {
  out.push('In Node, the stream folded through per-card rows (`cardsOfBody`, rows from a `Map`, `foldRows`, rows written back) against `apply` on one warm tracker (goal: ≤ 2×):', '');
  out.push('| bodies | apply, warm tracker (ms) | through rows (ms) | ratio |', '|---|---|---|---|');
  out.push(`| ${nodeRows.bodies} | ${nodeRows.ms.warm.toFixed(1)} | ${nodeRows.ms.rows.toFixed(1)} | ${nodeRows.rows_over_warm.toFixed(2)}× |`, '');
}
if (existsSync(`${root}target/bench/results/c.jsonl`)) {
  const runs = lines('c.jsonl');
  const med = (kind) => median_of(runs.filter((r) => r.bench === kind).flatMap((r) => r.ms));
  const n = med('native');
  const c = med('c');
  out.push('## A C program against native Rust', '');
  out.push('`bench/c/fold_bench.c` (gcc -O2, static library) and its twin `bench/src/bin/native_fold.rs` fold the stream (7,200 bodies) with the same loop, alternating, 15 rounds each; median.', '');
  out.push('| native (ms) | C program (ms) | overhead |', '|---|---|---|');
  out.push(`| ${n.toFixed(2)} | ${c.toFixed(2)} | ${(((c - n) / n) * 100).toFixed(1)} % |`, '');
}
out.push('');
process.stdout.write(out.join('\n'));
