import { Writable } from 'node:stream';
import type { Request, Response } from 'express';
import { Role } from '../../src/auth/role';
import { createLogger } from '../../src/common/logger';
import { metricsEndpoint } from '../../src/observability/http';
import { operationLabel } from '../../src/observability/metrics';
import { startWorkers } from '../../workers/run';
import { startTestApi, type TestApi } from '../support/api';
import { eventually, seedTasteLibrary, waitForRefreshedModel } from '../support/library';

/** Request ids into logs and jobs, Prometheus metrics, and Bull Board's access rules. */
let api: TestApi;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let lib: Awaited<ReturnType<typeof seedTasteLibrary>>;
const lines: Array<Record<string, any>> = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  api = await startTestApi('observability', {
    log: createLogger('info', sink),
    env: { METRICS_TOKEN: 'scrape-token-0123456789' },
  });
  lib = await seedTasteLibrary(api.db.ds);
  workers = await startWorkers(api.platform, { relay: false });
  await api.platform.recommendations.queue.requestRebuild(2);
  await waitForRefreshedModel(api.db.ds);
}, 120_000);

afterAll(async () => {
  await workers.stop();
  await api.close();
});

async function post(query: string, variables: object, headers: Record<string, string> = {}) {
  const admin = await api.token(Role.ADMIN, { staff: 'Obs' });
  return fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
}

describe('request ids', () => {
  it('returns the caller’s x-request-id, or a new one when it is missing or implausible', async () => {
    const given = await post('{ __typename }', {}, { 'x-request-id': 'gateway-7f3a' });
    expect(given.headers.get('x-request-id')).toBe('gateway-7f3a');
    const made = await post('{ __typename }', {});
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await post('{ __typename }', {}, { 'x-request-id': 'a b <script>"' });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('follows a request into the job it caused and into that job’s log lines', async () => {
    const res = await post(
      `mutation RecordLoan($in: RecordActivityInput!) { recordActivity(input: $in) { status } }`,
      {
        in: {
          customerId: lib.crimeReader,
          type: 'LOAN',
          itemId: [...lib.crimeItems][20],
          occurredAt: new Date().toISOString(),
        },
      },
      { 'x-request-id': 'loan-at-desk-3' },
    );
    expect(((await res.json()) as any).data.recordActivity.status).toBe('ACCEPTED');
    const done = await eventually(async () =>
      lines.find(
        (l) =>
          l.event === 'job.completed' &&
          l.job === 'refresh-customer' &&
          l.requestId === 'loan-at-desk-3',
      ),
    );
    expect(done.jobId).toMatch(/^ob-\d+$/);
    expect(done.queue).toBe('recommendations');
  });
});

describe('/metrics', () => {
  const scrape = (token?: string) =>
    fetch(`${api.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  it('refuses a scrape without the metrics token, or with another token', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('scrape-token-wrong-0000')).status).toBe(401);
    expect((await scrape(await api.token(Role.ADMIN))).status).toBe(401);
  });

  it('reports latency by route and operation, errors by code, queues, jobs, cache and outbox', async () => {
    await post('query CataloguePage { items(first: 3) { nodes { title } } }', {});
    await post('query Broken { customer(id: "x") { id } }', {});
    await post(`query Page($id: ID!) { customer(id: $id) { recommendations { score } } }`, {
      id: lib.crimeReader,
    });
    const res = await scrape('scrape-token-0123456789');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    const has = (re: RegExp) => expect(text).toMatch(re);
    has(
      /commonplace_http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} \d+/,
    );
    has(
      /commonplace_graphql_operation_duration_seconds_count\{operation="CataloguePage",type="query"\} 1/,
    );
    has(
      /commonplace_graphql_operation_duration_seconds_count\{operation="RecordLoan",type="mutation"\} \d/,
    );
    has(/commonplace_graphql_errors_total\{code="BAD_USER_INPUT"\} \d+/);
    has(/commonplace_queue_jobs\{queue="recommendations",state="completed"\} \d+/);
    has(/commonplace_queue_jobs\{queue="privacy",state="waiting"\} \d+/);
    has(
      /commonplace_job_duration_seconds_count\{queue="recommendations",name="build-shard",outcome="completed"\} 2/,
    );
    has(/commonplace_recommendation_cache_total\{result="hit"\} \d+/);
    has(/commonplace_recommendation_cache_hit_ratio [0-9.]+/);
    has(/commonplace_outbox_pending \d+/);
    has(/commonplace_outbox_oldest_pending_age_seconds [0-9.]+/);
    has(/process_resident_memory_bytes \d+/);
  });

  it('serves loopback callers when no token is configured, and nobody else', async () => {
    const handler = metricsEndpoint(undefined);
    const call = async (remoteAddress: string) => {
      let status = 200;
      const res = {
        status(s: number) {
          status = s;
          return this;
        },
        set() {
          return this;
        },
        json() {
          return this;
        },
        send() {
          return this;
        },
      };
      const req = { headers: {}, socket: { remoteAddress } };
      await handler(req as unknown as Request, res as unknown as Response);
      return status;
    };
    expect(await call('127.0.0.1')).toBe(200);
    expect(await call('::1')).toBe(200);
    expect(await call('10.1.2.3')).toBe(403);
    expect(await call('::ffff:192.168.0.9')).toBe(403);
  });

  it('keeps operation names bounded: odd or endless names share a label', () => {
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('has spaces')).toBe('other');
    expect(operationLabel('x'.repeat(65))).toBe('other');
    for (let i = 0; i < 300; i++) operationLabel(`Generated${i}`);
    expect(operationLabel('YetAnotherNewOne')).toBe('other');
    expect(operationLabel('CataloguePage')).toBe('CataloguePage');
  });
});

describe('Bull Board at /admin/queues', () => {
  it('shows every platform queue to an ADMIN bearer token', async () => {
    const admin = await api.token(Role.ADMIN);
    const res = await fetch(`${api.url}/admin/queues/api/queues`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual([
      'insights',
      'marketing',
      'marketing-app',
      'marketing-email',
      'marketing-sms',
      'privacy',
      'recommendations',
    ]);
  });

  it('gives a browser a short, HttpOnly, same-site session for an ADMIN token, and audits it', async () => {
    const form = await fetch(`${api.url}/admin/session`);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<form method="post" action="\/admin\/session">/);

    const admin = await api.token(Role.ADMIN, { staff: 'Ops on call' });
    const res = await fetch(`${api.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: admin }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/queues/');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^cp_admin_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/admin; Max-Age=(\d+)/,
    );
    expect(Number(/Max-Age=(\d+)/.exec(cookie)![1])).toBeLessThanOrEqual(15 * 60);
    const session = cookie.split(';')[0];
    expect(session).not.toContain(admin);

    const page = await fetch(`${api.url}/admin/queues/`, { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const tampered = session.slice(0, -3) + (session.endsWith('AAA') ? 'BBB' : 'AAA');
    expect(
      (await fetch(`${api.url}/admin/queues/`, { headers: { cookie: tampered } })).status,
    ).toBe(401);
    // An API token in the cookie is not a session.
    const raw = `cp_admin_session=${admin}`;
    expect((await fetch(`${api.url}/admin/queues/`, { headers: { cookie: raw } })).status).toBe(
      401,
    );

    const [entry] = await api.db.ds.query(
      `SELECT actor, actor_role, action FROM audit_entry WHERE action = 'admin.queues_session'`,
    );
    expect(entry).toEqual({
      actor: 'Ops on call',
      actor_role: 'ADMIN',
      action: 'admin.queues_session',
    });
  });

  it('refuses a session to any other role', async () => {
    const res = await fetch(`${api.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: await api.token(Role.MANAGER) }).toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
