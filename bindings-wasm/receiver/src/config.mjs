// The receiver's configuration, from the environment (README, "Configuration").
import { isIP } from 'node:net';

/** Each setting once: its variable, default and how its text is read. */
const SETTINGS = [
  ['host', 'HOST', '0.0.0.0', address],
  ['port', 'PORT', '8080', port],
  ['adminHost', 'ADMIN_HOST', '127.0.0.1', address],
  ['adminPort', 'ADMIN_PORT', '8081', port],
  ['databaseUrl', 'DATABASE_URL', null, postgresUrl],
  ['sqlitePath', 'SQLITE_PATH', './d1-tracking.db', text],
  ['workers', 'WORKERS', '2', count(1, 256)],
  ['outboxLog', 'OUTBOX_LOG', './d1-tracking-outbox.jsonl', text],
  ['outboxModule', 'OUTBOX_MODULE', null, text],
  ['outboxBatch', 'OUTBOX_BATCH', '100', count(1, 10_000)],
  ['outboxPollMs', 'OUTBOX_POLL_MS', '200', count(1, 3_600_000)],
  ['outboxTimeoutMs', 'OUTBOX_TIMEOUT_MS', '30000', count(1, 3_600_000)],
  ['outboxMaxAttempts', 'OUTBOX_MAX_ATTEMPTS', '10', count(1, 1_000_000)],
  ['outboxRetryMs', 'OUTBOX_RETRY_MS', '1000', count(1, 3_600_000)],
  ['outboxRetryMaxMs', 'OUTBOX_RETRY_MAX_MS', '300000', count(1, 86_400_000)],
  ['reconcileIntervalMs', 'RECONCILE_INTERVAL_MS', '3600000', count(0, 2 ** 31 - 1)],
  ['reconcileQuietMs', 'RECONCILE_QUIET_MS', '86400000', count(0, Number.MAX_SAFE_INTEGER)],
  ['reconcileRepeatMs', 'RECONCILE_REPEAT_MS', '86400000', count(0, Number.MAX_SAFE_INTEGER)],
  ['reconcileModule', 'RECONCILE_MODULE', null, text],
  ['reconcileTimeoutMs', 'RECONCILE_TIMEOUT_MS', '30000', count(1, 3_600_000)],
  ['migrateAtStart', 'MIGRATE_AT_START', 'true', (v, variable) => oneOf('true', 'false')(v, variable) === 'true'],
  ['accessLog', 'ACCESS_LOG', 'true', (v, variable) => oneOf('true', 'false')(v, variable) === 'true'],
  ['retentionIntervalMs', 'RETENTION_INTERVAL_MS', '3600000', count(0, 2 ** 31 - 1)],
  ['outboxRetentionDays', 'OUTBOX_RETENTION_DAYS', '30', count(0, 36_500)],
  ['deadLetterRetentionDays', 'DEAD_LETTER_RETENTION_DAYS', '90', count(0, 36_500)],
  ['issuerId', 'ISSUER_ID', null, issuer],
  ['auth', 'AUTH', 'token', oneOf('token', 'proxy')],
  ['bearerTokens', 'BEARER_TOKENS', null, tokens],
  ['bearerToken', 'BEARER_TOKEN', null, tokens],
  ['jwksFile', 'JWKS_FILE', null, text],
  ['jwksUrl', 'JWKS_URL', null, httpUrl],
  ['jwtIssuer', 'JWT_ISSUER', null, text],
  ['jwtAudience', 'JWT_AUDIENCE', null, text],
  ['jwtAlgorithms', 'JWT_ALGORITHMS', 'RS256,ES256', algorithms],
  ['jwtClockSkewS', 'JWT_CLOCK_SKEW_S', '30', count(0, 600)],
  ['adminAuth', 'ADMIN_AUTH', 'token', oneOf('token', 'proxy')],
  ['adminTokens', 'ADMIN_TOKENS', null, tokens],
  ['maxBodyBytes', 'MAX_BODY_BYTES', String(1024 * 1024), count(1, 256 * 1024 * 1024)],
  ['maxStateBytes', 'MAX_STATE_BYTES', String(64 * 1024 * 1024), count(1, 2 ** 32)],
  ['maxCardBytes', 'MAX_CARD_BYTES', String(1024 * 1024), count(1024, 2 ** 31)],
  ['maxBodyAttempts', 'MAX_BODY_ATTEMPTS', '10', count(1, 1_000_000)],
  ['poolSize', 'PG_POOL_SIZE', '8', count(1, 1000)],
  ['pgConnectTimeoutMs', 'PG_CONNECT_TIMEOUT_MS', '5000', count(1, 3_600_000)],
  ['pgLockTimeoutMs', 'PG_LOCK_TIMEOUT_MS', '5000', count(0, 3_600_000)],
  ['pgStatementTimeoutMs', 'PG_STATEMENT_TIMEOUT_MS', '10000', count(0, 3_600_000)],
  ['pgIdleInTransactionMs', 'PG_IDLE_IN_TRANSACTION_MS', '60000', count(0, 3_600_000)],
  ['busyTimeoutMs', 'SQLITE_BUSY_TIMEOUT_MS', '5000', count(0, 3_600_000)],
  ['shutdownGraceMs', 'SHUTDOWN_GRACE_MS', '10000', count(0, 3_600_000)],
  ['requestTimeoutMs', 'REQUEST_TIMEOUT_MS', '30000', count(1000, 3_600_000)],
  ['headersTimeoutMs', 'HEADERS_TIMEOUT_MS', '10000', count(1000, 3_600_000)],
  ['keepAliveTimeoutMs', 'KEEP_ALIVE_TIMEOUT_MS', '65000', count(0, 3_600_000)],
  ['maxConnections', 'MAX_CONNECTIONS', '500', count(1, 1_000_000)],
];

/** A configuration error: the variable at fault and what was expected. */
export class ConfigError extends Error {
  constructor(variable, message) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * The configuration from `env` (process.env by default); throws ConfigError.
 * It fails closed (README, "Authentication"): D1's listener needs bearer
 * tokens or a JWT key set unless `AUTH=proxy` states that a verifying proxy
 * is in front, and the admin listener needs its own tokens unless
 * `ADMIN_AUTH=proxy`. With `serving` false (a command that serves nothing)
 * no credentials are needed.
 */
export function loadConfig(env = process.env, { serving = true } = {}) {
  const config = {};
  for (const [key, variable, fallback, read] of SETTINGS) {
    const given = env[variable];
    const value = given === undefined || given === '' ? fallback : given;
    config[key] = value === null ? null : read(value, variable);
  }
  // BEARER_TOKEN (one token, v2) is read as one more entry of the list.
  config.tokens = [...(config.bearerTokens ?? []), ...(config.bearerToken ?? [])];
  delete config.bearerTokens;
  delete config.bearerToken;
  config.adminTokens ??= [];
  config.jwt = jwtSettings(config);
  // A command (re-drive, migrate) opens the database only: no listener to guard.
  if (serving) checkCombinations(config);
  return config;
}

/** The JWT verification settings, or null when no key set is configured. */
function jwtSettings(config) {
  const { jwksFile, jwksUrl, jwtIssuer, jwtAudience, jwtAlgorithms, jwtClockSkewS } = config;
  for (const key of ['jwksFile', 'jwksUrl', 'jwtIssuer', 'jwtAudience', 'jwtAlgorithms', 'jwtClockSkewS']) {
    delete config[key];
  }
  if (jwksFile === null && jwksUrl === null) {
    if (jwtIssuer !== null || jwtAudience !== null) {
      throw new ConfigError('JWKS_FILE', 'JWT_ISSUER or JWT_AUDIENCE is set but no key set: set JWKS_FILE or JWKS_URL');
    }
    return null;
  }
  if (jwksFile !== null && jwksUrl !== null) {
    throw new ConfigError('JWKS_URL', 'set JWKS_FILE or JWKS_URL, not both');
  }
  // A token minted for another service or by another issuer must not pass.
  if (jwtIssuer === null) throw new ConfigError('JWT_ISSUER', 'required with a key set: the `iss` your token endpoint writes');
  if (jwtAudience === null) throw new ConfigError('JWT_AUDIENCE', 'required with a key set: the `aud` your token endpoint writes for D1');
  return {
    jwksFile, jwksUrl, issuer: jwtIssuer, audience: jwtAudience, algorithms: jwtAlgorithms, clockSkewS: jwtClockSkewS,
  };
}

/** Settings that are wrong together: credentials, timeouts, ports. */
function checkCombinations(config) {
  const d1 = config.tokens.length > 0 || config.jwt !== null;
  if (config.auth === 'token' && !d1) {
    throw new ConfigError('BEARER_TOKENS', 'no credentials for D1\'s calls: set BEARER_TOKENS (or JWKS_FILE / JWKS_URL), '
      + 'or AUTH=proxy when a proxy in front verifies D1 (mutual TLS)');
  }
  if (config.auth === 'proxy' && d1) {
    throw new ConfigError('AUTH', 'AUTH=proxy checks no token here: unset BEARER_TOKENS and the JWKS, or use AUTH=token');
  }
  if (config.adminAuth === 'token' && config.adminTokens.length === 0) {
    throw new ConfigError('ADMIN_TOKENS', 'no credentials for the admin listener (cards, metrics, tracking requests): '
      + 'set ADMIN_TOKENS, or ADMIN_AUTH=proxy when a proxy in front verifies its callers');
  }
  if (config.adminAuth === 'proxy' && config.adminTokens.length > 0) {
    throw new ConfigError('ADMIN_AUTH', 'ADMIN_AUTH=proxy checks no token here: unset ADMIN_TOKENS, or use ADMIN_AUTH=token');
  }
  // D1's token must never open the admin routes.
  if (config.tokens.some((t) => config.adminTokens.includes(t))) {
    throw new ConfigError('ADMIN_TOKENS', 'a token is in both BEARER_TOKENS and ADMIN_TOKENS: give the admin listener its own');
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError('HEADERS_TIMEOUT_MS', `must not be longer than REQUEST_TIMEOUT_MS (${config.requestTimeoutMs})`);
  }
  if (config.adminPort === config.port && config.port !== 0) {
    throw new ConfigError('ADMIN_PORT', `the admin listener needs its own port, not PORT's ${config.port}`);
  }
}

/** The configuration as logged at start: every setting, secrets replaced by their count. */
export function describeConfig(config) {
  const described = { ...config, tokens: `${config.tokens.length} token(s)`, adminTokens: `${config.adminTokens.length} token(s)` };
  if (config.databaseUrl !== null) {
    const url = new URL(config.databaseUrl);
    if (url.password !== '') url.password = 'redacted';
    described.databaseUrl = url.href;
  }
  return described;
}

function text(value) {
  return value;
}

/** A comma-separated list of tokens, each at least 16 visible ASCII characters. */
function tokens(value, variable) {
  const list = value.split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const token of list) {
    if (!/^[\x21-\x7e]{16,}$/.test(token) || token.includes(',')) {
      throw new ConfigError(variable, `expected tokens of at least 16 visible ASCII characters, comma-separated; one has ${token.length}`);
    }
  }
  if (list.length === 0) throw new ConfigError(variable, 'expected at least one token');
  return list;
}

function oneOf(...choices) {
  return (value, variable) => {
    if (!choices.includes(value)) {
      throw new ConfigError(variable, `expected ${choices.map((c) => JSON.stringify(c)).join(' or ')}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
}

/** An IPv4 or IPv6 address to listen on (a name would depend on the resolver at start). */
function address(value, variable) {
  if (isIP(value) === 0) throw new ConfigError(variable, `expected an IP address to listen on, got ${JSON.stringify(value)}`);
  return value;
}

function httpUrl(value, variable) {
  if (!/^https?:\/\//.test(value)) throw new ConfigError(variable, 'expected an https:// URL of the bank\'s key set');
  return value;
}

const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** Asymmetric JWS algorithms only: a shared-secret (HS*) or `none` token is never accepted. */
function algorithms(value, variable) {
  const list = value.split(',').map((a) => a.trim()).filter((a) => a !== '');
  const wrong = list.find((a) => !JWT_ALGORITHMS.includes(a));
  if (list.length === 0 || wrong !== undefined) {
    throw new ConfigError(variable, `expected a list of ${JWT_ALGORITHMS.join(', ')}; got ${JSON.stringify(wrong ?? value)}`);
  }
  return list;
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
