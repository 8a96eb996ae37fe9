// Seeds fuzz/corpus/<target>/ from the shared vectors and the sample log:
// bodies for apply_body, snapshots for restore_snapshot (and both for c_abi,
// whose arbitrary decoding finds its way from any bytes). fold_sequence
// starts from bytes of the sample log too. The corpus is not committed.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const add = (target, bytes) => {
  const dir = join(here, 'corpus', target);
  mkdirSync(dir, { recursive: true });
  const name = createHash('sha1').update(bytes).digest('hex');
  writeFileSync(join(dir, name), bytes);
};

const log = readFileSync(join(root, 'core', 'examples', 'data', 'sample-log.jsonl'), 'utf8');
for (const line of log.split('\n').filter((l) => l.trim())) {
  add('apply_body', Buffer.from(line));
  add('fold_sequence', Buffer.from(line));
  add('c_abi', Buffer.from(line));
}
const vectorsDir = join(root, 'tests', 'vectors');
for (const file of readdirSync(vectorsDir).filter((f) => f.endsWith('.json'))) {
  const vector = JSON.parse(readFileSync(join(vectorsDir, file), 'utf8'));
  for (const step of vector.steps) {
    if (step.body !== undefined) add('apply_body', Buffer.from(JSON.stringify(step.body)));
    if (step.bodyText !== undefined) add('apply_body', Buffer.from(step.bodyText));
  }
  add('restore_snapshot', Buffer.from(vector.expect.snapshot));
  add('c_abi', Buffer.from(vector.expect.snapshot));
}
for (const target of ['apply_body', 'fold_sequence', 'restore_snapshot', 'c_abi']) {
  console.log(`${target}: ${readdirSync(join(here, 'corpus', target)).length} seeds`);
}
