import { anonymiseCommand } from '../../src/privacy/anonymise.command';
import { anonymiseHistory } from '../../src/privacy/history.service';
import {
  ANONYMISE_CRON,
  NIGHTLY_ANONYMISE,
  startPrivacyWorker,
} from '../../workers/privacy.processor';
import type { TestApi } from '../support/api';
import { eventually } from '../support/library';
import {
  closePrivacyApi,
  insertActivity,
  insertCustomer,
  seedLibrary,
  startPrivacyApi,
  statistics,
} from './privacy-api';

let api: TestApi;
let lib: Awaited<ReturnType<typeof seedLibrary>>;
const people = { keep: '', def: '', never: '', erased: '' };
/** Entries of the NEVER customer that must stay linked: loans still out. */
const stillOut: string[] = [];

async function linked(customerId: string): Promise<string[]> {
  const rows: Array<{ id: string }> = await api.db.ds.query(
    'SELECT id::text AS id FROM activity WHERE customer_id = $1 ORDER BY id',
    [customerId],
  );
  return rows.map((r) => r.id);
}

beforeAll(async () => {
  api = await startPrivacyApi('privacy_anonymise');
  const ds = api.db.ds;
  lib = await seedLibrary(ds);
  const [i0, i1, i2, i3] = lib.items;
  const at = (c: string, type: string, daysAgo: number, itemId?: string, eventId?: string) =>
    insertActivity(ds, { customerId: c, type, daysAgo, branchId: lib.central, itemId, eventId });

  people.keep = await insertCustomer(ds, { externalId: 'P-keep', historyChoice: 'KEEP' });
  for (const d of [400, 200, 5]) await at(people.keep, 'LOAN', d, i0);

  people.def = await insertCustomer(ds, { externalId: 'P-default', historyChoice: 'DEFAULT' });
  for (const d of [200, 95, 89, 1]) await at(people.def, 'VISIT', d);

  people.never = await insertCustomer(ds, { externalId: 'P-never', historyChoice: 'NEVER' });
  // Returned: the whole loan goes.
  await at(people.never, 'LOAN', 20, i0);
  await at(people.never, 'RENEWAL', 10, i0);
  await at(people.never, 'RETURN', 5, i0);
  // Still out: the hold and the loan stay.
  stillOut.push(await at(people.never, 'HOLD_PLACED', 8, i1));
  stillOut.push(await at(people.never, 'HOLD_COLLECTED', 6, i1));
  stillOut.push(await at(people.never, 'LOAN', 6, i1));
  // Borrowed, returned, borrowed again: only the current loan stays.
  await at(people.never, 'LOAN', 30, i2);
  await at(people.never, 'RETURN', 25, i2);
  stillOut.push(await at(people.never, 'LOAN', 3, i2));
  // Not part of any loan, and a hold never collected that is past the retention period.
  await at(people.never, 'VISIT', 2);
  await at(people.never, 'EVENT_ATTENDED', 10, undefined, lib.event);
  await at(people.never, 'HOLD_PLACED', 120, i3);

  // An entry that reached an erased customer after their erasure.
  people.erased = await insertCustomer(ds, { externalId: 'P-erased' });
  await at(people.erased, 'VISIT', 1);
  await ds.query(`UPDATE customer SET status = 'ERASED', erased_at = now() WHERE id = $1`, [
    people.erased,
  ]);
});

afterAll(async () => {
  await closePrivacyApi(api);
});

describe('anonymising reading history by choice', () => {
  let before: unknown[];
  const now = new Date();

  beforeAll(async () => {
    before = await statistics(api.db.ds);
    expect(before.length).toBeGreaterThan(3);
  });

  it('detaches by each customer’s choice, in batches smaller than the work', async () => {
    const r = await anonymiseHistory(api.db.ds, { now, retentionDays: 90, batchSize: 2 });
    expect(r).toMatchObject({ defaultDetached: 2, neverDetached: 8, erasedDetached: 1 });
    expect(r.batches).toBeGreaterThan(6);
  });

  it('keeps everything of a customer who chose KEEP, however old', async () => {
    expect(await linked(people.keep)).toHaveLength(3);
  });

  it('keeps DEFAULT entries younger than the retention period', async () => {
    const rows = await api.db.ds.query(
      `SELECT (now() - occurred_at) < interval '90 days' AS young
         FROM activity WHERE customer_id = $1`,
      [people.def],
    );
    expect(rows).toEqual([{ young: true }, { young: true }]);
  });

  it('keeps only the entries of loans still out for a customer who chose NEVER', async () => {
    expect(await linked(people.never)).toEqual(stillOut);
  });

  it('detaches anything still linked to an erased customer', async () => {
    expect(await linked(people.erased)).toEqual([]);
  });

  it('changes only the link: counts by type, branch, month and age band stay put', async () => {
    expect(await statistics(api.db.ds)).toEqual(before);
    const [stamped] = await api.db.ds.query(
      `SELECT count(*)::int AS n FROM activity WHERE customer_id IS NULL AND anonymised_at = $1`,
      [now],
    );
    expect(stamped.n).toBe(11);
  });

  it('finds nothing more to do when run again', async () => {
    const again = await anonymiseHistory(api.db.ds, { now, retentionDays: 90, batchSize: 2 });
    expect(again).toMatchObject({ defaultDetached: 0, neverDetached: 0, erasedDetached: 0 });
  });

  it('detaches a NEVER customer’s loan as soon as the item comes back', async () => {
    await insertActivity(api.db.ds, {
      customerId: people.never,
      type: 'RETURN',
      daysAgo: 0,
      branchId: lib.north,
      itemId: lib.items[1],
    });
    const r = await anonymiseHistory(api.db.ds, { now: new Date(), retentionDays: 90 });
    expect(r.neverDetached).toBe(4);
    expect(await linked(people.never)).toEqual([stillOut[3]]);
  });
});

describe('running anonymisation', () => {
  it('registers the nightly job at 02:30 UTC and runs anonymise jobs', async () => {
    const privacy = await startPrivacyWorker(api.platform);
    try {
      const scheduler = await privacy.queue.getJobScheduler(NIGHTLY_ANONYMISE);
      expect(scheduler).toMatchObject({ pattern: ANONYMISE_CRON, tz: 'UTC' });
      expect(ANONYMISE_CRON).toBe('30 2 * * *');

      const c = await insertCustomer(api.db.ds, { externalId: 'P-worker' });
      const visit = { customerId: c, type: 'VISIT', daysAgo: 100, branchId: lib.central };
      await insertActivity(api.db.ds, visit);
      const job = await privacy.queue.add('anonymise', { retentionDays: 90 });
      const done = await eventually(async () => {
        const j = await privacy.queue.getJob(job.id as string);
        return (await j?.getState()) === 'completed' ? j : null;
      });
      expect(done?.returnvalue).toMatchObject({ defaultDetached: 1 });
      expect(await linked(c)).toEqual([]);
    } finally {
      await privacy.stop();
    }
  });

  it('runs on demand from the command line and exits 0', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'P-cli' });
    const visit = { customerId: c, type: 'VISIT', daysAgo: 40, branchId: lib.north };
    await insertActivity(api.db.ds, visit);
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = api.db.url;
    const out: string[] = [];
    try {
      const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
      const exit = await anonymiseCommand({ retentionDays: 30 }, io);
      expect(exit).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    expect(out.join('')).toMatch(/^detached \d+ activity entries \(DEFAULT older than 30 days/);
    expect(await linked(c)).toEqual([]);
  });
});
