// The bad-input catalogue through the npm package: same codes and paths as
// Rust, real Error objects, nothing changed, and the same tracker (the same
// wasm instance) keeps working afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { caseBytes, catalogue, errorInfo, pkg } from './helpers.mjs';

const { cases, setup } = catalogue();

function isJson(bytes) {
  try {
    JSON.parse(bytes.toString());
    return true;
  } catch {
    return false;
  }
}

function thrown(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error, 'a real Error');
    return errorInfo(error);
  }
  assert.fail('expected an error');
}

test('every catalogue case: exact code and path, state unchanged, tracker still usable', () => {
  const tracker = new pkg.Tracker();
  for (const body of setup) tracker.apply(body);
  const before = tracker.snapshot();
  assert.ok(cases.length >= 100);
  let notExpressible = 0;
  for (const c of cases) {
    const bytes = caseBytes(c);
    // Options and Track Card requests are JS objects here: text that is not
    // JSON cannot be passed at all, which the catalogue expects as PARSING_ERROR.
    if (['config', 'trackCardRequest'].includes(c.target) && !isJson(bytes)) {
      assert.equal(c.code, 'PARSING_ERROR', c.name);
      notExpressible += 1;
      continue;
    }
    let info;
    switch (c.target) {
      case 'apply':
        if (c.scope === 'body') {
          info = thrown(() => tracker.apply(bytes));
        } else {
          const report = tracker.apply(bytes);
          assert.equal(report.operations.length, 1, c.name);
          assert.equal(report.operations[0].outcome, 'rejected', c.name);
          info = report.operations[0].error;
        }
        break;
      case 'restore': info = thrown(() => tracker.restore(bytes)); break;
      case 'import': info = thrown(() => tracker.importCard(bytes)); break;
      case 'config': info = thrown(() => new pkg.Tracker(JSON.parse(bytes.toString()))); break;
      case 'trackCardRequest': info = thrown(() => pkg.buildTrackCardRequest(JSON.parse(bytes.toString()))); break;
      case 'recordRequest': {
        const a = JSON.parse(bytes.toString());
        info = thrown(() => tracker.recordRequest(a.cardId, a.trackingType, a.atMs));
        break;
      }
      default: assert.fail(`unknown target ${c.target}`);
    }
    assert.equal(info.code, c.code, c.name);
    assert.equal(info.path, c.path, c.name);
    assert.ok(info.message.length > 0, c.name);
    assert.equal(tracker.snapshot(), before, `${c.name} changed the state`);
  }
  assert.ok(notExpressible <= 2, `${notExpressible} cases skipped`);
  // Still the same, working instance.
  const report = tracker.apply(setup[0]);
  assert.equal(report.operations[0].outcome, 'duplicate');
  assert.equal(tracker.cardIds().length, 2);
  tracker.free();
});

test('JavaScript misuse: wrong argument types, use after free', () => {
  const tracker = new pkg.Tracker();
  const misuse = [
    [() => tracker.apply(42), 'INVALID_ARGUMENT', 'body'],
    [() => tracker.apply(null), 'INVALID_ARGUMENT', 'body'],
    [() => tracker.apply({ operations: [] }), 'INVALID_ARGUMENT', 'body'],
    [() => tracker.apply('{"operations":[]}', '2026'), 'INVALID_ARGUMENT', 'receivedAtMs'],
    [() => tracker.apply('{"operations":[]}', -1), 'FIELD_INVALID_FORMAT', 'receivedAtMs'],
    [() => tracker.apply('{"operations":[]}', 1.5), 'FIELD_INVALID_FORMAT', 'receivedAtMs'],
    [() => tracker.apply('{"operations":[]}', Number.NaN), 'FIELD_INVALID_FORMAT', 'receivedAtMs'],
    [() => tracker.apply('{"operations":[]}', 2 ** 60), 'FIELD_INVALID_FORMAT', 'receivedAtMs'],
    [() => tracker.card(7), 'INVALID_ARGUMENT', 'cardId'],
    [() => tracker.recordRequest('card-1', 'SHIPMENT'), 'INVALID_ARGUMENT', 'atMs'],
    [() => tracker.dueForReconciliation(Infinity, 0), 'FIELD_INVALID_FORMAT', 'nowMs'],
    [() => tracker.merge({}), 'INVALID_ARGUMENT', 'other'],
    [() => tracker.restore(undefined), 'INVALID_ARGUMENT', 'snapshot'],
    [() => new pkg.Tracker('maxCards=1'), 'INVALID_ARGUMENT', 'options'],
    [() => pkg.buildTrackCardRequest('ISSUER0001'), 'INVALID_ARGUMENT', 'request'],
  ];
  for (const [fn, code, path] of misuse) {
    const info = thrown(fn);
    assert.deepEqual([info.code, info.path], [code, path], fn.toString());
  }
  assert.equal(tracker.snapshot(), '{"cards":[],"format":"d1-tracking/1"}');
  tracker.free();
  tracker.free(); // twice is fine
  assert.equal(tracker.freed, true);
  for (const fn of [() => tracker.apply('{}'), () => tracker.snapshot(), () => tracker.size, () => new pkg.Tracker().merge(tracker)]) {
    assert.equal(thrown(fn).code, 'TRACKER_FREED');
  }
});

test('merge with itself is a no-op; Symbol.dispose frees', () => {
  const tracker = new pkg.Tracker();
  tracker.recordRequest('card-1', 'SHIPMENT', 5);
  const before = tracker.snapshot();
  tracker.merge(tracker);
  assert.equal(tracker.snapshot(), before);
  if (typeof Symbol.dispose === 'symbol') {
    tracker[Symbol.dispose]();
    assert.equal(tracker.freed, true);
  } else {
    tracker.free();
  }
});
