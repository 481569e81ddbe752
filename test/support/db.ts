import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, ensureDatabase, withDefaultUser } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrate';

export const PG_BASE = process.env.TEST_DATABASE_BASE ?? 'postgres://127.0.0.1:5432';

export interface TestDb {
  url: string;
  ds: DataSource;
  /** Every SQL statement the data source ran, when created with `count: true`. */
  statements: string[];
  drop(): Promise<void>;
}

export interface TestDbOptions {
  count?: boolean;
  statementTimeoutMs?: number;
  /** Another PostgreSQL server (`postgres://host:port`) than the shared one. */
  base?: string;
}

/** A fresh, migrated database for one test file; `drop` closes the pool and removes it. */
export async function createTestDb(label: string, opts: TestDbOptions = {}): Promise<TestDb> {
  const name = `cp_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const base = opts.base ?? PG_BASE;
  const url = `${base}/${name}`;
  await ensureDatabase(url);
  const statements: string[] = [];
  const ds = createDataSource({
    url,
    poolSize: 5,
    statementTimeoutMs: opts.statementTimeoutMs,
    onQuery: opts.count ? (sql) => statements.push(sql) : undefined,
  });
  await ds.initialize();
  await runMigrations(ds);
  statements.length = 0;
  return {
    url,
    ds,
    statements,
    async drop() {
      if (ds.isInitialized) await ds.destroy();
      const admin = new Client({ connectionString: withDefaultUser(`${base}/postgres`) });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Deletes every Redis key under a test's prefix, in batches, so a shared Redis stays clean. */
export async function deleteRedisKeys(
  redis: import('ioredis').Redis,
  prefix: string,
): Promise<void> {
  if (redis.status !== 'ready') return;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
