// One worker process: the HTTP server, the outbox dispatcher and (in the
// worker of slot 0) the reconciliation job, over one store.
import { hostname } from 'node:os';

import { configuredCallback, startDispatcher } from './outbox.mjs';
import { createReceiverServers } from './http.mjs';
import { Ingest } from './ingest.mjs';
import { configuredDueHook, startReconciler } from './reconcile.mjs';
import { startRetention } from './retention.mjs';
import { openStore } from './store/index.mjs';

/**
 * Starts a worker. `slot` is its place among the workers (0 runs the
 * reconciliation and, on SQLite, the one dispatcher); `deliver` the outbox
 * callback (OUTBOX_MODULE's, or appendToLog(OUTBOX_LOG), by default); `onDue`
 * the reconciliation's hook (RECONCILE_MODULE's, or a log line, by default). Resolves once listening,
 * on both listeners (D1's at HOST:PORT, the admin one at ADMIN_HOST:ADMIN_PORT),
 * to `{server, admin, store, stop}`; `stop()` finishes in-flight requests and
 * the batch in hand, then closes the store.
 */
export async function startWorker({ config, slot = 0, deliver, onDue, log }) {
  const store = openStore(config);
  const ingest = new Ingest({
    store, trackerOptions: { maxBodyBytes: config.maxBodyBytes, maxStateBytes: config.maxStateBytes },
    maxCardBytes: config.maxCardBytes, maxBodyAttempts: config.maxBodyAttempts, log,
  });
  const { d1: server, admin } = createReceiverServers({ config, ingest, store, log });
  const listen = (s, host, port) => new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, host, resolve);
  });
  await listen(server, config.host, config.port);
  await listen(admin, config.adminHost, config.adminPort);
  // Then the background jobs (a first outbox batch may wait for SQLite's
  // write lock: D1's calls are served meanwhile by the other workers).
  // SQLite: one dispatcher per file; PostgreSQL: one per worker (SKIP LOCKED).
  const dispatcher = store.dialect === 'postgres' || slot === 0
    ? startDispatcher({
      store, deliver: deliver ?? await configuredCallback(config),
      batch: config.outboxBatch, pollMs: config.outboxPollMs, log, owner: `${hostname()}:${process.pid}`,
      timeoutMs: config.outboxTimeoutMs, maxAttempts: config.outboxMaxAttempts,
      retry: { firstMs: config.outboxRetryMs, maxMs: config.outboxRetryMaxMs },
    })
    : null;
  const reconciler = slot === 0
    ? startReconciler({
      store, intervalMs: config.reconcileIntervalMs, quietMs: config.reconcileQuietMs,
      repeatMs: config.reconcileRepeatMs, timeoutMs: config.reconcileTimeoutMs,
      onDue: onDue ?? await configuredDueHook(config, log), log,
    })
    : null;
  const retention = slot === 0
    ? startRetention({
      store, intervalMs: config.retentionIntervalMs, outboxDays: config.outboxRetentionDays,
      deadLetterDays: config.deadLetterRetentionDays, log,
    })
    : null;

  let stopping = null;
  const stop = () => {
    stopping ??= (async () => {
      // Stop accepting; let requests in flight commit and answer.
      const servers = [server, admin];
      const closed = Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      for (const s of servers) s.closeIdleConnections();
      const grace = setTimeout(() => { for (const s of servers) s.closeAllConnections(); }, config.shutdownGraceMs);
      await closed;
      clearTimeout(grace);
      await dispatcher?.stop(config.shutdownGraceMs);
      await reconciler?.stop();
      await retention?.stop();
      ingest.free();
      await store.close();
    })();
    return stopping;
  };
  return { server, admin, store, stop };
}
