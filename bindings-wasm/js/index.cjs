'use strict';
// The npm package's API over the raw wasm-bindgen module: JS values in and
// out, real Error objects with `code` (and `path`) for every failure.

const WASM_GLUE = require.resolve('./wasm/d1_tracking_wasm.js');
/** The module instance new trackers are made in. */
let raw = require(WASM_GLUE);

/**
 * A fresh instance of the module: after a trap (out of memory, a bug) the
 * instance it happened in is in doubt (its allocator, wasm-bindgen's borrow
 * flags), so new trackers are made in a new one.
 */
function freshModule() {
  delete require.cache[WASM_GLUE];
  raw = require(WASM_GLUE);
}

function trapError(cause) {
  return d1Error('WASM_TRAP', `the WebAssembly module trapped (${cause}); this tracker's state is lost: ` +
    'build a new tracker (it gets a fresh module instance) and restore it from your rows or snapshot');
}

/** Errors of the package: `code` is stable; `path` names the field at fault. */
/**
 * Every error the package throws: `code` is stable (the core's codes, then the
 * package's own), `path` names the field or parameter at fault (or is null),
 * `number` is the core's stable number for its codes.
 */
class D1TrackingError extends Error {
  constructor(code, message, path = null, number = undefined) {
    super(message);
    this.name = 'D1TrackingError';
    this.code = code;
    this.path = path;
    if (number !== undefined) this.number = number;
  }
}

function d1Error(code, message, path = null) {
  return new D1TrackingError(code, `${code}${path ? ` at ${path}` : ''}: ${message}`, path);
}

/** The core's errors (plain `Error`s named D1TrackingError) as the class. */
function fromCore(error) {
  if (error instanceof Error && !(error instanceof D1TrackingError) && error.name === 'D1TrackingError') {
    return new D1TrackingError(error.code, error.message, error.path ?? null, error.number);
  }
  return error;
}

// The built-in typed-array methods, taken once: a body's length and bytes
// are read through them, never through what the object says of itself (a
// Proxy or a subclass may lie about `length`).
const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const byteLengthOf = Object.getOwnPropertyDescriptor(typedArrayProto, 'byteLength').get;
const setInto = typedArrayProto.set;
const arrayBufferByteLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength').get;

/**
 * A body as text, or as a fresh Uint8Array copied with the built-in methods;
 * over `limit` bytes is refused before anything is copied.
 */
function toBytesOrText(body, name, limit = Infinity) {
  if (typeof body === 'string') {
    // Its UTF-8 length, measured without copying (the same size, and the same
    // message, as the core gives).
    if (limit !== Infinity && (body.length > limit || Buffer.byteLength(body, 'utf8') > limit)) {
      throw tooLarge(Buffer.byteLength(body, 'utf8'), limit);
    }
    return body;
  }
  let view = body;
  if (body instanceof ArrayBuffer) {
    try {
      Reflect.apply(arrayBufferByteLength, body, []);
      view = new Uint8Array(body);
    } catch {
      throw d1Error('INVALID_ARGUMENT', 'expected a readable ArrayBuffer, found one that is detached or not an ArrayBuffer', name);
    }
  } else if (!(body instanceof Uint8Array)) {
    throw d1Error('INVALID_ARGUMENT', `expected a string, a Uint8Array, a Buffer or an ArrayBuffer, found ${describe(body)}`, name);
  }
  let length;
  try {
    length = Reflect.apply(byteLengthOf, view, []);
  } catch {
    throw d1Error('INVALID_ARGUMENT', 'expected a Uint8Array, found an object that only looks like one (a Proxy?)', name);
  }
  if (length > limit) throw tooLarge(length, limit);
  const copy = new Uint8Array(length);
  try {
    Reflect.apply(setInto, copy, [view]);
  } catch {
    throw d1Error('INVALID_ARGUMENT', 'expected readable bytes, found a Uint8Array whose buffer is detached', name);
  }
  return copy;
}

function tooLarge(size, limit) {
  return new D1TrackingError('PAYLOAD_TOO_LARGE', `PAYLOAD_TOO_LARGE: the body is ${size} bytes, the limit (maxBodyBytes) is ${limit}`, null, 201);
}

function bytes(value, name, limit) {
  const v = toBytesOrText(value, name, limit);
  return typeof v === 'string' ? new TextEncoder().encode(v) : v;
}

function text(value, name) {
  if (typeof value !== 'string') {
    throw d1Error('INVALID_ARGUMENT', `expected a string, found ${describe(value)}`, name);
  }
  return value;
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'Object'})` : `a ${typeof value}`;
}

function number(value, name, fallback) {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') {
    throw d1Error('INVALID_ARGUMENT', `expected a number of ms since the Unix epoch, found ${describe(value)}`, name);
  }
  return value;
}

/** A whole number of at least 1 (a page or chunk size). */
function count(value, name) {
  if (!Number.isInteger(value) || value < 1 || value > 0xffffffff) {
    throw d1Error('INVALID_ARGUMENT', `expected a whole number of at least 1, found ${describe(value)}`, name);
  }
  return value;
}

/** A row's text: the export as a string, or undefined for none yet. */
function rowText(row, name) {
  if (row === undefined || row === null) return undefined;
  if (typeof row === 'string') return row;
  if (row instanceof Uint8Array) return new TextDecoder().decode(row);
  throw d1Error('INVALID_ARGUMENT', `expected the card's export (a string) or null, found ${describe(row)}`, name);
}

function rowsJson(rows) {
  if (!Array.isArray(rows)) {
    throw d1Error('INVALID_ARGUMENT', `expected an array of rows [{cardId, row}], found ${describe(rows)}`, 'rows');
  }
  return JSON.stringify(rows.map((r, i) => {
    if (r === null || typeof r !== 'object') {
      throw d1Error('INVALID_ARGUMENT', `expected a row {cardId, row}, found ${describe(r)}`, `rows[${i}]`);
    }
    return { cardId: r.cardId, row: rowText(r.row, `rows[${i}].row`) ?? null };
  }));
}

function optionsJson(options) {
  if (options === undefined) return undefined;
  // Arrays go on to the core, which says what it expected (as in Rust and C).
  if (options === null || typeof options !== 'object') {
    throw d1Error('INVALID_ARGUMENT', `expected an options object, found ${describe(options)}`, 'options');
  }
  return JSON.stringify(options);
}

/**
 * Folds D1 Tracking hub notifications into one view per card. The state is
 * a pure function of the set of distinct notifications received.
 */
class Tracker {
  #raw;
  /** The module instance this tracker lives in. */
  #module;
  /** Why this tracker is unusable, once the module trapped in one of its calls. */
  #trapped = null;
  /** The body limit, checked before a body is copied into the module. */
  #maxBodyBytes;

  constructor(options) {
    const json = optionsJson(options);
    this.#maxBodyBytes = typeof options?.maxBodyBytes === 'number' ? options.maxBodyBytes : 1024 * 1024;
    try {
      this.#module = raw;
      this.#raw = new raw.WasmTracker(json);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw fromCore(error);
      freshModule();
      this.#module = raw;
      this.#raw = new raw.WasmTracker(json);
    }
  }

  /** Runs `f` on the raw tracker; a trap poisons this tracker for good. */
  #call(f) {
    if (this.#trapped !== null) throw trapError(this.#trapped);
    if (this.#raw === null) {
      throw d1Error('TRACKER_FREED', 'this tracker was freed; create a new one');
    }
    try {
      return f(this.#raw);
    } catch (error) {
      if (!(error instanceof WebAssembly.RuntimeError)) throw fromCore(error);
      this.#trapped = error.message;
      if (raw === this.#module) freshModule();
      throw trapError(this.#trapped);
    }
  }

  apply(body, receivedAtMs) {
    const at = number(receivedAtMs, 'receivedAtMs', 0);
    const b = toBytesOrText(body, 'body', this.#maxBodyBytes);
    return JSON.parse(this.#call((h) => (typeof b === 'string' ? h.applyText(b, at) : h.applyBytes(b, at))));
  }

  card(cardId) {
    const id = text(cardId, 'cardId');
    const json = this.#call((h) => h.card(id));
    return json === undefined ? undefined : JSON.parse(json);
  }

  /** Why the card shows its phase (README, "Why this phase"), or undefined for an unknown card. */
  explain(cardId) {
    const id = text(cardId, 'cardId');
    const json = this.#call((h) => h.explain(id));
    return json === undefined ? undefined : JSON.parse(json);
  }

  cards() {
    return JSON.parse(this.#call((h) => h.cards()));
  }

  /** Up to `limit` card views after card `after` (from the first when omitted), sorted by card id. */
  cardsPage(after, limit) {
    const from = after === undefined || after === null ? undefined : text(after, 'after');
    const n = count(limit, 'limit');
    return JSON.parse(this.#call((h) => h.cardsPage(from, n)));
  }

  cardIds() {
    return JSON.parse(this.#call((h) => h.cardIds()));
  }

  operations(cardId) {
    const id = text(cardId, 'cardId');
    const json = this.#call((h) => h.operations(id));
    return json === undefined ? undefined : JSON.parse(json);
  }

  get size() {
    return this.#call((h) => h.size());
  }

  /** The bytes the state keeps (what the `maxStateBytes` option bounds). */
  get stateBytes() {
    return this.#call((h) => h.stateBytes());
  }

  recordRequest(cardId, trackingType, atMs) {
    const args = [text(cardId, 'cardId'), text(trackingType, 'trackingType'), number(atMs, 'atMs')];
    return JSON.parse(this.#call((h) => h.recordRequest(...args)));
  }

  dueForReconciliation(nowMs, olderThanMs) {
    const args = [number(nowMs, 'nowMs'), number(olderThanMs, 'olderThanMs')];
    return JSON.parse(this.#call((h) => h.dueForReconciliation(...args)));
  }

  /** The cards a body touches (sorted, distinct): the rows to load before `foldRows`. */
  cardsOfBody(body) {
    const b = bytes(body, 'body', this.#maxBodyBytes);
    return JSON.parse(this.#call((h) => h.cardsOfBody(b)));
  }

  /**
   * Folds a body against the rows the host loaded (`[{cardId, row}]`, `row` null for none yet),
   * one for every card of the body; this tracker is not changed. Returns `{report, cards}`, with
   * each changed card's new `row`, `view` and `changes`.
   */
  foldRows(body, rows) {
    const b = bytes(body, 'body', this.#maxBodyBytes);
    const json = rowsJson(rows);
    return JSON.parse(this.#call((h) => h.foldRows(b, json)));
  }

  /** Records a Track Card request against a card's row (`{cardId, row}`); returns its update. */
  recordRequestOnRow(row, trackingType, atMs) {
    if (row === null || typeof row !== 'object') {
      throw d1Error('INVALID_ARGUMENT', `expected a row {cardId, row}, found ${describe(row)}`, 'row');
    }
    const args = [text(row.cardId, 'row.cardId'), rowText(row.row, 'row.row'), text(trackingType, 'trackingType'), number(atMs, 'atMs')];
    return JSON.parse(this.#call((h) => h.recordRequestOnRow(...args)));
  }

  /** Drops a card; returns its row, or `undefined` when the tracker held nothing of it. */
  evict(cardId) {
    const id = text(cardId, 'cardId');
    return this.#call((h) => h.evict(id));
  }

  /** Drops every card. */
  clear() {
    this.#call((h) => h.clear());
  }

  /** The snapshot (canonical JSON text), built from pieces so the module's memory stays small. */
  snapshot() {
    let out = '';
    for (const piece of this.snapshotChunks()) out += piece;
    return out;
  }

  /**
   * The snapshot as a sequence of texts (at most `cardsPerChunk` cards each, default 1,000) whose
   * concatenation is `snapshot()`: write them to a file or a stream, never one giant string.
   */
  *snapshotChunks(cardsPerChunk = 1000) {
    const n = count(cardsPerChunk, 'cardsPerChunk');
    let after;
    for (;;) {
      const out = this.#call((h) => h.snapshotChunk(after, n));
      const newline = out.indexOf('\n');
      yield out.slice(newline + 1);
      if (newline === 0) return;
      after = out.slice(0, newline);
    }
  }

  restore(snapshot) {
    const b = bytes(snapshot, 'snapshot');
    this.#call((h) => h.restore(b));
  }

  /** Restores from a sequence of pieces (strings or bytes), as `snapshotChunks` gives them. */
  restoreChunks(chunks) {
    if (chunks === null || typeof chunks !== 'object' || typeof chunks[Symbol.iterator] !== 'function') {
      throw d1Error('INVALID_ARGUMENT', `expected an iterable of strings or bytes, found ${describe(chunks)}`, 'chunks');
    }
    const parts = [];
    for (const chunk of chunks) parts.push(bytes(chunk, 'chunks[]'));
    this.restore(Buffer.concat(parts));
  }

  exportCard(cardId) {
    const id = text(cardId, 'cardId');
    return this.#call((h) => h.exportCard(id));
  }

  importCard(snapshot) {
    const b = bytes(snapshot, 'snapshot');
    this.#call((h) => h.importCard(b));
  }

  merge(other) {
    if (!(other instanceof Tracker)) {
      throw d1Error('INVALID_ARGUMENT', `expected a Tracker, found ${describe(other)}`, 'other');
    }
    if (other === this) return; // the union of a state with itself
    if (other.#module !== this.#module) {
      throw d1Error('INVALID_ARGUMENT', 'the trackers live in different module instances (one was made after a trap): ' +
        'move the state with snapshot() and restore(), or exportCard() and importCard()', 'other');
    }
    const theirs = other.#call((h) => h);
    this.#call((h) => h.merge(theirs));
  }

  /** Releases the tracker's memory now. Safe to call more than once, and after a trap. */
  free() {
    if (this.#raw !== null) {
      if (this.#trapped === null) this.#raw.free();
      this.#raw = null;
    }
  }

  get freed() {
    return this.#raw === null;
  }
}

if (typeof Symbol.dispose === 'symbol') {
  Tracker.prototype[Symbol.dispose] = Tracker.prototype.free;
}

/** A module-level call: the core's errors as the class; a trap replaces the instance. */
function guarded(f) {
  try {
    return f();
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      freshModule();
      throw trapError(error.message);
    }
    throw fromCore(error);
  }
}

function buildTrackCardRequest(request) {
  if (request === null || typeof request !== 'object') {
    throw d1Error('INVALID_ARGUMENT', `expected a request object, found ${describe(request)}`, 'request');
  }
  return JSON.parse(guarded(() => raw.buildTrackCardRequest(JSON.stringify(request))));
}

function buildStatusQuery(query) {
  if (query === null || typeof query !== 'object') {
    throw d1Error('INVALID_ARGUMENT', `expected a query object, found ${describe(query)}`, 'query');
  }
  return JSON.parse(guarded(() => raw.buildStatusQuery(JSON.stringify(query))));
}

/** Bytes of wasm linear memory in use by the module (for memory checks). */
function wasmMemoryBytes() {
  return raw.wasmMemoryBytes();
}

const PRODUCTION_BASE_URL = 'https://api.d1.thalescloud.io/banking/v1';
const STAGING_BASE_URL = 'https://api.d1-stg.thalescloud.io/banking/v1';

module.exports = { Tracker, D1TrackingError, buildTrackCardRequest, buildStatusQuery, wasmMemoryBytes, PRODUCTION_BASE_URL, STAGING_BASE_URL };
