import type { DataSource } from 'typeorm';

/** Applies every pending migration, each in its own transaction; returns their names. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const done = await ds.runMigrations({ transaction: 'each' });
  return done.map((m) => m.name);
}

/**
 * SQL that TypeORM would run to bring the database in line with the entities. Empty when the
 * migrations and the code agree; CI fails otherwise.
 */
export async function pendingSchemaChanges(ds: DataSource): Promise<string[]> {
  const sql = await ds.driver.createSchemaBuilder().log();
  return sql.upQueries.map((q) => q.query);
}

/** Fails loudly at start-up when the schema is behind the code, saying what to run. */
export async function assertSchemaCurrent(ds: DataSource): Promise<void> {
  if (await ds.showMigrations()) {
    throw new Error(
      'The database has unapplied migrations. Run `npm start` (which migrates) or ' +
        '`npm run cli -- migrate` before starting the API on its own.',
    );
  }
}
