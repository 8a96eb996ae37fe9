#!/usr/bin/env node
// The re-derive command timed on a large database (a one-off bench, not run
// by the test command; its figures are in README.md, "Upgrades"):
//
//   DATABASE_URL=postgres://… node bench/rederive.mjs --cards 1000000
//   SQLITE_PATH=/tmp/big.db   node bench/rederive.mjs --cards 1000000
//
// Fills an empty, migrated database with --cards delivered cards, the rows
// the library wrote for them (one fold, its card id rewritten per card),
// makes every stored view say an older phase (as before a library upgrade),
// then times `rederive` twice: the upgrade pass (every card rewritten, its
// phase change in the outbox) and a second pass (nothing to change).
import { parseArgs } from 'node:util';

import { Tracker } from 'd1-tracking';

import { loadConfig } from '../src/config.mjs';
import { rederive } from '../src/rederive.mjs';
import { openStore } from '../src/store/index.mjs';

const { values } = parseArgs({ options: { cards: { type: 'string', default: '1000000' } } });
const cards = Number(values.cards);
const TEMPLATE = 'card-T00000000';
const ISSUER = 'ISSUER0001';

// One delivered card, as the receiver would store it.
const tracker = new Tracker();
const folded = tracker.foldRows(JSON.stringify({ operations: [{
  operationId: `op-${TEMPLATE}`, operation: 'STANDALONE_TRACKING', status: 'SUCCESSFUL',
  startTime: '2026-03-02T09:00:00.000Z', endTime: '2026-03-04T09:00:00.000Z', cardId: TEMPLATE,
  details: { trackingType: 'SHIPMENT', shipment: { carrier: 'DHL', trackingNumber: 'JD014600006281239827', status: 'Delivered' } },
}] }), [{ cardId: TEMPLATE, row: null }]).cards[0];
tracker.free();
const row = folded.row;
// The view before the upgrade: another phase and detailsStatus.
const oldView = JSON.stringify({ ...folded.view, phase: 'IN_TRANSIT' });
const seq = folded.changes.length;

const config = loadConfig(process.env, { serving: false });
const store = openStore(config);
const dialect = store.dialect;
await store.migrate();
const started = Date.now();
if (dialect === 'postgres') {
  await store.pool.query(`INSERT INTO cards (issuer_id, card_id, state, view, phase, outbox_seq, updated_ms)
    SELECT $1, id, replace($2, $5, id), replace($3, $5, id), 'IN_TRANSIT', $4, 0
    FROM (SELECT 'card-' || lpad(i::text, 8, '0') AS id FROM generate_series(1, $6) AS i) AS ids`,
  [ISSUER, row, oldView, seq, TEMPLATE, cards]);
  await store.pool.query('ANALYZE cards');
} else {
  store.db.prepare(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @cards)
    INSERT INTO cards (issuer_id, card_id, state, view, phase, outbox_seq, updated_ms)
    SELECT @issuer, id, replace(@row, @template, id), replace(@view, @template, id), 'IN_TRANSIT', @seq, 0
    FROM (SELECT 'card-' || substr('0000000' || i, -8) AS id FROM n)`)
    .run({ cards, issuer: ISSUER, row, view: oldView, seq, template: TEMPLATE });
}
const filledMs = Date.now() - started;

const pass = async () => {
  const t0 = Date.now();
  const totals = await rederive({ store });
  return { ...totals, ms: Date.now() - t0 };
};
const upgrade = await pass();
const again = await pass();
await store.close();
const perSecond = (p) => Math.round(p.cards / (p.ms / 1000));
process.stdout.write(`${JSON.stringify({
  database: dialect, cards, filledMs,
  upgrade: { ...upgrade, cardsPerSecond: perSecond(upgrade) },
  again: { ...again, cardsPerSecond: perSecond(again) },
})}\n`);
