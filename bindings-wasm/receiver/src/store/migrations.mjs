// The schema's migrations: the numbered .sql files of migrations/, applied
// in order, each once, recorded in schema_migrations. One text serves both
// databases; the words they spell differently are written {{identity}} and
// {{bytes}}, and what only one of them runs stands between a line
// `-- {{sqlite}}` or `-- {{postgres}}` and a line `-- {{end}}`.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** How each dialect spells a table's generated, never reused id. */
const IDENTITY = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

/** How each dialect spells a column of bytes. */
const BYTES = {
  sqlite: 'BLOB',
  postgres: 'BYTEA',
};

/** A migration's text for one dialect: the other dialect's sections removed. */
function forDialect(text, dialect) {
  return text.replace(/^-- \{\{(sqlite|postgres)\}\}\n([\s\S]*?)^-- \{\{end\}\}\n/gm,
    (_, only, body) => (only === dialect ? body : ''));
}

/**
 * [{version, name, sql, checksum}] for a dialect ('sqlite' or 'postgres'),
 * by version. The checksum is the SHA-256 of the file's text as shipped (the
 * same for both dialects).
 */
export function migrations(dialect) {
  return readdirSync(ROOT)
    .filter((name) => /^\d+_.*\.sql$/.test(name))
    .map((name) => {
      const text = readFileSync(ROOT + name, 'utf8');
      return {
        version: Number.parseInt(name, 10),
        name,
        sql: forDialect(text, dialect).replaceAll('{{identity}}', IDENTITY[dialect]).replaceAll('{{bytes}}', BYTES[dialect]),
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
}

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  applied_ms  BIGINT NOT NULL,
  checksum    TEXT
)`;

/** The schema cannot be used by this receiver: its message says what to do. */
export class SchemaError extends Error {
  constructor(message) {
    super(message);
    this.name = 'SchemaError';
  }
}

/**
 * Compares the migrations this receiver ships (`known`) with the ones the
 * database records (`applied`: [{version, name, checksum}], checksum null
 * where v2 recorded none). Throws SchemaError for a schema newer than the
 * receiver or a migration changed after it was applied; returns `{missing,
 * unrecorded}`: the migrations to apply, and the applied ones whose checksum
 * is still to be recorded.
 */
export function compareSchema(known, applied) {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  const newer = applied.filter((a) => !byVersion.has(a.version)).sort((a, b) => b.version - a.version);
  if (newer.length > 0) {
    throw new SchemaError(`the schema has migration ${newer[0].name}, newer than this receiver knows `
      + `(up to ${known.at(-1)?.name}): run a receiver of that version or later`);
  }
  for (const a of applied) {
    const m = byVersion.get(a.version);
    if (a.checksum !== null && a.checksum !== undefined && a.checksum !== m.checksum) {
      throw new SchemaError(`migration ${m.name} was changed after it was applied (checksum ${a.checksum.slice(0, 12)}…, `
        + `this receiver's ${m.checksum.slice(0, 12)}…)`);
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return {
    missing: known.filter((m) => !done.has(m.version)),
    unrecorded: applied.filter((a) => a.checksum === null || a.checksum === undefined).map((a) => byVersion.get(a.version)),
  };
}

/** The SchemaError of a schema with migrations still to apply, for a receiver that may not apply them. */
export function notMigrated(missing) {
  return new SchemaError(`migrations not applied: ${missing.map((m) => m.name).join(', ')}; `
    + 'run `npm run migrate` as the schema\'s owner (or start with MIGRATE_AT_START=true)');
}
