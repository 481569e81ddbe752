import { startTestApi, type TestApi } from '../support/api';

/**
 * A page of customers with their interests, latest activities and those activities' titles
 * must cost the same number of SQL statements whatever the page size: every relation goes
 * through a per-request DataLoader.
 */
let api: TestApi;

const PAGE = `query($n: Int!) {
  customers(first: $n) {
    nodes {
      externalId
      homeBranch { name }
      interests { weight interest { label } }
      activity(first: 5, reason: "statement count test") { nodes { type occurredAt item { title authors } branch { name } } }
    }
  }
}`;

beforeAll(async () => {
  api = await startTestApi('stmt_count', { count: true, relay: false });
  const ds = api.db.ds;
  await ds.query(
    `INSERT INTO branch (external_id, name, kind) VALUES ('B1', 'Central', 'BUILDING'), ('B2', 'Mobile', 'MOBILE')`,
  );
  await ds.query(
    `INSERT INTO interest (kind, label, key) SELECT 'GENRE', 'Genre ' || g, 'genre ' || g FROM generate_series(1, 10) g`,
  );
  await ds.query(`INSERT INTO catalogue_item (external_id, title, authors)
                  SELECT 'I' || g, 'Title ' || g, ARRAY['Author ' || (g % 17)] FROM generate_series(1, 300) g`);
  await ds.query(`INSERT INTO customer (external_id, kind, home_branch_id)
                  SELECT 'C' || lpad(g::text, 4, '0'), 'BORROWER', (SELECT id FROM branch ORDER BY id LIMIT 1 OFFSET g % 2)
                  FROM generate_series(1, 150) g`);
  await ds.query(`INSERT INTO customer_interest (customer_id, interest_id, source)
                  SELECT c.id, i.id, 'DECLARED' FROM customer c JOIN interest i ON (c.id + i.id) % 4 = 0`);
  await ds.query(`INSERT INTO activity (customer_id, type, occurred_at, item_id, branch_id, source_key)
                  SELECT c.id, 'LOAN', now() - (g || ' hours')::interval,
                         (SELECT id FROM catalogue_item ORDER BY id LIMIT 1 OFFSET (c.id * 7 + g) % 300),
                         c.home_branch_id, 'k-' || c.id || '-' || g
                    FROM customer c CROSS JOIN generate_series(1, 12) g`);
});

afterAll(async () => {
  await api.close();
});

/** Statements that write the request's audit trail (one transaction per request). */
const isAudit = (sql: string) =>
  /audit_entry|pg_advisory_xact_lock|^(START TRANSACTION|BEGIN|COMMIT)/i.test(sql.trim());

async function statementsFor(n: number) {
  api.db.statements.length = 0;
  const res = await api.gql(PAGE, { n });
  expect(res.errors).toBeUndefined();
  expect(res.data.customers.nodes).toHaveLength(n);
  expect(res.data.customers.nodes[0].activity.nodes).toHaveLength(5);
  expect(res.data.customers.nodes[0].activity.nodes[0].item.title).toMatch(/^Title /);
  const all = [...api.db.statements];
  return {
    all: all.length,
    reads: all.filter((s) => !isAudit(s)).length,
    auditInserts: all.filter((s) => /INSERT INTO audit_entry/.test(s)).length,
  };
}

it('issues the same number of SQL statements for a page of 10 customers as for 100', async () => {
  const small = await statementsFor(10);
  const large = await statementsFor(100);
  expect(large.all).toBe(small.all);
  // customers page, home branches, interests, activity windows, titles, activity branches
  expect(large.reads).toBeLessThanOrEqual(6);
  // Every staff read is audited, all of a request's entries in one INSERT.
  expect(large.auditInserts).toBe(1);
  const [{ n }] = await api.db.ds.query(
    `SELECT count(*)::int AS n FROM audit_entry WHERE action = 'activity.read'`,
  );
  expect(n).toBe(110);
});
