// The receiver's parts, for a bank that composes its own process: the
// configuration, the stores, the fold, the HTTP server, the dispatcher.
export { ConfigError, loadConfig } from './config.mjs';
export { Ingest, RetryLater } from './ingest.mjs';
export { createReceiverServers } from './http.mjs';
export { createAuthenticator } from './auth.mjs';
export { appendToLog, startDispatcher } from './outbox.mjs';
export { reconcileOnce, startReconciler } from './reconcile.mjs';
export { PostgresStore, SqliteStore, openStore } from './store/index.mjs';
export { startWorker } from './worker.mjs';
