import { loadConfig } from '../config';
import { rootLogger, safeError } from '../common/logger';
import { assertSchemaCurrent } from '../db/migrate';
import { connect } from '../platform';
import { anonymiseHistory } from './history.service';

export interface AnonymiseCommandOptions {
  /** Overrides HISTORY_RETENTION_DAYS for this run. */
  retentionDays?: number;
  batchSize?: number;
}

/** Where the command writes; tests pass their own. */
export interface AnonymiseCommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: AnonymiseCommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `privacy anonymise`: the nightly anonymisation, run now against DATABASE_URL (for example
 * after changing the retention period). Prints what it detached.
 *
 * @returns 0 when the run finished (finding nothing to do included); 1 when it could not run.
 */
export async function anonymiseCommand(
  opts: AnonymiseCommandOptions = {},
  io: AnonymiseCommandOutput = STDIO,
): Promise<number> {
  const config = loadConfig();
  const ds = await connect(config, rootLogger);
  try {
    await assertSchemaCurrent(ds);
    const retentionDays = opts.retentionDays ?? config.HISTORY_RETENTION_DAYS;
    const started = Date.now();
    const r = await anonymiseHistory(ds, {
      now: new Date(),
      retentionDays,
      batchSize: opts.batchSize,
      attributionDays: config.RECOMMENDATION_ATTRIBUTION_DAYS,
    });
    io.out(
      `detached ${r.defaultDetached + r.neverDetached + r.erasedDetached} activity entries ` +
        `(DEFAULT older than ${retentionDays} days: ${r.defaultDetached}; NEVER, loan ended: ` +
        `${r.neverDetached}; erased customers: ${r.erasedDetached}) in ${r.batches} batches, ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  } catch (err) {
    rootLogger.error({ event: 'privacy.anonymise_failed', err: safeError(err) });
    io.err(`anonymisation failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await ds.destroy();
  }
}
