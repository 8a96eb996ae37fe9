#!/usr/bin/env node
// `npm run migrate`: applies the schema's migrations, for the schema's owner
// (README, "The schema"). The service may then run as a role without DDL
// rights, with MIGRATE_AT_START=false: it checks the schema and refuses to
// start on one it does not know. Prints the migrations applied.
import { ConfigError, loadConfig } from './config.mjs';
import { openStore } from './store/index.mjs';
import { SchemaError } from './store/migrations.mjs';

try {
  const store = openStore(loadConfig(process.env, { serving: false }));
  try {
    const applied = await store.migrate();
    process.stdout.write(`${JSON.stringify({ event: 'migrated', applied })}\n`);
  } finally {
    await store.close();
  }
} catch (err) {
  const expected = err instanceof ConfigError || err instanceof SchemaError;
  process.stderr.write(`d1-tracking-receiver migrate: ${expected ? err.message : err?.stack ?? err}\n`);
  process.exit(expected ? 2 : 1);
}
