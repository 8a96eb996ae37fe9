#!/usr/bin/env node
// Re-driving dead letters (README, "Re-driving dead letters"): each open
// letter's bytes are folded again through the same transaction as D1's
// calls — an operation's wrapped back into `{"operations":[…]}` — and the
// letter is marked `redriven` in that transaction. What fails again becomes
// a new open letter naming it (`redrive_of`).
//
//   npm run redrive -- [--dry-run] [--id N]... [--code CODE] [--limit N]
//
// Also the admin route POST /dead-letters/redrive.
import { parseArgs } from 'node:util';

import { ConfigError, loadConfig } from './config.mjs';
import { Ingest } from './ingest.mjs';
import { openStore } from './store/index.mjs';

const OPEN = Buffer.from('{"operations":[');
const CLOSE = Buffer.from(']}');

/** The body a letter's bytes make: a body's as they are, an operation's in an envelope of its own. */
export function bodyOf(letter) {
  return letter.scope === 'body' ? letter.rawBytes : Buffer.concat([OPEN, letter.rawBytes, CLOSE]);
}

/**
 * Re-drives open letters: those of `ids`, else those of `code` (any code
 * when null), at most `limit`. With `dryRun`, folds and rolls back. Resolves
 * to one result per letter: `{id, outcome, cards, deadLetters}`, where
 * outcome is `redriven` (folded, nothing failed again), `failed again` (new
 * letters were written: their codes are listed), `not open` or `missing`.
 */
export async function redrive({ store, ingest, ids = null, code = null, dryRun = false, limit = 100, log = () => {} }) {
  const letters = ids === null
    ? await store.deadLetters({ status: 'open', code, limit })
    : await Promise.all(ids.map(async (id) => (await store.deadLetter(id)) ?? { id, missing: true }));
  const results = [];
  for (const letter of letters) {
    if (letter.missing) {
      results.push({ id: letter.id, outcome: 'missing' });
      continue;
    }
    if (letter.status !== 'open') {
      results.push({ id: letter.id, outcome: 'not open', status: letter.status });
      continue;
    }
    const folded = await ingest.notifications(letter.issuerId, bodyOf(letter), { redriveOf: letter.id, dryRun });
    const again = folded.deadLetters.map((l) => l.code);
    const result = {
      id: letter.id,
      outcome: again.length === 0 ? 'redriven' : 'failed again',
      cards: folded.cards.map((c) => c.cardId),
      deadLetters: again,
    };
    if (dryRun) result.dryRun = true;
    if (folded.isolated) result.isolated = folded.isolated;
    log({ level: 'info', event: 'dead_letter_redriven', ...result });
    results.push(result);
  }
  return results;
}

async function main() {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      id: { type: 'string', multiple: true },
      code: { type: 'string' },
      limit: { type: 'string', default: '100' },
    },
  });
  const config = loadConfig(process.env, { serving: false });
  const store = openStore(config);
  const ingest = new Ingest({
    store, trackerOptions: { maxBodyBytes: config.maxBodyBytes, maxStateBytes: config.maxStateBytes },
    maxCardBytes: config.maxCardBytes,
  });
  try {
    const results = await redrive({
      store, ingest, ids: values.id?.map(Number) ?? null, code: values.code ?? null,
      dryRun: values['dry-run'], limit: Number(values.limit),
    });
    for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    ingest.free();
    await store.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`d1-tracking-receiver redrive: ${err instanceof ConfigError ? err.message : err?.stack ?? err}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  });
}
