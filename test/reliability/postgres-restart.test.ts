import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { withDefaultUser } from '../../src/db/data-source';
import { enqueue } from '../../src/outbox/outbox';
import { openPlatform, type Platform, startApi } from '../../src/platform';
import { startTestApi, type TestApi } from '../support/api';
import { createTestDb, deleteRedisKeys, type TestDb } from '../support/db';
import { eventually } from '../support/library';
import { OwnPostgres } from '../support/processes';

/**
 * The API keeps serving across PostgreSQL restarts without being restarted itself. The shared
 * server is never stopped: first every server-side connection of this test's database is
 * killed; then a cluster of the test's own is stopped and started for real.
 */
const CUSTOMERS = `{ customers(first: 3) { nodes { externalId } } }`;

async function seed(ds: { query(sql: string): Promise<unknown> }) {
  await ds.query(
    `INSERT INTO customer (external_id, kind) SELECT 'PG' || g, 'BORROWER' FROM generate_series(1, 5) g`,
  );
}

/** Pending outbox entries; the relay's poll is an hour, so only its LISTEN can move them. */
async function relayedByNotify(ds: TestDb['ds']): Promise<void> {
  await ds.transaction((tx) => enqueue(tx, { queue: 'pg-restart-test', name: 'n', data: {} }));
  await eventually(async () => {
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM outbox WHERE relayed_at IS NULL`);
    return row.n === 0;
  }, 30_000);
}

describe('after every server-side connection of its database is killed', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi('pg_terminate', { env: { OUTBOX_POLL_MS: '3600000' } });
    await seed(api.db.ds);
  });

  afterAll(async () => {
    await api.close();
  });

  it('answers again without a restart, and its relay hears notifications again', async () => {
    expect((await api.gql(CUSTOMERS)).data.customers.nodes).toHaveLength(3);
    await relayedByNotify(api.db.ds);
    const admin = new Client({ connectionString: withDefaultUser(`${api.db.url}`) });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      // The pool's connections and the relay's LISTEN connection.
      expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    } finally {
      await admin.end();
    }
    // The first request may meet a connection whose death the pool has not heard of yet;
    // from then on every request succeeds on new connections.
    await eventually(async () => !(await api.gql(CUSTOMERS)).errors);
    for (let i = 0; i < 20; i++) {
      const res = await api.gql(CUSTOMERS);
      expect(res.errors).toBeUndefined();
    }
    await relayedByNotify(api.db.ds);
  });
});

describe('across a real stop and start of its PostgreSQL server', () => {
  let pg: OwnPostgres;
  let db: TestDb;
  let platform: Platform;
  let url: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    pg = await OwnPostgres.create();
    db = await createTestDb('pg_restart', { base: pg.baseUrl });
    await seed(db.ds);
    const config = loadConfig({
      DATABASE_URL: db.url,
      REDIS_PREFIX: `cppg${randomBytes(4).toString('hex')}`,
      NODE_ENV: 'test',
      OUTBOX_POLL_MS: '3600000',
      DB_CONNECT_TIMEOUT_MS: '1000',
    });
    platform = await openPlatform(config, {
      migrate: false,
      log: pino({ level: 'silent' }),
      ds: db.ds,
    });
    const api = await startApi(platform, 0);
    stop = api.stop;
    url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
    await platform.startRelay();
  }, 60_000);

  afterAll(async () => {
    await stop?.();
    if (platform) await deleteRedisKeys(platform.redis, platform.config.REDIS_PREFIX);
    await platform?.close();
    await db?.drop().catch(() => undefined);
    await pg?.destroy();
  });

  async function gql(query: string) {
    const token = await platform.tokens.sign({ role: 'ADMIN' as never, subject: 'pg-test' }, '1h');
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: any; errors?: any[] };
  }

  it('says the database is unavailable while it is down, and serves again once it is up', async () => {
    expect((await gql(CUSTOMERS)).data.customers.nodes).toHaveLength(3);
    await relayedByNotify(db.ds);

    await pg.stop();
    const down = await gql(CUSTOMERS);
    expect(down.errors?.[0].extensions.code).toBe('UNAVAILABLE');
    expect(down.errors?.[0].message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'not_ready', postgres: 'down' });

    await pg.start();
    await eventually(async () => !(await gql(CUSTOMERS)).errors, 30_000);
    for (let i = 0; i < 10; i++) expect((await gql(CUSTOMERS)).errors).toBeUndefined();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    // The relay's LISTEN connection came back by itself.
    await relayedByNotify(db.ds);
  }, 90_000);
});
