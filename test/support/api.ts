import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Role } from '../../src/auth/role';
import { loadConfig } from '../../src/config';
import type { OutboxRelay } from '../../src/outbox/relay';
import { openPlatform, type Platform, startApi } from '../../src/platform';
import type { Logger } from '../../src/common/logger';
import { createTestDb, deleteRedisKeys, type TestDb, type TestDbOptions } from './db';

export interface TestApi {
  url: string;
  db: TestDb;
  platform: Platform;
  /** The outbox relay running beside the API (as a worker process would run it), if any. */
  relay: OutboxRelay | null;
  /** A signed bearer token for a role, as `npm run cli -- token` would print. */
  token(role: Role, opts?: { customerId?: string; staff?: string; ttl?: string }): Promise<string>;
  /**
   * Sends a GraphQL operation over HTTP and returns the parsed body. Without `token` it goes as
   * an ADMIN, since most tests are about behaviour rather than access; pass `null` to go
   * anonymously.
   */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
  ): Promise<{ data?: T; errors?: any[]; status: number }>;
  close(): Promise<void>;
}

/**
 * A real API server on an ephemeral port over a fresh database, as clients see it. An outbox
 * relay runs beside it unless `relay: false` (a statement-counting test wants no relay
 * queries); `env` overrides configuration (another Redis, shorter timeouts).
 */
export async function startTestApi(
  label: string,
  opts: TestDbOptions & { relay?: boolean; env?: Record<string, string>; log?: Logger } = {},
): Promise<TestApi> {
  const db = await createTestDb(label, opts);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `cptest${randomBytes(4).toString('hex')}`,
    NODE_ENV: 'test',
    PORT: '0',
    // Generous, so only the rate-limit test itself ever meets the limit.
    RATE_LIMIT_PER_MINUTE: process.env.TEST_RATE_LIMIT ?? '100000',
    OUTBOX_POLL_MS: '250',
    ...opts.env,
  });
  const platform = await openPlatform(config, {
    migrate: false,
    log: opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ds: db.ds,
  });
  const api = await startApi(platform, 0);
  const relay = opts.relay === false ? null : await platform.startRelay();
  const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  const token: TestApi['token'] = (role, opts = {}) =>
    platform.tokens.sign(
      {
        role,
        subject: opts.customerId ? `customer:${opts.customerId}` : `test-${role.toLowerCase()}`,
        ...(opts.customerId ? { customerId: opts.customerId } : {}),
        ...(opts.staff ? { staffName: opts.staff } : {}),
      },
      opts.ttl ?? '1h',
    );
  const admin = await token(Role.ADMIN, { staff: 'Test Admin' });
  return {
    url,
    db,
    platform,
    relay,
    token,
    async gql(query, variables, bearer) {
      const auth = bearer === undefined ? admin : bearer;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { ...((await res.json()) as { data?: any; errors?: any[] }), status: res.status };
    },
    async close() {
      await relay?.stop();
      await api.stop();
      await deleteRedisKeys(platform.redis, platform.config.REDIS_PREFIX);
      await platform.queues.close();
      await platform.recommendations.queue.close();
      await platform.services.marketing.queue.close();
      platform.redis.disconnect();
      await db.drop();
    },
  };
}
