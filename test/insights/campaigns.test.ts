import { Role } from '../../src/auth/role';
import { closePrivacyApi } from '../privacy/privacy-api';
import { startTestApi, type TestApi } from '../support/api';
import { addActivity, addCustomer } from '../marketing/seed';

/**
 * The campaign reports for managers: uplift against the control group, and lapsed customers
 * won back, from campaigns' message rows and the ledger, with small cells suppressed.
 */
let api: TestApi;
let manager: string;
let big: string;
let small: string;

const DAY = 86_400_000;

/** A campaign that started `daysAgo` days ago, with members as described. */
async function campaign(
  name: string,
  daysAgo: number,
  members: Array<{ status: 'SENT' | 'CONTROL'; lapsed: boolean; activeAfter: number | null }>,
): Promise<string> {
  const ds = api.db.ds;
  const [{ id }] = await ds.query(
    `INSERT INTO campaign (name, purpose, status, channels, filter, subject, body, created_by,
                           started_at, finished_at)
     VALUES ($1, 'MARKETING', 'SENT', '{EMAIL}', '{"kinds":["BORROWER"]}', 's', 'b', 'test',
             now() - make_interval(days => $2), now() - make_interval(days => $2))
     RETURNING id::text AS id`,
    [name, daysAgo],
  );
  for (const [i, m] of members.entries()) {
    const customer = await addCustomer(ds, { externalId: `${name}-${i}` });
    // Lapsed: last active 400 days before the campaign; otherwise 20 days before.
    const before = daysAgo + (m.lapsed ? 400 : 20);
    await addActivity(ds, { customerId: customer, type: 'VISIT', daysAgo: before });
    if (m.activeAfter !== null) {
      await addActivity(ds, {
        customerId: customer,
        type: 'LOAN',
        daysAgo: daysAgo - m.activeAfter,
      });
    }
    await ds.query(
      `INSERT INTO notification (campaign_id, customer_id, channel, status, claimed_at, sent_at,
                                 last_active_before)
       VALUES ($1, $2, 'EMAIL', $3, $4, $4, $5)`,
      [
        id,
        customer,
        m.status,
        m.status === 'SENT' ? new Date(Date.now() - daysAgo * DAY) : null,
        new Date(Date.now() - before * DAY),
      ],
    );
  }
  return id;
}

const repeat = <T>(n: number, v: T): T[] => Array.from({ length: n }, () => v);

beforeAll(async () => {
  api = await startTestApi('insights_campaigns');
  manager = await api.token(Role.MANAGER);
  big = await campaign('Big', 60, [
    // Ten recipients: six active within 14 days (four of them lapsed before), one after 20 days.
    ...repeat(4, { status: 'SENT' as const, lapsed: true, activeAfter: 3 }),
    ...repeat(2, { status: 'SENT' as const, lapsed: false, activeAfter: 5 }),
    ...repeat(1, { status: 'SENT' as const, lapsed: true, activeAfter: 20 }),
    ...repeat(3, { status: 'SENT' as const, lapsed: true, activeAfter: null }),
    // Ten held back: two active within 14 days, one of them lapsed.
    ...repeat(1, { status: 'CONTROL' as const, lapsed: true, activeAfter: 2 }),
    ...repeat(1, { status: 'CONTROL' as const, lapsed: false, activeAfter: 2 }),
    ...repeat(5, { status: 'CONTROL' as const, lapsed: true, activeAfter: null }),
    ...repeat(3, { status: 'CONTROL' as const, lapsed: false, activeAfter: null }),
  ]);
  small = await campaign('Small', 30, [
    ...repeat(3, { status: 'SENT' as const, lapsed: true, activeAfter: 1 }),
    ...repeat(1, { status: 'CONTROL' as const, lapsed: true, activeAfter: null }),
  ]);
});

afterAll(async () => {
  await closePrivacyApi(api);
});

const FILTER = () => ({
  from: new Date(Date.now() - 365 * DAY).toISOString(),
  to: new Date().toISOString(),
});

it('compares recipients with the control group, per campaign', async () => {
  const res = await api.gql(
    `query($f: InsightFilter) { insightsCampaignUplift(filter: $f) {
      campaignId campaign days recipients recipientsActive recipientRate controlMembers
      controlActive controlRate uplift suppressed } }`,
    { f: { ...FILTER(), days: 14 } },
    manager,
  );
  expect(res.errors).toBeUndefined();
  const [b, s] = res.data.insightsCampaignUplift;
  expect(b).toEqual({
    campaignId: big,
    campaign: 'Big',
    days: 14,
    recipients: 10,
    recipientsActive: 6,
    recipientRate: 0.6,
    controlMembers: 10,
    controlActive: null, // two people: withheld
    controlRate: null,
    uplift: null,
    suppressed: true,
  });
  expect(s).toMatchObject({ campaignId: small, recipients: null, suppressed: true });
  const wider = await api.gql(
    `query($f: InsightFilter) { insightsCampaignUplift(filter: $f) { recipientsActive uplift } }`,
    { f: { ...FILTER(), days: 30 } },
    manager,
  );
  expect(wider.data.insightsCampaignUplift[0]).toEqual({ recipientsActive: 7, uplift: null });
});

it('counts lapsed customers won back, against lapsed control members who came back', async () => {
  const res = await api.gql(
    `query($f: InsightFilter) { insightsWonBack(filter: $f) {
      campaign months days lapsedRecipients wonBack wonBackRate lapsedControl controlReturned
      suppressed } }`,
    { f: { ...FILTER(), months: 6, days: 30 } },
    manager,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data.insightsWonBack[0]).toEqual({
    campaign: 'Big',
    months: 6,
    days: 30,
    lapsedRecipients: 8,
    wonBack: 5,
    wonBackRate: 5 / 8,
    lapsedControl: 6,
    controlReturned: null,
    suppressed: true,
  });
});

it('gives the same rows as CSV, and refuses the reports to marketing staff', async () => {
  const csv = await api.gql(
    `query($f: InsightFilter) { insightsCsv(report: CAMPAIGN_UPLIFT, filter: $f) }`,
    { f: FILTER() },
    manager,
  );
  const lines = csv.data.insightsCsv.trim().split('\n');
  expect(lines[0]).toBe(
    'campaignId,campaign,purpose,startedAt,days,recipients,recipientsActive,recipientRate,' +
      'controlMembers,controlActive,controlRate,uplift,suppressed',
  );
  expect(lines[1]).toMatch(new RegExp(`^${big},Big,MARKETING,[^,]+,14,10,6,0.6,10,,,,true$`));
  // Zeros are shown (they describe nobody); everything else about three people is withheld.
  expect(lines[2]).toMatch(new RegExp(`^${small},Small,MARKETING,[^,]+,14,,,,,0,,,true$`));
  const refused = await api.gql(
    '{ insightsWonBack { campaign } }',
    {},
    await api.token(Role.MARKETING),
  );
  expect(refused.errors?.[0].extensions.code).toBe('FORBIDDEN');
});

it('validates the window', async () => {
  const res = await api.gql(
    '{ insightsCampaignUplift(filter: { days: 0 }) { campaign } }',
    {},
    manager,
  );
  expect(res.errors?.[0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    problems: [{ field: 'filter.days', rule: 'range' }],
  });
});
