// Shared by the Node tests: where things are, canonical JSON, catalogue inputs.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const pkgDir = join(root, 'bindings-wasm', 'pkg');

/** The built package, as a consumer imports it. */
export const pkg = await import(join(pkgDir, 'index.mjs'));

/** Keys sorted, no white space: the form every binding's runner compares. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function vectors() {
  const dir = join(root, 'tests', 'vectors');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ file: f, vector: JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
}

export function catalogue() {
  return JSON.parse(readFileSync(join(root, 'tests', 'bad-input', 'catalogue.json'), 'utf8'));
}

/** A catalogue case's input bytes, after expansion. */
export function caseBytes(c) {
  if (c.hex !== undefined) return Buffer.from(c.hex, 'hex');
  let text = c.text;
  for (const [marker, how] of Object.entries(c.expand ?? {})) {
    text = text.split(marker).join(how.repeat.repeat(how.times));
  }
  return Buffer.from(text, 'utf8');
}

/**
 * The `{code, path, message}` object of a thrown error, as the core reports it
 * in JSON. The Error's message is `CODE at path: message` or `CODE: message`;
 * anything else is a failure.
 */
export function errorInfo(error) {
  if (!(error instanceof Error) || error.name !== 'D1TrackingError') throw error;
  const prefix = error.path === null ? `${error.code}: ` : `${error.code} at ${error.path}: `;
  if (!error.message.startsWith(prefix)) {
    throw new Error(`message ${JSON.stringify(error.message)} does not start with ${JSON.stringify(prefix)}`);
  }
  return { code: error.code, path: error.path, message: error.message.slice(prefix.length) };
}
