import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DomainEvents } from '../../src/common/domain-events';
import { runImport } from '../../src/imports/import.service';
import { enqueue } from '../../src/outbox/outbox';
import { MAX_ENTRY_ATTEMPTS, OutboxRelay } from '../../src/outbox/relay';
import { refreshOnChanges } from '../../src/recommendations/refresh-requests';
import { startTestApi, type TestApi } from '../support/api';
import { eventually, seedTasteLibrary } from '../support/library';

/** The outbox and its relay against the real PostgreSQL and Redis. */
let api: TestApi;
let lib: Awaited<ReturnType<typeof seedTasteLibrary>>;
const QUEUE = 'outbox-test';

beforeAll(async () => {
  // No relay of the API's own: each test drives the relays it needs.
  api = await startTestApi('outbox', { relay: false });
  lib = await seedTasteLibrary(api.db.ds);
});

afterAll(async () => {
  await api.close();
});

function relay(overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) {
  const { platform } = api;
  return new OutboxRelay({
    ds: platform.ds,
    databaseUrl: platform.config.DATABASE_URL,
    queues: platform.queues,
    log: pino({ level: 'silent' }),
    pollMs: 60_000,
    batchSize: 50,
    retentionHours: 72,
    ...overrides,
  });
}

async function outboxRows(where = 'true', params: unknown[] = []) {
  return api.db.ds.query(
    `SELECT id::text, queue, name, data, request_id, relayed_at, relayed_job_id, attempts,
            last_error, dead_at
       FROM outbox WHERE ${where} ORDER BY id`,
    params,
  );
}

async function clearOutbox() {
  await api.db.ds.query('DELETE FROM outbox');
  await api.platform.queues.get(QUEUE).obliterate({ force: true });
}

describe('writing to the outbox', () => {
  beforeEach(clearOutbox);

  it('commits entries with the transaction that wrote them', async () => {
    await api.db.ds.transaction(async (tx) => {
      await enqueue(tx, [
        { queue: QUEUE, name: 'a', data: { n: 1 } },
        { queue: QUEUE, name: 'b', data: { n: 2 }, jobId: 'chosen-id', delay: 5 },
      ]);
    });
    const rows = await outboxRows();
    expect(rows.map((r: any) => [r.name, r.data, r.relayed_at])).toEqual([
      ['a', { n: 1 }, null],
      ['b', { n: 2 }, null],
    ]);
  });

  it('leaves nothing behind when the transaction rolls back', async () => {
    await expect(
      api.db.ds.transaction(async (tx) => {
        await enqueue(tx, { queue: QUEUE, name: 'a', data: {} });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await outboxRows()).toEqual([]);
  });

  it('refuses a malformed message before writing anything', async () => {
    for (const bad of [
      { queue: 'no spaces', name: 'a', data: {} },
      { queue: QUEUE, name: '', data: {} },
      { queue: QUEUE, name: 'a', data: {}, jobId: 'has:colon' },
      { queue: QUEUE, name: 'a', data: {}, jobId: '42' },
      { queue: QUEUE, name: 'a', data: {}, delay: -1 },
    ]) {
      await expect(api.db.ds.transaction((tx) => enqueue(tx, bad))).rejects.toThrow(/outbox/);
    }
    expect(await outboxRows()).toEqual([]);
  });

  it('writes the refresh of a batch’s customers with the ledger rows, in one entry', async () => {
    const inputs = Array.from({ length: 40 }, (_, i) => ({
      customerExternalId: `R${1 + (i % 8)}`,
      type: 'VISIT',
      occurredAt: new Date(Date.now() - i * 60_000).toISOString(),
      sourceKey: `batch-${i}`,
    }));
    const res = await api.gql(
      `mutation($in: [RecordActivityInput!]!) { recordActivities(inputs: $in) { status } }`,
      { in: inputs },
    );
    expect(res.errors).toBeUndefined();
    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0].name).toBe('refresh-customers');
    expect(new Set(rows[0].data.customerIds).size).toBe(8);
    // Sent again, every entry is a duplicate: nothing new to refresh.
    await api.gql(
      `mutation($in: [RecordActivityInput!]!) { recordActivities(inputs: $in) { status } }`,
      { in: inputs },
    );
    expect(await outboxRows()).toHaveLength(1);
    // A loan or two for a customer or two: one deduplicated job each.
    await api.gql(
      `mutation($in: [RecordActivityInput!]!) { recordActivities(inputs: $in) { status } }`,
      { in: inputs.slice(0, 2).map((i) => ({ ...i, sourceKey: `${i.sourceKey}-again` })) },
    );
    const singles = await outboxRows(`name = 'refresh-customer'`);
    expect(singles.map((r: any) => r.data.customerId)).toHaveLength(2);
  });

  it('writes refreshes for the customers an activity import touched, batch by batch', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-outbox-'));
    try {
      const file = path.join(dir, 'activity.csv');
      const lines = ['customer_external_id,type,occurred_at,source_key'];
      for (let i = 0; i < 30; i++) {
        lines.push(`R${10 + (i % 6)},VISIT,2025-01-0${1 + (i % 9)}T10:00:00Z,imp-${i}`);
      }
      await writeFile(file, lines.join('\n'));
      const events = refreshOnChanges(new DomainEvents());
      const logger = pino({ level: 'silent' });
      const report = await runImport(api.db.ds, 'activity', file, {
        batchSize: 10,
        events,
        logger,
      });
      expect(report.inserted).toBe(30);
      const rows = await outboxRows();
      // Three batches, each naming its six customers in one entry.
      expect(rows).toHaveLength(3);
      for (const r of rows) expect(new Set(r.data.customerIds).size).toBe(6);
      await runImport(api.db.ds, 'activity', file, { batchSize: 10, events, logger });
      expect(await outboxRows()).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('relaying', () => {
  beforeEach(clearOutbox);

  it('hands every entry to BullMQ exactly once with four relays running at once', async () => {
    for (let t = 0; t < 12; t++) {
      await api.db.ds.transaction((tx) =>
        enqueue(
          tx,
          Array.from({ length: 25 }, (_, i) => ({ queue: QUEUE, name: 'n', data: { t, i } })),
        ),
      );
    }
    const relays = Array.from({ length: 4 }, () => relay({ batchSize: 7 }));
    await Promise.all(relays.map((r) => r.drain()));
    const rows = await outboxRows();
    expect(rows).toHaveLength(300);
    for (const r of rows) {
      expect(r.relayed_at).not.toBeNull();
      expect(r.relayed_job_id).toBe(`ob-${r.id}`);
      // Claimed once: a second claim would have counted a second attempt.
      expect(r.attempts).toBe(1);
    }
    const jobs = await api.platform.queues.get(QUEUE).getJobs(['waiting']);
    expect(jobs).toHaveLength(300);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(rows.map((r: any) => `ob-${r.id}`)));
    expect(jobs[0].data._trace.outboxId).toMatch(/^\d+$/);
  });

  it('adds nothing twice when entries are relayed again after a lost commit', async () => {
    await api.db.ds.transaction((tx) =>
      enqueue(
        tx,
        Array.from({ length: 10 }, (_, i) => ({ queue: QUEUE, name: 'n', data: { i } })),
      ),
    );
    await relay().drain();
    // As if the relay had crashed after BullMQ took the jobs but before its commit.
    await api.db.ds.query('UPDATE outbox SET relayed_at = NULL, relayed_job_id = NULL');
    await relay().drain();
    const jobs = await api.platform.queues.get(QUEUE).getJobs(['waiting']);
    expect(jobs).toHaveLength(10);
    const rows = await outboxRows();
    expect(rows.every((r: any) => r.relayed_job_id === `ob-${r.id}`)).toBe(true);
  });

  it('moves past an entry BullMQ refuses, retries it later and sets it aside in the end', async () => {
    await api.db.ds.transaction((tx) =>
      enqueue(tx, [
        { queue: QUEUE, name: 'good', data: {} },
        // BullMQ refuses priorities above 2,097,152.
        { queue: QUEUE, name: 'bad', data: {}, priority: 3_000_000 },
        { queue: QUEUE, name: 'good', data: {} },
      ]),
    );
    await relay().drain();
    let [bad] = await outboxRows(`name = 'bad'`);
    expect(bad.relayed_at).toBeNull();
    expect(bad.attempts).toBe(1);
    expect(bad.last_error).toMatch(/riority/);
    expect(bad.dead_at).toBeNull();
    expect(await outboxRows(`name = 'good' AND relayed_at IS NOT NULL`)).toHaveLength(2);
    await api.db.ds.query(`UPDATE outbox SET attempts = $1, next_attempt_at = NULL WHERE id = $2`, [
      MAX_ENTRY_ATTEMPTS - 1,
      bad.id,
    ]);
    await relay().drain();
    [bad] = await outboxRows(`name = 'bad'`);
    expect(bad.dead_at).not.toBeNull();
    expect(bad.relayed_at).toBeNull();
  });

  it('wakes on the commit of new entries, without waiting for its poll', async () => {
    const r = relay({ pollMs: 3_600_000 });
    await r.start();
    try {
      await api.db.ds.transaction((tx) => enqueue(tx, { queue: QUEUE, name: 'n', data: {} }));
      await eventually(async () => (await outboxRows('relayed_at IS NOT NULL')).length === 1);
    } finally {
      await r.stop();
    }
  });

  it('keeps entries pending while Redis cannot take them', async () => {
    await api.db.ds.transaction((tx) => enqueue(tx, { queue: QUEUE, name: 'n', data: {} }));
    const offline = { ...api.platform.queues, available: false } as typeof api.platform.queues;
    await expect(relay({ queues: offline }).drain()).rejects.toThrow(/Redis/);
    expect(await outboxRows('relayed_at IS NULL')).toHaveLength(1);
  });

  it('deletes relayed entries older than the retention period and keeps the rest', async () => {
    await api.db.ds.transaction((tx) =>
      enqueue(
        tx,
        Array.from({ length: 6 }, (_, i) => ({ queue: QUEUE, name: 'n', data: { i } })),
      ),
    );
    await relay({ batchSize: 4 }).relayBatch();
    const relayedIds = (await outboxRows('relayed_at IS NOT NULL')).map((r: any) => r.id);
    expect(relayedIds).toHaveLength(4);
    await api.db.ds.query(
      `UPDATE outbox SET relayed_at = now() - interval '100 hours' WHERE id = ANY($1::bigint[])
         AND id IN (SELECT id FROM outbox WHERE relayed_at IS NOT NULL ORDER BY id LIMIT 3)`,
      [relayedIds],
    );
    expect(await relay({ retentionHours: 72 }).cleanup()).toBe(3);
    const left = await outboxRows();
    expect(left).toHaveLength(3);
    expect(left.filter((r: any) => r.relayed_at === null)).toHaveLength(2);
  });
});

describe('what carries a request id', () => {
  beforeEach(clearOutbox);

  it('keeps the request id from x-request-id with the entry and puts it into the job', async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'desk-loan-0042',
        authorization: `Bearer ${await api.token('SERVICE' as never)}`,
      },
      body: JSON.stringify({
        query: `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { status } }`,
        variables: {
          in: { customerId: lib.crimeReader, type: 'VISIT', occurredAt: new Date().toISOString() },
        },
      }),
    });
    expect(res.headers.get('x-request-id')).toBe('desk-loan-0042');
    expect(((await res.json()) as any).data.recordActivity.status).toBe('ACCEPTED');
    expect((await outboxRows())[0].request_id).toBe('desk-loan-0042');
    await relay().drain();
    const [row] = await outboxRows();
    const job = await api.platform.recommendations.queue.queue.getJob(row.relayed_job_id);
    expect(job?.data).toEqual({
      customerId: lib.crimeReader,
      _trace: { outboxId: row.id, requestId: 'desk-loan-0042' },
    });
  });
});
