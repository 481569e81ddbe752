import { Role } from '../../src/auth/role';
import { closePrivacyApi } from '../privacy/privacy-api';
import { startTestApi, type TestApi } from '../support/api';
import { addActivity, addConsent, addCustomer, seedMarketingLibrary } from './seed';

let api: TestApi;
let lib: Awaited<ReturnType<typeof seedMarketingLibrary>>;
let marketing: string;

const PREVIEW = `query($filter: SegmentFilterInput, $segmentId: ID) {
  segmentPreview(filter: $filter, segmentId: $segmentId) {
    customers threshold
    channels { channel withAddress marketingConsent reachableForMarketing reachableForServiceInformation }
  } }`;

const childYear = new Date().getUTCFullYear() - 9;

beforeAll(async () => {
  api = await startTestApi('mkt_segments');
  const ds = api.db.ds;
  lib = await seedMarketingLibrary(ds);
  marketing = await api.token(Role.MARKETING, { staff: 'Morgan in marketing' });
  // Eight recent crime readers at Central: seven with an email, seven consenting to email.
  for (let i = 1; i <= 8; i++) {
    const id = await addCustomer(ds, {
      externalId: `CR-${i}`,
      firstName: `Reader${i}`,
      email: i === 8 ? null : `reader${i}@example.org`,
      phone: i <= 5 ? `+44 7700 9000${i}0` : null,
      birthYear: 1980,
      postcode: i % 2 ? 'LS1 4AB' : 'LS6 3CD',
      homeBranchId: lib.central,
    });
    if (i !== 7) await addConsent(ds, id, 'MARKETING', 'EMAIL', true);
    if (i <= 5) await addConsent(ds, id, 'MARKETING', 'SMS', true);
    await addActivity(ds, {
      customerId: id,
      type: 'LOAN',
      daysAgo: 10 + i,
      itemId: lib.items[i % 4],
    });
    await addActivity(ds, {
      customerId: id,
      type: 'LOAN',
      daysAgo: 40 + i,
      itemId: lib.items[(i + 1) % 4],
    });
  }
  // Six children who came to Coding Club at Northside.
  for (let i = 1; i <= 6; i++) {
    const id = await addCustomer(ds, {
      externalId: `KID-${i}`,
      birthYear: childYear,
      postcode: 'LS6 9ZZ',
      homeBranchId: lib.north,
    });
    await addActivity(ds, {
      customerId: id,
      type: 'EVENT_ATTENDED',
      daysAgo: 20,
      eventId: lib.club,
      branchId: lib.north,
    });
  }
  // Five lapsed: nothing for more than a year; one of them withdrew service messages by email.
  for (let i = 1; i <= 5; i++) {
    const id = await addCustomer(ds, {
      externalId: `LAPSED-${i}`,
      email: `lapsed${i}@example.org`,
      homeBranchId: lib.central,
    });
    await addActivity(ds, { customerId: id, type: 'VISIT', daysAgo: 500 });
    if (i === 1) await addConsent(ds, id, 'SERVICE_MESSAGES', 'EMAIL', false);
  }
  // An erased customer who would otherwise match everything about crime.
  const gone = await addCustomer(ds, { externalId: 'GONE', homeBranchId: lib.central });
  await addActivity(ds, { customerId: gone, type: 'LOAN', daysAgo: 5, itemId: lib.items[0] });
  await ds.query(`UPDATE customer SET status = 'ERASED' WHERE id = $1`, [gone]);
});

afterAll(async () => {
  await closePrivacyApi(api);
});

const preview = async (variables: Record<string, unknown>) => {
  const res = await api.gql(PREVIEW, variables, marketing);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.segmentPreview;
};

const crimeReaders = () => ({ activity: { subjectIds: [lib.crime], lastDays: 90 } });

describe('segmentPreview', () => {
  it('counts the segment and, per channel, addresses, consents and who can be reached', async () => {
    const p = await preview({ filter: crimeReaders() });
    expect(p.customers).toBe(8);
    expect(p.threshold).toBe(5);
    const byChannel = Object.fromEntries(p.channels.map((c: any) => [c.channel, c]));
    expect(byChannel.EMAIL).toEqual({
      channel: 'EMAIL',
      withAddress: 7,
      marketingConsent: 7,
      reachableForMarketing: 6,
      reachableForServiceInformation: 7,
    });
    expect(byChannel.SMS).toMatchObject({
      withAddress: 5,
      marketingConsent: 5,
      reachableForMarketing: 5,
    });
    expect(byChannel.APP).toMatchObject({ withAddress: 8, marketingConsent: null });
  });

  it('combines conditions with and, or and not', async () => {
    const p = await preview({
      filter: {
        or: [
          { ageBands: ['CHILD_5_11'], attended: { topicIds: [lib.coding], lastDays: 60 } },
          { and: [crimeReaders(), { not: { postcodeAreas: ['LS6'] } }] },
        ],
      },
    });
    // Six children, and the four crime readers outside LS6.
    expect(p.customers).toBe(10);
    const lapsed = await preview({
      filter: { homeBranchIds: [lib.central], noActivity: { lastDays: 365 } },
    });
    expect(lapsed.customers).toBe(5);
    const area = await preview({ filter: { postcodeAreas: ['ls'], kinds: ['BORROWER'] } });
    expect(area.customers).toBe(14);
  });

  it('counts entries with atLeast, and consent from the latest ledger row', async () => {
    expect(
      (await preview({ filter: { activity: { types: ['LOAN'], atLeast: 2 } } })).customers,
    ).toBe(8);
    expect(
      (await preview({ filter: { activity: { types: ['LOAN'], atLeast: 3 } } })).customers,
    ).toBeNull();
    const consenting = await preview({
      filter: { consent: { purpose: 'MARKETING', channel: 'EMAIL' } },
    });
    expect(consenting.customers).toBe(7);
    // Not given covers never recorded and withdrawn alike.
    const notGiven = await preview({
      filter: {
        homeBranchIds: [lib.central],
        consent: { purpose: 'SERVICE_MESSAGES', channel: 'EMAIL', granted: false },
      },
    });
    expect(notGiven.customers).toBe(13);
  });

  it('withholds counts under the threshold, zero included, and never counts erased customers', async () => {
    const tiny = await preview({
      filter: {
        postcodeAreas: ['LS6'],
        ageBands: ['ADULT_45_64'],
        activity: { subjectIds: [lib.crime] },
      },
    });
    expect(tiny.customers).toBeNull();
    const none = await preview({ filter: { kinds: ['GROUP'] } });
    expect(none.customers).toBeNull();
    expect(none.channels.every((c: any) => c.withAddress === null)).toBe(true);
    const recentLoans = await preview({ filter: { activity: { types: ['LOAN'], lastDays: 8 } } });
    expect(recentLoans.customers).toBeNull(); // only the erased customer borrowed that recently
  });

  it('records each preview, with its filter, in the audit trail', async () => {
    await preview({ filter: { kinds: ['MEMBER'] } });
    const [entry] = await api.db.ds.query(
      `SELECT actor, actor_role, details FROM audit_entry WHERE action = 'segment.preview'
        ORDER BY id DESC LIMIT 1`,
    );
    expect(entry).toEqual({
      actor: 'Morgan in marketing',
      actor_role: 'MARKETING',
      details: { filter: { kinds: ['MEMBER'] } },
    });
  });
});

describe('bad filters', () => {
  const problems = async (filter: unknown) => {
    const res = await api.gql(PREVIEW, { filter }, marketing);
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    return res.errors![0].extensions.problems.map((p: any) => `${p.field}:${p.rule}`);
  };

  it('names each broken rule by its path', async () => {
    expect(await problems({})).toEqual(['filter:custom']);
    expect(
      await problems({ or: [{ kinds: ['BORROWER'] }, { activity: { lastDays: 0 } }] }),
    ).toEqual(['filter.or.1.activity.lastDays:too_small']);
    expect(
      await problems({
        activity: { lastDays: 5, from: '2026-01-01T00:00:00Z' },
        postcodeAreas: ['L$1'],
      }),
    ).toEqual(
      expect.arrayContaining([
        'filter.postcodeAreas.0:invalid_format',
        'filter.activity.lastDays:custom',
      ]),
    );
    expect(await problems({ consent: { purpose: 'MARKETING' } })).toEqual([
      'filter.consent.channel:custom',
    ]);
    expect(await problems({ noActivity: { types: ['LOAN'] } })).toEqual([
      'filter.noActivity.since:custom',
    ]);
    expect(await problems({ homeBranchIds: ['999999'] })).toEqual(['filter:unknown_id']);
  });

  it('refuses filters nested too deep', async () => {
    let deep: any = { kinds: ['BORROWER'] };
    for (let i = 0; i < 7; i++) deep = { not: deep };
    expect(await problems(deep)).toEqual(['filter.not.not.not.not.not.not:max_depth']);
  });

  it('treats SQL-looking text as data', async () => {
    expect(await problems({ postcodeAreas: ["LS1'; DROP TABLE customer; --"] })).toEqual([
      'filter.postcodeAreas.0:invalid_format',
    ]);
    const [{ n }] = await api.db.ds.query('SELECT count(*)::int AS n FROM customer');
    expect(n).toBeGreaterThan(0);
  });
});

describe('saved segments', () => {
  const CREATE = `mutation($input: SegmentInput!) { createSegment(input: $input) { id name description filter createdBy } }`;

  it('are created, listed, previewed by id, changed and deleted', async () => {
    const created = await api.gql(
      CREATE,
      {
        input: {
          name: 'Crime readers',
          description: 'Borrowed crime lately',
          filter: crimeReaders(),
        },
      },
      marketing,
    );
    expect(created.errors).toBeUndefined();
    const seg = created.data.createSegment;
    expect(seg).toMatchObject({
      name: 'Crime readers',
      createdBy: 'Morgan in marketing',
      filter: { activity: { subjectIds: [lib.crime], lastDays: 90 } },
    });
    expect((await preview({ segmentId: seg.id })).customers).toBe(8);
    const list = await api.gql('{ segments { id name } }', {}, marketing);
    expect(list.data.segments).toContainEqual({ id: seg.id, name: 'Crime readers' });
    const changed = await api.gql(
      `mutation($id: ID!) { updateSegment(id: $id, input: { filter: { kinds: [BORROWER], homeBranchIds: ["${lib.north}"] } }) { name filter } }`,
      { id: seg.id },
      marketing,
    );
    expect(changed.data.updateSegment).toEqual({
      name: 'Crime readers',
      filter: { kinds: ['BORROWER'], homeBranchIds: [lib.north] },
    });
    expect((await preview({ segmentId: seg.id })).customers).toBe(6);
    const deleted = await api.gql(
      'mutation($id: ID!) { deleteSegment(id: $id) }',
      { id: seg.id },
      marketing,
    );
    expect(deleted.data.deleteSegment).toBe(true);
    const again = await api.gql(
      'query($id: ID!) { segment(id: $id) { id } }',
      { id: seg.id },
      marketing,
    );
    expect(again.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('refuses a duplicate name and a bad filter, storing nothing', async () => {
    const [{ n: before }] = await api.db.ds.query('SELECT count(*)::int AS n FROM segment');
    const first = await api.gql(
      CREATE,
      { input: { name: 'Kids', filter: { ageBands: ['CHILD_5_11'] } } },
      marketing,
    );
    expect(first.errors).toBeUndefined();
    const dup = await api.gql(
      CREATE,
      { input: { name: 'KIDS', filter: { ageBands: ['CHILD_5_11'] } } },
      marketing,
    );
    expect(dup.errors?.[0].extensions).toMatchObject({
      code: 'CONFLICT',
      problems: [{ field: 'input.name' }],
    });
    const bad = await api.gql(CREATE, { input: { name: ' ', filter: { kinds: [] } } }, marketing);
    expect(bad.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const [{ n: after }] = await api.db.ds.query('SELECT count(*)::int AS n FROM segment');
    expect(after).toBe(before + 1);
  });
});
