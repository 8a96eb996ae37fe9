// The configuration: defaults, values read, and a clear refusal naming the variable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { ConfigError, loadConfig } from '../src/config.mjs';

test('defaults: SQLite at ./d1-tracking.db, port 8080, 2 workers', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.databaseUrl, null);
  assert.equal(config.sqlitePath, './d1-tracking.db');
  assert.equal(config.workers, 2);
  assert.equal(config.outboxLog, './d1-tracking-outbox.jsonl');
  assert.equal(config.bearerToken, null);
  assert.equal(config.issuerId, null);
});

test('values are read; an empty value is the default', () => {
  const config = loadConfig({
    PORT: '9000', DATABASE_URL: 'postgres://u@h/db', WORKERS: '4', ISSUER_ID: 'ISSUER0001',
    RECONCILE_INTERVAL_MS: '0', SQLITE_PATH: '',
  });
  assert.equal(config.port, 9000);
  assert.equal(config.databaseUrl, 'postgres://u@h/db');
  assert.equal(config.workers, 4);
  assert.equal(config.issuerId, 'ISSUER0001');
  assert.equal(config.reconcileIntervalMs, 0);
  assert.equal(config.sqlitePath, './d1-tracking.db');
});

test('a value that cannot be read names its variable and what was expected', () => {
  for (const [variable, value, expected] of [
    ['PORT', '80a', /PORT: expected a whole number from 0 to 65535, got "80a"/],
    ['WORKERS', '0', /WORKERS: expected a whole number from 1 to 256/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: expected a postgres:\/\/ URL/],
    ['ISSUER_ID', 'short', /ISSUER_ID: expected D1 issuer id/],
  ]) {
    assert.throws(() => loadConfig({ [variable]: value }), (err) =>
      err instanceof ConfigError && err.variable === variable && expected.test(err.message));
  }
});

test('npm start with a bad value exits 2 with the message, before opening anything', () => {
  const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [main], { env: { ...process.env, WORKERS: 'many' }, encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^d1-tracking-receiver: WORKERS: expected a whole number from 1 to 256, got "many"\n$/);
});
