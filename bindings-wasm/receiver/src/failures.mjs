// Which failures pass and which stay (README, "What happens to a body"): a
// transient one rolls the transaction back and answers 503, so D1 sends the
// body again; any other is deterministic, and what it touches is parked as a
// dead letter so that it never blocks the cards beside it.

/** Thrown inside a transaction to roll it back and answer 503: D1 sends the body again. */
export class RetryLater extends Error {
  constructor(message) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** The library trapped on a body: deterministic (the same bytes trap again), so never a 503. */
export class LibraryTrap extends Error {
  constructor(message) {
    super(message);
    this.name = 'LibraryTrap';
    this.code = 'WASM_TRAP';
  }
}

// PostgreSQL SQLSTATEs, by class (two characters) or whole: what a later
// attempt may not meet. 08 connection, 40 rollback (serialization, deadlock),
// 53 insufficient resources, 57 operator intervention (statement timeout,
// shutdown, cannot connect now), 58 system (I/O); lock_not_available (a lock
// timeout), idle_in_transaction_session_timeout.
const TRANSIENT_SQLSTATE_CLASSES = ['08', '40', '53', '57', '58'];
const TRANSIENT_SQLSTATES = ['55P03', '25P03'];
// Of those, the ones that say the database takes no writes at all: they do
// not count as a body's attempt (the body is not at fault).
const CONNECTION_SQLSTATE_CLASSES = ['08'];
const CONNECTION_SQLSTATES = ['57P01', '57P02', '57P03'];

// Node's socket errors.
const SOCKET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED'];

// node-postgres's own errors carry no code: a connection lost mid-query, a
// pool that gave no client in time.
const PG_CONNECTION_MESSAGES = /^(Connection terminated|Connection ended|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed)/;
const PG_TIMEOUT_MESSAGES = /^(Query read timeout|timeout exceeded when trying to connect)/;

// SQLite's result codes (better-sqlite3's `code`, extended codes included):
// the lock held by another process, I/O, a full disk, a file that cannot be
// opened or is read-only, memory, an interrupt, and a damaged file (the
// operator's problem, never one card's).
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|READONLY|NOMEM|INTERRUPT|CORRUPT|NOTADB)/;

/** True when a later attempt of the same work may succeed: answer 503. */
export function isTransient(err) {
  if (err instanceof RetryLater) return true;
  const code = typeof err?.code === 'string' ? err.code : '';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2)) || TRANSIENT_SQLSTATES.includes(code);
  }
  if (code.startsWith('SQLITE_')) return SQLITE_TRANSIENT.test(code);
  if (SOCKET_CODES.includes(code)) return true;
  const message = String(err?.message ?? '');
  return PG_CONNECTION_MESSAGES.test(message) || PG_TIMEOUT_MESSAGES.test(message);
}

/**
 * True when the database takes no writes at all — it cannot be reached, it
 * is shutting down, or SQLite's one write lock is held elsewhere: the
 * failure says nothing of the body.
 */
export function isUnavailable(err) {
  const code = typeof err?.code === 'string' ? err.code : '';
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return CONNECTION_SQLSTATE_CLASSES.includes(code.slice(0, 2)) || CONNECTION_SQLSTATES.includes(code);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
  if (SOCKET_CODES.includes(code)) return true;
  return PG_CONNECTION_MESSAGES.test(String(err?.message ?? ''));
}

/** True when a connection is broken and must not go back to the pool. */
export function isConnectionFailure(err) {
  return !String(err?.code ?? '').startsWith('SQLITE_') && isUnavailable(err);
}

/** A failure as a dead letter's `{code, path, message}`: the host failed, not D1's bytes. */
export function hostFailure(err) {
  const cause = err?.code ? `${err.code}: ` : '';
  return { code: 'HOST_FAILED', path: null, message: `the receiver could not fold this: ${cause}${err?.message ?? err}` };
}
