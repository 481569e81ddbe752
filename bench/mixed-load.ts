/**
 * The load side of the mixed benchmark, in its own process so it does not share the server's
 * event loop: `node dist/bench/mixed-load.js PLAN.json`. Drives the API with autocannon, each
 * connection cycling through a library's day in miniature (catalogue browsing, a customer's
 * page with suggestions, staff recording loans and looking people up), and prints one JSON
 * line: autocannon's result plus GraphQL errors (HTTP 200 with `errors`) by operation.
 */
import { readFileSync } from 'node:fs';

// autocannon has no type definitions; this is the part of its result the benchmark reads.
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: Record<'p50' | 'p90' | 'p99' | 'p99_9' | 'average' | 'max', number>;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  opts: Record<string, unknown>,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

export interface LoadPlan {
  url: string;
  seconds: number;
  connections: number;
  /** Requests per second over all connections; 0 for as fast as the server answers. */
  rate: number;
  tokens: { service: string; staff: string; customers: Record<string, string> };
  itemIds: string[];
  branchIds: string[];
  searchTerms: string[];
  customerIds: string[];
}

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadPlan;
const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];
const run = `${process.pid}-${Date.now()}`;
let seq = 0;

type Step = { op: string; token: () => string | null; body: () => unknown };
const STEPS: Step[] = [
  {
    op: 'CatalogueSearch',
    token: () => null,
    body: () => ({
      query: `query CatalogueSearch($q: String!) { items(first: 20, filter: { search: $q }) {
        nodes { id title authors format holdings { copiesAvailable branch { name } } } } }`,
      variables: { q: pick(plan.searchTerms) },
    }),
  },
  {
    op: 'ItemPage',
    token: () => null,
    body: () => ({
      query: `query ItemPage($id: ID!) { item(id: $id) { title authors subjects { label }
        holdings { copies copiesAvailable branch { name } }
        similarItems(first: 5) { score item { title } } } }`,
      variables: { id: pick(plan.itemIds) },
    }),
  },
  {
    op: 'PopularAtBranch',
    token: () => null,
    body: () => ({
      query: `query PopularAtBranch($b: ID) { popular(branchId: $b, first: 10) { score item { title } } }`,
      variables: { b: pick(plan.branchIds) },
    }),
  },
  {
    op: 'CustomerPage',
    token: () => null, // set per request: the customer's own token
    body: () => null,
  },
  {
    op: 'UpcomingEvents',
    token: () => null,
    body: () => ({
      query: `query UpcomingEvents { events(first: 10, filter: { upcoming: true }) {
        nodes { title startsAt branch { name } } } }`,
    }),
  },
  { op: 'RecordLoan', token: () => plan.tokens.service, body: () => null },
  { op: 'CustomerPage', token: () => null, body: () => null },
  { op: 'RecordLoan', token: () => plan.tokens.service, body: () => null },
  {
    op: 'StaffSearch',
    token: () => plan.tokens.staff,
    body: () => ({
      query: `query StaffSearch($q: String!) { customers(first: 10, filter: { search: $q }) {
        nodes { externalId kind lastActiveAt } } }`,
      variables: { q: pick(['smith', 'jones', 'ali', 'khan', 'brown', 'evans', 'wood']) },
    }),
  },
  { op: 'CustomerPage', token: () => null, body: () => null },
];

function customerPage(): { token: string; body: unknown } {
  const id = pick(plan.customerIds);
  return {
    token: plan.tokens.customers[id],
    body: {
      query: `query CustomerPage($id: ID!) { customer(id: $id) { firstName recommendationsSource
        recommendations(first: 10) { score item { title authors } reasons { text } }
        eventRecommendations(first: 3) { event { title startsAt } }
        activitySummary { total lastActiveAt } } }`,
      variables: { id },
    },
  };
}

function recordLoan(): unknown {
  return {
    query: `mutation RecordLoan($in: RecordActivityInput!) { recordActivity(input: $in) { status } }`,
    variables: {
      in: {
        customerId: pick(plan.customerIds),
        type: Math.random() < 0.7 ? 'LOAN' : 'VISIT',
        itemId: pick(plan.itemIds),
        occurredAt: new Date().toISOString(),
        sourceKey: `bench-mixed-${run}-${seq++}`,
      },
    },
  };
}

const graphqlErrors: Record<string, number> = {};
/** The first few errors' codes and messages, to say what went wrong (API messages only). */
const errorSamples: Array<{ op: string; code: unknown; message: unknown }> = [];
const requests = STEPS.map((step) => ({
  method: 'POST',
  path: '/graphql',
  setupRequest(req: { headers: Record<string, string>; body: string }) {
    let token = step.token();
    let body = step.body();
    if (step.op === 'CustomerPage') ({ token, body } = customerPage());
    if (step.op === 'RecordLoan') body = recordLoan();
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    return { ...req, headers, body: JSON.stringify(body) };
  },
  onResponse(_status: number, body: string) {
    if (!body.includes('"errors"')) return;
    graphqlErrors[step.op] = (graphqlErrors[step.op] ?? 0) + 1;
    if (errorSamples.length < 10) {
      try {
        const e = (JSON.parse(body) as { errors: Array<{ message: string; extensions?: any }> })
          .errors[0];
        errorSamples.push({ op: step.op, code: e.extensions?.code, message: e.message });
      } catch {
        errorSamples.push({ op: step.op, code: 'UNPARSED', message: body.slice(0, 200) });
      }
    }
  },
}));

autocannon(
  {
    url: plan.url,
    connections: plan.connections,
    duration: plan.seconds,
    ...(plan.rate > 0 ? { overallRate: plan.rate } : {}),
    requests,
  },
  (err, result) => {
    if (err) {
      process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    }
    process.stdout.write(
      `${JSON.stringify({
        requests: result.requests,
        latency: result.latency,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        duration: result.duration,
        graphqlErrors,
        errorSamples,
      })}\n`,
    );
  },
);
