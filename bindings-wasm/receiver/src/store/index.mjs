// The store the configuration names: PostgreSQL when DATABASE_URL is set, else SQLite.
import { PostgresStore } from './postgres.mjs';
import { SqliteStore } from './sqlite.mjs';

export { PostgresStore, SqliteStore };

/** Opens the configured store (not yet migrated). */
export function openStore(config) {
  return config.databaseUrl !== null
    ? new PostgresStore({
      url: config.databaseUrl, poolSize: config.poolSize, lockTimeoutMs: config.pgLockTimeoutMs,
      statementTimeoutMs: config.pgStatementTimeoutMs, idleInTransactionMs: config.pgIdleInTransactionMs,
      connectTimeoutMs: config.pgConnectTimeoutMs,
    })
    : new SqliteStore({ path: config.sqlitePath, busyTimeoutMs: config.busyTimeoutMs });
}
