// The schema's migrations: the numbered .sql files of migrations/, applied
// in order, each once, recorded in schema_migrations. One text serves both
// databases; the words they spell differently are written {{identity}} and
// {{bytes}}.
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

/** [{version, name, sql}] for a dialect ('sqlite' or 'postgres'), by version. */
export function migrations(dialect) {
  return readdirSync(ROOT)
    .filter((name) => /^\d+_.*\.sql$/.test(name))
    .map((name) => ({
      version: Number.parseInt(name, 10),
      name,
      sql: readFileSync(ROOT + name, 'utf8').replaceAll('{{identity}}', IDENTITY[dialect])
        .replaceAll('{{bytes}}', BYTES[dialect]),
    }))
    .sort((a, b) => a.version - b.version);
}

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  applied_ms  BIGINT NOT NULL
)`;
