// Every vector of tests/vectors gives the same canonical bytes as the Rust runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonical, errorInfo, pkg, vectors } from './helpers.mjs';

function attempt(fn) {
  try {
    return fn();
  } catch (error) {
    return { error: errorInfo(error) };
  }
}

function run(vector) {
  const tracker = new pkg.Tracker(vector.config);
  try {
    const reports = vector.steps.map((step, i) => {
      if (step.recordRequest) {
        const r = step.recordRequest;
        return attempt(() => (tracker.recordRequest(r.cardId, r.trackingType, r.atMs), { ok: true }));
      }
      if (step.due) return { due: tracker.dueForReconciliation(step.due.nowMs, step.due.olderThanMs) };
      if (step.explain !== undefined) return { explain: tracker.explain(step.explain) ?? null };
      if (step.trackCardRequest) return attempt(() => pkg.buildTrackCardRequest(step.trackCardRequest));
      // Alternate the body types a webhook may hand over.
      const body = step.bodyText !== undefined
        ? step.bodyText
        : i % 2 === 0 ? Buffer.from(canonical(step.body)) : canonical(step.body);
      return attempt(() => tracker.apply(body, step.receivedAtMs ?? 0));
    });
    return { reports, cards: tracker.cards(), snapshot: tracker.snapshot() };
  } finally {
    tracker.free();
  }
}

const all = vectors();
test('there are vectors', () => assert.ok(all.length >= 40));
for (const { file, vector } of all) {
  test(file, () => {
    const actual = run(vector);
    assert.equal(actual.snapshot, vector.expect.snapshot);
    assert.equal(canonical(actual), canonical(vector.expect));
  });
}
