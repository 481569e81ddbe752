import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '../config';
import { createDataSource, ensureDatabase, withDefaultUser } from './data-source';
import { pendingSchemaChanges, runMigrations } from './migrate';

/**
 * Applies every migration to an empty scratch database and asks TypeORM what it would still
 * change to match the entities. Any answer means an entity changed without a migration.
 */
async function main() {
  const base = new URL(withDefaultUser(loadConfig().DATABASE_URL));
  const name = `cp_migration_check_${randomBytes(4).toString('hex')}`;
  base.pathname = `/${name}`;
  await ensureDatabase(base.toString());
  const ds = createDataSource({ url: base.toString() });
  let drift: string[] = [];
  try {
    await ds.initialize();
    await runMigrations(ds);
    drift = await pendingSchemaChanges(ds);
  } finally {
    if (ds.isInitialized) await ds.destroy();
    const admin = new URL(base.toString());
    admin.pathname = '/postgres';
    const c = new Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  }
  if (drift.length) {
    process.stderr.write(
      'The entities and the migrations disagree. Write a migration that does this:\n' +
        drift.map((q) => `  ${q};`).join('\n') +
        '\n',
    );
    process.exit(1);
  }
  process.stdout.write('migrations match the entities\n');
}

main().catch((err) => {
  process.stderr.write(`migration check failed: ${(err as Error).message}\n`);
  process.exit(1);
});
