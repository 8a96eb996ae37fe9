#!/usr/bin/env node
// `npm run rederive`: after a library upgrade, re-folds every stored card's
// row with the current library, rewrites its `view` and `phase`, and writes
// what changed to the outbox, numbered on from the card's last sequence, so
// that every chain stays unbroken: the next fold's `old` values are what the
// outbox last said (README, "Upgrades"). It runs beside a serving receiver:
// a page of cards at a time, each page one transaction with its rows locked.
// Run twice, the second pass changes nothing; stopped, it resumes from the
// last page it printed (--after ISSUER/CARD).
import { parseArgs } from 'node:util';

import { Tracker } from 'd1-tracking';

import { LIBRARY_VERSION, outboxRows, viewChanges } from './changes.mjs';
import { ConfigError, loadConfig } from './config.mjs';
import { openStore } from './store/index.mjs';

/** Cards per page (one transaction each). */
export const PAGE = 500;

/**
 * One pass over every stored card after `after` ({issuerId, cardId} or
 * null), `pageSize` cards per transaction. `dryRun` counts without writing.
 * `onPage({last, cards, changed, changes, unreadable})` after each page.
 * Resolves to the totals.
 */
export async function rederive({ store, after = null, pageSize = PAGE, dryRun = false, onPage = () => {}, onUnreadable = () => {} }) {
  const tracker = new Tracker();
  const totals = { cards: 0, changed: 0, changes: 0, unreadable: 0 };
  try {
    for (let cursor = after; ;) {
      const page = await store.rederivePage(cursor, pageSize, (rows) => {
        const updates = [];
        let unreadable = 0;
        for (const row of rows) {
          let view;
          let stored;
          try {
            tracker.clear();
            tracker.importCard(row.state);
            view = tracker.card(row.cardId);
            stored = row.view === null ? null : JSON.parse(row.view);
          } catch (err) {
            // Left as it is: a row the library refuses (the next
            // notification parks its operations: README, "What happens to a
            // body"), or a stored view that is not JSON.
            unreadable++;
            onUnreadable({ issuerId: row.issuerId, cardId: row.cardId, code: err.code, message: err.message });
            continue;
          }
          const changes = viewChanges(stored, view);
          const viewText = JSON.stringify(view);
          if (changes.length === 0 && viewText === row.view && row.viewVersion === LIBRARY_VERSION) continue;
          updates.push({
            issuerId: row.issuerId, cardId: row.cardId, view: viewText, phase: view.phase,
            seq: row.seq + changes.length,
            outbox: outboxRows(changes, row.seq),
          });
        }
        return { updates: dryRun ? [] : updates, found: updates, unreadable, nowMs: Date.now() };
      });
      if (page.rows === 0) break;
      const changes = page.found.reduce((n, u) => n + u.outbox.length, 0);
      totals.cards += page.rows;
      totals.changed += page.found.length;
      totals.changes += changes;
      totals.unreadable += page.unreadable;
      cursor = page.last;
      onPage({ last: page.last, cards: page.rows, changed: page.found.length, changes, unreadable: page.unreadable });
    }
  } finally {
    tracker.free();
  }
  return totals;
}

async function main() {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      after: { type: 'string' },
      'page-size': { type: 'string', default: String(PAGE) },
    },
  });
  let after = null;
  if (values.after !== undefined) {
    const slash = values.after.indexOf('/');
    if (slash < 0) throw new ConfigError('--after', 'expected ISSUER/CARD, as the last page line printed');
    after = { issuerId: values.after.slice(0, slash), cardId: values.after.slice(slash + 1) };
  }
  const pageSize = Number(values['page-size']);
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new ConfigError('--page-size', 'expected a whole number of cards, 1 or more');
  const config = loadConfig(process.env, { serving: false });
  const store = openStore(config);
  const line = (entry) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  const started = Date.now();
  try {
    await store.checkSchema();
    const totals = await rederive({
      store, after, pageSize, dryRun: values['dry-run'],
      onPage: (p) => line({ event: 'rederive_page', after: `${p.last.issuerId}/${p.last.cardId}`, ...p, last: undefined }),
      onUnreadable: (u) => line({ level: 'warn', event: 'rederive_unreadable', ...u }),
    });
    line({ event: 'rederived', dryRun: values['dry-run'], ...totals, ms: Date.now() - started });
  } finally {
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    const expected = err instanceof ConfigError || err?.name === 'SchemaError';
    process.stderr.write(`d1-tracking-receiver rederive: ${expected ? err.message : err?.stack ?? err}\n`);
    process.exit(expected ? 2 : 1);
  });
}
