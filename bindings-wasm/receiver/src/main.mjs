#!/usr/bin/env node
// `npm start`: the receiver. The primary process applies the migrations,
// then forks WORKERS processes that share PORT; a worker that dies is
// replaced after a back-off; SIGTERM (or SIGINT) stops the workers
// gracefully, in-flight requests first.
import cluster from 'node:cluster';

import { createAuthenticator } from './auth.mjs';
import { ConfigError, describeConfig, loadConfig } from './config.mjs';
import { configuredCallback } from './outbox.mjs';
import { primaryMetrics } from './metrics.mjs';
import { configuredDueHook } from './reconcile.mjs';
import { openStore } from './store/index.mjs';
import { SchemaError } from './store/migrations.mjs';
import { startWorker } from './worker.mjs';

// One JSON line per event: its ISO 8601 time, level, process and event (README, "Logs").
const log = (entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, ...entry })}\n`);

// Back-off of a slot's restarts: doubles from 100 ms to 10 s, reset once a
// worker has lived 30 s.
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;
const HEALTHY_AFTER_MS = 30_000;
// How long past SHUTDOWN_GRACE_MS a worker may take to stop before it is
// made to (its store's close, a callback that ignores its abort signal).
const HARD_DEADLINE_MS = 5000;

async function primary(config) {
  // Workers accept from the shared socket themselves (the kernel balances),
  // rather than the primary handing each connection over (Node's default on
  // Linux): a connection handed to a worker that is being killed was left
  // open with no one to answer it (docs/decisions.md, "The reference receiver").
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // The effective configuration, secrets redacted (README, "Configuration").
  log({ level: 'info', event: 'configuration', config: describeConfig(config) });
  // A key set that cannot be read stops the start here, not in every worker.
  createAuthenticator({ tokens: config.tokens, jwt: config.jwt, realm: 'd1' });
  // So does a callback or hook module that cannot be loaded.
  await configuredCallback(config);
  await configuredDueHook(config, log);
  // The schema: migrated here, or (MIGRATE_AT_START=false, the service's
  // role without DDL rights) checked, and a start refused unless it is
  // exactly this receiver's (README, "The schema").
  const store = openStore(config);
  try {
    const database = config.databaseUrl ? 'postgres' : `sqlite:${config.sqlitePath}`;
    if (config.migrateAtStart) {
      log({ level: 'info', event: 'migrated', database, applied: await store.migrate() });
    } else {
      await store.checkSchema();
      log({ level: 'info', event: 'schema_checked', database });
    }
    // Rows v2 stored without an issuer belong to the one this receiver serves.
    if (config.issuerId !== null) {
      const adopted = await store.adoptUnassigned(config.issuerId);
      if (adopted > 0) log({ level: 'info', event: 'cards_adopted', issuerId: config.issuerId, cards: adopted });
    }
  } finally {
    await store.close();
  }

  // The workers' metrics summed here when a worker is asked for /metrics.
  const { restarts } = primaryMetrics();
  let shuttingDown = false;
  const slots = Array.from({ length: config.workers }, () => ({ backoffMs: BACKOFF_FIRST_MS, worker: null, started: 0 }));
  const fork = (slot) => {
    const s = slots[slot];
    s.started = Date.now();
    s.worker = cluster.fork({ D1T_WORKER_SLOT: String(slot) });
    s.worker.on('exit', (code, signal) => {
      s.worker = null;
      if (shuttingDown) return;
      if (Date.now() - s.started > HEALTHY_AFTER_MS) s.backoffMs = BACKOFF_FIRST_MS;
      log({ level: 'error', event: 'worker_died', slot, code, signal, restartInMs: s.backoffMs });
      setTimeout(() => {
        if (shuttingDown) return;
        restarts.inc();
        fork(slot);
      }, s.backoffMs);
      s.backoffMs = Math.min(s.backoffMs * 2, BACKOFF_MAX_MS);
    });
  };
  for (let slot = 0; slot < config.workers; slot++) fork(slot);

  const shutdown = (signal) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log({ level: 'info', event: 'shutting_down', signal });
    for (const s of slots) s.worker?.process.kill('SIGTERM');
    // A worker that outlives its own deadline is killed.
    setTimeout(() => {
      for (const s of slots) s.worker?.process.kill('SIGKILL');
    }, config.shutdownGraceMs + 2 * HARD_DEADLINE_MS).unref();
    const wait = setInterval(() => {
      if (slots.every((s) => s.worker === null)) {
        clearInterval(wait);
        log({ level: 'info', event: 'stopped' });
        process.exit(0);
      }
    }, 50);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function worker(config) {
  const slot = Number(process.env.D1T_WORKER_SLOT ?? 0);
  const { stop } = await startWorker({ config, slot, log });
  log({ level: 'info', event: 'listening', slot, host: config.host, port: config.port,
    adminHost: config.adminHost, adminPort: config.adminPort });
  const shutdown = async () => {
    // However the callback or a request behaves, the worker is gone soon
    // after the grace period (README, "Workers").
    setTimeout(() => {
      log({ level: 'error', event: 'shutdown_deadline', slot, afterMs: config.shutdownGraceMs + HARD_DEADLINE_MS });
      process.exit(1);
    }, config.shutdownGraceMs + HARD_DEADLINE_MS).unref();
    await stop();
    process.exit(0);
  };
  process.on('SIGTERM', shutdown);
  // The primary handles ^C for the whole group.
  process.on('SIGINT', () => {});
  // The primary is gone (killed, crashed): nothing would replace this worker
  // or stop it, so it stops as on SIGTERM and leaves the port to the
  // supervisor's next start (README, "Workers").
  process.on('disconnect', () => {
    log({ level: 'error', event: 'primary_gone', slot });
    shutdown();
  });
}

// Whatever escapes every handler is logged before the process exits: a
// worker is replaced by the primary, and the log says why it died.
const fatal = (event) => (err) => {
  log({ level: 'fatal', event, role: cluster.isPrimary ? 'primary' : 'worker', code: err?.code, message: String(err?.stack ?? err) });
  process.exit(1);
};
process.on('uncaughtException', fatal('uncaught_exception'));
process.on('unhandledRejection', fatal('unhandled_rejection'));

try {
  const config = loadConfig();
  if (cluster.isPrimary) {
    await primary(config);
  } else {
    await worker(config);
  }
} catch (err) {
  if (err instanceof ConfigError || err instanceof SchemaError) {
    process.stderr.write(`d1-tracking-receiver: ${err.message}\n`);
    process.exit(2);
  }
  log({ level: 'error', event: 'start_failed', message: String(err?.stack ?? err) });
  process.exit(1);
}
