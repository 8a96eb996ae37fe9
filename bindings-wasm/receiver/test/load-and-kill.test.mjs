// The receiver under D1-like load while its workers are killed with SIGKILL,
// on SQLite and on a real PostgreSQL (D1T_TEST_DATABASE_URL, started by
// test.sh): nothing acknowledged is lost, every view equals one in-memory
// tracker fed the same traffic, every invalid operation is a dead letter,
// and the outbox is a complete chain per card and field, in order per card.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import Database from 'better-sqlite3';
import pg from 'pg';

import { SKIP_WITHOUT_POSTGRES, withPostgresDatabase } from './harness.mjs';
import { loadUnderFault } from './load.mjs';

const KILLS_AT = [0.15, 0.4, 0.65];

/**
 * The fault: a worker killed with SIGKILL at each point of KILLS_AT, while
 * the senders keep going: slots 0, 1, 0 (slot 0 runs SQLite's dispatcher), or
 * the other slot when that one's replacement is not listening yet.
 */
function killWorkers() {
  const kills = [];
  return {
    name: 'kill -9 of workers',
    async run({ receiver, progress, sending, total }) {
      const livePid = (slot) => {
        const pid = receiver.entries.filter((e) => e.event === 'listening' && e.slot === slot).at(-1).pid;
        return kills.some((k) => k.pid === pid) ? null : pid;
      };
      for (const [k, at] of KILLS_AT.entries()) {
        const slot = () => (livePid(k % 2) !== null ? k % 2 : 1 - (k % 2));
        while (sending() && (progress() < at * total || livePid(slot()) === null)) {
          await new Promise((r) => setTimeout(r, 5));
        }
        if (!sending()) return;
        const pid = livePid(slot());
        kills.push({ slot: slot(), pid, atSend: progress(), atMs: Date.now() });
        process.kill(pid, 'SIGKILL');
      }
    },
    async check({ receiver }) {
      assert.equal(kills.length, KILLS_AT.length, 'every kill happened while the senders were sending');
      // A killed worker's connections are reset, never left without an answer
      // (the runner checks that no request timed out).
      // Every killed worker was replaced.
      const restartMs = [];
      for (const { slot, pid } of kills) {
        const died = await receiver.waitFor((e) => e.event === 'worker_died' && e.slot === slot && e.seenMs >= kills.find((k) => k.pid === pid).atMs);
        const back = await receiver.waitFor((e) => e.event === 'listening' && e.slot === slot && e.seenMs >= died.seenMs);
        restartMs.push(back.seenMs - died.seenMs);
      }
      const deaths = receiver.entries.filter((e) => e.event === 'worker_died');
      assert.equal(deaths.length, kills.length, 'one death logged per kill');
      assert.ok(deaths.every((d) => d.signal === 'SIGKILL'));
      // The back-off doubles for a slot that dies again soon.
      for (const slot of [0, 1]) {
        const restarts = deaths.filter((d) => d.slot === slot).map((d) => d.restartInMs);
        assert.deepEqual(restarts, restarts.map((_, i) => 100 * 2 ** i), `slot ${slot}'s back-off`);
      }
      assert.ok(kills.some((k) => k.slot === 0) && kills.some((k) => k.slot === 1), 'both slots killed');
      return { kills: kills.length, killedAtSend: kills.map((k) => k.atSend), restartMs };
    },
  };
}

test('SQLite: load, duplicates, invalid operations and kill -9; nothing lost', { timeout: 150_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-sqlite-'));
  const path = join(dir, 'receiver.db');
  try {
    await loadUnderFault(t, {
      fault: killWorkers(),
      env: { SQLITE_PATH: path },
      query: async (sql) => {
        const db = new Database(path, { readonly: true });
        try {
          return db.prepare(sql).all();
        } finally {
          db.close();
        }
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: load, duplicates, invalid operations and kill -9; nothing lost',
  { timeout: 150_000, skip: SKIP_WITHOUT_POSTGRES },
  (t) => withPostgresDatabase('receiver_test', async ({ url }) => {
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => {});
    try {
      await loadUnderFault(t, {
      fault: killWorkers(),
        env: { DATABASE_URL: url },
        query: async (sql) => (await pool.query(sql)).rows,
      });
    } finally {
      await pool.end();
    }
  }));
