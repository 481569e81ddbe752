import { rootLogger } from '../common/logger';
import { loadConfig } from '../config';
import { runMigrations } from '../db/migrate';
import { connect } from '../platform';

/** Creates the database when missing and applies pending migrations; prints what it applied. */
export async function migrateCommand(): Promise<number> {
  const config = loadConfig();
  const ds = await connect(config, rootLogger);
  try {
    const applied = await runMigrations(ds);
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'nothing to apply\n',
    );
    return 0;
  } finally {
    await ds.destroy();
  }
}
