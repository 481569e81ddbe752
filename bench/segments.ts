/**
 * Times segmentPreview over a library of 100,000 customers and 1,000,000 activity entries:
 *   node dist/bench/segments.js [--customers 100000] [--activities 1000000] [--keep] [--reuse]
 * Loads a generated library into a scratch database through the importer (a few minutes), gives
 * it the demo's consent ledger, then previews several realistic segments five times each and
 * prints the median in one JSON line and one human line; the goal is under 1 s each. It then
 * times one campaign's fan-out (audience snapshot and every eligibility decision) for the
 * largest of them. `--keep` leaves the database behind; `--reuse` times a kept one.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { startCampaign } from '../src/marketing/delivery/fan-out';
import type { SegmentFilter } from '../src/marketing/segments/segment-filter';
import { SegmentService } from '../src/marketing/segments/segment.service';
import { dropDatabase, loadLibrary, percentile, scratchDatabase } from './scratch';

const DB_NAME = 'commonplace_bench_segments';
const RUNS = 5;
const GOAL_MS = 1000;

async function one(ds: DataSource, sql: string, params: unknown[] = []): Promise<string> {
  const [row] = await ds.query(sql, params);
  if (!row) throw new Error(`nothing found for: ${sql}`);
  return String(row.id);
}

/** Segments a library's marketing team would build, with ids looked up in this library. */
async function segments(ds: DataSource): Promise<Record<string, SegmentFilter>> {
  const crime = await one(ds, `SELECT id FROM interest WHERE kind = 'GENRE' AND key = 'crime'`);
  const computing = await one(
    ds,
    `SELECT id FROM interest WHERE kind = 'SUBJECT' AND key = 'computing'`,
  );
  const coding = await one(
    ds,
    `SELECT id FROM interest WHERE kind = 'EVENT_TYPE' AND key = 'coding club'`,
  );
  const busiest = await one(
    ds,
    `SELECT home_branch_id AS id FROM customer WHERE home_branch_id IS NOT NULL
      GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
  );
  const area = await one(
    ds,
    `SELECT cp_postcode_area(postcode) AS id FROM customer WHERE postcode IS NOT NULL
      GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
  );
  return {
    crimeReaders: { activity: { subjectIds: [crime], types: ['LOAN' as never], lastDays: 90 } },
    familiesForCodingClub: {
      or: [
        { ageBands: ['CHILD_5_11' as never], homeBranchIds: [busiest] },
        { attended: { topicIds: [coding, computing], lastDays: 365 } },
        { interests: { interestIds: [computing, coding] } },
      ],
    },
    lapsedBorrowers: {
      kinds: ['BORROWER' as never],
      registered: { to: new Date(Date.now() - 365 * 86_400_000) },
      noActivity: { lastDays: 365 },
    },
    newMembers: { registered: { lastDays: 30 } },
    heavyUsersNotAtEvents: {
      activity: { lastDays: 180, atLeast: 10 },
      not: { attended: { lastDays: 365 } },
    },
    consentingAdultsInArea: {
      postcodeAreas: [area],
      ageBands: ['ADULT_25_44' as never, 'ADULT_45_64' as never, 'ADULT_65_PLUS' as never],
      consent: { purpose: 'MARKETING' as never, channel: 'EMAIL' as never },
    },
    nested: {
      and: [
        {
          or: [
            { kinds: ['BORROWER' as never, 'MEMBER' as never] },
            { interests: { interestIds: [crime] } },
          ],
        },
        { not: { consent: { purpose: 'MARKETING' as never, channel: 'SMS' as never } } },
        {
          activity: { types: ['LOAN' as never, 'HOLD_PLACED' as never], lastDays: 365, atLeast: 3 },
        },
        { not: { activity: { subjectIds: [crime], lastDays: 30 } } },
      ],
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '100000' },
      activities: { type: 'string', default: '1000000' },
      keep: { type: 'boolean', default: false },
      reuse: { type: 'boolean', default: false },
    },
  });
  const size = {
    customers: Number(values.customers),
    items: 20_000,
    events: 2000,
    activities: Number(values.activities),
    branches: 20,
    referenceDate: new Date(new Date().toISOString().slice(0, 10)),
  };
  const config = loadConfig();
  let importSeconds = 0;
  const { url, ds } = await scratchDatabase(config.DATABASE_URL, DB_NAME, { reuse: values.reuse });
  const log = pino({ level: 'warn' });
  try {
    if (!values.reuse) {
      process.stdout.write(`loading ${JSON.stringify(size)} ...\n`);
      importSeconds = await loadLibrary(ds, size);
    }
    await ds.query('ANALYZE');
    const [{ customers, activityRows, consentRows }] = await ds.query(
      `SELECT (SELECT count(*)::int FROM customer) AS customers,
              (SELECT count(*)::int FROM activity) AS "activityRows",
              (SELECT count(*)::int FROM consent_record) AS "consentRows"`,
    );
    const service = new SegmentService(ds, { disclosureThreshold: 5, log });
    const medians: Record<string, number> = {};
    const sizes: Record<string, number | null> = {};
    const reachable: Record<string, number | null> = {};
    for (const [name, filter] of Object.entries(await segments(ds))) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = process.hrtime.bigint();
        const p = await service.preview({ filter });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        sizes[name] = p.customers;
        reachable[name] = p.channels[0].reachableForMarketing;
      }
      medians[name] = Math.round(percentile(times, 50));
    }
    const slowest = Math.max(...Object.values(medians));
    // One campaign's start for the lapsed borrowers: snapshot plus every decision.
    const [{ id }] = await ds.query(
      `INSERT INTO campaign (name, purpose, status, channels, filter, subject, body, created_by,
                             scheduled_at)
       VALUES ('bench', 'MARKETING', 'SCHEDULED', '{EMAIL}', $1, 's', 'b', 'bench', now())
       RETURNING id::text AS id`,
      [JSON.stringify((await segments(ds)).lapsedBorrowers)],
    );
    const t0 = Date.now();
    const start = await startCampaign(
      {
        ds,
        queue: { enqueueChunks: async () => undefined },
        settings: { cap: { messages: 2, days: 7 } },
        log,
      },
      id,
    );
    const fanOutMs = Date.now() - t0;
    const result = {
      bench: 'segments',
      customers,
      activityRows,
      consentRows,
      importSeconds: Math.round(importSeconds),
      runs: RUNS,
      medianMs: medians,
      customersInSegment: sizes,
      reachableByEmailForMarketing: reachable,
      goalMs: GOAL_MS,
      allUnderGoal: slowest < GOAL_MS,
      fanOut: { segment: 'lapsedBorrowers', ms: fanOutMs, ...start },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `segmentPreview over ${customers} customers and ${activityRows} activity entries, median ` +
        `of ${RUNS}: ` +
        Object.entries(medians)
          .map(([k, v]) => `${k} ${v} ms`)
          .join(', ') +
        ` — slowest ${slowest} ms (goal ${GOAL_MS} ms); fan-out of lapsedBorrowers ` +
        `(${'targeted' in start ? start.targeted : 0} customers) ${fanOutMs} ms\n`,
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
