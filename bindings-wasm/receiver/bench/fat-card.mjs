// The fat-card bench (README, "What happens to a body"): one card fattened
// within every bound of the library (64 operations of 32 notifications of
// about 15 KiB), then five clients sending small notifications for it while
// one client sends other cards' bodies, one at a time. Run once without a
// per-card bound (MAX_CARD_BYTES at its maximum) and once with the default:
// the fat card's row size, the cost of each of its requests, and the other
// cards' latency. One JSON line per run on stdout.
//
//   node bench/fat-card.mjs [--seconds 10]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Database from 'better-sqlite3';

import { startReceiver } from '../test/harness.mjs';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const ISSUER = 'ISSUER0001';
const NOTIFY = `/notifications/d1/v2/issuers/${ISSUER}/cards`;
const FAT = 'card-fat';

const notification = (cardId, op, n, bytes) => ({
  operationId: `op-${op}`, operation: 'STANDALONE_TRACKING', status: 'SUCCESSFUL',
  startTime: '2026-03-02T09:00:00.000Z', endTime: `2026-03-${String(2 + (n % 20)).padStart(2, '0')}T10:00:00.000Z`, cardId,
  details: {
    trackingType: 'SHIPMENT',
    shipment: { carrier: 'UPS', trackingNumber: `1Z${op}`, status: 'InTransit', message: `update ${n} `.padEnd(Math.min(2000, bytes), '.') },
    // Unknown members are kept: the rest of the bytes.
    ...Object.fromEntries(Array.from({ length: Math.floor(bytes / 2000) }, (_, i) => [`note${i}`, `${n}`.padEnd(1990, '-')])),
  },
});

const percentile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

async function run(label, maxCardBytes) {
  const dir = mkdtempSync(join(tmpdir(), 'd1t-fat-'));
  const db = join(dir, 'fat.db');
  const receiver = await startReceiver({
    WORKERS: '2', SQLITE_PATH: db, OUTBOX_LOG: join(dir, 'outbox.jsonl'), RECONCILE_INTERVAL_MS: '0', MAX_CARD_BYTES: String(maxCardBytes),
  });
  const retried = {};
  // Sent until accepted, as D1 would; each attempt's time counts.
  const post = async (text) => {
    const t0 = performance.now();
    for (;;) {
      const res = await receiver.d1(NOTIFY, { method: 'POST', body: text });
      const answer = await res.text();
      if (res.ok) return performance.now() - t0;
      if (res.status !== 503) throw new Error(`${res.status} from the receiver: ${answer}`);
      const { code } = JSON.parse(answer);
      retried[code] = (retried[code] ?? 0) + 1;
    }
  };
  try {
    // Fatten: 64 operations × 32 notifications of ~14 KiB, 60 to a body.
    const all = [];
    for (let op = 0; op < 64; op++) for (let n = 0; n < 32; n++) all.push(notification(FAT, `${op}`, n, 14_000));
    for (let i = 0; i < all.length; i += 60) await post(JSON.stringify({ operations: all.slice(i, i + 60) }));
    const rowBytes = () => {
      const d = new Database(db, { readonly: true });
      try {
        return d.prepare('SELECT length(state) AS n FROM cards WHERE card_id = ?').get(FAT)?.n ?? 0;
      } finally {
        d.close();
      }
    };
    const fatRowBytes = rowBytes();

    // Traffic: five clients on the fat card (small notifications, each new),
    // one client on other cards, for `seconds`.
    const until = performance.now() + Number(args.seconds) * 1000;
    const fatMs = [];
    const otherMs = [];
    let k = 0;
    const fatClient = async () => {
      while (performance.now() < until) fatMs.push(await post(JSON.stringify({ operations: [notification(FAT, `small-${k++}`, 1, 3_000)] })));
    };
    const otherClient = async () => {
      for (let i = 0; performance.now() < until; i++) {
        otherMs.push(await post(JSON.stringify({ operations: [notification(`card-${i}`, `o-${i}`, 1, 3_000)] })));
      }
    };
    await Promise.all([...Array.from({ length: 5 }, fatClient), otherClient()]);
    return {
      bench: 'fat-card', run: label, max_card_bytes: maxCardBytes, fat_row_bytes: fatRowBytes,
      fat_requests: fatMs.length, fat_p50_ms: percentile(fatMs, 0.5), fat_max_ms: Math.max(...fatMs),
      other_requests: otherMs.length, other_p50_ms: percentile(otherMs, 0.5), other_p99_ms: percentile(otherMs, 0.99),
      other_max_ms: Math.max(...otherMs), retried_503: retried,
    };
  } finally {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const [label, bytes] of [['unbounded', 2 ** 31], ['default bound', 1024 * 1024]]) {
  process.stdout.write(`${JSON.stringify(await run(label, bytes))}\n`);
}
