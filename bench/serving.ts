/**
 * Serving speed and freshness: `node dist/bench/serving.js [--duration 10] [--connections 50]`.
 * Loads a generated library into a scratch database, builds the model with a real worker, then
 * drives the real HTTP API with autocannon:
 *  - throughput (autocannon in its own process) of a cached recommendations query as a ratio of `{ __typename }` on the same
 *    server in the same run (a ratio, so a busy machine affects both sides alike), with p99;
 *  - freshness: time from `recordActivity` to the customer's cached list being recomputed.
 */
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import pino from 'pino';
import { Role } from '../src/auth/role';
import { loadConfig } from '../src/config';
import { openPlatform, startApi } from '../src/platform';
import { startWorkers } from '../workers/run';
import { dropDatabase, loadLibrary, percentile, scratchDatabase } from './scratch';

const AUTOCANNON = require.resolve('autocannon/autocannon.js');

/**
 * Drives the API from a separate autocannon process, so the load generator does not share the
 * server's event loop (it still shares the machine's two cores, as a real client would not).
 */
async function drive(
  url: string,
  body: string,
  connections: number,
  duration: number,
  token: string,
) {
  const args = [
    AUTOCANNON,
    '-j',
    '-c',
    String(connections),
    '-d',
    String(duration),
    '-m',
    'POST',
    '-H',
    'content-type: application/json',
    '-H',
    `authorization: Bearer ${token}`,
    '-b',
    body,
    `${url}/graphql`,
  ];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
  const r = JSON.parse(out) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx,
  };
}

async function gql(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function main() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '50' },
      samples: { type: 'string', default: '20' },
    },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const base = loadConfig();
  const { url: dbUrl, ds } = await scratchDatabase(base.DATABASE_URL, 'commonplace_bench_serving');
  await loadLibrary(ds, { customers: 4000, items: 6000, events: 600, activities: 150_000 });
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl,
    REDIS_PREFIX: `benchserve${Date.now()}`,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
    JWT_SECRET: process.env.JWT_SECRET ?? 'benchmark-secret-benchmark-secret-0123',
    // The benchmark is one token hammering the API on purpose.
    RATE_LIMIT_PER_MINUTE: '100000000',
  });
  const platform = await openPlatform(config, { migrate: false, log: pino({ level: 'warn' }), ds });
  const workers = await startWorkers(platform);
  const api = await startApi(platform, 0);
  const url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  try {
    await platform.recommendations.queue.requestRebuild();
    for (;;) {
      const [row] = await ds.query(
        `SELECT 1 FROM rec_model WHERE status = 'READY' AND stats ? 'refreshedAt'`,
      );
      if (row) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const [who] = await ds.query(
      `SELECT id::text, external_id FROM customer WHERE recommendation_mode = 'FULL' AND status = 'ACTIVE'
        AND last_active_at IS NOT NULL ORDER BY last_active_at DESC LIMIT 1`,
    );
    const query = `{ customer(externalId: "${who.external_id}") { recommendations(first: 10) { item { title } reasons { text } } } }`;
    // The customer's own token, as a catalogue front-end would send for a signed-in customer.
    const customerToken = await platform.tokens.sign(
      { role: Role.CUSTOMER, subject: 'bench', customerId: who.id },
      '1h',
    );
    const staffToken = await platform.tokens.sign(
      { role: Role.FRONT_LINE_STAFF, subject: 'bench-staff' },
      '1h',
    );
    const warm = await gql(url, customerToken, query);
    if (warm.customer.recommendations.length !== 10)
      throw new Error('the benchmark customer has no cached list');

    await drive(url, JSON.stringify({ query: '{ __typename }' }), connections, 2, customerToken); // warm-up
    const baseline = await drive(
      url,
      JSON.stringify({ query: '{ __typename }' }),
      connections,
      duration,
      customerToken,
    );
    const recs = await drive(url, JSON.stringify({ query }), connections, duration, customerToken);
    const ratio = recs.rps / baseline.rps;

    // Freshness: each sample records a loan and waits for the cached list to be recomputed.
    const customers: Array<{ id: string }> = await ds.query(
      `SELECT id::text FROM customer WHERE recommendation_mode = 'FULL' AND status = 'ACTIVE' ORDER BY id LIMIT $1`,
      [Number(values.samples)],
    );
    const items: Array<{ id: string }> = await ds.query(
      'SELECT id::text FROM catalogue_item ORDER BY id LIMIT 50',
    );
    const lags: number[] = [];
    for (const [n, c] of customers.entries()) {
      const before = (await platform.recommendations.store.get(c.id))?.computedAt ?? null;
      const t0 = Date.now();
      await gql(
        url,
        staffToken,
        `mutation($in: RecordActivityInput!) { recordActivity(input: $in) { status } }`,
        {
          in: {
            customerId: c.id,
            type: 'LOAN',
            occurredAt: new Date().toISOString(),
            itemId: items[n % items.length].id,
            sourceKey: `bench-fresh-${Date.now()}-${n}`,
          },
        },
      );
      for (;;) {
        const now = (await platform.recommendations.store.get(c.id))?.computedAt ?? null;
        if (now && now !== before && Date.parse(now) >= t0) break;
        if (Date.now() - t0 > 30_000) throw new Error('a refresh took longer than 30 s');
        await new Promise((r) => setTimeout(r, 10));
      }
      lags.push(Date.now() - t0);
    }
    const result = {
      bench: 'serving',
      connections,
      durationSeconds: duration,
      typenameRps: Math.round(baseline.rps),
      recommendationsRps: Math.round(recs.rps),
      ratio: Math.round(ratio * 100) / 100,
      recommendationsP50Ms: recs.p50,
      recommendationsP99Ms: recs.p99,
      errors: baseline.errors + recs.errors,
      freshnessP50Ms: percentile(lags, 50),
      freshnessP95Ms: percentile(lags, 95),
      freshnessSamples: lags.length,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `recommendations from cache: ${result.recommendationsRps} req/s vs { __typename } ${result.typenameRps} req/s ` +
        `= ratio ${result.ratio} (goal >= 0.6); p99 ${result.recommendationsP99Ms} ms at ${connections} connections ` +
        `(goal < 50 ms); freshness after recordActivity p95 ${result.freshnessP95Ms} ms (goal < 2000 ms)\n`,
    );
  } finally {
    await api.stop();
    await workers.stop();
    // Leave nothing behind in a Redis that may be shared: every key of this run has the prefix.
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await platform.redis.scan(
        cursor,
        'MATCH',
        `${config.REDIS_PREFIX}:*`,
        'COUNT',
        1000,
      );
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    for (let i = 0; i < keys.length; i += 1000)
      await platform.redis.del(...keys.slice(i, i + 1000));
    await platform.close();
    await dropDatabase(dbUrl);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
