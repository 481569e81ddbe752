/**
 * Times the activity import: `node dist/bench/import-activity.js [--rows N] [--batch-size N]`.
 *
 * Builds a scratch database, generates a demo library with N activity rows (1,000,000 by
 * default) as CSV, imports its branches, catalogue, customers and events untimed, then times
 * the activity import alone. Prints one JSON line and one line for people, and drops the
 * scratch database at the end. The database server is the one DATABASE_URL points at.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { createDataSource, ensureDatabase } from '../src/db/data-source';
import { runMigrations } from '../src/db/migrate';
import { generateDemoLibrary } from '../src/demo/generate';
import { DEMO_FILES, writeDemoLibrary } from '../src/demo/write-csv';
import { DomainEvents } from '../src/common/domain-events';
import { runImport } from '../src/imports/import.service';
import { refreshOnChanges } from '../src/recommendations/refresh-requests';
import type { ImportReport } from '../src/imports/import.types';
import { databaseUrl, dropDatabase, MB } from './scratch';

const SCRATCH_DB = 'commonplace_bench_import';
const DEFAULT_ROWS = 1_000_000;

function parseCount(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`--${flag} must be a positive whole number`);
  }
  return n;
}

/**
 * Writes the demo library's CSV files. Runs in a child process so the generator's tables do not
 * count towards the importer's memory.
 */
async function generateFiles(dir: string, rows: number): Promise<void> {
  // Enough people and titles that each batch names thousands of distinct ones.
  const library = generateDemoLibrary({
    seed: 7,
    activities: rows,
    customers: Math.max(1_000, Math.round(rows / 50)),
    items: Math.max(1_000, Math.round(rows / 40)),
    events: 1_000,
    branches: 12,
  });
  await writeDemoLibrary(library, dir);
}

async function generateInChild(dir: string, rows: number): Promise<void> {
  const child = fork(__filename, ['--generate-into', dir, '--rows', String(rows)], {
    stdio: 'inherit',
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`generating the demo files failed (exit code ${code})`);
}

/** Samples resident memory while `work` runs; the highest sample is the peak. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakRss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 25);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, peakRss: peak };
  } finally {
    clearInterval(timer);
  }
}

/** What one timed run measured; printed as the JSON line. */
interface BenchResult {
  bench: 'import-activity';
  rows: number;
  inserted: number;
  unchanged: number;
  rejected: number;
  created: ImportReport['created'];
  batchSize: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  rssBeforeMb: number;
  /** Time this process spent on the CPU; the rest of the work is PostgreSQL's. */
  importerCpuSeconds: number;
  /** One-minute load average when the timed import started; the machine may be shared. */
  loadAverage: number;
  generateSeconds: number;
}

/** Sets up the scratch database and files, times the activity import, and cleans up. */
async function measure(rows: number, batchSize: number): Promise<BenchResult> {
  const url = databaseUrl(loadConfig().DATABASE_URL, SCRATCH_DB);
  const logger = pino({ level: 'silent' });
  await dropDatabase(url);
  await ensureDatabase(url);
  // Three connections: as many as the activity import writes with.
  const ds = createDataSource({ url, poolSize: 3, statementTimeoutMs: 120_000 });
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-bench-import-'));
  try {
    await ds.initialize();
    await runMigrations(ds);

    const t0 = performance.now();
    await generateInChild(dir, rows);
    const generateSeconds = (performance.now() - t0) / 1000;
    const file = (kind: keyof typeof DEMO_FILES) => path.join(dir, DEMO_FILES[kind]);
    for (const kind of ['branches', 'items', 'customers', 'events'] as const) {
      await runImport(ds, kind, file(kind), { logger });
    }

    const loadAverage = loadavg()[0];
    const rssBefore = process.memoryUsage.rss();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const { result: report, peakRss } = await withPeakRss(() =>
      // As `npm run cli -- import` runs it: each batch queues its customers' refreshes.
      runImport(ds, 'activity', file('activity'), {
        logger,
        batchSize,
        events: refreshOnChanges(new DomainEvents()),
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      bench: 'import-activity',
      rows: report.rows,
      inserted: report.inserted,
      unchanged: report.unchanged,
      rejected: report.rejected.length + report.unlistedRejections,
      created: report.created,
      batchSize,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(report.rows / seconds),
      peakRssMb: Math.round(peakRss / MB),
      rssBeforeMb: Math.round(rssBefore / MB),
      importerCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
      loadAverage: Number(loadAverage.toFixed(2)),
      generateSeconds: Number(generateSeconds.toFixed(1)),
    };
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await rm(dir, { recursive: true, force: true });
    await dropDatabase(url);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rows: { type: 'string' },
      'batch-size': { type: 'string' },
      'generate-into': { type: 'string' },
    },
  });
  const rows = parseCount('rows', values.rows, DEFAULT_ROWS);
  if (values['generate-into']) return generateFiles(values['generate-into'], rows);
  const batchSize = parseCount('batch-size', values['batch-size'], 5_000);
  const r = await measure(rows, batchSize);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.stdout.write(
    `imported ${r.rows.toLocaleString('en')} activity rows in ${r.seconds.toFixed(1)} s ` +
      `(${r.rowsPerSecond.toLocaleString('en')} rows/s), ${r.rejected} rejected, ` +
      `peak RSS ${r.peakRssMb} MB, load average ${r.loadAverage}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`import-activity bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
