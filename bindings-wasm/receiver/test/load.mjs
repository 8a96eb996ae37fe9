// The receiver under D1-like load while a fault is injected (load-and-kill
// and the database faults use it): nothing acknowledged is lost, every view
// equals one in-memory tracker fed the same traffic, every invalid operation
// is a dead letter, and the outbox is a complete chain per card and field, in
// order per card.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { Tracker } from 'd1-tracking';

import { sendAll, startReceiver } from './harness.mjs';
import { traffic } from './traffic.mjs';

export const CARDS = Number(process.env.D1T_RECEIVER_TEST_CARDS ?? 2000);
const CLIENTS = 8;
const ISSUER = 'ISSUER0001';

/**
 * Sends the traffic of `cards` cards (CARDS by default) while `fault` is injected, then checks
 * that nothing acknowledged was lost: every view equals one in-memory
 * tracker's, every invalid operation is a dead letter (and nothing else is),
 * the outbox is a complete chain per card and field, delivered in order.
 * `fault.run(ctx)` runs while the senders send (`ctx.progress()`,
 * `ctx.sending()`, `ctx.receiver`, `ctx.total`); `fault.check(ctx, tally)`
 * asserts what the fault should have caused and returns its figures.
 */
export async function loadUnderFault(t, { env, query, fault, cards: cardCount = CARDS }) {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-receiver-'));
  const outboxLog = join(dir, 'outbox.jsonl');
  const { sends, cards, invalid, stats } = traffic({ cards: cardCount, seed: 20261128 });
  const receiver = await startReceiver({
    WORKERS: '2', OUTBOX_LOG: outboxLog, OUTBOX_POLL_MS: '20', RECONCILE_INTERVAL_MS: '0',
    // A killed dispatcher's lease lasts the callback's timeout and 5 s.
    OUTBOX_TIMEOUT_MS: '5000', ...env,
  });
  try {
    let progress = 0;
    let sending = true;
    const ctx = { receiver, progress: () => progress, sending: () => sending, total: sends.length };
    const faulting = fault.run(ctx);
    const onProgress = (done) => { progress = done; };
    let tally;
    try {
      tally = await sendAll({
        sends,
        clients: CLIENTS,
        onProgress,
        post: (s) => s.kind === 'body'
          ? [`${receiver.url}/notifications/d1/v2/issuers/${ISSUER}/cards`, s.text, receiver.d1Headers]
          : [`${receiver.adminUrl}/issuers/${ISSUER}/cards/${s.cardId}/tracking-requests`,
            JSON.stringify({ trackingType: s.trackingType, atMs: s.atMs }), receiver.adminHeaders],
        accept: (status, s) => {
          if (status >= 400 && status < 500) assert.fail(`unexpected ${status} for ${JSON.stringify(s).slice(0, 300)}`);
          return status >= 200 && status < 300;
        },
      });
    } finally {
      sending = false;
      await faulting;
    }
    // No request waited for an answer until the sender gave up.
    assert.equal(tally.timeouts, 0, 'requests that waited for an answer until the sender gave up');
    const faultFigures = await fault.check(ctx, tally);

    // The oracle: one tracker fed the same traffic, in its own order.
    const oracle = new Tracker();
    for (const s of sends) {
      if (s.kind === 'body') oracle.apply(s.text);
      else oracle.recordRequest(s.cardId, s.trackingType, s.atMs);
    }
    assert.equal(oracle.size, cards.length);

    // The outbox drains.
    const deadline = Date.now() + 60_000;
    let metrics;
    for (;;) {
      metrics = Object.fromEntries((await (await receiver.admin('/metrics')).text())
        .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')).map(([k, v]) => [k, Number(v)]));
      if (metrics.d1t_outbox_pending === 0) break;
      assert.ok(Date.now() < deadline, `outbox still has ${metrics.d1t_outbox_pending} rows`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(metrics.d1t_cards, cards.length);

    // Every view, as served, equals the oracle's.
    let mismatches = 0;
    let withParked = 0;
    let next = 0;
    const finalViews = new Map();
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next++; i < cards.length; i = next++) {
        const res = await receiver.admin(`/cards/${cards[i]}`, { signal: AbortSignal.timeout(10_000) });
        // The library's view, and `parked` for a card with open dead letters
        // (its invalid operations): compared without it.
        const { parked, ...view } = await res.json();
        const expected = JSON.stringify(oracle.card(cards[i]));
        if (res.status !== 200 || JSON.stringify(view) !== expected) mismatches++;
        if (parked !== undefined) withParked++;
        finalViews.set(cards[i], view);
      }
    }));
    assert.equal(mismatches, 0, 'views that differ from the in-memory tracker');
    assert.ok(withParked > 0 && withParked <= stats.invalidOperations, `${withParked} cards show parked operations`);

    assert.equal(await receiver.stop(), 0, 'SIGTERM stops the receiver cleanly');

    // Dead letters: every invalid operation, with its raw text, and nothing else.
    const letters = await query('SELECT scope, card_id, code, path, raw FROM dead_letters');
    for (const marker of invalid) {
      assert.ok(letters.some((l) => l.scope === 'operation' && l.raw.includes(`"${marker}"`)), `${marker} is a dead letter`);
    }
    assert.ok(letters.every((l) => /"invalid-\d+"/.test(l.raw) && l.code.startsWith('FIELD_')), 'no other dead letters');

    // The outbox as delivered: de-duplicated by id, a complete chain per card and field.
    const lines = readFileSync(outboxLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const byId = new Map();
    for (const line of lines) {
      const seen = byId.get(line.id);
      if (seen) assert.deepEqual(line, seen, `outbox id ${line.id} delivered twice with other content`);
      else byId.set(line.id, line);
    }
    const rows = await query('SELECT id, card_id, seq, done_ms FROM outbox');
    assert.equal(byId.size, rows.length, 'every outbox row delivered');
    assert.ok(rows.every((r) => r.done_ms !== null && byId.get(Number(r.id))?.seq === Number(r.seq)));
    const perCard = new Map();
    for (const line of byId.values()) {
      if (!perCard.has(line.cardId)) perCard.set(line.cardId, []);
      perCard.get(line.cardId).push(line);
    }
    assert.equal(perCard.size, cards.length, 'every card has changes');
    for (const [cardId, changes] of perCard) {
      // Delivered in order: first deliveries by id follow the card's sequence.
      changes.forEach((c, i) => assert.equal(c.seq, i + 1, `${cardId}: outbox seq ${c.seq} delivered at place ${i + 1}`));
      const view = finalViews.get(cardId);
      const last = new Map();
      for (const c of changes) {
        const key = `${c.trackingType}/${c.field}`;
        assert.ok(isDeepStrictEqual(c.old, last.has(key) ? last.get(key) : null), `${cardId} ${key}: chain broken at seq ${c.seq}`);
        last.set(key, c.new);
      }
      for (const [key, value] of last) {
        const [kind, field] = key.split('/');
        const shown = kind === 'null' ? view[field] : view.trackings[kind]?.[field] ?? null;
        assert.ok(isDeepStrictEqual(value, shown), `${cardId} ${key}: the last change is not the view's value`);
      }
    }
    const figures = {
      ...stats, fault: fault.name, ...faultFigures, retries: tally.retries, connectionErrors: tally.connectionErrors, timeouts: tally.timeouts,
      statuses: tally.statuses, outboxRows: byId.size, outboxLines: lines.length,
      duplicatesDelivered: lines.length - byId.size, deadLetters: letters.length, lost: mismatches,
    };
    t.diagnostic(`figures ${JSON.stringify(figures)}`);
    oracle.free();
  } finally {
    if (receiver.proc.exitCode === null) await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

