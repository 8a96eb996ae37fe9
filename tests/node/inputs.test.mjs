// Hostile and unusual bodies in Node: every error is a D1TrackingError; a
// Proxy or a subclass lying about its length never reaches the module; a
// detached buffer is INVALID_ARGUMENT; a body over maxBodyBytes is refused
// before anything is copied into WebAssembly memory.
import test from 'node:test';
import assert from 'node:assert/strict';
import { pkg } from './helpers.mjs';

const { Tracker, D1TrackingError, buildTrackCardRequest, wasmMemoryBytes } = pkg;

const ONE = JSON.stringify({ operations: [{ operationId: 'op-1', operation: 'STANDALONE_TRACKING', status: 'PENDING',
  startTime: '2026-03-02T09:00:00Z', cardId: 'card-1', details: { trackingType: 'SHIPMENT' } }] });
const isError = (code, path) => (e) => e instanceof D1TrackingError && e instanceof Error &&
  e.name === 'D1TrackingError' && e.code === code && (path === undefined || e.path === path);

test('every error the package throws is a D1TrackingError', () => {
  const t = new Tracker();
  assert.throws(() => t.apply('not json'), isError('PARSING_ERROR'));
  assert.throws(() => t.apply(42), isError('INVALID_ARGUMENT', 'body'));
  assert.throws(() => new Tracker({ maxCard: 1 }), isError('FIELD_INVALID_VALUE', 'maxCard'));
  assert.throws(() => buildTrackCardRequest({ issuerId: 'short', cardId: 'c', trackingType: 'SHIPMENT' }), isError('FIELD_INVALID_FORMAT', 'issuerId'));
  t.free();
  assert.throws(() => t.card('card-1'), isError('TRACKER_FREED'));
});

test('a Proxy of a body is refused, and the tracker goes on', () => {
  const t = new Tracker();
  const body = new TextEncoder().encode(ONE);
  const liar = new Proxy(body, { get: (target, key) => (key === 'length' ? 1 << 30 : Reflect.get(target, key)) });
  assert.throws(() => t.apply(liar), isError('INVALID_ARGUMENT', 'body'));
  assert.equal(t.apply(body).operations[0].outcome, 'applied');
  t.free();
});

test('a Uint8Array subclass that lies about its length is read by its true length', () => {
  class Liar extends Uint8Array {
    get length() { return 1 << 30; }
    get byteLength() { return 1 << 30; }
  }
  const t = new Tracker();
  const other = new Tracker();
  const body = Liar.from(new TextEncoder().encode(ONE));
  assert.equal(t.apply(body).operations[0].outcome, 'applied');
  assert.equal(t.snapshot().includes('card-1'), true);
  // Nothing of it reached the other tracker.
  assert.equal(other.size, 0);
  t.free();
  other.free();
});

test('detached buffers are INVALID_ARGUMENT', () => {
  const t = new Tracker();
  const buffer = new TextEncoder().encode(ONE).buffer;
  const view = new Uint8Array(buffer);
  structuredClone(buffer, { transfer: [buffer] }); // detaches it
  assert.throws(() => t.apply(buffer), isError('INVALID_ARGUMENT', 'body'));
  assert.throws(() => t.apply(view), isError('INVALID_ARGUMENT', 'body'));
  assert.equal(t.size, 0);
  t.free();
});

test('a body over maxBodyBytes is refused before it is copied into the module', () => {
  const t = new Tracker();
  const before = wasmMemoryBytes();
  const huge = 'x'.repeat(64 * 1024 * 1024);
  assert.throws(() => t.apply(huge), isError('PAYLOAD_TOO_LARGE'));
  assert.throws(() => t.apply(Buffer.alloc(8 * 1024 * 1024)), isError('PAYLOAD_TOO_LARGE'));
  assert.throws(() => t.cardsOfBody(huge), isError('PAYLOAD_TOO_LARGE'));
  assert.equal(wasmMemoryBytes(), before);
  const small = new Tracker({ maxBodyBytes: 100 });
  assert.throws(() => small.apply(ONE), (e) => isError('PAYLOAD_TOO_LARGE')(e) && /limit \(maxBodyBytes\) is 100/.test(e.message));
  t.free();
  small.free();
});
