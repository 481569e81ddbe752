/**
 * What the outbox costs recording activity: `node dist/bench/outbox.js [--calls 2000]`.
 *
 * Loads a generated library into a scratch database and records activity through the real
 * ActivityService twice over, alternating in blocks so a busy machine weighs on both alike:
 * once with the outbox (each change writes its refresh entries in its own transaction, as the
 * platform runs) and once without (no handlers: the ledger rows alone). Measures one entry per
 * call in sequence and 16 at a time, batches of 1,000 entries, and a 100,000-row CSV import.
 * Prints one JSON line and a summary, and drops the scratch database.
 */
import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { ActivityService } from '../src/activity/activity.service';
import type { RecordActivityInput } from '../src/activity/activity.types';
import type { ActivityType } from '../src/activity/activity.enums';
import { DomainEvents } from '../src/common/domain-events';
import { loadConfig } from '../src/config';
import { runImport } from '../src/imports/import.service';
import { refreshOnChanges } from '../src/recommendations/refresh-requests';
import { dropDatabase, loadLibrary, percentile, scratchDatabase } from './scratch';

let seq = 0;

interface Refs {
  customers: string[];
  items: string[];
}

function entry(refs: Refs, tag: string): RecordActivityInput {
  const n = seq++;
  return {
    customerId: refs.customers[n % refs.customers.length],
    type: 'LOAN' as ActivityType,
    itemId: refs.items[(n * 7) % refs.items.length],
    occurredAt: new Date(Date.UTC(2025, 0, 1) + n * 1000),
    sourceKey: `bench-outbox-${tag}-${n}`,
  };
}

/** Runs `calls` recordOne calls, `concurrency` at a time; returns each call's milliseconds. */
async function recordCalls(
  service: ActivityService,
  refs: Refs,
  tag: string,
  calls: number,
  concurrency: number,
): Promise<{ ms: number[]; wallMs: number }> {
  const ms: number[] = [];
  let left = calls;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const s = performance.now();
        await service.recordOne(entry(refs, tag));
        ms.push(performance.now() - s);
      }
    }),
  );
  return { ms, wallMs: performance.now() - t0 };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function activityCsv(dir: string, refs: Refs, externalIds: string[], rows: number) {
  const file = path.join(dir, 'activity.csv');
  const lines = ['customer_external_id,type,occurred_at,source_key'];
  for (let i = 0; i < rows; i++) {
    const at = new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString();
    lines.push(`${externalIds[i % externalIds.length]},VISIT,${at},bench-import-${seq++}`);
  }
  await writeFile(file, lines.join('\n'));
  return file;
}

async function main() {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '2000' },
      rounds: { type: 'string', default: '4' },
    },
  });
  const calls = Number(values.calls);
  const rounds = Number(values.rounds);
  const base = loadConfig();
  const { url, ds } = await scratchDatabase(base.DATABASE_URL, 'commonplace_bench_outbox');
  const dir = await mkdtemp(path.join(tmpdir(), 'commonplace-bench-outbox-'));
  try {
    await loadLibrary(ds, { customers: 4000, items: 6000, events: 100, activities: 20_000 });
    const refs: Refs = {
      customers: (await ds.query(`SELECT id::text FROM customer WHERE status = 'ACTIVE'`)).map(
        (r: { id: string }) => r.id,
      ),
      items: (await ds.query('SELECT id::text FROM catalogue_item')).map(
        (r: { id: string }) => r.id,
      ),
    };
    const externalIds: string[] = (
      await ds.query(`SELECT external_id FROM customer WHERE status = 'ACTIVE'`)
    ).map((r: { external_id: string }) => r.external_id);
    const variants = {
      outbox: new ActivityService(ds, refreshOnChanges(new DomainEvents())),
      none: new ActivityService(ds, new DomainEvents()),
    };
    // Warm both paths (plans, pool) before measuring.
    for (const s of Object.values(variants)) await recordCalls(s, refs, 'warm', 200, 4);

    const seqMs = { outbox: [] as number[], none: [] as number[] };
    const par = { outbox: { calls: 0, ms: 0 }, none: { calls: 0, ms: 0 } };
    const batchMs = { outbox: [] as number[], none: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      for (const name of (r % 2 ? ['none', 'outbox'] : ['outbox', 'none']) as Array<
        keyof typeof variants
      >) {
        const s = variants[name];
        seqMs[name].push(...(await recordCalls(s, refs, `seq-${name}`, calls / rounds, 1)).ms);
        const p = await recordCalls(s, refs, `par-${name}`, calls / rounds, 16);
        par[name].calls += calls / rounds;
        par[name].ms += p.wallMs;
        const t = performance.now();
        await s.recordMany(Array.from({ length: 1000 }, () => entry(refs, `batch-${name}`)));
        batchMs[name].push(performance.now() - t);
      }
    }

    // The import, with and without the outbox entries each batch writes.
    const logger = pino({ level: 'silent' });
    const importSeconds: Record<string, number> = {};
    for (const name of ['none', 'outbox']) {
      const file = await activityCsv(dir, refs, externalIds, 100_000);
      const events = name === 'outbox' ? refreshOnChanges(new DomainEvents()) : undefined;
      const t = performance.now();
      await runImport(ds, 'activity', file, { logger, events });
      importSeconds[name] = round((performance.now() - t) / 1000);
    }
    const [{ entries }] = await ds.query('SELECT count(*)::int AS entries FROM outbox');

    const summary = (name: 'outbox' | 'none') => ({
      oneCallMeanMs: round(mean(seqMs[name])),
      oneCallP50Ms: round(percentile(seqMs[name], 50)),
      oneCallP95Ms: round(percentile(seqMs[name], 95)),
      callsPerSecondAt16: Math.round((par[name].calls / par[name].ms) * 1000),
      batchOf1000MeanMs: Math.round(mean(batchMs[name])),
      import100kSeconds: importSeconds[name],
    });
    const result = {
      bench: 'outbox',
      calls,
      withOutbox: summary('outbox'),
      without: summary('none'),
      outboxEntriesWritten: entries,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    const w = result.withOutbox;
    const wo = result.without;
    process.stdout.write(
      `recordActivity, one at a time: ${w.oneCallMeanMs} ms with the outbox vs ${wo.oneCallMeanMs} ms ` +
        `without (+${round(((w.oneCallMeanMs - wo.oneCallMeanMs) / wo.oneCallMeanMs) * 100, 1)}%); ` +
        `16 at a time: ${w.callsPerSecondAt16} vs ${wo.callsPerSecondAt16} calls/s; ` +
        `1,000-entry batch: ${w.batchOf1000MeanMs} vs ${wo.batchOf1000MeanMs} ms; ` +
        `100,000-row import: ${w.import100kSeconds} vs ${wo.import100kSeconds} s\n`,
    );
  } finally {
    await ds.destroy();
    await dropDatabase(url);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
