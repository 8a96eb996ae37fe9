'use strict';
// The npm package's API over the raw wasm-bindgen module: JS values in and
// out, real Error objects with `code` (and `path`) for every failure.

const raw = require('./wasm/d1_tracking_wasm.js');

/** Errors of the package: `code` is stable; `path` names the field at fault. */
function d1Error(code, message, path = null) {
  const error = new Error(`${code}${path ? ` at ${path}` : ''}: ${message}`);
  error.name = 'D1TrackingError';
  error.code = code;
  error.path = path;
  return error;
}

function toBytesOrText(body, name) {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body; // Buffer is a Uint8Array
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw d1Error('INVALID_ARGUMENT', `expected a string, a Uint8Array, a Buffer or an ArrayBuffer, found ${describe(body)}`, name);
}

function bytes(value, name) {
  const v = toBytesOrText(value, name);
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

  constructor(options) {
    this.#raw = new raw.WasmTracker(optionsJson(options));
  }

  #handle() {
    if (this.#raw === null) {
      throw d1Error('TRACKER_FREED', 'this tracker was freed; create a new one');
    }
    return this.#raw;
  }

  apply(body, receivedAtMs) {
    const h = this.#handle();
    const at = number(receivedAtMs, 'receivedAtMs', 0);
    const b = toBytesOrText(body, 'body');
    return JSON.parse(typeof b === 'string' ? h.applyText(b, at) : h.applyBytes(b, at));
  }

  card(cardId) {
    const json = this.#handle().card(text(cardId, 'cardId'));
    return json === undefined ? undefined : JSON.parse(json);
  }

  cards() {
    return JSON.parse(this.#handle().cards());
  }

  cardIds() {
    return JSON.parse(this.#handle().cardIds());
  }

  operations(cardId) {
    const json = this.#handle().operations(text(cardId, 'cardId'));
    return json === undefined ? undefined : JSON.parse(json);
  }

  get size() {
    return this.#handle().size();
  }

  recordRequest(cardId, trackingType, atMs) {
    return JSON.parse(this.#handle().recordRequest(text(cardId, 'cardId'), text(trackingType, 'trackingType'), number(atMs, 'atMs')));
  }

  dueForReconciliation(nowMs, olderThanMs) {
    return JSON.parse(this.#handle().dueForReconciliation(number(nowMs, 'nowMs'), number(olderThanMs, 'olderThanMs')));
  }

  snapshot() {
    return this.#handle().snapshot();
  }

  restore(snapshot) {
    this.#handle().restore(bytes(snapshot, 'snapshot'));
  }

  exportCard(cardId) {
    return this.#handle().exportCard(text(cardId, 'cardId'));
  }

  importCard(snapshot) {
    this.#handle().importCard(bytes(snapshot, 'snapshot'));
  }

  merge(other) {
    if (!(other instanceof Tracker)) {
      throw d1Error('INVALID_ARGUMENT', `expected a Tracker, found ${describe(other)}`, 'other');
    }
    if (other === this) return; // the union of a state with itself
    this.#handle().merge(other.#handle());
  }

  /** Releases the tracker's memory now. Safe to call more than once. */
  free() {
    if (this.#raw !== null) {
      this.#raw.free();
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

function buildTrackCardRequest(request) {
  if (request === null || typeof request !== 'object') {
    throw d1Error('INVALID_ARGUMENT', `expected a request object, found ${describe(request)}`, 'request');
  }
  return JSON.parse(raw.buildTrackCardRequest(JSON.stringify(request)));
}

function buildStatusQuery(query) {
  if (query === null || typeof query !== 'object') {
    throw d1Error('INVALID_ARGUMENT', `expected a query object, found ${describe(query)}`, 'query');
  }
  return JSON.parse(raw.buildStatusQuery(JSON.stringify(query)));
}

/** Bytes of wasm linear memory in use by the module (for memory checks). */
function wasmMemoryBytes() {
  return raw.wasmMemoryBytes();
}

const PRODUCTION_BASE_URL = 'https://api.d1.thalescloud.io/banking/v1';
const STAGING_BASE_URL = 'https://api.d1-stg.thalescloud.io/banking/v1';

module.exports = { Tracker, buildTrackCardRequest, buildStatusQuery, wasmMemoryBytes, PRODUCTION_BASE_URL, STAGING_BASE_URL };
