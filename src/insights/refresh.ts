import type { DataSource } from 'typeorm';

/** The zone the summaries' periods are cut in; reports in other zones are computed live. */
export const SUMMARY_TIME_ZONE = 'Europe/London';

/**
 * Rebuilds the activity summaries the use reports read for whole periods, then records when.
 * Reports on whole periods show the ledger as of the last refresh, so a worker job should call
 * this on a schedule (hourly is plenty); it takes seconds per million entries and, once the
 * summaries hold data, refreshes them without blocking readers.
 */
export async function refreshInsights(ds: DataSource): Promise<{ refreshedAt: Date; ms: number }> {
  const t0 = Date.now();
  const [state] = await ds.query(`SELECT refreshed_at FROM insight_refresh WHERE id = 1`);
  // CONCURRENTLY needs a populated view; the first refresh fills it the plain way.
  const how = state ? 'CONCURRENTLY ' : '';
  const [{ now }] = await ds.query(`SELECT now() AS now`);
  await ds.query(`REFRESH MATERIALIZED VIEW ${how}insight_activity_cell`);
  await ds.query(`REFRESH MATERIALIZED VIEW ${how}insight_active_customer`);
  await ds.query(
    `INSERT INTO insight_refresh (id, refreshed_at, time_zone) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE
       SET refreshed_at = EXCLUDED.refreshed_at, time_zone = EXCLUDED.time_zone`,
    [now, SUMMARY_TIME_ZONE],
  );
  return { refreshedAt: now, ms: Date.now() - t0 };
}
