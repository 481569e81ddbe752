import { Client } from 'pg';
import { withDefaultUser } from '../../src/db/data-source';
import { startTestApi, type TestApi } from '../support/api';

/**
 * STATEMENT_TIMEOUT_MS protects the API from statements that would run (or wait) for ever: a
 * request stuck behind a lock is stopped with TIMEOUT, its connection goes back to the pool,
 * and requests beyond the pool's size are not left waiting either.
 */
let api: TestApi;
const PAGE = `{ customers(first: 5) { nodes { externalId } } }`;

beforeAll(async () => {
  api = await startTestApi('stmt_timeout', { statementTimeoutMs: 300, relay: false });
  await api.db.ds.query(
    `INSERT INTO customer (external_id, kind) SELECT 'T' || g, 'BORROWER' FROM generate_series(1, 5) g`,
  );
});

afterAll(async () => {
  await api.close();
});

it('stops statements stuck behind a lock with TIMEOUT, for more requests than the pool has', async () => {
  const locker = new Client({ connectionString: withDefaultUser(api.db.url) });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE customer IN ACCESS EXCLUSIVE MODE');
    // The pool has 5 connections; 8 requests wait on the lock at once.
    const results = await Promise.all(Array.from({ length: 8 }, () => api.gql(PAGE)));
    for (const r of results) {
      expect(r.errors?.[0].extensions.code).toBe('TIMEOUT');
      expect(r.errors?.[0].message).not.toMatch(/statement|cancel/i);
    }
  } finally {
    await locker.query('ROLLBACK');
    await locker.end();
  }
  // Every connection came back to the pool: the next requests are served at once.
  const after = await Promise.all(Array.from({ length: 8 }, () => api.gql(PAGE)));
  for (const r of after) expect(r.data.customers.nodes).toHaveLength(5);
});
