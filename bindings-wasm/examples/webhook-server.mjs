// A D1 notification receiver on node:http, using the npm package d1-tracking.
//
//   POST /notifications/d1/v2/issuers/:issuerId/cards   fold the raw body; 204, 400 + JSON error,
//                                                        or 503 when the tracker is full (D1 retries)
//   GET  /cards/:cardId                                 the card's view; 404 when unknown
//
// The tracker's snapshot is persisted after every change (write to a temporary
// file, then rename: a crash never leaves half a snapshot) and restored at start.
//
//   D1_TRACKING_PACKAGE=../pkg/index.mjs PORT=8080 SNAPSHOT=./tracker.json node webhook-server.mjs
//
// A real deployment also checks D1's authentication of the call (mutual TLS or
// a token, per the issuer's onboarding), which is outside this example.

import { createServer as createHttpServer } from 'node:http';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const NOTIFICATIONS = /^\/notifications\/d1\/v2\/issuers\/([A-Za-z0-9_-]{10})\/cards\/?$/;
const CARD = /^\/cards\/([A-Za-z0-9_-]{1,48})$/;

function persist(tracker, file) {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, tracker.snapshot());
  renameSync(tmp, file);
}

function send(res, status, body) {
  if (body === undefined) {
    res.writeHead(status).end();
  } else {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

/**
 * Creates the receiver. `pkg` is the d1-tracking module; `snapshotFile` where
 * the state lives. Returns { server, tracker }; call server.listen() yourself.
 */
export function createReceiver({ pkg, snapshotFile, maxBodyBytes = 1024 * 1024, log = () => {} }) {
  const tracker = new pkg.Tracker({ maxBodyBytes });
  if (snapshotFile && existsSync(snapshotFile)) {
    tracker.restore(readFileSync(snapshotFile));
    log(`restored ${tracker.size} cards from ${snapshotFile}`);
  }

  const server = createHttpServer((req, res) => {
    const url = new URL(req.url, 'http://receiver');
    const card = CARD.exec(url.pathname);
    if (req.method === 'GET' && card) {
      const view = tracker.card(card[1]);
      return view ? send(res, 200, view) : send(res, 404, { code: 'NOT_FOUND', path: null, message: 'unknown card' });
    }
    if (req.method !== 'POST' || !NOTIFICATIONS.test(url.pathname)) {
      return send(res, 404, { code: 'NOT_FOUND', path: null, message: `no route for ${req.method} ${url.pathname}` });
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      // Read no more than the tracker would accept (it says so precisely).
      if (size <= maxBodyBytes + 1) chunks.push(chunk);
    });
    req.on('end', () => {
      let report;
      try {
        report = tracker.apply(Buffer.concat(chunks), Date.now());
      } catch (error) {
        log(`400 ${error.code} ${error.message}`);
        return send(res, 400, { code: error.code, path: error.path, message: error.message });
      }
      for (const op of report.operations) {
        // The raw text is logged: a host would keep it in a dead-letter store.
        if (op.outcome === 'rejected') log(`rejected ${op.error.code} ${op.error.path}: ${op.error.message} retry=${op.retry} raw=${op.raw}`);
      }
      if (snapshotFile && report.operations.some((op) => op.outcome === 'applied' || op.outcome === 'recorded')) {
        persist(tracker, snapshotFile);
      }
      // A full tracker refused valid notifications: 503, so that D1 delivers the
      // body again (apply is idempotent). Invalid operations will not become
      // valid by being resent: 204, and they are logged above.
      if (report.operations.some((op) => op.retry)) return send(res, 503, { code: 'RETRY' });
      send(res, 204);
    });
  });
  return { server, tracker };
}

// Run as a program.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const pkgPath = process.env.D1_TRACKING_PACKAGE ?? 'd1-tracking';
  const pkg = await import(pkgPath.startsWith('.') ? new URL(pkgPath, import.meta.url).href : pkgPath);
  const { server } = createReceiver({
    pkg,
    snapshotFile: process.env.SNAPSHOT ?? 'd1-tracking-snapshot.json',
    log: (line) => console.error(line),
  });
  const port = Number(process.env.PORT ?? 8080);
  server.listen(port, '127.0.0.1', () => console.error(`listening on http://127.0.0.1:${port}`));
}
