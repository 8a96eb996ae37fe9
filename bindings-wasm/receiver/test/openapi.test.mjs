// openapi.yaml against the receiver (README, "The API document"): the
// document is linted; a real receiver (SQLite) is sent a request for each
// documented status of each operation (PROBES), and every answer is checked
// against the document — its status documented for the operation, the
// headers marked required present and valid, the body valid against the
// schema (Ajv, JSON Schema 2020-12); and the other way round, every route of
// src/http.mjs is a path of the document, every method the document lists is
// served, and the methods and paths it does not list are not.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import Database from 'better-sqlite3';
import { parse } from 'yaml';

import { ISSUER, pending } from './bodies.mjs';
import { ROUTE_NAMES } from '../src/http.mjs';
import { TEST_ADMIN_TOKEN, TEST_TOKEN, startReceiver } from './harness.mjs';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const RECEIVER = fileURLToPath(new URL('..', import.meta.url));
const DOC = parse(readFileSync(join(RECEIVER, 'openapi.yaml'), 'utf8'));
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'];
/** The document's servers, by the listener they are. */
const LISTENER_OF_SERVER = { 'http://{host}:{port}': 'd1', 'http://{adminHost}:{adminPort}': 'admin' };
const MAX_BODY_BYTES = 4096;
/** The admin routes' body limit (src/http.mjs). */
const ADMIN_BODY_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------
// The document: its operations, and a validator of answers against it.

/** The object a `$ref` of the document points at (or `node` itself). */
function deref(node) {
  let seen = 0;
  while (node?.$ref !== undefined) {
    assert.ok(node.$ref.startsWith('#/') && seen++ < 10, `unsupported $ref ${node.$ref}`);
    node = node.$ref.slice(2).split('/').reduce((o, key) => o?.[key.replaceAll('~1', '/').replaceAll('~0', '~')], DOC);
    assert.ok(node !== undefined, 'a $ref that points nowhere');
  }
  return node;
}

/** operationId → {id, path, method, operation, listeners, parameters}. */
const OPERATIONS = new Map();
for (const [path, item] of Object.entries(DOC.paths)) {
  const listeners = (item.servers ?? DOC.servers).map((s) => {
    assert.ok(s.url in LISTENER_OF_SERVER, `${path}: a server this test does not know: ${s.url}`);
    return LISTENER_OF_SERVER[s.url];
  });
  for (const method of METHODS) {
    const operation = item[method];
    if (operation === undefined) continue;
    const parameters = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(deref);
    OPERATIONS.set(operation.operationId, { id: operation.operationId, path, method, operation, listeners, parameters });
  }
}

/** A path of the document with its parameters filled in (`params`, else each parameter's example). */
function fill(op, params = {}) {
  return op.path.replace(/\{(\w+)\}/g, (_, name) => {
    const value = params[name] ?? op.parameters.find((p) => p.name === name && p.in === 'path')?.example;
    assert.ok(value !== undefined, `${op.id}: no value for {${name}}`);
    return encodeURIComponent(String(value));
  });
}

const SCHEMAS_ID = 'urn:d1-tracking-receiver:openapi';
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
addFormats(ajv);
/** The document's component schemas' references, made to point into the schema registered with Ajv. */
const rebase = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${SCHEMAS_ID}#/$defs/`));
ajv.addSchema({ $id: SCHEMAS_ID, $defs: rebase(DOC.components.schemas) });
const compiled = new Map();
function validator(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
  return compiled.get(key);
}
/** Ajv's complaints about `value` against `schema`, as text ('' when valid). */
function complaints(schema, value, name) {
  const validate = validator(schema);
  return validate(value) ? '' : ajv.errorsText(validate.errors, { dataVar: name, separator: '; ' });
}
/** A header's or a parameter's text as its schema's type reads it. */
const typed = (schema, text) => (['integer', 'number'].includes(deref(schema).type) && /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text);

/**
 * What is wrong with `answer` ({status, headers, text}) as an answer of
 * `op` (method `method`): a list of sentences naming the operation, the
 * status and the header or field.
 */
function check(op, method, answer) {
  const where = `${op.id} (${method.toUpperCase()} ${op.path}) → ${answer.status}`;
  const responses = op.operation.responses;
  const documented = responses[String(answer.status)] ?? responses[`${String(answer.status)[0]}XX`] ?? responses.default;
  if (documented === undefined) {
    return [`${where}: status not documented (documented: ${Object.keys(responses).join(', ')}); body ${answer.text.slice(0, 300)}`];
  }
  const response = deref(documented);
  const problems = [];
  for (const [name, ref] of Object.entries(response.headers ?? {})) {
    const header = deref(ref);
    const value = answer.headers[name.toLowerCase()];
    if (value === undefined) {
      if (header.required) problems.push(`${where}: header ${name} is required and missing`);
      continue;
    }
    const wrong = complaints(header.schema, typed(header.schema, value), `header ${name}`);
    if (wrong) problems.push(`${where}: ${wrong} (was ${JSON.stringify(value)})`);
  }
  if (method === 'head') {
    if (answer.text !== '') problems.push(`${where}: HEAD answered with a body`);
    return problems;
  }
  if (response.content === undefined) {
    if (answer.text !== '') problems.push(`${where}: no body documented, got ${answer.text.slice(0, 200)}`);
    return problems;
  }
  const type = answer.headers['content-type'];
  const normal = (t) => t.toLowerCase().replace(/\s*;\s*/g, '; ');
  const mediaType = Object.keys(response.content).find((m) => type !== undefined && normal(m) === normal(type));
  if (mediaType === undefined) {
    return [...problems, `${where}: Content-Type ${type} is not one documented (${Object.keys(response.content).join(', ')})`];
  }
  let body = answer.text;
  if (mediaType.startsWith('application/json')) {
    try {
      body = JSON.parse(answer.text);
    } catch (err) {
      return [...problems, `${where}: the body is not JSON: ${err.message}`];
    }
  }
  const wrong = complaints(response.content[mediaType].schema, body, 'body');
  if (wrong) problems.push(`${where}: ${wrong}; body ${answer.text.slice(0, 300)}`);
  return problems;
}

// ---------------------------------------------------------------------------
// HTTP, with nothing done for us: the target is sent as written, HEAD and
// every header are seen as they are.

/**
 * Sends one request on a connection of its own; resolves to `{status,
 * headers, text}`. `stall`: send the body a byte every 100 ms, never its
 * last one, and wait for the answer (a request that never arrives whole, on
 * a connection that is never idle).
 */
function send(base, { method = 'GET', path, token, headers = {}, body, stall = false }) {
  const { hostname, port } = new URL(base);
  const bytes = body === undefined ? undefined : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = request({
      host: hostname, port, method, path, agent: false,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(bytes === undefined ? {} : { 'content-type': 'application/json', 'content-length': bytes.length }),
        ...headers,
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    req.on('error', reject);
    if (stall) {
      let sent = 0;
      const dribble = setInterval(() => {
        if (sent < bytes.length - 1) req.write(bytes.subarray(sent, ++sent));
      }, 100);
      req.on('close', () => clearInterval(dribble));
    } else {
      req.end(bytes);
    }
  });
}

/** The answer of a route that does not exist (src/http.mjs: 404 NOT_FOUND "no route for …"). */
const isNoRoute = (answer) => answer.status === 404 && /"code":"NOT_FOUND".*"message":"no route for /.test(answer.text);

// ---------------------------------------------------------------------------
// The probes: for each operation, requests that make each documented
// status, in order (later ones use what earlier ones wrote). An entry:
//   op        the operationId
//   status    the status it must answer
//   on        the listeners to send it to (default: every listener of the operation)
//   auth      true (the listener's token, the default), false (none) or a token
//   params    path parameters (default: the parameters' examples), or ctx => params
//   query     a query string ('?status=open')
//   body      the request body (text, or an object sent as JSON), or ctx => body
//   locked    sent while the test holds SQLite's write lock (the database cannot commit)
//   until     (answer, json) => true once the answer is the one wanted (sent again meanwhile)
//   undocumentedBody  a 2xx for a body the document's request schema does not describe (else it must)
//   then      (json, ctx) => void: keeps what later probes need
// A documented status no probe makes is listed in NOT_PROBED with its reason.

const BOTH = ['d1', 'admin'];
const invalidOperation = { ...JSON.parse(pending('card-3')).operations[0], operationId: 'op-bad', status: 'NOT_A_STATUS' };
const PROBES = [
  // D1's notification route.
  { op: 'postNotifications', status: 204, body: pending('card-1') },
  // An operation D1 would not send (not as the document describes it) is a dead letter of a 204, not a 400.
  { op: 'postNotifications', status: 204, body: { operations: [JSON.parse(pending('card-parked')).operations[0], invalidOperation] }, undocumentedBody: true },
  { op: 'postNotifications', status: 400, body: '{"operations":[{"operationId":"x"' },
  { op: 'postNotifications', status: 400, body: '{"operations":{}}' },
  { op: 'postNotifications', status: 401, auth: false, body: pending('card-1') },
  { op: 'postNotifications', status: 401, auth: 'not-the-token-000000000000', body: pending('card-1') },
  { op: 'postNotifications', status: 401, auth: TEST_ADMIN_TOKEN, body: pending('card-1') },
  { op: 'postNotifications', status: 404, params: { issuerId: 'ISSUER0002' }, body: pending('card-1') },
  { op: 'postNotifications', status: 413, body: 'x'.repeat(MAX_BODY_BYTES + 100) },
  { op: 'postNotifications', status: 408, body: pending('card-1'), stall: true },

  // The probes, on both listeners (401 on the admin one only).
  ...['getLivez', 'headLivez', 'getReadyz', 'headReadyz', 'getHealthz', 'headHealthz'].flatMap((op) => [
    { op, status: 200, on: BOTH },
    { op, status: 401, on: ['admin'], auth: false },
  ]),

  // The admin listener.
  { op: 'getMetrics', status: 200 },
  { op: 'getMetrics', status: 401, auth: false },
  { op: 'getMetrics', status: 401, auth: TEST_TOKEN },
  { op: 'headMetrics', status: 200 },
  { op: 'headMetrics', status: 401, auth: false },

  { op: 'getCard', status: 200, params: { cardId: 'card-1' } },
  { op: 'getCard', status: 404, params: { cardId: 'card-none' } },
  { op: 'getCard', status: 401, auth: false, params: { cardId: 'card-1' } },
  { op: 'headCard', status: 200, params: { cardId: 'card-1' } },
  { op: 'headCard', status: 404, params: { cardId: 'card-none' } },
  { op: 'headCard', status: 401, auth: false },

  { op: 'getIssuerCard', status: 200, params: { cardId: 'card-1' } },
  { op: 'getIssuerCard', status: 404, params: { cardId: 'card-none' } },
  { op: 'getIssuerCard', status: 401, auth: false },
  { op: 'headIssuerCard', status: 200, params: { cardId: 'card-1' } },
  { op: 'headIssuerCard', status: 404, params: { cardId: 'card-none' } },
  { op: 'headIssuerCard', status: 401, auth: false },

  // ISSUER_ID is set: the routes without an issuer mean it, and another issuer is 404.
  { op: 'getIssuerCard', status: 404, params: { issuerId: 'ISSUER0002', cardId: 'card-1' } },
  { op: 'postTrackingRequest', status: 200, params: { cardId: 'card-9' }, body: { trackingType: 'SHIPMENT', atMs: 1772441000000 } },
  { op: 'postIssuerTrackingRequest', status: 404, params: { issuerId: 'ISSUER0002', cardId: 'card-1' }, body: { trackingType: 'RETURN' } },
  { op: 'postIssuerTrackingRequest', status: 200, params: { cardId: 'card-7' }, body: { trackingType: 'SHIPMENT', atMs: 1772441000000 } },
  { op: 'postIssuerTrackingRequest', status: 200, params: { cardId: 'card-7' }, body: { trackingType: 'SHIPMENT', atMs: 1772441000000 } },
  { op: 'postIssuerTrackingRequest', status: 400, params: { cardId: 'card-7' }, body: 'nope' },
  { op: 'postIssuerTrackingRequest', status: 401, auth: false, body: { trackingType: 'SHIPMENT' } },
  { op: 'postIssuerTrackingRequest', status: 413, body: 'x'.repeat(ADMIN_BODY_BYTES + 100) },
  { op: 'postTrackingRequest', status: 200, params: { cardId: 'card-1' }, body: { trackingType: 'RETURN' } },
  { op: 'postTrackingRequest', status: 400, params: { cardId: 'card-1' }, body: { trackingType: 'UNTYPED' } },
  { op: 'postTrackingRequest', status: 400, params: { cardId: 'card-1' }, body: { trackingType: 'SHIPMENT', atMs: -1 } },
  { op: 'postTrackingRequest', status: 400, body: '[1]' },
  { op: 'postTrackingRequest', status: 400, body: 'nope' },
  { op: 'postTrackingRequest', status: 401, auth: false, body: { trackingType: 'SHIPMENT' } },
  { op: 'postTrackingRequest', status: 413, body: 'x'.repeat(ADMIN_BODY_BYTES + 100) },


  // card-parked's changes are refused by the outbox callback (see the env below) until its queue is parked.
  { op: 'getParkedOutbox', status: 200, until: (_, json) => json.parked.length > 0 },
  { op: 'getParkedOutbox', status: 401, auth: false },
  { op: 'headParkedOutbox', status: 200 },
  { op: 'headParkedOutbox', status: 401, auth: false },
  { op: 'redriveOutbox', status: 200, params: { cardId: 'card-parked' }, then: (json) => assert.ok(json.rows >= 1) },
  { op: 'redriveOutbox', status: 200, params: { cardId: 'card-none' } },
  { op: 'redriveIssuerOutbox', status: 404, params: { issuerId: 'ISSUER0002', cardId: 'card-1' } },
  { op: 'redriveOutbox', status: 401, auth: false },
  { op: 'redriveIssuerOutbox', status: 200, params: { cardId: 'card-none' }, then: (json) => assert.equal(json.rows, 0) },
  { op: 'redriveIssuerOutbox', status: 401, auth: false },

  { op: 'listDeadLetters', status: 200, then: (json, ctx) => {
    // The letters of the bodies above, by code: FIELD_INVALID_VALUE (an operation), PARSING_ERROR, FIELD_*, PAYLOAD_TOO_LARGE.
    ctx.letter = (code) => json.deadLetters.find((l) => l.code === code).id;
    assert.ok(json.deadLetters.length >= 4);
  } },
  { op: 'listDeadLetters', status: 200, query: '?status=open&code=PARSING_ERROR&after=0&limit=10' },
  { op: 'listDeadLetters', status: 200, query: '?status=discarded' },
  { op: 'listDeadLetters', status: 401, auth: false },
  { op: 'headDeadLetters', status: 200 },
  { op: 'headDeadLetters', status: 401, auth: false },

  { op: 'redriveDeadLetters', status: 200, body: { dryRun: true }, then: (json) => assert.ok(json.results.every((r) => r.dryRun)) },
  { op: 'redriveDeadLetters', status: 200, body: { ids: [999999999] }, then: (json) => assert.equal(json.results[0].outcome, 'missing') },
  { op: 'redriveDeadLetters', status: 200, body: (ctx) => ({ ids: [ctx.letter('FIELD_INVALID_VALUE')] }),
    then: (json) => assert.equal(json.results[0].outcome, 'failed again') },
  { op: 'redriveDeadLetters', status: 200, body: (ctx) => ({ ids: [ctx.letter('FIELD_INVALID_VALUE')] }),
    then: (json) => assert.equal(json.results[0].outcome, 'not open') },
  { op: 'redriveDeadLetters', status: 400, body: 'nope' },
  { op: 'redriveDeadLetters', status: 400, body: { ids: 'all' } },
  { op: 'redriveDeadLetters', status: 401, auth: false, body: {} },
  { op: 'redriveDeadLetters', status: 413, body: 'x'.repeat(ADMIN_BODY_BYTES + 100) },

  { op: 'discardDeadLetter', status: 200, params: (ctx) => ({ id: ctx.letter('PARSING_ERROR') }) },
  { op: 'discardDeadLetter', status: 409, params: (ctx) => ({ id: ctx.letter('PARSING_ERROR') }) },
  { op: 'discardDeadLetter', status: 404, params: { id: 999999999 } },
  { op: 'discardDeadLetter', status: 401, auth: false },

  // While SQLite's write lock is held elsewhere, what must write answers 503 (with Retry-After).
  { op: 'postNotifications', status: 503, locked: true, body: pending('card-2') },
  ...['getReadyz', 'headReadyz', 'getHealthz', 'headHealthz'].map((op) => ({ op, status: 503, on: BOTH, locked: true })),
  { op: 'postTrackingRequest', status: 503, locked: true, params: { cardId: 'card-1' }, body: { trackingType: 'PRODUCTION' } },
  { op: 'postIssuerTrackingRequest', status: 503, locked: true, params: { cardId: 'card-8' }, body: { trackingType: 'PRODUCTION' } },
  { op: 'redriveOutbox', status: 503, locked: true, params: { cardId: 'card-parked' } },
  { op: 'redriveIssuerOutbox', status: 503, locked: true, params: { cardId: 'card-parked' } },
  { op: 'redriveDeadLetters', status: 503, locked: true, body: (ctx) => ({ ids: [ctx.letter('PAYLOAD_TOO_LARGE')] }) },
  { op: 'discardDeadLetter', status: 503, locked: true, params: (ctx) => ({ id: ctx.letter('PAYLOAD_TOO_LARGE') }) },
];

/** Documented statuses no probe makes, and why: `[operationIds, status, reason]`. */
const NOT_PROBED = [
  [[...OPERATIONS.keys()].filter((id) => id !== 'postNotifications'), 408,
    "Node's own answer before any route (the one RequestTimeout response); probed on postNotifications"],
  [['getMetrics', 'headMetrics', 'getCard', 'headCard', 'getParkedOutbox', 'headParkedOutbox', 'listDeadLetters', 'headDeadLetters'], 503,
    "reads: they fail only when the database does (PostgreSQL unreachable), which SQLite's write lock held elsewhere does not make"],
  [['getIssuerCard', 'headIssuerCard'], 503, 'reads, as above'],
  [['getCard', 'headCard', 'postTrackingRequest', 'redriveOutbox'], 409,
    'several issuers holding one card id needs a receiver without ISSUER_ID; these probes set it (test/issuers.test.mjs makes the 409)'],
  [['redriveOutbox'], 400, 'ISSUER_REQUIRED needs a receiver without ISSUER_ID; these probes set it'],
];

/** The receiver the probes are sent to: one worker on a SQLite file, every limit the probes need small. */
async function withReceiver(extraEnv, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-openapi-'));
  const refuse = join(dir, 'refuse.mjs');
  writeFileSync(refuse, `export default async (rows) => {
    if (rows.some((r) => r.cardId === 'card-parked')) throw new Error('the bank refused card-parked');
  };\n`);
  const receiver = await startReceiver({
    WORKERS: '1', SQLITE_PATH: join(dir, 'receiver.db'), RECONCILE_INTERVAL_MS: '0', RETENTION_INTERVAL_MS: '0',
    ISSUER_ID: ISSUER, MAX_BODY_BYTES: String(MAX_BODY_BYTES), SQLITE_BUSY_TIMEOUT_MS: '100',
    REQUEST_TIMEOUT_MS: '1000', HEADERS_TIMEOUT_MS: '1000',
    OUTBOX_MODULE: refuse, OUTBOX_POLL_MS: '20', OUTBOX_MAX_ATTEMPTS: '1', OUTBOX_RETRY_MS: '10',
    ...extraEnv,
  });
  try {
    return await fn({ receiver, db: join(dir, 'receiver.db') });
  } finally {
    if (receiver.proc.exitCode === null) await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const TOKENS = { d1: TEST_TOKEN, admin: TEST_ADMIN_TOKEN };
const baseOf = (receiver, listener) => (listener === 'd1' ? receiver.url : receiver.adminUrl);

// ---------------------------------------------------------------------------

test('openapi.yaml passes Redocly CLI\'s lint (redocly.yaml: recommended-strict and the receiver\'s own rules)', () => {
  const cli = join(RECEIVER, 'node_modules', '@redocly', 'cli', JSON.parse(readFileSync(join(RECEIVER, 'node_modules', '@redocly', 'cli', 'package.json'), 'utf8')).bin.redocly);
  const run = spawnSync(process.execPath, [cli, 'lint', 'openapi.yaml', '--config', 'redocly.yaml', '--format', 'stylish'], {
    cwd: RECEIVER, encoding: 'utf8', timeout: 60_000,
    // Offline, and nothing sent anywhere: no telemetry, no update check.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
  });
  assert.equal(run.status, 0, `redocly lint failed:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout + run.stderr, /valid/i);
});

test('the document: OpenAPI 3.1.0 at the package\'s version, unique operation ids, every component schema compiles as JSON Schema 2020-12', () => {
  const pkg = JSON.parse(readFileSync(join(RECEIVER, 'package.json'), 'utf8'));
  assert.equal(DOC.openapi, '3.1.0');
  assert.equal(DOC.info.version, pkg.version, 'info.version must be package.json\'s version');
  const ids = [];
  for (const item of Object.values(DOC.paths)) for (const m of METHODS) if (item[m]) ids.push(item[m].operationId);
  assert.equal(new Set(ids).size, ids.length, 'operationIds must be unique');
  for (const name of Object.keys(DOC.components.schemas)) {
    assert.ok(ajv.getSchema(`${SCHEMAS_ID}#/$defs/${name}`), `components.schemas.${name} does not compile`);
  }
  // Every GET is answered to HEAD too, and the document says so.
  for (const [path, item] of Object.entries(DOC.paths)) {
    if (item.get) assert.ok(item.head, `${path}: GET without HEAD`);
  }
});

test('CardView holds every view of the library\'s sample views (core/examples/data/sample-views.json)', () => {
  const samples = JSON.parse(readFileSync(join(RECEIVER, '..', '..', 'core', 'examples', 'data', 'sample-views.json'), 'utf8'));
  assert.ok(samples.cards.length > 0);
  for (const card of samples.cards) {
    assert.equal(complaints({ $ref: '#/components/schemas/CardView' }, card, card.cardId), '');
  }
});

test('every documented status of every operation, made by a real request: the answer is what the document says', { timeout: 120_000 }, async () => {
  await withReceiver({}, async ({ receiver, db }) => {
    const ctx = { letter: () => { throw new Error('no dead letters listed yet: the first listDeadLetters probe failed'); } };
    const problems = [];
    const made = new Set();
    let lock = null;
    try {
      for (const probe of PROBES) {
        const op = OPERATIONS.get(probe.op);
        assert.ok(op, `PROBES names an operation the document does not have: ${probe.op}`);
        if (probe.locked && lock === null) {
          lock = new Database(db);
          lock.exec('BEGIN EXCLUSIVE');
        } else if (!probe.locked && lock !== null) {
          lock.exec('ROLLBACK');
          lock.close();
          lock = null;
        }
        const params = typeof probe.params === 'function' ? probe.params(ctx) : probe.params;
        const path = fill(op, params) + (probe.query ?? '');
        for (const parameter of op.parameters.filter((p) => p.in === 'path')) {
          const value = decodeURIComponent(path.split('?')[0].split('/')[op.path.split('/').indexOf(`{${parameter.name}}`)]);
          const wrong = complaints(parameter.schema, typed(parameter.schema, value), `parameter ${parameter.name}`);
          assert.equal(wrong, '', `${probe.op}: a probe whose path the document does not allow`);
        }
        let body = typeof probe.body === 'function' ? probe.body(ctx) : probe.body;
        if (body !== undefined && typeof body !== 'string') body = JSON.stringify(body);
        if (probe.status < 300 && body !== undefined && op.operation.requestBody && !probe.undocumentedBody) {
          // What the server accepts, the document's request schema must accept.
          const schema = deref(op.operation.requestBody).content['application/json'].schema;
          const wrong = complaints(schema, JSON.parse(body), 'request body');
          if (wrong) problems.push(`${probe.op}: a request answered ${probe.status} is refused by the document: ${wrong}`);
        }
        for (const listener of probe.on ?? op.listeners) {
          assert.ok(op.listeners.includes(listener), `${probe.op}: the document does not put it on ${listener}'s listener`);
          const token = probe.auth === false ? undefined : typeof probe.auth === 'string' ? probe.auth : TOKENS[listener];
          const request = { method: op.method.toUpperCase(), path, token, body, stall: probe.stall };
          const label = `${probe.op} on ${listener}'s listener (${request.method} ${path})`;
          let answer;
          try {
            answer = await send(baseOf(receiver, listener), request);
            for (let i = 0; probe.until && i < 100 && !(answer.status === probe.status && probe.until(answer, JSON.parse(answer.text))); i++) {
              await new Promise((r) => setTimeout(r, 100));
              answer = await send(baseOf(receiver, listener), request);
            }
          } catch (err) {
            problems.push(`${label}: no answer: ${err.message}`);
            continue;
          }
          if (answer.status !== probe.status) {
            problems.push(`${label}: the probe expects ${probe.status}, the server answered ${answer.status} ${answer.text.slice(0, 300)}`);
            continue;
          }
          made.add(`${probe.op} ${probe.status}`);
          problems.push(...check(op, op.method, answer).map((p) => `${p} [on ${listener}'s listener]`));
          if (probe.then) probe.then(answer.text === '' ? null : JSON.parse(answer.text), ctx);
        }
      }
    } finally {
      if (lock !== null) {
        lock.exec('ROLLBACK');
        lock.close();
      }
    }
    assert.deepEqual(problems, [], `answers that differ from openapi.yaml:\n${problems.join('\n')}`);

    // Every documented status was made, or is listed with the reason it is not.
    const excused = new Set(NOT_PROBED.flatMap(([ids, status]) => ids.map((id) => `${id} ${status}`)));
    const missing = [...OPERATIONS.values()].flatMap((op) => Object.keys(op.operation.responses).map((s) => `${op.id} ${s}`))
      .filter((key) => !made.has(key) && !excused.has(key));
    assert.deepEqual(missing, [], 'documented statuses that no probe makes (add a probe to PROBES, or a reason to NOT_PROBED)');
    const stale = [...excused].filter((key) => made.has(key) || !OPERATIONS.get(key.split(' ')[0])?.operation.responses[key.split(' ')[1]]);
    assert.deepEqual(stale, [], 'NOT_PROBED lists statuses that a probe makes, or that the document does not have');
  });
});

test('the other way round: src/http.mjs routes nothing the document lacks; the document lists nothing the server does not serve', { timeout: 120_000 }, async () => {
  // Each route of src/http.mjs (a route's regular expression, or a path compared
  // as text) is a path of the document.
  const source = readFileSync(join(RECEIVER, 'src', 'http.mjs'), 'utf8');
  const routes = ROUTE_NAMES.map(([name, re]) => ({ name, re }));
  const literals = [...new Set([...source.matchAll(/path === '(\/[^']*)'/g)].map((m) => m[1]))];
  assert.ok(routes.length >= 5 && literals.length >= 5, 'src/http.mjs no longer routes as this test reads it: update the test');
  const samples = Object.keys(DOC.paths).map((path) => fill([...OPERATIONS.values()].find((op) => op.path === path)));
  for (const { name, re } of routes) {
    assert.ok(samples.some((s) => re.test(s)), `src/http.mjs's ${name} (${re}) matches no path of openapi.yaml`);
  }
  for (const literal of literals) assert.ok(literal in DOC.paths, `src/http.mjs routes ${literal}, which openapi.yaml lacks`);

  await withReceiver({}, async ({ receiver }) => {
    const problems = [];
    const errorSchema = { $ref: '#/components/schemas/Error' };
    const notServed = (answer, what) => {
      if (!(answer.status === 404 || answer.status === 405)) {
        problems.push(`${what}: not in openapi.yaml, but the server answers ${answer.status} ${answer.text.slice(0, 200)}`);
      } else if (answer.text !== '') {
        const wrong = complaints(errorSchema, JSON.parse(answer.text), 'body');
        if (wrong) problems.push(`${what}: ${wrong}`);
        if (answer.status === 404 && !isNoRoute(answer)) problems.push(`${what}: a 404 that is not "no route": ${answer.text}`);
        if (answer.status === 405 && !answer.text.includes('"METHOD_NOT_ALLOWED"')) problems.push(`${what}: ${answer.text}`);
      }
    };
    for (const [path, item] of Object.entries(DOC.paths)) {
      const op0 = [...OPERATIONS.values()].find((op) => op.path === path);
      const sample = fill(op0);
      for (const listener of BOTH) {
        const base = baseOf(receiver, listener);
        const token = TOKENS[listener];
        if (!op0.listeners.includes(listener)) {
          // A path of one listener is no route on the other.
          for (const method of METHODS.filter((m) => item[m] && m !== 'head')) {
            const answer = await send(base, { method: method.toUpperCase(), path: sample, token, body: method === 'post' ? '{}' : undefined });
            if (!isNoRoute(answer)) problems.push(`${method.toUpperCase()} ${sample} on ${listener}'s listener: expected 404 no route, got ${answer.status} ${answer.text.slice(0, 200)}`);
          }
          continue;
        }
        const gets = {};
        for (const method of METHODS) {
          const what = `${method.toUpperCase()} ${sample} on ${listener}'s listener`;
          const body = ['post', 'put', 'patch'].includes(method) ? '{}' : undefined;
          const answer = await send(base, { method: method.toUpperCase(), path: sample, token, body });
          if (item[method]) {
            // Documented: served (neither "no route" nor 405), and as the document says.
            if (method === 'head') {
              if (answer.status !== gets.status) problems.push(`${what}: ${answer.status}, but GET answers ${gets.status}`);
            } else if (isNoRoute(answer) || answer.status === 405) {
              problems.push(`${what}: in openapi.yaml (${item[method].operationId}), but the server answers ${answer.status} ${answer.text}`);
            }
            problems.push(...check(OPERATIONS.get(item[method].operationId), method, answer));
            if (method === 'get') gets.status = answer.status;
          } else if (method === 'head') {
            if (!(answer.status === 404 || answer.status === 405)) problems.push(`${what}: not in openapi.yaml, but answered ${answer.status}`);
          } else {
            notServed(answer, what);
          }
        }
      }
    }
    // Paths the document does not have are no route, on both listeners.
    for (const path of ['/', '/nope', '/cards', '/cards/card-1/nope', '/outbox', '/outbox/card-1', '/dead-letters/1',
      '/metrics/x', '/livez/x', `/notifications/d1/v2/issuers/${ISSUER}`, `/notifications/d1/v2/issuers/${ISSUER}/cards/x`,
      '/notifications/d1/v2/issuers/SHORT/cards', '/cards/not%20an%20id']) {
      for (const listener of BOTH) {
        for (const method of ['GET', 'POST']) {
          const answer = await send(baseOf(receiver, listener), { method, path, token: TOKENS[listener], body: method === 'POST' ? '{}' : undefined });
          if (!isNoRoute(answer)) problems.push(`${method} ${path} on ${listener}'s listener: not in openapi.yaml, expected 404 no route, got ${answer.status} ${answer.text.slice(0, 200)}`);
          else notServed(answer, `${method} ${path} on ${listener}'s listener`);
        }
      }
    }
    // A dot segment is refused before routing: 400 BAD_REQUEST_TARGET, an Error.
    for (const path of ['/cards/..', '/cards/%2e%2e/metrics', '/./livez']) {
      for (const listener of BOTH) {
        const answer = await send(baseOf(receiver, listener), { path, token: TOKENS[listener] });
        const wrong = answer.status === 400 ? complaints(errorSchema, JSON.parse(answer.text), 'body') : `status ${answer.status}`;
        if (wrong || JSON.parse(answer.text).code !== 'BAD_REQUEST_TARGET') problems.push(`GET ${path} on ${listener}'s listener: ${wrong} ${answer.text}`);
      }
    }
    assert.deepEqual(problems, [], `the server and openapi.yaml disagree:\n${problems.join('\n')}`);
  });
});
