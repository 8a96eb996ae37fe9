// The configuration: defaults, values read, and a clear refusal naming the variable.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { ConfigError, describeConfig, loadConfig } from '../src/config.mjs';

// Credentials every test states unless it tests them.
const CREDENTIALS = { BEARER_TOKENS: 'd1-token-0123456789abcdef', ADMIN_TOKENS: 'admin-token-0123456789abcdef' };

test('defaults: SQLite at ./d1-tracking.db, D1 on 0.0.0.0:8080, admin on 127.0.0.1:8081, 2 workers', () => {
  const config = loadConfig(CREDENTIALS);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.port, 8080);
  assert.equal(config.adminHost, '127.0.0.1');
  assert.equal(config.adminPort, 8081);
  assert.equal(config.auth, 'token');
  assert.deepEqual(config.tokens, ['d1-token-0123456789abcdef']);
  assert.deepEqual(config.adminTokens, ['admin-token-0123456789abcdef']);
  assert.equal(config.jwt, null);
  assert.equal(config.databaseUrl, null);
  assert.equal(config.sqlitePath, './d1-tracking.db');
  assert.equal(config.workers, 2);
  assert.equal(config.outboxLog, './d1-tracking-outbox.jsonl');
  assert.equal(config.issuerId, null);
});

test('values are read; an empty value is the default', () => {
  const config = loadConfig({
    ...CREDENTIALS,
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
    assert.throws(() => loadConfig({ ...CREDENTIALS, [variable]: value }), (err) =>
      err instanceof ConfigError && err.variable === variable && expected.test(err.message));
  }
});

test('npm start with a bad value exits 2 with the message, before opening anything', () => {
  const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
  const run = spawnSync(process.execPath, [main], { env: { ...process.env, ...CREDENTIALS, WORKERS: 'many' }, encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /^d1-tracking-receiver: WORKERS: expected a whole number from 1 to 256, got "many"\n$/);
});

test('tokens: a list (and BEARER_TOKEN, merged into it); a key set needs its issuer and audience', () => {
  const config = loadConfig({ ...CREDENTIALS, BEARER_TOKENS: ' first-token-0123456789 ,second-token-0123456789', BEARER_TOKEN: 'legacy-token-0123456789' });
  assert.deepEqual(config.tokens, ['first-token-0123456789', 'second-token-0123456789', 'legacy-token-0123456789']);
  const jwt = loadConfig({
    ADMIN_TOKENS: CREDENTIALS.ADMIN_TOKENS, JWKS_URL: 'https://bank.example/.well-known/jwks.json',
    JWT_ISSUER: 'https://bank.example', JWT_AUDIENCE: 'd1',
  });
  assert.deepEqual(jwt.tokens, []);
  assert.deepEqual(jwt.jwt, {
    jwksFile: null, jwksUrl: 'https://bank.example/.well-known/jwks.json', issuer: 'https://bank.example',
    audience: 'd1', algorithms: ['RS256', 'ES256'], clockSkewS: 30,
  });
  assert.throws(() => loadConfig({ ...CREDENTIALS, JWT_AUDIENCE: 'd1' }), /JWKS_FILE: JWT_ISSUER or JWT_AUDIENCE is set but no key set/);
  assert.throws(() => loadConfig({ ...CREDENTIALS, JWKS_URL: 'https://k', JWKS_FILE: '/k', JWT_ISSUER: 'i', JWT_AUDIENCE: 'a' }), /not both/);
  assert.throws(() => loadConfig({ ...CREDENTIALS, ADMIN_PORT: '8080' }), /ADMIN_PORT: the admin listener needs its own port/);
});

test('the configuration as logged names every setting and redacts the tokens and the database password', () => {
  const config = loadConfig({ ...CREDENTIALS, DATABASE_URL: 'postgres://receiver:hunter2-secret@db.internal/d1' });
  const text = JSON.stringify(describeConfig(config));
  assert.ok(!text.includes('hunter2') && !text.includes(CREDENTIALS.BEARER_TOKENS) && !text.includes(CREDENTIALS.ADMIN_TOKENS), text);
  const described = JSON.parse(text);
  assert.equal(described.databaseUrl, 'postgres://receiver:redacted@db.internal/d1');
  assert.equal(described.tokens, '1 token(s)');
  assert.deepEqual(Object.keys(described).sort(), Object.keys(config).sort());
});
