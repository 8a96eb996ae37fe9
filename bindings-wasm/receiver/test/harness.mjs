// Runs the receiver as a real process tree (`node src/main.mjs`: a primary
// and its workers) and talks to it over loopback HTTP, as D1 would.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Database from 'better-sqlite3';
import pg from 'pg';

const MAIN = fileURLToPath(new URL('../src/main.mjs', import.meta.url));

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The tests' credentials, where a test states none of its own. */
export const TEST_TOKEN = 'test-d1-token-00000000000000000001';
export const TEST_ADMIN_TOKEN = 'test-admin-token-000000000000000001';

const D1_CREDENTIALS = ['AUTH', 'BEARER_TOKEN', 'BEARER_TOKENS', 'JWKS_FILE', 'JWKS_URL'];
const ADMIN_CREDENTIALS = ['ADMIN_AUTH', 'ADMIN_TOKENS'];

/**
 * Starts the receiver with `env` (PORT and ADMIN_PORT are chosen here; D1's
 * listener gets TEST_TOKEN and the admin one TEST_ADMIN_TOKEN unless `env`
 * states credentials). Resolves when every worker listens, to `{url,
 * adminUrl, d1, admin, proc, entries, waitFor, stop}`: `d1(path, init)` and
 * `admin(path, init)` fetch from a listener with its test credential,
 * `entries` is the log so far (parsed JSON lines), `waitFor(predicate, ms)`
 * resolves with the first entry that matches, `stop()` sends SIGTERM and
 * resolves with the exit code.
 */
export async function startReceiver(env) {
  const port = await freePort();
  const adminPort = await freePort();
  const workers = Number(env.WORKERS ?? 2);
  const defaults = {};
  if (!D1_CREDENTIALS.some((v) => v in env)) defaults.BEARER_TOKENS = TEST_TOKEN;
  if (!ADMIN_CREDENTIALS.some((v) => v in env)) defaults.ADMIN_TOKENS = TEST_ADMIN_TOKEN;
  const proc = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...defaults, ...env, PORT: String(port), ADMIN_PORT: String(adminPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Whatever happens to this process, the receiver does not outlive it.
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.off('exit', reap));
  const entries = [];
  const waiters = [];
  let stderr = '';
  let pending = '';
  proc.stdout.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = { event: 'text', text: line };
      }
      entry.seenMs = Date.now();
      entries.push(entry);
      for (const w of [...waiters]) {
        if (w.predicate(entry)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(entry);
        }
      }
    }
  });
  proc.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal)));

  const waitFor = (predicate, ms = 30_000) => {
    const seen = entries.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { predicate, resolve };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) {
          waiters.splice(i, 1);
          reject(new Error(`receiver: no log entry matched within ${ms} ms; stderr: ${stderr.slice(-2000)}`));
        }
      }, ms).unref();
    });
  };

  const listening = new Set();
  const started = await waitFor((e) => {
    if (e.event === 'listening') listening.add(e.slot);
    return e.event === 'start_failed' || listening.size === workers;
  });
  if (started.event === 'start_failed') throw new Error(`receiver failed to start: ${started.message}`);
  const url = `http://127.0.0.1:${port}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const withCredential = (base, token) => (path, init = {}) => fetch(base + path, {
    ...init,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
  });
  return {
    url,
    adminUrl,
    d1: withCredential(url, defaults.BEARER_TOKENS),
    admin: withCredential(adminUrl, defaults.ADMIN_TOKENS),
    /** The headers a call to D1's listener carries by default. */
    d1Headers: defaults.BEARER_TOKENS === undefined ? {} : { authorization: `Bearer ${TEST_TOKEN}` },
    adminHeaders: defaults.ADMIN_TOKENS === undefined ? {} : { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    proc,
    entries,
    waitFor,
    stderr: () => stderr,
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** How long a sender waits for an answer before it sends again. */
export const SEND_TIMEOUT_MS = 10_000;

/**
 * Sends every item of `sends` with `clients` concurrent senders that retry
 * like D1: again after a connection error, a timeout or a 5xx, until accepted. `post`
 * turns an item into `[url, body, headers]`; `accept(status)` says which
 * statuses are final. Calls `onProgress(done)` after each final answer.
 */
export async function sendAll({ sends, clients, post, onProgress = () => {}, accept }) {
  let next = 0;
  let done = 0;
  const tally = { retries: 0, connectionErrors: 0, timeouts: 0, statuses: {} };
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= sends.length) return;
      const [target, body, headers = {}] = post(sends[i]);
      for (let attempt = 0; ; attempt++) {
        let status;
        try {
          // D1 gives up on a call after a while and sends it again.
          const res = await fetch(target, {
            method: 'POST', body, headers: { 'content-type': 'application/json', ...headers },
            signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          });
          await res.arrayBuffer();
          status = res.status;
        } catch (err) {
          if (err?.name === 'TimeoutError') tally.timeouts++;
          else tally.connectionErrors++;
        }
        if (status !== undefined) tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
        if (status !== undefined && accept(status, sends[i])) break;
        if (attempt > 200) throw new Error(`gave up on send ${i} (${target}) after ${attempt} attempts, last status ${status}`);
        tally.retries++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(20 * 2 ** Math.min(attempt, 5), 500)));
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return tally;
}

/** The PostgreSQL server the tests use (test.sh starts one), or undefined. */
export const POSTGRES_URL = process.env.D1T_TEST_DATABASE_URL;

/** node:test's `skip` for a test that needs POSTGRES_URL. */
export const SKIP_WITHOUT_POSTGRES = POSTGRES_URL ? false : 'D1T_TEST_DATABASE_URL is not set (test.sh starts a PostgreSQL)';

/**
 * Runs `fn({url, admin})` with a fresh database on POSTGRES_URL's server
 * (`url` names it; `admin` is a client on the server's own database), and
 * drops it afterwards, whatever happened.
 */
export async function withPostgresDatabase(prefix, fn) {
  const database = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  // Dropping or closing the database ends connections: not a failure.
  admin.on('error', () => {});
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${database}`;
    return await fn({ url: url.href, database, admin });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

/**
 * The two databases, each as `{name, skip, with(fn)}`: `fn` is called with
 * `{env, query(sql, params), url?}` for one test's receiver (`prefix` names
 * its temporary directory or database).
 */
export const databases = (prefix) => [
  {
    name: 'SQLite',
    skip: false,
    async with(fn) {
      const dir = mkdtempSync(join(tmpdir(), `d1t-${prefix}-`));
      const path = join(dir, 'r.db');
      try {
        await fn({
          env: { SQLITE_PATH: path },
          query: async (sql, params = []) => {
            const db = new Database(path);
            try {
              const statement = db.prepare(sql.replace(/\$\d+/g, '?'));
              return statement.reader ? statement.all(...params) : (statement.run(...params), []);
            } finally {
              db.close();
            }
          },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'PostgreSQL',
    skip: SKIP_WITHOUT_POSTGRES,
    with: (fn) => withPostgresDatabase(`receiver_${prefix}`, async ({ url }) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await fn({ env: { DATABASE_URL: url }, url, query: async (sql, params) => (await client.query(sql, params)).rows });
      } finally {
        await client.end();
      }
    }),
  },
];
