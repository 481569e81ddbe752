import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { createDataSource } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';

const PG_BASE = process.env.TEST_DATABASE_BASE ?? 'postgres://root@127.0.0.1:5432';

/** A fresh, migrated database and a scratch directory for one test file. */
export interface ImportTestDb {
  url: string;
  ds: DataSource;
  dir: string;
  /** Writes CSV lines to a file in the scratch directory and returns its path. */
  csv(name: string, lines: string[]): Promise<string>;
  /** Runs one SQL query on the test database. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** Keeps import logs out of test output. */
export const silentLogger = pino({ level: 'silent' });

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: `${PG_BASE}/postgres` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates and migrates a database named after `label`; `close()` drops it again. */
export async function createImportTestDb(label: string): Promise<ImportTestDb> {
  const name = `cp_test_import_${label}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = `${PG_BASE}/${name}`;
  const ds = createDataSource({ url, poolSize: 3 });
  // The compiled-migrations glob matches nothing under ts-jest; hand over the classes.
  ds.setOptions({ migrations: MIGRATIONS });
  await ds.initialize();
  await runMigrations(ds);
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-import-'));
  return {
    url,
    ds,
    dir,
    async csv(file, lines) {
      const full = path.join(dir, file);
      await writeFile(full, `${lines.join('\n')}\n`);
      return full;
    },
    sql: (text, params) => ds.query(text, params),
    async close() {
      await ds.destroy();
      await rm(dir, { recursive: true, force: true });
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
