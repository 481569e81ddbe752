import { Worker } from 'bullmq';
import { groupActivity, statusCounts } from '../../src/marketing/campaigns/campaign.repository';
import { Role } from '../../src/auth/role';
import { createRedis } from '../../src/platform';
import { RECOMMENDATIONS_QUEUE } from '../../src/recommendations/recommendation.queue';
import { refreshDeduplicationId } from '../../src/recommendations/recommendation.queue';
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

const ERASE = `mutation($c: ID!, $r: String!) { eraseCustomer(customerId: $c, reason: $r) {
  id externalId status firstName lastName email phone postcode recommendationMode attributes
  accessibilityNeeds } }`;

/** Details unusual enough that finding them anywhere means they were not erased. */
const PERSON = {
  firstName: 'Philippa',
  lastName: 'Quenby',
  email: 'philippa.quenby@example.org',
  phone: '+44 7700 900123',
  postcode: 'ZX9 9QQ',
};
const TRACES = ['%quenby%', '%philippa%', '%7700 900123%', '%zx9 9qq%'];

beforeAll(async () => {
  api = await startPrivacyApi('privacy_erasure');
  lib = await seedLibrary(api.db.ds);
});

afterAll(async () => {
  await closePrivacyApi(api);
});

/** A customer with something in every place personal data is kept; returns their id. */
async function seedPerson(externalId: string, guardianId: string | null = null): Promise<string> {
  const ds = api.db.ds;
  const id = await insertCustomer(ds, {
    externalId,
    firstName: PERSON.firstName,
    lastName: PERSON.lastName,
    email: `${externalId.toLowerCase()}.${PERSON.email}`,
    birthYear: 1984,
    guardianId,
    homeBranchId: lib.central,
  });
  await ds.query(
    `UPDATE customer SET phone = $2, postcode = $3, preferred_language = 'cy',
            accessibility_needs = '{LARGE_PRINT}', attributes = $4, last_active_at = now()
      WHERE id = $1`,
    [id, PERSON.phone, PERSON.postcode, JSON.stringify({ note: `Ask for ${PERSON.firstName}` })],
  );
  await ds.query(
    `INSERT INTO interest (kind, label, key) VALUES ('GENRE', 'Poetry', 'poetry')
     ON CONFLICT DO NOTHING`,
  );
  await ds.query(
    `INSERT INTO customer_interest (customer_id, interest_id, source)
     SELECT $1, id, 'DECLARED' FROM interest WHERE key = 'poetry'`,
    [id],
  );
  await ds.query('INSERT INTO recommendation_dismissal (customer_id, item_id) VALUES ($1, $2)', [
    id,
    lib.items[3],
  ]);
  const entries = [
    ['LOAN', 40, 0],
    ['RETURN', 20, 0],
    ['LOAN', 2, 1],
    ['VISIT', 400, null],
  ] as const;
  for (const [type, days, item] of entries) {
    await insertActivity(ds, {
      customerId: id,
      type,
      daysAgo: days,
      branchId: lib.central,
      itemId: item === null ? null : lib.items[item],
      ageBand: 'ADULT_25_44',
    });
  }
  const res = await api.gql(
    `mutation($c: ID!) { giveConsent(customerId: $c,
      input: { purpose: MARKETING, channel: EMAIL, source: WEB, wordingVersion: "m1" }) { id } }`,
    { c: id },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  // A campaign that reached them (and they opened) ten days ago, and one still sending.
  const campaign = async (name: string, status: string) =>
    (
      await ds.query(
        `INSERT INTO campaign (name, purpose, status, channels, filter, subject, body, created_by,
                               started_at)
         VALUES ($1, 'MARKETING', $2, '{EMAIL}', '{"kinds":["BORROWER"]}', 's', 'b', 'test',
                 now() - interval '10 days') RETURNING id::text AS id`,
        [name, status],
      )
    )[0].id as string;
  const sent = await campaign(`Sent to ${externalId}`, 'SENT');
  const sending = await campaign(`Sending to ${externalId}`, 'SENDING');
  await ds.query(
    `INSERT INTO notification (campaign_id, customer_id, channel, status, address, claimed_at,
                               sent_at, opened_at, open_count, provider_id, last_active_before)
     VALUES ($1, $3, 'EMAIL', 'SENT', $4, now() - interval '10 days', now() - interval '10 days',
             now() - interval '9 days', 1, $5, now() - interval '40 days'),
            ($2, $3, 'EMAIL', 'PENDING', NULL, NULL, NULL, NULL, 0, NULL, NULL)`,
    [sent, sending, id, `${externalId.toLowerCase()}.${PERSON.email}`, `<msg-for-${PERSON.email}>`],
  );
  campaigns.set(id, { sent, sending });
  return id;
}

const campaigns = new Map<string, { sent: string; sending: string }>();

/** A campaign's results as counted from its rows: what erasure must leave unchanged. */
async function campaignFigures(campaignId: string) {
  const [{ started }] = await api.db.ds.query(
    'SELECT started_at AS started FROM campaign WHERE id = $1',
    [campaignId],
  );
  const end = new Date(started.getTime() + 14 * 86_400_000);
  return {
    counts: await statusCounts(api.db.ds, campaignId),
    uplift: await groupActivity(api.db.ds, campaignId, started, end),
  };
}

/** A cached suggestion list, as the workers write it. */
function cachedList(customerId: string) {
  const computedAt = new Date().toISOString();
  return { customerId, modelVersion: '1', computedAt, mode: 'FULL', items: [], events: [] };
}

/** Rows of `table` whose `column` is the customer. */
async function rowsOf(table: string, customerId: string, column = 'customer_id'): Promise<number> {
  const [row] = await api.db.ds.query(
    `SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`,
    [customerId],
  );
  return row.n;
}

/** Counts rows in every table of the database whose text contains any of the traces. */
async function tracesInDatabase(): Promise<Record<string, number>> {
  const tables: Array<{ name: string }> = await api.db.ds.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const found: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await api.db.ds.query(
      `SELECT count(*)::int AS n FROM "${name}" t WHERE t::text ILIKE ANY($1)`,
      [TRACES],
    );
    if (row.n) found[name] = row.n;
  }
  return found;
}

describe('erasing a customer', () => {
  let id: string;
  let ward: string;
  let statsBefore: unknown[];
  let figuresBefore: Awaited<ReturnType<typeof campaignFigures>>;
  let erased: any;

  beforeAll(async () => {
    const guardian = await insertCustomer(api.db.ds, { externalId: 'E-guardian' });
    id = await seedPerson('E-1', guardian);
    ward = await insertCustomer(api.db.ds, { externalId: 'E-ward', guardianId: id });
    const { store, queue } = api.platform.recommendations;
    await store.put([cachedList(id)]);
    await queue.scheduleRefresh([id]);
    expect(await queue.queue.getDeduplicationJobId(refreshDeduplicationId(id))).not.toBeNull();
    expect(Object.keys(await tracesInDatabase()).sort()).toEqual(['customer', 'notification']);
    statsBefore = await statistics(api.db.ds);
    figuresBefore = await campaignFigures(campaigns.get(id)!.sent);
    expect(figuresBefore.uplift.recipients).toEqual({ members: 1, active: 1 });
    const res = await api.gql(ERASE, { c: id, r: 'Erasure requested in writing' });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    erased = res.data.eraseCustomer;
  });

  it('keeps the row as a tombstone with its external id and nothing personal', () => {
    expect(erased).toEqual({
      id,
      externalId: 'E-1',
      status: 'ERASED',
      firstName: null,
      lastName: null,
      email: null,
      phone: null,
      postcode: null,
      recommendationMode: 'OFF',
      attributes: {},
      accessibilityNeeds: [],
    });
  });

  it('leaves the name, email, phone and postcode nowhere in PostgreSQL', async () => {
    const [row] = await api.db.ds.query('SELECT to_jsonb(c) AS c FROM customer c WHERE id = $1', [
      id,
    ]);
    expect(row.c).toMatchObject({
      birth_year: null,
      preferred_language: null,
      guardian_id: null,
      last_active_at: null,
      status: 'ERASED',
    });
    expect(row.c.erased_at).not.toBeNull();
    const textColumns: Array<{ name: string }> = await api.db.ds.query(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = 'customer'
          AND data_type IN ('text', 'character varying', 'jsonb', 'ARRAY', 'USER-DEFINED')`,
    );
    for (const { name } of textColumns) {
      const [hit] = await api.db.ds.query(
        `SELECT count(*)::int AS n FROM customer WHERE "${name}"::text ILIKE ANY($1)`,
        [TRACES],
      );
      expect({ column: name, n: hit.n }).toEqual({ column: name, n: 0 });
    }
    expect(await tracesInDatabase()).toEqual({});
  });

  it('detaches all their activity and leaves the statistics totals unchanged', async () => {
    expect(await rowsOf('activity', id)).toBe(0);
    expect(await statistics(api.db.ds)).toEqual(statsBefore);
  });

  it('detaches their campaign messages, keeping every campaign’s results the same', async () => {
    expect(await rowsOf('notification', id)).toBe(0);
    expect(await campaignFigures(campaigns.get(id)!.sent)).toEqual(figuresBefore);
    const rows = await api.db.ds.query(
      `SELECT status, suppressed_reason, address, provider_id, anonymised_at IS NOT NULL AS detached
         FROM notification WHERE campaign_id = $1`,
      [campaigns.get(id)!.sending],
    );
    expect(rows).toEqual([
      {
        status: 'SUPPRESSED',
        suppressed_reason: 'CUSTOMER_ERASED',
        address: null,
        provider_id: null,
        detached: true,
      },
    ]);
  });

  it('removes interests and dismissals, unlinks wards, and keeps the consent rows', async () => {
    expect(await rowsOf('customer_interest', id)).toBe(0);
    expect(await rowsOf('recommendation_dismissal', id)).toBe(0);
    expect(await rowsOf('customer', id, 'guardian_id')).toBe(0);
    expect(await rowsOf('consent_record', id)).toBe(1);
    const [w] = await api.db.ds.query('SELECT guardian_id, status FROM customer WHERE id = $1', [
      ward,
    ]);
    expect(w).toEqual({ guardian_id: null, status: 'ACTIVE' });
  });

  it('leaves nothing about them in Redis: no cached list, no pending refresh', async () => {
    const { store, queue } = api.platform.recommendations;
    const { redis, config } = api.platform;
    expect(await redis.exists(store.customerKey(id))).toBe(0);
    expect(await queue.queue.getDeduplicationJobId(refreshDeduplicationId(id))).toBeNull();
    // The only job naming them is the clean-up queued with the erasure (through the outbox),
    // which repeats what was just done in case Redis had been unreachable; it holds an id only.
    await eventually(() => api.relay!.drain().then(() => true));
    const pending = await queue.queue.getJobs(['delayed', 'waiting', 'prioritized']);
    const theirJobs = pending.filter((j) => j.data?.customerId === id);
    expect(theirJobs.map((j) => j.name)).toEqual(['forget-customer']);
    expect(Object.keys(theirJobs[0].data).sort()).toEqual(['_trace', 'customerId']);
    const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
    const theirs = (k: string) => k.endsWith(`:customer:${id}`) || k.includes(`refresh-${id}`);
    expect(keys.filter(theirs)).toEqual([]);
  });

  it('records the erasure in the audit trail with the reason and no personal data', async () => {
    const [entry] = await api.db.ds.query(
      `SELECT action, actor_role, reason, details FROM audit_entry
        WHERE customer_id = $1 AND action = 'customer.erase'`,
      [id],
    );
    expect(entry).toMatchObject({
      actor_role: 'ADMIN',
      reason: 'Erasure requested in writing',
      details: {
        activityDetached: 4,
        interestsRemoved: 1,
        dismissalsRemoved: 1,
        wardsUnlinked: 1,
        messagesAnonymised: 2,
        alreadyErased: false,
      },
    });
  });

  it('is harmless to repeat', async () => {
    const res = await api.gql(ERASE, { c: id, r: 'Erasure requested again' });
    expect(res.errors).toBeUndefined();
    expect(res.data.eraseCustomer.status).toBe('ERASED');
    const rows = await api.db.ds.query(
      `SELECT details FROM audit_entry
        WHERE customer_id = $1 AND action = 'customer.erase' ORDER BY id`,
      [id],
    );
    expect(rows.map((r: any) => r.details.alreadyErased)).toEqual([false, true]);
    expect(await statistics(api.db.ds)).toEqual(statsBefore);
  });

  it('refuses consent changes for an erased customer', async () => {
    const res = await api.gql(
      `mutation($c: ID!) { giveConsent(customerId: $c,
        input: { purpose: PERSONALISATION, source: WEB, wordingVersion: "p1" }) { id } }`,
      { c: id },
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('erasing while a refresh for the customer is running', () => {
  it('waits for the running refresh and drops the list it wrote', async () => {
    const id = await seedPerson('E-race');
    const { store, queue } = api.platform.recommendations;
    const { config } = api.platform;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const connection = createRedis(config.REDIS_URL, 'privacy-test-worker');
    // Stands in for a refresh that read the customer before the erasure and writes after it.
    const worker = new Worker(
      RECOMMENDATIONS_QUEUE,
      async (job) => {
        if (job.data?.customerId !== id) return;
        started();
        await gate;
        await store.put([cachedList(id)]);
      },
      { connection, prefix: config.REDIS_PREFIX },
    );
    try {
      await queue.scheduleRefresh([id]);
      await running;
      const [job] = (await queue.queue.getActive()).filter((j) => j.data?.customerId === id);
      const erasing = api.gql(ERASE, { c: id, r: 'Erasure requested in writing' });
      setTimeout(release, 300);
      const res = await erasing;
      expect(res.errors).toBeUndefined();
      await eventually(async () => !(await job.isActive()));
      expect(await store.get(id)).toBeNull();
    } finally {
      release();
      await worker.close();
      connection.disconnect();
    }
  });
});

describe('who may erase', () => {
  const code = async (vars: Record<string, unknown>, token: string | null) =>
    (await api.gql(ERASE, vars, token)).errors?.[0]?.extensions?.code ?? 'OK';

  it('lets a customer erase themselves', async () => {
    const self = await insertCustomer(api.db.ds, { externalId: 'W-self', firstName: 'Ada' });
    const token = await api.token(Role.CUSTOMER, { customerId: self });
    expect(await code({ c: self, r: 'I am leaving' }, token)).toBe('OK');
  });

  it('lets front-line staff erase with a reason, and not without one', async () => {
    const c = await insertCustomer(api.db.ds, { externalId: 'W-staff' });
    const staff = await api.token(Role.FRONT_LINE_STAFF, { staff: 'Desk' });
    expect(await code({ c, r: '' }, staff)).toBe('BAD_USER_INPUT');
    expect(await code({ c, r: 'Asked at the desk' }, staff)).toBe('OK');
  });

  it('refuses another customer, a guardian, marketing and anonymous callers', async () => {
    const guardian = await insertCustomer(api.db.ds, { externalId: 'W-guardian' });
    const child = await insertCustomer(api.db.ds, { externalId: 'W-child', guardianId: guardian });
    const other = await insertCustomer(api.db.ds, { externalId: 'W-other' });
    const vars = { c: child, r: 'Please erase this record' };
    const customer = (c: string) => api.token(Role.CUSTOMER, { customerId: c });
    expect(await code(vars, await customer(other))).toBe('FORBIDDEN');
    expect(await code(vars, await customer(guardian))).toBe('FORBIDDEN');
    expect(await code(vars, await api.token(Role.MARKETING))).toBe('FORBIDDEN');
    expect(await code(vars, null)).toBe('UNAUTHENTICATED');
    const [still] = await api.db.ds.query(`SELECT status FROM customer WHERE id = $1`, [child]);
    expect(still.status).toBe('ACTIVE');
  });
});
