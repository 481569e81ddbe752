import { Role } from '../../src/auth/role';
import { EXPORT_FORMAT } from '../../src/privacy/export.service';
import type { TestApi } from '../support/api';
import {
  closePrivacyApi,
  insertActivity,
  insertCustomer,
  seedLibrary,
  startPrivacyApi,
} from './privacy-api';

let api: TestApi;
let lib: Awaited<ReturnType<typeof seedLibrary>>;
let person: string;
let ward: string;
let other: string;
let detachedId: string;

const MINE = `{ exportMyData }`;
const THEIRS = `query($c: ID!, $r: String!) { exportCustomerData(customerId: $c, reason: $r) }`;

beforeAll(async () => {
  api = await startPrivacyApi('privacy_export');
  const ds = api.db.ds;
  lib = await seedLibrary(ds);
  person = await insertCustomer(ds, {
    externalId: 'X-1',
    firstName: 'Marguerite',
    lastName: 'Tillotson',
    email: 'marguerite@example.org',
    birthYear: 1961,
    homeBranchId: lib.central,
  });
  ward = await insertCustomer(ds, {
    externalId: 'X-2',
    firstName: 'Pip',
    lastName: 'Tillotson',
    guardianId: person,
  });
  other = await insertCustomer(ds, { externalId: 'X-3' });
  await ds.query(`INSERT INTO interest (kind, label, key) VALUES ('GENRE', 'Crime', 'crime')`);
  await ds.query(
    `INSERT INTO customer_interest (customer_id, interest_id, weight, source)
     SELECT $1, id, 0.8, 'DECLARED' FROM interest WHERE key = 'crime'`,
    [person],
  );
  const at = { customerId: person, branchId: lib.central };
  await insertActivity(ds, { ...at, type: 'LOAN', daysAgo: 3, itemId: lib.items[0] });
  await insertActivity(ds, { ...at, type: 'EVENT_ATTENDED', daysAgo: 10, eventId: lib.event });
  detachedId = await insertActivity(ds, { ...at, type: 'VISIT', daysAgo: 200 });
  await ds.query('UPDATE activity SET customer_id = NULL, anonymised_at = now() WHERE id = $1', [
    detachedId,
  ]);
  await ds.query('INSERT INTO recommendation_dismissal (customer_id, item_id) VALUES ($1, $2)', [
    person,
    lib.items[1],
  ]);
  await api.gql(
    `mutation($c: ID!) { giveConsent(customerId: $c,
      input: { purpose: PERSONALISATION, source: BRANCH, wordingVersion: "p1" }) { id } }`,
    { c: person },
  );
  // A campaign that reached them (opened, clicked) and one that was held back by consent.
  const [campaign] = await ds.query(
    `INSERT INTO campaign (name, purpose, status, channels, filter, subject, body, created_by,
                           started_at)
     VALUES ('Autumn reads', 'MARKETING', 'SENT', '{EMAIL}', '{"kinds":["BORROWER"]}', 's', 'b',
             'test', now() - interval '2 days') RETURNING id::text AS id`,
  );
  await ds.query(
    `INSERT INTO notification (campaign_id, customer_id, channel, status, address, claimed_at,
                               sent_at, opened_at, open_count, clicked_at, click_count)
     VALUES ($1, $2, 'EMAIL', 'SENT', 'marguerite@example.org', now() - interval '2 days',
             now() - interval '2 days', now() - interval '1 day', 2, now() - interval '1 day', 1),
            ($1, $3, 'EMAIL', 'SENT', 'x3@example.org', now(), now(), NULL, 0, NULL, 0)`,
    [campaign.id, person, other],
  );
  await ds.query(
    `INSERT INTO segment (name, filter, created_by) VALUES
       ('At Central', $1, 'test'), ('Groups', '{"kinds":["GROUP"]}', 'test')`,
    [JSON.stringify({ homeBranchIds: [lib.central] })],
  );
  await api.platform.recommendations.store.put([
    {
      customerId: person,
      modelVersion: '7',
      computedAt: new Date().toISOString(),
      mode: 'INTERESTS_ONLY',
      items: [{ itemId: lib.items[2], score: 0.9, reasons: [{ kind: 'INTEREST', text: 'Crime' }] }],
      events: [],
    },
  ]);
});

afterAll(async () => {
  await closePrivacyApi(api);
});

describe('subject access export', () => {
  let doc: any;

  beforeAll(async () => {
    const res = await api.gql(MINE, {}, await api.token(Role.CUSTOMER, { customerId: person }));
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    doc = res.data.exportMyData;
  });

  it('gives the customer their whole record, birth year included', () => {
    expect(doc).toMatchObject({ format: EXPORT_FORMAT, customerId: person });
    expect(doc.customer).toMatchObject({
      externalId: 'X-1',
      firstName: 'Marguerite',
      lastName: 'Tillotson',
      email: 'marguerite@example.org',
      birthYear: 1961,
      historyChoice: 'DEFAULT',
      recommendationMode: 'INTERESTS_ONLY',
      status: 'ACTIVE',
    });
    expect(Object.keys(doc.customer)).toEqual(
      expect.arrayContaining(['phone', 'postcode', 'attributes', 'erasedAt']),
    );
  });

  it('includes interests, consents now and over time, and dismissals', () => {
    expect(doc.interests).toEqual([
      expect.objectContaining({ kind: 'GENRE', label: 'Crime', source: 'DECLARED' }),
    ]);
    expect(doc.consents.current).toContainEqual(
      expect.objectContaining({
        purpose: 'PERSONALISATION',
        granted: true,
        source: 'BRANCH',
        wordingVersion: 'p1',
      }),
    );
    expect(doc.consents.history).toEqual([
      expect.objectContaining({ purpose: 'PERSONALISATION', granted: true }),
    ]);
    expect(doc.dismissals).toEqual([
      expect.objectContaining({ itemId: lib.items[1], title: 'Middlemarch' }),
    ]);
  });

  it('includes linked activity with what it refers to, and leaves out anonymised activity', () => {
    expect(doc.activity).toHaveLength(2);
    expect(doc.activity[0]).toMatchObject({
      type: 'EVENT_ATTENDED',
      event: { id: lib.event, title: 'Local History Talk' },
      branch: { id: lib.central, name: 'Central Library' },
    });
    expect(doc.activity[1]).toMatchObject({
      type: 'LOAN',
      item: { id: lib.items[0], title: 'The Moonstone' },
    });
    expect(doc.activity.some((a: any) => a.id === detachedId)).toBe(false);
    expect(doc.activity[0]).not.toHaveProperty('staffMember');
  });

  it('includes cached suggestions with their titles, the mode, wards and the audit trail', () => {
    expect(doc.recommendations.mode).toBe('INTERESTS_ONLY');
    expect(doc.recommendations.cached).toMatchObject({
      modelVersion: '7',
      items: [{ itemId: lib.items[2], title: 'Bleak House' }],
    });
    expect(doc.wards).toEqual([{ id: ward, firstName: 'Pip', lastName: 'Tillotson' }]);
    const actions = doc.audit.map((e: any) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['consent.give', 'customer.export']));
  });

  it('includes the messages campaigns sent them, with opens and clicks, and their segments', () => {
    expect(doc.messages).toEqual([
      expect.objectContaining({
        campaign: 'Autumn reads',
        purpose: 'MARKETING',
        channel: 'EMAIL',
        status: 'SENT',
        suppressedReason: null,
        address: 'marguerite@example.org',
        opens: 2,
        clicks: 1,
      }),
    ]);
    expect(doc.messages[0].firstOpenedAt).not.toBeNull();
    expect(doc.segments).toEqual([{ id: expect.any(String), name: 'At Central' }]);
  });

  it('requires staff to give a reason and records the export with it', async () => {
    const noReason = await api.gql(THEIRS, { c: person, r: ' ' });
    expect(noReason.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const res = await api.gql(THEIRS, { c: person, r: 'Subject access request #42' });
    expect(res.errors).toBeUndefined();
    expect(res.data.exportCustomerData.customer.firstName).toBe('Marguerite');
    const [entry] = await api.db.ds.query(
      `SELECT action, actor_role, reason FROM audit_entry
        WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`,
      [person],
    );
    expect(entry).toEqual({
      action: 'customer.export',
      actor_role: 'ADMIN',
      reason: 'Subject access request #42',
    });
  });

  it('answers NOT_FOUND for a customer who does not exist', async () => {
    const res = await api.gql(THEIRS, { c: '987654', r: 'Subject access request' });
    expect(res.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('lets a customer export only their own data, and only staff someone else’s', async () => {
    const code = async (query: string, vars: Record<string, unknown>, token: string | null) =>
      (await api.gql(query, vars, token)).errors?.[0]?.extensions?.code ?? 'OK';
    const asOther = await api.token(Role.CUSTOMER, { customerId: other });
    const marketing = await api.token(Role.MARKETING);
    const staff = await api.token(Role.FRONT_LINE_STAFF, { staff: 'Desk' });
    const vars = { c: person, r: 'Subject access request' };
    expect(await code(MINE, {}, asOther)).toBe('OK');
    expect(await code(MINE, {}, staff)).toBe('FORBIDDEN');
    expect(await code(MINE, {}, marketing)).toBe('FORBIDDEN');
    expect(await code(MINE, {}, null)).toBe('UNAUTHENTICATED');
    expect(await code(THEIRS, vars, staff)).toBe('OK');
    expect(await code(THEIRS, vars, asOther)).toBe('FORBIDDEN');
    expect(await code(THEIRS, vars, marketing)).toBe('FORBIDDEN');
    expect(await code(THEIRS, vars, null)).toBe('UNAUTHENTICATED');
  });
});
