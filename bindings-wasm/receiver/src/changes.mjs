// A card's outbox changes when the library that folds it is not the one that
// wrote its stored view (README, "Upgrades"): the differences between the
// stored view and the view now, so that each change's `old` is what the
// outbox last said.
import { createRequire } from 'node:module';

/** The d1-tracking version folding here; stored beside each view it writes (`view_version`). */
export const LIBRARY_VERSION = createRequire(import.meta.url)('d1-tracking/package.json').version;

/**
 * What changed between a card's stored view and its view now, as the
 * library names changes (its `changes`): per tracking, in the order of
 * `kinds`, each field of the tracking's view whose value differs, by name
 * (`notifications` is a count of history, not a status, and the library
 * leaves it out too); then `phase`. Views are the library's own JSON, so
 * their field names are the library's; nothing here lists them.
 */
export function viewChanges(before, after) {
  const changes = [];
  const kinds = [...new Set([...Object.keys(before?.trackings ?? {}), ...Object.keys(after.trackings)])];
  for (const kind of kinds.sort(byCodePoint)) {
    const old = before?.trackings?.[kind] ?? null;
    const now = after.trackings[kind] ?? null;
    const fields = [...new Set([...Object.keys(old ?? {}), ...Object.keys(now ?? {})])]
      .filter((f) => f !== 'notifications').sort(byCodePoint);
    for (const field of fields) {
      const o = old?.[field] ?? null;
      const n = now?.[field] ?? null;
      if (JSON.stringify(o) !== JSON.stringify(n)) changes.push({ trackingType: kind, field, old: o, new: n });
    }
  }
  if ((before?.phase ?? null) !== after.phase) {
    changes.push({ trackingType: null, field: 'phase', old: before?.phase ?? null, new: after.phase });
  }
  return changes;
}

/** The outbox rows of `changes` ({trackingType, field, old, new}), numbered on after `lastSeq`. */
export function outboxRows(changes, lastSeq) {
  return changes.map((change, i) => ({
    seq: lastSeq + i + 1,
    trackingType: change.trackingType,
    field: change.field,
    old: JSON.stringify(change.old),
    new: JSON.stringify(change.new),
  }));
}

function byCodePoint(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}
