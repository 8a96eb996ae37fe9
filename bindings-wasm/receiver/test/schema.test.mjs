// The schema's owner and the service's role (README, "The schema"):
// `npm run migrate` as the owner, the service as a PostgreSQL role without
// DDL rights (MIGRATE_AT_START=false), a start refused on a schema it does
// not know, and a v2 database upgraded in place.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import Database from 'better-sqlite3';
import pg from 'pg';

import { NOTIFY, pending } from './bodies.mjs';
import { POSTGRES_URL, SKIP_WITHOUT_POSTGRES, TEST_ADMIN_TOKEN, TEST_TOKEN, startReceiver, withPostgresDatabase } from './harness.mjs';

const RECEIVER = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(RECEIVER, 'src/main.mjs');
const KNOWN = ['001_initial.sql', '002_parking.sql', '003_outbox_leases.sql', '004_dead_letter_status.sql', '005_retention.sql',
  '006_issuer_keys.sql'];

const npmRun = (script, env) => spawnSync('npm', ['run', '--silent', script], {
  cwd: RECEIVER, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8',
});
/** Starts main.mjs to the point of its schema check: exit 2 and the message when refused. */
const startOnce = (env) => spawnSync(process.execPath, [MAIN], {
  env: { PATH: process.env.PATH, BEARER_TOKENS: TEST_TOKEN, ADMIN_TOKENS: TEST_ADMIN_TOKEN, WORKERS: '1', PORT: '0', ADMIN_PORT: '0', ...env },
  encoding: 'utf8', timeout: 10_000,
});

test('PostgreSQL: npm run migrate as the owner, the service as a role without DDL rights; a schema it does not know is refused',
  { skip: SKIP_WITHOUT_POSTGRES, timeout: 60_000 }, async () => {
    const role = `d1t_service_${process.pid}`;
    try {
      await withPostgresDatabase('receiver_schema', async ({ url, database }) => {
        // Before any migration, a receiver that may not migrate does not start.
        const service = new URL(url);
        service.username = role;
        const early = startOnce({ DATABASE_URL: url, MIGRATE_AT_START: 'false' });
        assert.equal(early.status, 2, early.stderr + early.stdout);

        const migrated = npmRun('migrate', { DATABASE_URL: url });
        assert.equal(migrated.status, 0, migrated.stderr);
        assert.deepEqual(JSON.parse(migrated.stdout).applied, KNOWN);
        assert.deepEqual(JSON.parse(npmRun('migrate', { DATABASE_URL: url }).stdout).applied, [], 'a second run applies nothing');

        const owner = new pg.Client({ connectionString: url });
        await owner.connect();
        try {
          await owner.query(`CREATE ROLE ${role} LOGIN`);
          await owner.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
          await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
          await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
          await owner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);

          // The role cannot run DDL; the service runs all the same.
          const ddl = new pg.Client({ connectionString: service.href });
          await ddl.connect();
          await assert.rejects(ddl.query('CREATE TABLE intruder (x int)'), /permission denied/);
          await ddl.end();
          const receiver = await startReceiver({ DATABASE_URL: service.href, MIGRATE_AT_START: 'false', WORKERS: '1', OUTBOX_LOG: join(tmpdir(), `d1t-schema-${process.pid}.jsonl`), RECONCILE_INTERVAL_MS: '0' });
          try {
            assert.ok(receiver.entries.some((e) => e.event === 'schema_checked'));
            assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: pending('card-1') })).status, 204);
            assert.equal((await receiver.d1(NOTIFY, { method: 'POST', body: '{"operations":[{"operationId":"x"' })).status, 400);
            assert.equal((await receiver.admin('/readyz')).status, 200);
            assert.equal((await receiver.admin('/cards/card-1')).status, 200);
          } finally {
            await receiver.stop();
          }

          // A migration changed after it was applied, then a schema newer than this receiver: refused, exit 2.
          await owner.query("UPDATE schema_migrations SET checksum = 'changed' WHERE version = 2");
          const changed = startOnce({ DATABASE_URL: service.href, MIGRATE_AT_START: 'false' });
          assert.equal(changed.status, 2);
          assert.match(changed.stderr, /migration 002_parking\.sql was changed after it was applied/);
          const refusedToo = npmRun('migrate', { DATABASE_URL: url });
          assert.equal(refusedToo.status, 2, 'migrate refuses it too');
          await owner.query("UPDATE schema_migrations SET checksum = NULL WHERE version = 2");
          await owner.query("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (999, '999_future.sql', 0)");
          const newer = startOnce({ DATABASE_URL: service.href, MIGRATE_AT_START: 'false' });
          assert.equal(newer.status, 2);
          assert.ok(newer.stderr.includes(`999_future.sql, newer than this receiver knows (up to ${KNOWN.at(-1)})`), newer.stderr);
        } finally {
          await owner.end();
        }
        assert.match(early.stderr, /migrations not applied: 001_initial\.sql, .*run `npm run migrate`/);
      });
    } finally {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

test('SQLite: a database v2 made (migration 001, no checksums) is upgraded in place at start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-schema-v2-'));
  const path = join(dir, 'v2.db');
  try {
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)');
    db.exec(readFileSync(join(RECEIVER, 'migrations/001_initial.sql'), 'utf8').replaceAll('{{identity}}', 'INTEGER PRIMARY KEY AUTOINCREMENT'));
    db.prepare("INSERT INTO schema_migrations VALUES (1, '001_initial.sql', 0)").run();
    db.prepare("INSERT INTO dead_letters (received_ms, scope, code, message, raw) VALUES (0, 'body', 'PARSING_ERROR', 'v2', '{')").run();
    db.close();
    const receiver = await startReceiver({ SQLITE_PATH: path, WORKERS: '1', OUTBOX_LOG: join(dir, 'o.jsonl'), RECONCILE_INTERVAL_MS: '0' });
    try {
      const migrated = receiver.entries.find((e) => e.event === 'migrated');
      assert.deepEqual(migrated.applied, KNOWN.slice(1));
      // v2's letter is open and keeps its text (no bytes were recorded then).
      const [letter] = (await (await receiver.admin('/dead-letters')).json()).deadLetters;
      assert.deepEqual([letter.status, letter.raw], ['open', '{']);
    } finally {
      await receiver.stop();
    }
    const after = new Database(path, { readonly: true });
    assert.equal(after.prepare('SELECT count(*) AS n FROM schema_migrations WHERE checksum IS NULL').get().n, 0);
    after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
