import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, withDefaultUser } from '../src/db/data-source';
import { runMigrations } from '../src/db/migrate';
import { type DemoOptions, generateDemoLibrary } from '../src/demo/generate';
import { DEMO_FILES, writeDemoLibrary } from '../src/demo/write-csv';
import { runImport } from '../src/imports/import.service';
import { IMPORT_KINDS } from '../src/imports/import.types';

export const MB = 1024 * 1024;

/** The server's URL with the database swapped for `name`. */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(withDefaultUser(serverUrl));
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * A migrated scratch database: a fresh one (dropped first if a previous run left it behind), or
 * with `reuse` the one a `--keep` run left, as it is.
 */
export async function scratchDatabase(
  serverUrl: string,
  name: string,
  opts: { reuse?: boolean } = {},
): Promise<{ url: string; ds: DataSource }> {
  const url = databaseUrl(serverUrl, name);
  if (!opts.reuse) {
    await dropDatabase(url);
    await ensureDatabase(url);
  }
  const ds = createDataSource({ url, poolSize: 4, statementTimeoutMs: 600_000 });
  await ds.initialize();
  await runMigrations(ds);
  return { url, ds };
}

/** Generates a library of the given size and imports it; returns seconds spent importing. */
export async function loadLibrary(ds: DataSource, options: Partial<DemoOptions>): Promise<number> {
  const dir = await mkdtemp(path.join(tmpdir(), 'commonplace-bench-'));
  try {
    await writeDemoLibrary(generateDemoLibrary(options), dir);
    const t0 = Date.now();
    for (const kind of IMPORT_KINDS) {
      await runImport(ds, kind, path.join(dir, DEMO_FILES[kind]));
    }
    return (Date.now() - t0) / 1000;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Samples resident memory so a benchmark can report its peak, not just its end. */
export function rssSampler(everyMs = 100) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  timer.unref();
  return {
    peakMb: () => Math.round(Math.max(peak, process.memoryUsage().rss) / MB),
    stop: () => clearInterval(timer),
  };
}

/** p-th percentile (0-100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
