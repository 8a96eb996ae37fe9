// The receiver's HTTP surface on node:http (no framework), on two listeners
// (README, "Routes"):
//
// D1's listener (HOST:PORT), D1's credentials on the notification route:
//   POST /notifications/d1/v2/issuers/{issuerId}/cards   D1's notifications: 204 after commit,
//                                                        400 {code, path, message}, 503 to be retried
//   GET  /livez                                          200 while the process answers (no database)
//   GET  /readyz                                         200 when a write can be made, else 503
//   GET  /healthz                                        as /readyz (v2's name)
//
// The admin listener (ADMIN_HOST:ADMIN_PORT, loopback by default), the admin
// credentials on every route:
//   GET  /cards/{cardId}                                 the card's view (the library's JSON); 404
//   POST /cards/{cardId}/tracking-requests               {"trackingType", "atMs"?}: 200 {view, changes}
//   …/issuers/{issuerId}/cards/…, …/issuers/{issuerId}/outbox/…  the same, naming the card's issuer
//                                                        (needed when several issuers hold the card id)
//   GET  /livez, /readyz, /healthz                       as above
//   GET  /metrics                                        outbox lag, dead letters, cards (Prometheus text)
//   GET  /outbox/parked                                  the cards whose outbox queue is parked
//   POST /outbox/{cardId}/redrive                        releases that queue: 200 {issuerId, cardId, rows}
//   GET  /dead-letters?status=&code=&after=&limit=       dead letters (open by default)
//   POST /dead-letters/redrive                           {ids?, code?, dryRun?, limit?}: 200 {results}
//   POST /dead-letters/{id}/discard                      an open letter set aside: 200
//
// HEAD is answered wherever GET is.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

import { D1TrackingError } from 'd1-tracking';

import { createAuthenticator } from './auth.mjs';
import { localMetrics, processMetrics, workerMetrics } from './metrics.mjs';
import { redrive } from './redrive.mjs';
import { RetryLater } from './ingest.mjs';

const NOTIFICATIONS = /^\/notifications\/d1\/v2\/issuers\/([A-Za-z0-9_-]{10})\/cards\/?$/;
// A card's routes, optionally under /issuers/{issuerId} (captures: issuer or
// undefined, card).
const ISSUER = String.raw`(?:/issuers/([A-Za-z0-9_-]{10}))?`;
const CARD_ID = '([A-Za-z0-9_-]{1,48})';
const CARD = new RegExp(`^${ISSUER}/cards/${CARD_ID}$`);
const TRACKING_REQUESTS = new RegExp(`^${ISSUER}/cards/${CARD_ID}/tracking-requests$`);
const OUTBOX_REDRIVE = new RegExp(`^${ISSUER}/outbox/${CARD_ID}/redrive$`);
const DISCARD = /^\/dead-letters\/(\d{1,15})\/discard$/;

/**
 * Every route's pattern, by the name /metrics labels it with (a bounded set:
 * never the path itself); test/openapi.test.mjs checks the API document has
 * a path for each.
 */
export const ROUTE_NAMES = [
  ['notifications', NOTIFICATIONS], ['card', CARD], ['tracking_requests', TRACKING_REQUESTS],
  ['outbox_redrive', OUTBOX_REDRIVE], ['dead_letter_discard', DISCARD], ['livez', /^\/livez$/],
  ['readyz', /^\/(readyz|healthz)$/], ['metrics', /^\/metrics$/], ['dead_letters', /^\/dead-letters$/],
  ['dead_letters_redrive', /^\/dead-letters\/redrive$/], ['outbox_parked', /^\/outbox\/parked$/],
];
const routeName = (path) => (path === null ? 'bad_target' : ROUTE_NAMES.find(([, re]) => re.test(path))?.[0] ?? 'other');

/** A dead letter as the admin routes show it: its bytes as text and, exactly, in base64. */
const letterOut = ({ rawBytes, ...letter }) => ({ ...letter, raw: rawBytes.toString('utf8'), rawBase64: rawBytes.toString('base64') });

/** An HTTP answer: status and an optional body (an object sent as JSON, or text already made). */
class Answer {
  constructor(status, body, headers = {}, timing = null) {
    this.status = status;
    this.body = body;
    this.headers = headers;
    /** Milliseconds inside d1-tracking and the database (the Server-Timing header). */
    this.timing = timing ?? { libraryMs: 0, databaseMs: 0 };
  }
}

const error = (status, code, message, path = null) => new Answer(status, { code, path, message });

/**
 * The two listeners' servers, not yet listening: `{d1, admin}`. `config` is
 * config.mjs's; `ingest` an Ingest; `store` its store; `log` a function of
 * one JSON-able entry.
 */
export function createReceiverServers({ config, ingest, store, log }) {
  const d1Auth = createAuthenticator({ proxy: config.auth === 'proxy', tokens: config.tokens, jwt: config.jwt, realm: 'd1' });
  const adminAuth = createAuthenticator({ proxy: config.adminAuth === 'proxy', tokens: config.adminTokens, realm: 'admin' });
  const denied = (answer, auth) => {
    if (answer === null) return null;
    const headers = answer.status === 401 ? { 'www-authenticate': auth.challenge } : {};
    return new Answer(answer.status, { code: answer.code, path: null, message: answer.message }, headers);
  };

  // Probes at the same time share one check (D1's listener answers them
  // without credentials: a flood of probes is one check at a time).
  let readiness = null;
  const ready = () => {
    readiness ??= store.ready().then(
      () => new Answer(200, { status: 'ok' }),
      (err) => {
        log({ level: 'warn', event: 'not_ready', code: err?.code, message: String(err?.message ?? err) });
        return new Answer(503, { status: 'unavailable' });
      }).finally(() => { readiness = null; });
    return readiness;
  };
  // Liveness and readiness, the same on both listeners.
  const probe = (path) => {
    if (path === '/livez') return new Answer(200, { status: 'ok' });
    if (path === '/readyz' || path === '/healthz') return ready();
    return null;
  };

  const d1 = async (req, path, method) => {
    if (method === 'GET') {
      const answer = probe(path);
      if (answer !== null) return answer;
    }
    const notifications = NOTIFICATIONS.exec(path);
    if (notifications) {
      if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'use POST');
      const refused = denied(await d1Auth.check(req), d1Auth);
      if (refused) return refused;
      const issuerId = notifications[1];
      if (config.issuerId !== null && issuerId !== config.issuerId) {
        return error(404, 'UNKNOWN_ISSUER', `this receiver serves issuer ${config.issuerId}`);
      }
      const body = await readBody(req, config.maxBodyBytes);
      if (body instanceof Answer) {
        // Too large: the bytes read so far are kept as a dead letter.
        const result = await ingest.oversized(issuerId, body.partial, config.maxBodyBytes);
        const answer = new Answer(413, result.body, {}, result.timing);
        answer.close = true;
        return answer;
      }
      const result = await ingest.notifications(issuerId, body);
      return new Answer(result.status, result.body, {}, result.timing);
    }
    return error(404, 'NOT_FOUND', `no route for ${method} ${path}`);
  };

  /**
   * The issuer of a card route: the one it names, else ISSUER_ID, else the
   * one issuer holding a card of that id. An Answer when there is none
   * (`absent`'s) or several (409: name it).
   */
  const issuerOf = async (named, cardId, absent, path) => {
    if (named !== undefined) {
      return config.issuerId !== null && named !== config.issuerId
        ? error(404, 'UNKNOWN_ISSUER', `this receiver serves issuer ${config.issuerId}`) : named;
    }
    if (config.issuerId !== null) return config.issuerId;
    const issuers = await store.issuersOf(cardId, 10);
    if (issuers.length === 1) return issuers[0];
    if (issuers.length === 0) return absent;
    return new Answer(409, {
      code: 'ISSUER_AMBIGUOUS', path: null, issuers,
      message: `issuers ${issuers.join(', ')} each hold a card ${cardId}: name one, /issuers/{issuerId}${path}`,
    });
  };
  const admin = async (req, path, method) => {
    const refused = denied(await adminAuth.check(req), adminAuth);
    if (refused) return refused;
    if (method === 'GET') {
      const answer = probe(path);
      if (answer !== null) return answer;
    }
    if (path === '/metrics' && method === 'GET') return metrics(store);

    if (path === '/dead-letters') {
      if (method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', 'use GET');
      const query = new URLSearchParams(req.url.split('?')[1] ?? '');
      const letters = await store.deadLetters({
        status: query.get('status') ?? 'open', code: query.get('code'),
        after: Number(query.get('after') ?? 0) || 0, limit: Math.min(Number(query.get('limit') ?? 100) || 100, 1000),
      });
      return new Answer(200, { deadLetters: letters.map(letterOut) });
    }
    if (path === '/dead-letters/redrive') {
      if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'use POST');
      const body = await readBody(req, 64 * 1024);
      if (body instanceof Answer) return body;
      let input;
      try {
        input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      } catch (err) {
        return error(400, 'PARSING_ERROR', `the body is not JSON: ${err.message}`);
      }
      const ids = input?.ids ?? null;
      if (ids !== null && !(Array.isArray(ids) && ids.every(Number.isSafeInteger))) {
        return error(400, 'FIELD_INVALID_FORMAT', 'ids must be an array of dead letter ids', 'ids');
      }
      const results = await redrive({
        store, ingest, ids, code: typeof input?.code === 'string' ? input.code : null,
        dryRun: input?.dryRun === true, limit: Math.min(Number(input?.limit ?? 100) || 100, 1000), log,
      });
      return new Answer(200, { results });
    }
    const discard = DISCARD.exec(path);
    if (discard) {
      if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'use POST');
      const letter = await store.deadLetter(Number(discard[1]));
      if (letter === undefined) return error(404, 'NOT_FOUND', `no dead letter ${discard[1]}`);
      if (letter.status !== 'open') return error(409, 'NOT_OPEN', `dead letter ${discard[1]} is ${letter.status}`);
      await store.addDeadLetters([], [{ id: letter.id, status: 'discarded' }]);
      log({ level: 'info', event: 'dead_letter_discarded', id: letter.id });
      return new Answer(200, { id: letter.id, status: 'discarded' });
    }
    if (path === '/outbox/parked') {
      if (method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', 'use GET');
      return new Answer(200, { parked: await store.parkedOutbox(1000) });
    }
    const queue = OUTBOX_REDRIVE.exec(path);
    if (queue) {
      if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'use POST');
      const cardId = queue[2];
      const issuerId = await issuerOf(queue[1], cardId,
        error(400, 'ISSUER_REQUIRED', `no stored card ${cardId}: name its issuer, /issuers/{issuerId}${path}`), path);
      if (issuerId instanceof Answer) return issuerId;
      const rows = await store.redriveOutbox(issuerId, cardId);
      log({ level: 'info', event: 'outbox_redriven', issuerId, cardId, rows });
      return new Answer(200, { issuerId, cardId, rows });
    }

    const card = CARD.exec(path);
    if (card) {
      if (method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', 'use GET');
      const unknown = error(404, 'CARD_UNKNOWN', `no notification or request for card ${card[2]} yet`);
      const issuerId = await issuerOf(card[1], card[2], unknown, path);
      if (issuerId instanceof Answer) return issuerId;
      const [view, parked] = await Promise.all([store.view(issuerId, card[2]), store.parkedOfCard(issuerId, card[2])]);
      if (view === undefined) return unknown;
      // What could not be folded into it, by code (CARD_TOO_LARGE: the card
      // is past MAX_CARD_BYTES): the library's view plus `parked`.
      return new Answer(200, parked.length === 0 ? view : { ...JSON.parse(view), parked });
    }

    const requests = TRACKING_REQUESTS.exec(path);
    if (requests) {
      if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', 'use POST');
      const body = await readBody(req, 64 * 1024);
      if (body instanceof Answer) return body;
      let input;
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (err) {
        return error(400, 'PARSING_ERROR', `the body is not JSON: ${err.message}`);
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        return error(400, 'PARSING_ERROR', 'the body must be a JSON object {"trackingType", "atMs"?}');
      }
      const atMs = input.atMs ?? Date.now();
      if (!Number.isSafeInteger(atMs) || atMs < 0) {
        return error(400, 'FIELD_INVALID_FORMAT', 'atMs must be a whole number of milliseconds since 1970', 'atMs');
      }
      const issuerId = await issuerOf(requests[1], requests[2], error(400, 'ISSUER_REQUIRED',
        `no stored card ${requests[2]} and no ISSUER_ID: name its issuer, /issuers/{issuerId}${path}`), path);
      if (issuerId instanceof Answer) return issuerId;
      const result = await ingest.trackingRequest(issuerId, requests[2], input.trackingType, atMs);
      return new Answer(result.status, result.body, {}, result.timing);
    }

    return error(404, 'NOT_FOUND', `no route for ${method} ${path}`);
  };

  return { d1: serve('d1', d1, log, config), admin: serve('admin', admin, log, config) };
}

/**
 * The path of a request target, as sent (never decoded or resolved: a
 * proxy that forwards only `/notifications/…` must see what the receiver
 * routes), or null when the target is not one a route may match: not
 * origin-form or absolute-form, or with a dot segment, plain or encoded.
 */
export function targetPath(target) {
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  const rest = absolute ? target.slice(absolute[0].length) || '/' : target;
  if (!rest.startsWith('/')) return null;
  const path = rest.split(/[?#]/, 1)[0];
  const dotSegment = path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
  return dotSegment ? null : path;
}

/**
 * A server answering with `route(req, path, method)`; HEAD is routed as GET
 * (node:http sends no body for it). Slow and idle clients are cut at the
 * configured timeouts, and connections past MAX_CONNECTIONS are refused
 * (README, "Slow and idle clients").
 */
function serve(listener, route, log, config) {
  const handle = async (req, path) => {
    if (path === null) {
      return error(400, 'BAD_REQUEST_TARGET', 'the request target is not a path this receiver serves (dot segments are refused)');
    }
    return route(req, path, req.method === 'HEAD' ? 'GET' : req.method);
  };
  const server = createServer({
    requestTimeout: config.requestTimeoutMs,
    headersTimeout: config.headersTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Node looks for requests past their timeouts every this often (30 s by default).
    connectionsCheckingInterval: 1000,
  }, (req, res) => {
    const started = performance.now();
    // The caller's request id when it sends a plain one, else ours: on the
    // answer and on every log line about the request.
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && /^[\x21-\x7e]{1,128}$/.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    const path = targetPath(req.url);
    handle(req, path)
      .catch((err) => {
        // (req.destroyed says only that the body was read to its end.)
        if (res.destroyed || req.socket.destroyed || err?.code === 'ECONNRESET' || err?.code === 'ECONNABORTED') {
          // The client went away before its body was read: nothing was done.
          log({ level: 'info', event: 'client_aborted', requestId: req.id, method: req.method, path: req.url });
          return null;
        }
        if (err instanceof D1TrackingError) {
          // A request or argument the library refused (tracking-requests).
          return error(400, err.code, err.message, err.path ?? null);
        }
        if (err instanceof RetryLater) {
          log({ level: 'warn', event: 'retry_later', requestId: req.id, method: req.method, path: req.url, message: err.message });
          return error(503, 'RETRY_LATER', err.message);
        }
        // The database failed (or anything unexpected): nothing was committed,
        // so D1 must send it again.
        log({ level: 'error', event: 'request_failed', requestId: req.id, method: req.method, path: req.url,
          message: String(err?.message ?? err), code: err?.code });
        return error(503, 'UNAVAILABLE', 'the receiver could not commit; send it again');
      })
      .then((answer) => {
        if (answer === null || res.destroyed) return;
        const total = performance.now() - started;
        const route = routeName(path);
        workerMetrics.requests.inc({ listener, route, status: answer.status });
        workerMetrics.duration.observe({ listener, route }, total / 1000);
        workerMetrics.librarySeconds.inc(answer.timing.libraryMs / 1000);
        workerMetrics.databaseSeconds.inc(answer.timing.databaseMs / 1000);
        if (config.accessLog) {
          log({ level: 'info', event: 'request', requestId: req.id, listener, method: req.method, path: req.url,
            status: answer.status, ms: Number(total.toFixed(3)) });
        }
        const headers = {
          ...answer.headers,
          'server-timing': `library;dur=${answer.timing.libraryMs.toFixed(3)}, `
            + `database;dur=${answer.timing.databaseMs.toFixed(3)}, total;dur=${total.toFixed(3)}`,
        };
        if (answer.status === 503) headers['retry-after'] = '1';
        if (answer.close) {
          // The rest of the body is not read: the connection ends with the answer.
          headers.connection = 'close';
          res.on('finish', () => req.socket.destroy());
        }
        if (answer.body === undefined) {
          res.writeHead(answer.status, headers).end();
        } else {
          const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          headers['content-type'] ??= 'application/json';
          res.writeHead(answer.status, headers).end(text);
        }
      });
  });
  server.maxConnections = config.maxConnections;
  // A connection that sends nothing at all for a request's time is closed.
  server.timeout = config.requestTimeoutMs;
  return server;
}

/** The body's bytes, or past `limit` a 413 Answer with the bytes read so far (`partial`; the rest is not kept). */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let length = 0;
    req.on('data', (chunk) => {
      length += chunk.length;
      if (length > limit) {
        // Read no more: the answer closes the connection.
        req.removeAllListeners('data');
        req.pause();
        const answer = error(413, 'PAYLOAD_TOO_LARGE', `the body is larger than ${limit} bytes`);
        answer.close = true;
        chunks.push(chunk.subarray(0, limit - (length - chunk.length)));
        answer.partial = Buffer.concat(chunks);
        resolve(answer);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

/** The gauges of /metrics: name, help, and the value from store.stats() and the time now. */
const GAUGES = [
  ['d1t_cards', 'Cards with a row.', (s) => s.cards],
  ['d1t_outbox_pending', 'Outbox rows not yet handed to the callback.', (s) => s.outboxPending],
  ['d1t_outbox_lag_seconds', 'Age of the oldest outbox row not yet handed on.',
    (s, nowMs) => (s.outboxOldestMs === null ? 0 : Math.max(0, (nowMs - s.outboxOldestMs) / 1000)).toFixed(3)],
  ['d1t_outbox_parked_cards', 'Cards whose outbox queue is parked after failed deliveries.', (s) => s.outboxParkedCards],
  ['d1t_dead_letters_open', 'Dead letters neither re-driven nor discarded.', (s) => s.deadLettersOpen],
  ['d1t_dead_letters', 'Bodies and operations rejected, kept with their raw text.', (s) => s.deadLetters],
];

/**
 * /metrics: the gauges, read from the database (the same whichever worker
 * answers), then the counters and histograms summed across the workers.
 */
async function metrics(store) {
  const [s, counted] = await Promise.all([store.stats(), processMetrics().catch((err) =>
    // (A worker still starting does not answer the primary.) The gauges,
    // and this worker's own counts, rather than nothing.
    localMetrics().then((text) => `# the workers' sum is not available (${String(err?.message ?? err).replaceAll('\n', ' ')}): this worker's counts only\n${text}`))]);
  const nowMs = Date.now();
  const text = GAUGES.flatMap(([name, help, value]) => [
    `# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${value(s, nowMs)}`,
  ]).join('\n') + '\n';
  return new Answer(200, `${text}${counted}`, { 'content-type': 'text/plain; version=0.0.4' });
}
