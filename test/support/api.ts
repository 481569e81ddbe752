import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { openPlatform, type Platform, startApi } from '../../src/platform';
import { createTestDb, type TestDb } from './db';

export interface TestApi {
  url: string;
  db: TestDb;
  platform: Platform;
  /** Sends a GraphQL operation over HTTP and returns the parsed body. */
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<{ data?: T; errors?: any[] }>;
  close(): Promise<void>;
}

/** A real API server on an ephemeral port over a fresh database, as clients see it. */
export async function startTestApi(label: string, opts: { count?: boolean } = {}): Promise<TestApi> {
  const db = await createTestDb(label, opts);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `cptest${randomBytes(4).toString('hex')}`,
    NODE_ENV: 'test',
    PORT: '0',
  });
  const platform = await openPlatform(config, {
    migrate: false,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ds: db.ds,
  });
  const api = await startApi(platform, 0);
  const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  return {
    url,
    db,
    platform,
    async gql(query, variables) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return res.json() as Promise<{ data?: any; errors?: any[] }>;
    },
    async close() {
      await api.stop();
      await platform.recommendations.queue.close();
      platform.redis.disconnect();
      await db.drop();
    },
  };
}
