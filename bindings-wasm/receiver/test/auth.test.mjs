// Who may call which listener (README, "Authentication"), on a real process
// tree: static tokens with rotation, JWTs against a key set in a file and at a
// URL, the admin listener's own credentials and address, and a start refused
// without credentials.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';

import { ISSUER, NOTIFY, pending } from './bodies.mjs';
import { freePort, startReceiver } from './harness.mjs';

const OLD_TOKEN = 'rotating-out-0123456789abcdef01';
const NEW_TOKEN = 'rotating-in-0123456789abcdef0123';
const ADMIN_TOKEN = 'admin-only-0123456789abcdef01234';

async function withReceiver(env, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-auth-'));
  const receiver = await startReceiver({
    WORKERS: '1', SQLITE_PATH: join(dir, 'r.db'), OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0',
    ...env,
  });
  try {
    await fn({ receiver, dir });
  } finally {
    if (receiver.proc.exitCode === null) await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const call = (base, path, authorization, init = {}) => fetch(base + path, {
  ...init, headers: authorization === undefined ? {} : { authorization },
});

test('static tokens: every listed token passes (rotation), the scheme in any case; no, a wrong or a longer token is 401', async () => {
  await withReceiver({ BEARER_TOKENS: `${OLD_TOKEN}, ${NEW_TOKEN}`, ADMIN_TOKENS: ADMIN_TOKEN, ISSUER_ID: ISSUER },
    async ({ receiver }) => {
      const notify = (authorization, card = 'card-1') => call(receiver.url, NOTIFY, authorization, { method: 'POST', body: pending(card) });
      assert.equal((await notify(`Bearer ${OLD_TOKEN}`, 'card-1')).status, 204);
      assert.equal((await notify(`Bearer ${NEW_TOKEN}`, 'card-2')).status, 204);
      assert.equal((await notify(`bearer ${NEW_TOKEN}`, 'card-3')).status, 204);
      assert.equal((await notify(`BEARER   ${NEW_TOKEN}`, 'card-4')).status, 204);
      for (const authorization of [
        undefined, '', 'Bearer', `Basic ${NEW_TOKEN}`, `Bearer ${NEW_TOKEN.slice(0, -1)}x`, `Bearer ${NEW_TOKEN}x`,
        `Bearer ${NEW_TOKEN.slice(0, 5)}`, `Bearer ${NEW_TOKEN} ${OLD_TOKEN}`, `Bearer ${ADMIN_TOKEN}`,
      ]) {
        const res = await notify(authorization, 'card-9');
        assert.equal(res.status, 401, String(authorization));
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="d1"');
        assert.equal((await res.json()).code, 'UNAUTHORIZED');
      }
      // Nothing of the refused calls was written.
      assert.equal((await call(receiver.adminUrl, '/cards/card-9', `Bearer ${ADMIN_TOKEN}`)).status, 404);
      const other = await call(receiver.url, '/notifications/d1/v2/issuers/OTHER00001/cards', `Bearer ${NEW_TOKEN}`,
        { method: 'POST', body: pending('card-5') });
      assert.equal(other.status, 404);
    });
});

test('the admin listener: its own token on every route; D1\'s token and D1\'s listener do not reach it', async () => {
  await withReceiver({ BEARER_TOKENS: NEW_TOKEN, ADMIN_TOKENS: ADMIN_TOKEN }, async ({ receiver }) => {
    assert.equal((await call(receiver.url, NOTIFY, `Bearer ${NEW_TOKEN}`, { method: 'POST', body: pending('card-1') })).status, 204);
    for (const path of ['/cards/card-1', '/metrics', '/healthz']) {
      for (const authorization of [undefined, `Bearer ${NEW_TOKEN}`, `Bearer ${ADMIN_TOKEN}-`]) {
        const res = await call(receiver.adminUrl, path, authorization);
        assert.equal(res.status, 401, `${path} ${authorization}`);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="admin"');
      }
      assert.equal((await call(receiver.adminUrl, path, `Bearer ${ADMIN_TOKEN}`)).status, 200, path);
      assert.equal((await call(receiver.adminUrl, path, `Bearer ${ADMIN_TOKEN}`, { method: 'HEAD' })).status, 200, `HEAD ${path}`);
    }
    const request = await call(receiver.adminUrl, '/cards/card-2/tracking-requests', `Bearer ${NEW_TOKEN}`,
      { method: 'POST', body: '{"trackingType":"RETURN"}' });
    assert.equal(request.status, 401);
    // D1's listener serves no card, metric or request, whatever the token.
    for (const [method, path] of [['GET', '/cards/card-1'], ['GET', '/metrics'], ['POST', '/cards/card-1/tracking-requests']]) {
      for (const token of [NEW_TOKEN, ADMIN_TOKEN]) {
        const res = await call(receiver.url, path, `Bearer ${token}`, { method, body: method === 'POST' ? '{"trackingType":"RETURN"}' : undefined });
        assert.equal(res.status, 404, `${method} ${path}`);
      }
    }
    // D1's health check is open (a load balancer probes it) and tells nothing more than its status.
    const health = await fetch(`${receiver.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(`${receiver.url}/healthz`, { method: 'HEAD' })).status, 200);
  });
});

test('the admin listener is on loopback by default; the configuration is logged without a secret', async () => {
  await withReceiver({ BEARER_TOKENS: NEW_TOKEN, ADMIN_TOKENS: ADMIN_TOKEN }, async ({ receiver }) => {
    const listening = receiver.entries.find((e) => e.event === 'listening');
    assert.equal(listening.adminHost, '127.0.0.1');
    assert.equal(listening.host, '0.0.0.0');
    const { config } = receiver.entries.find((e) => e.event === 'configuration');
    assert.equal(config.tokens, '1 token(s)');
    assert.equal(config.adminTokens, '1 token(s)');
    assert.equal(config.auth, 'token');
    const log = JSON.stringify(receiver.entries) + receiver.stderr();
    assert.ok(!log.includes(NEW_TOKEN) && !log.includes(ADMIN_TOKEN), 'a token was logged');
    // From another address of this machine, D1's port answers and the admin port does not.
    const other = Object.values(networkInterfaces()).flat().find((a) => a.family === 'IPv4' && !a.internal);
    if (other !== undefined) {
      const { port } = new URL(receiver.url);
      const { port: adminPort } = new URL(receiver.adminUrl);
      assert.equal((await fetch(`http://${other.address}:${port}/healthz`)).status, 200);
      await assert.rejects(fetch(`http://${other.address}:${adminPort}/healthz`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }));
    } else {
      process.stdout.write('# no non-loopback IPv4 address here: the admin address is checked from the log only\n');
    }
  });
});

/** A key pair, its public JWKS, and a signer of tokens with chosen claims. */
async function keys(kid) {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const sign = ({ iss = 'https://bank.example/oauth', aud = 'd1-tracking-receiver', exp = '5m', iat } = {}) => {
    const jwt = new SignJWT({ scope: 'd1.notifications' }).setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer(iss).setAudience(aud).setExpirationTime(exp);
    if (iat !== undefined) jwt.setIssuedAt(iat);
    return jwt.sign(privateKey);
  };
  return { jwks: { keys: [jwk] }, sign };
}

const JWT_ENV = { JWT_ISSUER: 'https://bank.example/oauth', JWT_AUDIENCE: 'd1-tracking-receiver', JWT_CLOCK_SKEW_S: '30' };

test('JWTs from a key set file: issuer, audience, expiry with the stated skew, the key and the algorithm are checked', async () => {
  const bank = await keys('bank-1');
  const stranger = await keys('bank-1');
  const dir = mkdtempSync(join(tmpdir(), 'd1t-jwks-'));
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify(bank.jwks));
  try {
    await withReceiver({ JWKS_FILE: file, ...JWT_ENV, BEARER_TOKENS: NEW_TOKEN }, async ({ receiver }) => {
      const now = Math.floor(Date.now() / 1000);
      const notify = (token, card) => call(receiver.url, NOTIFY, `Bearer ${token}`, { method: 'POST', body: pending(card) });
      assert.equal((await notify(await bank.sign(), 'card-1')).status, 204);
      // Expired 10 s ago: within the 30 s skew.
      assert.equal((await notify(await bank.sign({ exp: now - 10 }), 'card-2')).status, 204);
      // A static token still passes beside the key set.
      assert.equal((await notify(NEW_TOKEN, 'card-3')).status, 204);
      const unsecured = new UnsecuredJWT({}).setIssuer(JWT_ENV.JWT_ISSUER).setAudience(JWT_ENV.JWT_AUDIENCE)
        .setExpirationTime('5m').encode();
      for (const [why, token] of [
        ['expired past the skew', await bank.sign({ exp: now - 120 })],
        ['another audience', await bank.sign({ aud: 'another-service' })],
        ['another issuer', await bank.sign({ iss: 'https://attacker.example' })],
        ['signed by a key not in the set', await stranger.sign()],
        ['alg none', unsecured],
        ['not a JWT', 'a.b.c'],
      ]) {
        const res = await notify(token, 'card-9');
        assert.equal(res.status, 401, why);
        assert.equal((await res.json()).code, 'UNAUTHORIZED', why);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JWTs from a key set URL: fetched from the bank, and 503 (D1 retries) while it cannot be fetched', async () => {
  const bank = await keys('bank-url');
  const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(bank.jwks)));
  const port = await freePort();
  const down = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    await withReceiver({ JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, ...JWT_ENV }, async ({ receiver }) => {
      const res = await call(receiver.url, NOTIFY, `Bearer ${await bank.sign()}`, { method: 'POST', body: pending('card-1') });
      assert.equal(res.status, 204);
    });
    await withReceiver({ JWKS_URL: `http://127.0.0.1:${down}/jwks.json`, ...JWT_ENV }, async ({ receiver }) => {
      const res = await call(receiver.url, NOTIFY, `Bearer ${await bank.sign()}`, { method: 'POST', body: pending('card-1') });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal((await res.json()).code, 'KEYS_UNAVAILABLE');
    });
  } finally {
    server.close();
  }
});

test('no start without credentials: exit 2 naming the variable; AUTH=proxy states a verifying proxy in front', async () => {
  const main = fileURLToPath(new URL('../src/main.mjs', import.meta.url));
  const start = (env) => spawnSync(process.execPath, [main], {
    env: { PATH: process.env.PATH, SQLITE_PATH: '/nonexistent/never-opened.db', ...env }, encoding: 'utf8', timeout: 10_000,
  });
  for (const [env, expected] of [
    [{}, /^d1-tracking-receiver: BEARER_TOKENS: no credentials for D1's calls/],
    [{ BEARER_TOKEN: '' }, /BEARER_TOKENS: no credentials/],
    [{ BEARER_TOKENS: NEW_TOKEN }, /^d1-tracking-receiver: ADMIN_TOKENS: no credentials for the admin listener/],
    [{ BEARER_TOKENS: 'short', ADMIN_TOKENS: ADMIN_TOKEN }, /BEARER_TOKENS: expected tokens of at least 16/],
    [{ BEARER_TOKENS: NEW_TOKEN, ADMIN_TOKENS: `${ADMIN_TOKEN},${NEW_TOKEN}` }, /ADMIN_TOKENS: a token is in both/],
    [{ AUTH: 'proxy', BEARER_TOKENS: NEW_TOKEN, ADMIN_TOKENS: ADMIN_TOKEN }, /AUTH: AUTH=proxy checks no token here/],
    [{ AUTH: 'none', ADMIN_TOKENS: ADMIN_TOKEN }, /AUTH: expected "token" or "proxy", got "none"/],
    [{ JWKS_FILE: '/nonexistent.json', ADMIN_TOKENS: ADMIN_TOKEN }, /JWT_ISSUER: required with a key set/],
    [{ JWKS_FILE: '/nonexistent.json', ...JWT_ENV, ADMIN_TOKENS: ADMIN_TOKEN }, /JWKS_FILE: expected a readable JSON Web Key Set/],
    [{ JWT_ALGORITHMS: 'HS256', JWKS_URL: 'https://bank.example/jwks', ...JWT_ENV, ADMIN_TOKENS: ADMIN_TOKEN }, /JWT_ALGORITHMS: expected a list of/],
    [{ HOST: 'localhost', BEARER_TOKENS: NEW_TOKEN, ADMIN_TOKENS: ADMIN_TOKEN }, /HOST: expected an IP address/],
  ]) {
    const run = start(env);
    assert.equal(run.status, 2, `${JSON.stringify(env)}: ${run.stderr}${run.stdout}`);
    assert.match(run.stderr, expected, JSON.stringify(env));
  }
  // With AUTH=proxy (and ADMIN_AUTH=proxy) it starts and takes calls without a token.
  await withReceiver({ AUTH: 'proxy', ADMIN_AUTH: 'proxy' }, async ({ receiver }) => {
    assert.equal((await fetch(receiver.url + NOTIFY, { method: 'POST', body: pending('card-1') })).status, 204);
    assert.equal((await fetch(`${receiver.adminUrl}/cards/card-1`)).status, 200);
    const { config } = receiver.entries.find((e) => e.event === 'configuration');
    assert.equal(config.auth, 'proxy');
    assert.equal(config.adminAuth, 'proxy');
  });
});
