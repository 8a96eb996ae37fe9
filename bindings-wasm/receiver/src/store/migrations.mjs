// The schema's migrations: the numbered .sql files of migrations/<dialect>/,
// applied in order, each once, recorded in schema_migrations.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** [{version, name, sql}] of a dialect ('sqlite' or 'postgres'), by version. */
export function migrations(dialect) {
  return readdirSync(ROOT + dialect)
    .filter((name) => /^\d+_.*\.sql$/.test(name))
    .map((name) => ({
      version: Number.parseInt(name, 10),
      name,
      sql: readFileSync(`${ROOT}${dialect}/${name}`, 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  applied_ms  BIGINT NOT NULL
)`;
