import { SignJWT } from 'jose';
import { Role } from '../../src/auth/role';
import { startTestApi, type TestApi } from '../support/api';

/** Hostile or careless input gets a clean, coded error — never a 500, never a stack trace. */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi('bad_input');
  await api.db.ds.query(
    `INSERT INTO customer (external_id, kind, first_name) VALUES ('C1', 'BORROWER', 'Ada')`,
  );
});

afterAll(async () => {
  await api.close();
});

function expectCleanError(res: { errors?: any[]; status: number }, code: string) {
  expect(res.errors?.[0]?.extensions?.code).toBe(code);
  expect(res.status).toBeLessThan(500);
  expect(JSON.stringify(res.errors)).not.toMatch(/stacktrace|SELECT|INSERT|node_modules/i);
}

it('rejects malformed ids as BAD_USER_INPUT', async () => {
  for (const id of ['abc', '-1', '0', '1.5', '99999999999999999999999', '1; DROP TABLE customer']) {
    expectCleanError(
      await api.gql('query($id: ID!) { customer(id: $id) { id } }', { id }),
      'BAD_USER_INPUT',
    );
  }
});

it('rejects an unknown enum value before running anything', async () => {
  const res = await api.gql(
    'mutation { registerCustomer(input: { externalId: "X1", kind: ALIEN }) { id } }',
  );
  expect(res.status).toBe(400);
  expect(res.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  const viaVariables = await api.gql(
    'mutation($in: RegisterCustomerInput!) { registerCustomer(input: $in) { id } }',
    {
      in: { externalId: 'X1', kind: 'ALIEN' },
    },
  );
  expectCleanError(viaVariables, 'BAD_USER_INPUT');
});

it('names the field for an over-long string and refuses a body over 1 MB', async () => {
  const long = await api.gql(
    'mutation($in: RegisterCustomerInput!) { registerCustomer(input: $in) { id } }',
    {
      in: { externalId: 'X2', kind: 'VISITOR', firstName: 'a'.repeat(500_000) },
    },
  );
  expectCleanError(long, 'BAD_USER_INPUT');
  expect(long.errors?.[0].extensions.problems[0]).toMatchObject({
    field: 'input.firstName',
    rule: 'too_big',
  });
  const huge = await api.gql(
    'mutation($in: RegisterCustomerInput!) { registerCustomer(input: $in) { id } }',
    {
      in: { externalId: 'X3', kind: 'VISITOR', firstName: 'a'.repeat(1_100_000) },
    },
  );
  expect(huge.status).toBe(413);
  expect(huge.errors?.[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  const [{ n }] = await api.db.ds.query(
    `SELECT count(*)::int AS n FROM customer WHERE external_id LIKE 'X%'`,
  );
  expect(n).toBe(0);
});

it('treats SQL-looking search terms as plain text', async () => {
  for (const search of ["'; DROP TABLE customer; --", "%' OR '1'='1", '\\', '_%_']) {
    const res = await api.gql(
      'query($s: String!) { customers(filter: { search: $s }) { nodes { id } } items(filter: { search: $s }) { nodes { id } } }',
      { s: search },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.customers.nodes).toEqual([]);
  }
  const [{ n }] = await api.db.ds.query('SELECT count(*)::int AS n FROM customer');
  expect(n).toBe(1);
});

it('refuses expired, forged and malformed tokens as UNAUTHENTICATED', async () => {
  const expired = await api.token(Role.ADMIN, { ttl: '1s' });
  await new Promise((r) => setTimeout(r, 2100));
  const forged = await new SignJWT({ role: 'ADMIN' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('mallory')
    .setIssuer('commonplace')
    .setAudience('commonplace-api')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('a different secret that is long enough!!'));
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"role":"ADMIN","sub":"x"}').toString('base64url')}.`;
  for (const [token, pattern] of [
    [expired, /expired/],
    [forged, /not valid/],
    [unsigned, /not valid/],
    ['garbage', /not valid/],
  ] as const) {
    const res = await api.gql('{ customers { nodes { id } } }', {}, token);
    expect(res.status).toBe(401);
    expect(res.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0].message).toMatch(pattern);
  }
});

it('refuses a 20-level-deep query before executing it', async () => {
  let selection = 'id';
  for (let i = 0; i < 20; i++) selection = `guardian { ${selection} }`;
  const res = await api.gql(`{ customer(externalId: "C1") { ${selection} } }`);
  expect(res.status).toBe(400);
  expect(res.errors?.[0].message).toMatch(/exceeds maximum operation depth/);
});

it('refuses a query whose cost is far beyond what a page needs', async () => {
  const res =
    await api.gql(`{ customers(first: 100) { nodes { activity(first: 100, reason: "cost test") {
    nodes { item { similarItems(first: 50) { item { title } } } } } } } }`);
  expect(res.errors?.[0].extensions.code).toBe('QUERY_TOO_COSTLY');
  expect(res.status).toBe(400);
});

it('refuses simple cross-site requests (CSRF prevention)', async () => {
  const res = await fetch(`${api.url}/graphql?query=%7B__typename%7D`, { method: 'GET' });
  expect(res.status).toBe(400);
  expect(await res.text()).toMatch(/CSRF/i);
});
