import { Role } from '../../src/auth/role';
import { closePrivacyApi } from '../privacy/privacy-api';
import { startTestApi, type TestApi } from '../support/api';

/**
 * Every role against every protected operation, over HTTP with real tokens. Each cell is
 * 'ok', or the error code the caller must get — never a silent null.
 */
type Outcome = 'ok' | 'UNAUTHENTICATED' | 'FORBIDDEN';
type Caller =
  | 'anonymous'
  | 'service'
  | 'self'
  | 'otherCustomer'
  | 'guardian'
  | 'frontLine'
  | 'marketing'
  | 'manager'
  | 'admin';
const CALLERS: Caller[] = [
  'anonymous',
  'service',
  'self',
  'otherCustomer',
  'guardian',
  'frontLine',
  'marketing',
  'manager',
  'admin',
];

let api: TestApi;
const tokens = {} as Record<Caller, string | null>;
let target: string; // a child whose guardian has a token too
let itemId: string;
let seq = 0;

interface Op {
  name: string;
  query: string;
  vars?: () => Record<string, unknown>;
  expect: Record<Caller, Outcome>;
}

const NONE = 'FORBIDDEN' as const;
const personal = (rest: Partial<Record<Caller, Outcome>> = {}): Record<Caller, Outcome> => ({
  anonymous: 'UNAUTHENTICATED',
  service: NONE,
  self: 'ok',
  otherCustomer: NONE,
  guardian: 'ok',
  frontLine: 'ok',
  marketing: NONE,
  manager: NONE,
  admin: 'ok',
  ...rest,
});
const staffOnly = (rest: Partial<Record<Caller, Outcome>> = {}): Record<Caller, Outcome> => ({
  anonymous: 'UNAUTHENTICATED',
  service: NONE,
  self: NONE,
  otherCustomer: NONE,
  guardian: NONE,
  frontLine: 'ok',
  marketing: NONE,
  manager: NONE,
  admin: 'ok',
  ...rest,
});
const marketingOnly = (rest: Partial<Record<Caller, Outcome>> = {}): Record<Caller, Outcome> => ({
  anonymous: 'UNAUTHENTICATED',
  service: NONE,
  self: NONE,
  otherCustomer: NONE,
  guardian: NONE,
  frontLine: NONE,
  marketing: 'ok',
  manager: NONE,
  admin: 'ok',
  ...rest,
});
/** Campaigns and their results: marketing staff, managers (read only) and admins. */
const campaignReaders = marketingOnly({ manager: 'ok' });

/** Marketing objects made before the cells run; each mutating cell takes its own. */
const pools = {
  segment: '',
  draft: '',
  segmentsToDelete: [] as string[],
  scheduled: [] as string[],
  drafts: [] as string[],
};
const take = (list: string[]) => list.shift() ?? '0';
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString();
const FILTER = '{ kinds: [BORROWER], activity: { types: [LOAN], lastDays: 90 } }';
const TEMPLATE =
  '{ subject: "Hello {{firstName|reader}}", body: "New titles: {{recommendedTitles}}" }';

const everyone: Record<Caller, Outcome> = Object.fromEntries(
  CALLERS.map((c) => [c, 'ok']),
) as Record<Caller, Outcome>;

const OPS: Op[] = [
  { name: 'catalogue search', query: '{ items(first: 1) { nodes { title } } }', expect: everyone },
  { name: 'events', query: '{ events(first: 1) { nodes { title } } }', expect: everyone },
  { name: 'branches', query: '{ branches { name } }', expect: everyone },
  { name: 'popular list', query: '{ popular(first: 1) { score } }', expect: everyone },
  {
    name: 'customer record',
    query: 'query($id: ID!) { customer(id: $id) { externalId kind status ageBand } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'contact details',
    query: 'query($id: ID!) { customer(id: $id) { firstName lastName email phone postcode } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'interests',
    query: 'query($id: ID!) { customer(id: $id) { interests { weight } } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'activity history (with a reason)',
    query:
      'query($id: ID!) { customer(id: $id) { activity(first: 5, reason: "customer asked at the desk") { nodes { type } } } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'activity summary (with a reason)',
    query:
      'query($id: ID!) { customer(id: $id) { activitySummary(reason: "customer asked at the desk") { total } } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'recommendations',
    query: 'query($id: ID!) { customer(id: $id) { recommendations(first: 3) { score } } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'access log',
    query: 'query($id: ID!) { customer(id: $id) { accessLog { action } } }',
    vars: () => ({ id: target }),
    expect: personal({ frontLine: NONE }),
  },
  {
    name: 'customer search',
    query: '{ customers(first: 5) { nodes { id } } }',
    expect: staffOnly(),
  },
  {
    name: 'register a customer',
    query:
      'mutation($e: String!) { registerCustomer(input: { externalId: $e, kind: VISITOR }) { id } }',
    vars: () => ({ e: `perm-${++seq}` }),
    expect: staffOnly(),
  },
  {
    name: 'update a customer',
    query:
      'mutation($id: ID!) { updateCustomer(id: $id, input: { preferredLanguage: "en" }) { id } }',
    vars: () => ({ id: target }),
    expect: staffOnly(),
  },
  {
    name: 'record activity',
    query:
      'mutation($id: ID!, $k: String!) { recordActivity(input: { customerId: $id, type: VISIT, occurredAt: "2026-01-01T10:00:00Z", sourceKey: $k }) { status } }',
    vars: () => ({ id: target, k: `perm-visit-${++seq}` }),
    expect: staffOnly({ service: 'ok' }),
  },
  {
    name: 'create a title',
    query: 'mutation($e: String!) { createItem(input: { externalId: $e, title: "T" }) { id } }',
    vars: () => ({ e: `perm-item-${++seq}` }),
    expect: staffOnly(),
  },
  {
    name: 'create a branch',
    query:
      'mutation($e: String!) { createBranch(input: { externalId: $e, name: "B", kind: OUTREACH }) { id } }',
    vars: () => ({ e: `perm-branch-${++seq}` }),
    expect: staffOnly({ frontLine: NONE }),
  },
  {
    name: 'declare an interest',
    query:
      'mutation($id: ID!) { declareInterest(customerId: $id, input: { kind: GENRE, label: "Crime" }) { weight } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  {
    name: 'dismiss a suggestion',
    query:
      'mutation($id: ID!, $item: ID!) { dismissRecommendation(customerId: $id, itemId: $item) }',
    vars: () => ({ id: target, item: itemId }),
    expect: personal(),
  },
  {
    name: 'open a suggestion',
    query:
      'mutation($id: ID!, $item: ID!) { recordRecommendationClick(customerId: $id, itemId: $item) }',
    vars: () => ({ id: target, item: itemId }),
    expect: personal(),
  },
  {
    name: 'suggestion outcomes report',
    query: '{ insightsRecommendations { shown suppressed } }',
    expect: staffOnly({ frontLine: NONE, manager: 'ok' }),
  },
  {
    name: 'change personalisation',
    query: 'mutation($id: ID!) { setRecommendationMode(customerId: $id, mode: FULL) { id } }',
    vars: () => ({ id: target }),
    expect: personal(),
  },
  { name: 'list segments', query: '{ segments { id name } }', expect: marketingOnly() },
  {
    name: 'read a segment',
    query: 'query($id: ID!) { segment(id: $id) { name filter } }',
    vars: () => ({ id: pools.segment }),
    expect: marketingOnly(),
  },
  {
    name: 'preview a segment',
    query: `{ segmentPreview(filter: ${FILTER}) { customers channels { channel reachableForMarketing } } }`,
    expect: marketingOnly(),
  },
  {
    name: 'save a segment',
    query: `mutation($n: String!) { createSegment(input: { name: $n, filter: ${FILTER} }) { id } }`,
    vars: () => ({ n: `perm-segment-${++seq}` }),
    expect: marketingOnly(),
  },
  {
    name: 'change a segment',
    query: 'mutation($id: ID!) { updateSegment(id: $id, input: { description: "d" }) { id } }',
    vars: () => ({ id: pools.segment }),
    expect: marketingOnly(),
  },
  {
    name: 'delete a segment',
    query: 'mutation($id: ID!) { deleteSegment(id: $id) }',
    vars: () => ({ id: take(pools.segmentsToDelete) }),
    expect: marketingOnly(),
  },
  {
    name: 'list campaigns',
    query: '{ campaigns(first: 5) { id name status purpose channels } }',
    expect: campaignReaders,
  },
  {
    name: 'read a campaign with its results',
    query:
      'query($id: ID!) { campaign(id: $id) { name template { body } results { targeted uplift { uplift } } } }',
    vars: () => ({ id: pools.draft }),
    expect: campaignReaders,
  },
  {
    name: 'campaign results',
    query:
      'query($id: ID!) { campaignResults(id: $id, upliftDays: 30) { sent opened clicked suppressedByReason { reason count } } }',
    vars: () => ({ id: pools.draft }),
    expect: campaignReaders,
  },
  {
    name: 'preview a campaign message',
    query: 'query($id: ID!) { campaignMessagePreview(id: $id) { subject text } }',
    vars: () => ({ id: pools.draft }),
    expect: marketingOnly(),
  },
  {
    name: 'preview a template',
    query: `{ messagePreview(purpose: MARKETING, channel: EMAIL, template: ${TEMPLATE}) { text } }`,
    expect: marketingOnly(),
  },
  {
    name: 'create a campaign',
    query: `mutation($n: String!) { createCampaign(input: { name: $n, purpose: MARKETING,
      channels: [EMAIL], filter: ${FILTER}, template: ${TEMPLATE} }) { id } }`,
    vars: () => ({ n: `perm-campaign-${++seq}` }),
    expect: marketingOnly(),
  },
  {
    name: 'change a campaign',
    query: 'mutation($id: ID!) { updateCampaign(id: $id, input: { controlPercent: 5 }) { id } }',
    vars: () => ({ id: pools.draft }),
    expect: marketingOnly(),
  },
  {
    name: 'schedule a campaign',
    query: 'mutation($id: ID!, $at: DateTimeISO) { scheduleCampaign(id: $id, at: $at) { status } }',
    vars: () => ({ id: take(pools.drafts), at: inAMonth() }),
    expect: marketingOnly(),
  },
  {
    name: 'unschedule a campaign',
    query: 'mutation($id: ID!) { unscheduleCampaign(id: $id) { status } }',
    vars: () => ({ id: take(pools.scheduled) }),
    expect: marketingOnly(),
  },
  {
    name: 'cancel a campaign',
    query: 'mutation($id: ID!) { cancelCampaign(id: $id) { status } }',
    vars: () => ({ id: take(pools.drafts) }),
    expect: marketingOnly(),
  },
];

beforeAll(async () => {
  // EMAIL is configured so campaigns can be created; nothing runs to send them.
  api = await startTestApi('permissions', {
    env: { SMTP_URL: 'smtp://127.0.0.1:9', QUIET_HOURS: 'off' },
  });
  const ds = api.db.ds;
  await ds.query(
    `INSERT INTO customer (external_id, kind, first_name, email) VALUES ('G', 'BORROWER', 'Gina', 'g@example.org'), ('O', 'BORROWER', 'Olu', 'o@example.org')`,
  );
  const [g] = await ds.query(`SELECT id::text FROM customer WHERE external_id = 'G'`);
  const [o] = await ds.query(`SELECT id::text FROM customer WHERE external_id = 'O'`);
  const [t] = await ds.query(
    `INSERT INTO customer (external_id, kind, first_name, birth_year, guardian_id, history_choice)
     VALUES ('T', 'BORROWER', 'Tam', 2016, $1, 'KEEP') RETURNING id::text`,
    [g.id],
  );
  target = t.id;
  const [item] = await ds.query(
    `INSERT INTO catalogue_item (external_id, title, audience) VALUES ('I1', 'A picture book', 'CHILDREN') RETURNING id::text`,
  );
  itemId = item.id;
  tokens.anonymous = null;
  tokens.service = await api.token(Role.SERVICE);
  tokens.self = await api.token(Role.CUSTOMER, { customerId: target });
  tokens.otherCustomer = await api.token(Role.CUSTOMER, { customerId: o.id });
  tokens.guardian = await api.token(Role.CUSTOMER, { customerId: g.id });
  tokens.frontLine = await api.token(Role.FRONT_LINE_STAFF, { staff: 'Pat at the desk' });
  tokens.marketing = await api.token(Role.MARKETING);
  tokens.manager = await api.token(Role.MANAGER);
  tokens.admin = await api.token(Role.ADMIN);
  const make = async (query: string, vars: Record<string, unknown> = {}) => {
    const res = await api.gql(query, vars);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return Object.values(res.data as Record<string, { id: string }>)[0].id;
  };
  const segment = (n: string) =>
    make(`mutation($n: String!) { createSegment(input: { name: $n, filter: ${FILTER} }) { id } }`, {
      n,
    });
  const campaign = (n: string) =>
    make(
      `mutation($n: String!) { createCampaign(input: { name: $n, purpose: MARKETING,
        channels: [EMAIL], filter: ${FILTER}, template: ${TEMPLATE} }) { id } }`,
      { n },
    );
  pools.segment = await segment('perm-kept');
  pools.draft = await campaign('perm-draft');
  for (let i = 0; i < CALLERS.length; i++) {
    pools.segmentsToDelete.push(await segment(`perm-delete-${i}`));
    const scheduled = await campaign(`perm-scheduled-${i}`);
    await make(
      'mutation($id: ID!, $at: DateTimeISO) { scheduleCampaign(id: $id, at: $at) { id } }',
      { id: scheduled, at: inAMonth() },
    );
    pools.scheduled.push(scheduled);
    pools.drafts.push(await campaign(`perm-a-${i}`), await campaign(`perm-b-${i}`));
  }
});

afterAll(async () => {
  await closePrivacyApi(api);
});

describe.each(OPS)('$name', (op) => {
  it.each(CALLERS)('as %s', async (caller) => {
    const res = await api.gql(op.query, op.vars?.(), tokens[caller]);
    const expected = op.expect[caller];
    if (expected === 'ok') {
      expect(res.errors).toBeUndefined();
      expect(res.data).toBeTruthy();
    } else {
      expect(res.errors?.[0]?.extensions?.code).toBe(expected);
      // Refusals never leak the data alongside the error.
      expect(JSON.stringify(res.data ?? null)).not.toMatch(/Tam|Gina|example\.org/);
    }
  });
});

describe('history needs a reason and a customer who keeps it', () => {
  it('refuses front-line staff who give no reason', async () => {
    const res = await api.gql(
      'query($id: ID!) { customer(id: $id) { activity(first: 1) { nodes { type } } } }',
      { id: target },
      tokens.frontLine,
    );
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'reason' }],
    });
  });

  it('refuses staff for a customer who chose NEVER, but lets the customer see their own', async () => {
    await api.db.ds.query(`UPDATE customer SET history_choice = 'NEVER' WHERE id = $1`, [target]);
    const staff = await api.gql(
      'query($id: ID!) { customer(id: $id) { activity(first: 1, reason: "checking a loan") { nodes { type } } } }',
      { id: target },
      tokens.frontLine,
    );
    expect(staff.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const own = await api.gql(
      'query($id: ID!) { customer(id: $id) { activity(first: 1) { nodes { type } } } }',
      { id: target },
      tokens.self,
    );
    expect(own.errors).toBeUndefined();
    await api.db.ds.query(`UPDATE customer SET history_choice = 'KEEP' WHERE id = $1`, [target]);
  });

  it('records who looked and why, and shows it to the customer', async () => {
    await api.gql(
      'query($id: ID!) { customer(id: $id) { activity(first: 1, reason: "lost item enquiry") { nodes { type } } } }',
      { id: target },
      tokens.frontLine,
    );
    const log = await api.gql(
      'query($id: ID!) { customer(id: $id) { accessLog { actor actorRole action reason } } }',
      { id: target },
      tokens.self,
    );
    expect(log.data.customer.accessLog).toContainEqual({
      actor: 'Pat at the desk',
      actorRole: 'FRONT_LINE_STAFF',
      action: 'activity.read',
      reason: 'lost item enquiry',
    });
  });
});

describe('the queue dashboard (/admin/queues) and its browser session', () => {
  const dashboard: Record<Caller, number> = {
    anonymous: 401,
    service: 403,
    self: 403,
    otherCustomer: 403,
    guardian: 403,
    frontLine: 403,
    marketing: 403,
    manager: 403,
    admin: 200,
  };

  it.each(CALLERS)('as %s', async (caller) => {
    const auth: Record<string, string> = tokens[caller]
      ? { authorization: `Bearer ${tokens[caller]}` }
      : {};
    const page = await fetch(`${api.url}/admin/queues/api/queues`, { headers: auth });
    expect(page.status).toBe(dashboard[caller]);
    const session = await fetch(`${api.url}/admin/session`, {
      method: 'POST',
      headers: auth,
      redirect: 'manual',
    });
    expect(session.status).toBe(dashboard[caller] === 200 ? 303 : dashboard[caller]);
    expect(session.headers.get('set-cookie') !== null).toBe(caller === 'admin');
  });
});
