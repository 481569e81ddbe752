/**
 * Times every manager report over a library with a million activity entries:
 *   node dist/bench/insights.js [--activities 1000000] [--keep] [--reuse]
 * Loads a generated library into a scratch database (a few minutes), imports a population table
 * derived from it, then runs each report five times and prints the median in one JSON line and
 * one human line. `--keep` leaves the database behind; `--reuse` times a kept one without
 * reloading it. The goal is under 500 ms per report.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { disclosureThresholdFromEnv } from '../src/insights/disclosure';
import { InsightsService } from '../src/insights/insights.service';
import { type InsightFilter, InsightReport } from '../src/insights/insights.types';
import { refreshInsights } from '../src/insights/refresh';
import { dropDatabase, loadLibrary, percentile, scratchDatabase } from './scratch';

const DB_NAME = 'commonplace_bench_insights';
const RUNS = 5;

/** A plausible census extract: ten residents per customer in each area and band. */
async function seedPopulation(ds: DataSource, service: InsightsService): Promise<number> {
  const rows: Array<{ area: string; band: string; n: number }> = await ds.query(
    `SELECT upper(split_part(btrim(postcode), ' ', 1)) AS area, a.band, count(*)::int * 10 AS n
       FROM customer c
      CROSS JOIN LATERAL (
        SELECT (ARRAY['CHILD_5_11', 'ADULT_25_44', 'ADULT_45_64'])[1 + c.id % 3] AS band
      ) a
      WHERE position(' ' IN btrim(postcode)) > 0
      GROUP BY 1, 2`,
  );
  const valid = rows.filter((r) => /^[A-Z]{1,2}[0-9][A-Z0-9]?$/.test(r.area));
  const csv = ['area,age_band,population', ...valid.map((r) => `${r.area},${r.band},${r.n}`)];
  return service.importPopulation(csv.join('\n'));
}

async function main() {
  const { values } = parseArgs({
    options: {
      activities: { type: 'string', default: '1000000' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'boolean', default: false },
    },
  });
  const size = {
    customers: 50_000,
    items: 20_000,
    events: 2000,
    activities: Number(values.activities),
    branches: 20,
  };
  const config = loadConfig();
  let importSeconds = 0;
  const { url, ds } = await scratchDatabase(config.DATABASE_URL, DB_NAME, { reuse: values.reuse });
  try {
    const service = new InsightsService(ds, { disclosureThreshold: disclosureThresholdFromEnv() });
    if (!values.reuse) {
      process.stdout.write(`loading ${JSON.stringify(size)} ...\n`);
      importSeconds = await loadLibrary(ds, size);
    }
    await seedPopulation(ds, service);
    const { ms: refreshMs } = await refreshInsights(ds);
    await ds.query('ANALYZE');
    const [{ n: activityRows }] = await ds.query(`SELECT count(*)::int AS n FROM activity`);
    // The demo library's "now" is 2026-01-01: report on its last year, by month.
    const filter = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') };
    const medians: Record<string, number> = {};
    const rowCounts: Record<string, number> = {};
    const time = async (label: string, report: InsightReport, f: InsightFilter) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        const rows = await service.rows(report, f);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        rowCounts[label] = rows.length;
      }
      medians[label] = Math.round(percentile(times, 50));
    };
    for (const report of Object.values(InsightReport)) await time(report, report, filter);
    const slowest = Math.max(...Object.values(medians));
    // The same use reports cut in another time zone miss the summaries and run live.
    for (const report of [InsightReport.ACTIVITY, InsightReport.CUSTOMERS]) {
      await time(`${report}_LIVE`, report, { ...filter, timeZone: 'UTC' });
    }
    // A range that starts and ends mid-month, like the default "the twelve months to now":
    // whole months come from the summaries, the two part-months are counted live.
    const partial = {
      from: new Date('2025-01-15T09:30:00Z'),
      to: new Date('2025-12-20T15:00:00Z'),
    };
    for (const report of [InsightReport.ACTIVITY, InsightReport.CUSTOMERS]) {
      await time(`${report}_PART_MONTHS`, report, partial);
    }
    const result = {
      bench: 'insights',
      activityRows,
      importSeconds: Math.round(importSeconds),
      runs: RUNS,
      refreshMs,
      medianMs: medians,
      rows: rowCounts,
      goalMs: 500,
      allUnderGoal: slowest < 500,
      note:
        'ACTIVITY_LIVE and CUSTOMERS_LIVE bypass the summaries (time zone UTC); *_PART_MONTHS ' +
        'start and end mid-month',
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `insight reports over ${activityRows} activity entries, median of ${RUNS}: ` +
        Object.entries(medians)
          .map(([k, v]) => `${k} ${v} ms`)
          .join(', ') +
        ` — slowest ${slowest} ms (goal 500 ms); summaries refreshed in ${refreshMs} ms\n`,
    );
  } finally {
    await ds.destroy();
    if (!values.keep) await dropDatabase(url);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
