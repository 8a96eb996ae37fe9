// The receiver's configuration, from the environment (README, "Configuration").

/** Each setting once: its variable, default and how its text is read. */
const SETTINGS = [
  ['port', 'PORT', '8080', port],
  ['databaseUrl', 'DATABASE_URL', null, postgresUrl],
  ['sqlitePath', 'SQLITE_PATH', './d1-tracking.db', text],
  ['workers', 'WORKERS', '2', count(1, 256)],
  ['outboxLog', 'OUTBOX_LOG', './d1-tracking-outbox.jsonl', text],
  ['outboxBatch', 'OUTBOX_BATCH', '100', count(1, 10_000)],
  ['outboxPollMs', 'OUTBOX_POLL_MS', '200', count(1, 3_600_000)],
  ['reconcileIntervalMs', 'RECONCILE_INTERVAL_MS', '3600000', count(0, 2 ** 31 - 1)],
  ['reconcileQuietMs', 'RECONCILE_QUIET_MS', '86400000', count(0, Number.MAX_SAFE_INTEGER)],
  ['issuerId', 'ISSUER_ID', null, issuer],
  ['bearerToken', 'BEARER_TOKEN', null, text],
  ['maxBodyBytes', 'MAX_BODY_BYTES', String(1024 * 1024), count(1, 256 * 1024 * 1024)],
  ['maxStateBytes', 'MAX_STATE_BYTES', String(64 * 1024 * 1024), count(1, 2 ** 32)],
  ['poolSize', 'PG_POOL_SIZE', '8', count(1, 1000)],
  ['busyTimeoutMs', 'SQLITE_BUSY_TIMEOUT_MS', '5000', count(0, 3_600_000)],
  ['shutdownGraceMs', 'SHUTDOWN_GRACE_MS', '10000', count(0, 3_600_000)],
];

/** A configuration error: the variable at fault and what was expected. */
export class ConfigError extends Error {
  constructor(variable, message) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/** The configuration from `env` (process.env by default); throws ConfigError. */
export function loadConfig(env = process.env) {
  const config = {};
  for (const [key, variable, fallback, read] of SETTINGS) {
    const given = env[variable];
    const value = given === undefined || given === '' ? fallback : given;
    config[key] = value === null ? null : read(value, variable);
  }
  return config;
}

function text(value) {
  return value;
}

function port(value, variable) {
  return count(0, 65535)(value, variable);
}

function count(min, max) {
  return (value, variable) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new ConfigError(variable, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
}

function postgresUrl(value, variable) {
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new ConfigError(variable, 'expected a postgres:// URL (leave it unset for SQLite)');
  }
  return value;
}

function issuer(value, variable) {
  if (!/^[A-Za-z0-9_-]{10}$/.test(value)) {
    throw new ConfigError(variable, 'expected D1 issuer id: exactly 10 characters of [A-Za-z0-9_-]');
  }
  return value;
}
