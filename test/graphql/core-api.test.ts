import { startTestApi, type TestApi } from '../support/api';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('core_api');
});

afterAll(async () => {
  await api.close();
});

async function ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await api.gql<T>(query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data as T;
}

describe('customers, interests and the activity ledger over GraphQL', () => {
  let branchId: string;
  let itemId: string;
  let customerId: string;

  beforeAll(async () => {
    const b = await ok(
      `mutation { createBranch(input: { externalId: "B1", name: "Central", kind: BUILDING }) { id } }`,
    );
    branchId = b.createBranch.id;
    const i = await ok(
      `mutation($in: CreateItemInput!) { createItem(input: $in) { id subjects { label } } }`,
      {
        in: {
          externalId: 'I1',
          title: 'The Hobbit',
          authors: ['J. R. R. Tolkien'],
          subjects: ['Fantasy'],
          isbn: '978-0-261-10221-7',
        },
      },
    );
    itemId = i.createItem.id;
  });

  it('registers an anonymous visitor with only an externalId and a kind', async () => {
    const d =
      await ok(`mutation { registerCustomer(input: { externalId: "V-anon-1", kind: VISITOR }) {
      id externalId kind status ageBand firstName accessibilityNeeds attributes } }`);
    expect(d.registerCustomer).toMatchObject({
      externalId: 'V-anon-1',
      kind: 'VISITOR',
      status: 'ACTIVE',
      ageBand: 'UNKNOWN',
      firstName: null,
      accessibilityNeeds: [],
      attributes: {},
    });
  });

  it('registers a borrower with a home branch and reads it back by externalId', async () => {
    const d = await ok(
      `mutation($in: RegisterCustomerInput!) { registerCustomer(input: $in) { id homeBranch { name } } }`,
      {
        in: {
          externalId: 'C1',
          kind: 'BORROWER',
          firstName: 'Ada',
          lastName: 'Lovelace',
          email: 'Ada@Example.org',
          birthYear: 1980,
          homeBranchId: branchId,
          accessibilityNeeds: ['LARGE_PRINT'],
        },
      },
    );
    customerId = d.registerCustomer.id;
    const q = await ok(`{ customer(externalId: "C1") { id email ageBand homeBranch { name } } }`);
    expect(q.customer).toEqual({
      id: customerId,
      email: 'ada@example.org',
      ageBand: 'ADULT_45_64',
      homeBranch: { name: 'Central' },
    });
  });

  it('refuses a second customer with the same externalId as a conflict', async () => {
    const res = await api.gql(
      `mutation { registerCustomer(input: { externalId: "C1", kind: MEMBER }) { id } }`,
    );
    expect(res.errors?.[0].extensions.code).toBe('CONFLICT');
  });

  it('names the field and the rule for invalid input and stores nothing', async () => {
    const res = await api.gql(
      `mutation($in: RegisterCustomerInput!) { registerCustomer(input: $in) { id } }`,
      { in: { externalId: 'C-bad', kind: 'MEMBER', email: 'not-an-email', birthYear: 1800 } },
    );
    expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const fields = res.errors?.[0].extensions.problems.map((p: any) => p.field).sort();
    expect(fields).toEqual(['input.birthYear', 'input.email']);
    const after = await api.gql(`{ customer(externalId: "C-bad") { id } }`);
    expect(after.errors?.[0].extensions.code).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND for an unknown id and BAD_USER_INPUT for a malformed one', async () => {
    const missing = await api.gql(`{ customer(id: "999999") { id } }`);
    expect(missing.errors?.[0].extensions.code).toBe('NOT_FOUND');
    const malformed = await api.gql(`{ customer(id: "abc") { id } }`);
    expect(malformed.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('declares and withdraws an interest', async () => {
    const d = await ok(
      `mutation($c: ID!) { declareInterest(customerId: $c, input: { kind: GENRE, label: "Crime  Fiction", weight: 0.8 }) {
        weight source interest { id kind label } } }`,
      { c: customerId },
    );
    expect(d.declareInterest).toMatchObject({
      weight: 0.8,
      source: 'DECLARED',
      interest: { kind: 'GENRE', label: 'Crime Fiction' },
    });
    const list = await ok(
      `query($c: ID!) { customer(id: $c) { interests { interest { label } } } }`,
      { c: customerId },
    );
    expect(list.customer.interests).toHaveLength(1);
    const w = await ok(
      `mutation($c: ID!, $i: ID!) { withdrawInterest(customerId: $c, interestId: $i) }`,
      { c: customerId, i: d.declareInterest.interest.id },
    );
    expect(w.withdrawInterest).toBe(true);
  });

  it('records a loan once however often it is sent, and shows it newest first', async () => {
    const input = {
      customerId,
      type: 'LOAN',
      occurredAt: '2026-01-05T10:00:00Z',
      itemId,
      branchId,
      sourceKey: 'lms-1',
    };
    const first = await ok(
      `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { status activity { id ageBand item { title } } } }`,
      { in: input },
    );
    expect(first.recordActivity).toMatchObject({
      status: 'ACCEPTED',
      activity: { ageBand: 'ADULT_45_64', item: { title: 'The Hobbit' } },
    });
    const again = await ok(
      `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { status activity { id } } }`,
      { in: input },
    );
    expect(again.recordActivity).toEqual({
      status: 'DUPLICATE',
      activity: { id: first.recordActivity.activity.id },
    });
    const page = await ok(
      `query($c: ID!) { customer(id: $c) { lastActiveAt activity(first: 5, reason: "test: check the ledger") { nodes { type branch { name } } }
      activitySummary(reason: "test: check the ledger") { total byType { type count } } } }`,
      { c: customerId },
    );
    expect(page.customer.activity.nodes).toEqual([{ type: 'LOAN', branch: { name: 'Central' } }]);
    expect(page.customer.activitySummary).toEqual({
      total: 1,
      byType: [{ type: 'LOAN', count: 1 }],
    });
    expect(page.customer.lastActiveAt).toBe('2026-01-05T10:00:00.000Z');
  });

  it('gives one result per entry in a batch: accepted, duplicate or rejected with why', async () => {
    const d = await ok(
      `mutation($in: [RecordActivityInput!]!) { recordActivities(inputs: $in) { status errors { field rule } } }`,
      {
        in: [
          { customerId, type: 'VISIT', occurredAt: '2026-02-01T09:00:00Z', sourceKey: 'v-1' },
          { customerId, type: 'VISIT', occurredAt: '2026-02-01T09:00:00Z', sourceKey: 'v-1' },
          { customerId, type: 'LOAN', occurredAt: '2026-02-01T09:00:00Z', sourceKey: 'v-2' },
          { customerExternalId: 'nobody', type: 'VISIT', occurredAt: '2026-02-01T09:00:00Z' },
          {
            customerId,
            type: 'RATING',
            occurredAt: '2026-02-01T09:00:00Z',
            itemId,
            details: { rating: 9 },
          },
          { customerId, type: 'VISIT', occurredAt: '2999-01-01T00:00:00Z' },
        ],
      },
    );
    expect(d.recordActivities).toEqual([
      { status: 'ACCEPTED', errors: [] },
      { status: 'DUPLICATE', errors: [] },
      { status: 'REJECTED', errors: [{ field: 'item', rule: 'required' }] },
      { status: 'REJECTED', errors: [{ field: 'customerExternalId', rule: 'not_found' }] },
      { status: 'REJECTED', errors: [{ field: 'details.rating', rule: 'range' }] },
      { status: 'REJECTED', errors: [{ field: 'occurredAt', rule: 'custom' }] },
    ]);
  });

  it('corrects a wrong entry with a new entry and never changes the original', async () => {
    const rec = await ok(
      `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { activity { id } } }`,
      {
        in: {
          customerId,
          type: 'RENEWAL',
          occurredAt: '2026-03-01T09:00:00Z',
          itemId,
          sourceKey: 'r-1',
        },
      },
    );
    const id = rec.recordActivity.activity.id;
    const fix = await ok(
      `mutation($id: ID!) { correctActivity(activityId: $id, reason: "keyed twice") { status activity { type correctsId } } }`,
      { id },
    );
    expect(fix.correctActivity).toEqual({
      status: 'ACCEPTED',
      activity: { type: 'CORRECTION', correctsId: id },
    });
    const s = await ok(
      `query($c: ID!) { customer(id: $c) { activitySummary(reason: "test: check the ledger") { byType { type count } } } }`,
      { c: customerId },
    );
    expect(
      s.customer.activitySummary.byType.find((t: any) => t.type === 'RENEWAL'),
    ).toBeUndefined();
    await expect(
      api.db.ds.query(`UPDATE activity SET type = 'LOAN' WHERE id = $1`, [id]),
    ).rejects.toThrow(/append-only/);
    await expect(api.db.ds.query(`DELETE FROM activity WHERE id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
  });

  it('refuses a page size over 100 rather than silently truncating', async () => {
    const res = await api.gql(`{ customers(first: 101) { nodes { id } } }`);
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ field: 'first' }],
    });
  });

  it('pages customers with cursors and no overlap', async () => {
    for (let n = 0; n < 5; n++) {
      await ok(
        `mutation($e: String!) { registerCustomer(input: { externalId: $e, kind: PC_USER }) { id } }`,
        { e: `PC-${n}` },
      );
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const d: any = await ok(
        `query($a: String) { customers(first: 2, after: $a, filter: { kinds: [PC_USER] }) {
        edges { node { externalId } } pageInfo { hasNextPage endCursor } } }`,
        { a: after },
      );
      seen.push(...d.customers.edges.map((e: any) => e.node.externalId));
      if (!d.customers.pageInfo.hasNextPage) break;
      after = d.customers.pageInfo.endCursor;
    }
    expect(seen).toEqual(['PC-0', 'PC-1', 'PC-2', 'PC-3', 'PC-4']);
  });

  it('finds customers by part of a name and titles by author, treating % literally', async () => {
    const c = await ok(`{ customers(filter: { search: "lovel" }) { nodes { externalId } } }`);
    expect(c.customers.nodes).toEqual([{ externalId: 'C1' }]);
    const none = await ok(`{ customers(filter: { search: "%" }) { nodes { externalId } } }`);
    expect(none.customers.nodes).toEqual([]);
    const i = await ok(`{ items(filter: { search: "tolkien" }) { nodes { title } } }`);
    expect(i.items.nodes).toEqual([{ title: 'The Hobbit' }]);
  });
});
