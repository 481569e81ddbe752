/**
 * Mixed load against the real platform: `npm run bench -- mixed [--seconds 30]
 * [--connections 20] [--rate 0]` and `npm run bench -- soak [--minutes 10] [--connections 10]
 * [--rate 100]`.
 *
 * Loads a generated library into a scratch database, starts the production entry point
 * (`node dist/src/main.js all`: API, workers and outbox relay in one process), builds the
 * model, then drives the API from a separate autocannon process with a mix of catalogue
 * browsing, customers' own pages with suggestions, loans recorded at the desk and staff
 * searches. Prints throughput, client-side latency percentiles, errors (HTTP and GraphQL),
 * server-side latency per operation (from the server's own /metrics histograms), and the
 * server's memory (RSS and V8 heap, from /metrics) before, during and after the load. The soak
 * is the same mix for longer, at a steady rate by default, to show whether memory stays flat.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Role } from '../src/auth/role';
import { TokenService } from '../src/auth/tokens';
import { loadConfig } from '../src/config';
import { createRedis } from '../src/platform';
import { RecommendationQueue } from '../src/recommendations/recommendation.queue';
import type { LoadPlan } from './mixed-load';
import { dropDatabase, loadLibrary, MB, scratchDatabase } from './scratch';

const MAIN = path.resolve(__dirname, '..', 'src', 'main.js');
const LOAD = path.join(__dirname, 'mixed-load.js');
const SECRET = process.env.JWT_SECRET ?? 'benchmark-secret-benchmark-secret-0123';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Prometheus text format, as series (name plus labels) to values. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

interface Sample {
  atSeconds: number;
  rssMb: number;
  heapUsedMb: number;
  outboxPending: number;
  /** Refresh jobs waiting or running (delayed ones include the nightly rebuild's schedule). */
  refreshWaiting: number;
}

async function scrape(url: string): Promise<Map<string, number>> {
  return parseMetrics(await (await fetch(`${url}/metrics`)).text());
}

function sampleOf(m: Map<string, number>, atSeconds: number): Sample {
  const sum = (prefix: string) =>
    [...m].filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0);
  return {
    atSeconds,
    rssMb: Math.round((m.get('process_resident_memory_bytes') ?? 0) / MB),
    heapUsedMb: Math.round(sum('nodejs_heap_size_used_bytes') / MB),
    outboxPending: m.get('commonplace_outbox_pending') ?? 0,
    refreshWaiting:
      (m.get('commonplace_queue_jobs{queue="recommendations",state="waiting"}') ?? 0) +
      (m.get('commonplace_queue_jobs{queue="recommendations",state="active"}') ?? 0),
  };
}

/** Mean RSS and heap of the first and second half of the samples taken during the load. */
function halfMeans(during: Sample[]) {
  const mid = Math.floor(during.length / 2);
  const mean = (xs: Sample[], f: (s: Sample) => number) =>
    xs.length ? Math.round(xs.reduce((a, s) => a + f(s), 0) / xs.length) : 0;
  const of = (xs: Sample[]) => ({
    rssMb: mean(xs, (s) => s.rssMb),
    heapUsedMb: mean(xs, (s) => s.heapUsedMb),
  });
  return { first: of(during.slice(0, mid)), second: of(during.slice(mid)) };
}

/** Per operation, the bucket bounds under which 50% and 99% of the run's operations fell. */
function serverLatency(before: Map<string, number>, after: Map<string, number>) {
  const byOp = new Map<string, Array<{ le: number; count: number }>>();
  for (const [series, value] of after) {
    const m = /^commonplace_graphql_operation_duration_seconds_bucket\{(.*)\}$/.exec(series);
    if (!m) continue;
    const labels = Object.fromEntries(
      m[1].split(/,(?=[a-z_]+=)/).map((kv) => {
        const [k, v] = kv.split('=');
        return [k, v.replace(/^"|"$/g, '')];
      }),
    );
    const count = value - (before.get(series) ?? 0);
    const list = byOp.get(labels.operation) ?? [];
    list.push({ le: labels.le === '+Inf' ? Infinity : Number(labels.le), count });
    byOp.set(labels.operation, list);
  }
  const out: Record<string, { count: number; p50Ms: string; p99Ms: string }> = {};
  for (const [op, buckets] of byOp) {
    buckets.sort((a, b) => a.le - b.le);
    const total = buckets[buckets.length - 1].count;
    if (!total) continue;
    const bound = (q: number) => {
      const b = buckets.find((x) => x.count >= q * total)!;
      return b.le === Infinity ? '>10000' : `<=${Math.round(b.le * 1000)}`;
    };
    out[op] = { count: total, p50Ms: bound(0.5), p99Ms: bound(0.99) };
  }
  return out;
}

async function main() {
  const { values } = parseArgs({
    options: {
      soak: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      minutes: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      'sample-seconds': { type: 'string' },
    },
  });
  const soak = values.soak!;
  const seconds = soak
    ? Math.round(Number(values.minutes ?? '10') * 60)
    : Number(values.seconds ?? '30');
  const connections = Number(values.connections ?? (soak ? '10' : '20'));
  const rate = Number(values.rate ?? (soak ? '100' : '0'));
  const sampleEvery = Number(values['sample-seconds'] ?? (soak ? '30' : '5')) * 1000;

  const base = loadConfig();
  const { url: dbUrl, ds } = await scratchDatabase(base.DATABASE_URL, 'commonplace_bench_mixed');
  const prefix = `benchmixed${Date.now()}`;
  const redis = createRedis(base.REDIS_URL, 'commonplace-bench');
  const queue = new RecommendationQueue(redis, prefix);
  const dir = await mkdtemp(path.join(tmpdir(), 'commonplace-bench-mixed-'));
  let server: ReturnType<typeof spawn> | null = null;
  let serverErrors = 0;
  try {
    await loadLibrary(ds, { customers: 4000, items: 6000, events: 600, activities: 150_000 });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [MAIN, 'all'], {
      env: {
        ...process.env,
        DATABASE_URL: dbUrl,
        PORT: String(port),
        REDIS_PREFIX: prefix,
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        LOG_LEVEL: 'warn',
        // The benchmark is a few tokens hammering the API on purpose.
        RATE_LIMIT_PER_MINUTE: '100000000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The server's warnings and errors (JSON log lines) are counted and the first few shown.
    let serverLines = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      const parts = (serverLines + chunk.toString()).split('\n');
      serverLines = parts.pop() ?? '';
      for (const line of parts) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { level: number; event?: string };
        if (entry.level < 50) continue;
        serverErrors += 1;
        if (serverErrors <= 5) process.stderr.write(`server error: ${line.slice(0, 2000)}\n`);
      }
    });
    for (let i = 0; ; i++) {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res?.status === 200) break;
      if (i > 600) throw new Error('the server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    await queue.requestRebuild();
    for (;;) {
      const [row] = await ds.query(
        `SELECT 1 FROM rec_model WHERE status = 'READY' AND stats ? 'refreshedAt'`,
      );
      if (row) break;
      await new Promise((r) => setTimeout(r, 250));
    }

    const tokens = new TokenService({
      secret: SECRET,
      issuer: 'commonplace',
      audience: 'commonplace-api',
    });
    const customerIds: string[] = (
      await ds.query(`SELECT id::text FROM customer WHERE status = 'ACTIVE' ORDER BY id LIMIT 300`)
    ).map((r: { id: string }) => r.id);
    const customerTokens: Record<string, string> = {};
    for (const id of customerIds) {
      customerTokens[id] = await tokens.sign(
        { role: Role.CUSTOMER, subject: `customer:${id}`, customerId: id },
        '2h',
      );
    }
    const words: string[] = (
      await ds.query(
        `SELECT DISTINCT lower(split_part(title, ' ', 1)) AS w FROM catalogue_item
          WHERE length(split_part(title, ' ', 1)) > 3 LIMIT 200`,
      )
    ).map((r: { w: string }) => r.w);
    const plan = (secs: number): LoadPlan => ({
      url,
      seconds: secs,
      connections,
      rate,
      tokens: {
        service: '',
        staff: '',
        customers: customerTokens,
      },
      itemIds: [],
      branchIds: [],
      searchTerms: words,
      customerIds,
    });
    const common = plan(seconds);
    common.tokens.service = await tokens.sign({ role: Role.SERVICE, subject: 'bench-lms' }, '2h');
    common.tokens.staff = await tokens.sign(
      { role: Role.FRONT_LINE_STAFF, subject: 'bench-desk', staffName: 'Bench Desk' },
      '2h',
    );
    common.itemIds = (
      await ds.query('SELECT id::text FROM catalogue_item ORDER BY id LIMIT 3000')
    ).map((r: { id: string }) => r.id);
    common.branchIds = (await ds.query('SELECT id::text FROM branch')).map(
      (r: { id: string }) => r.id,
    );

    const runLoad = async (secs: number) => {
      const file = path.join(dir, `plan-${secs}.json`);
      await writeFile(file, JSON.stringify({ ...common, seconds: secs }));
      const child = spawn(process.execPath, [LOAD, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`the load generator exited ${code}`);
      return JSON.parse(out.trim().split('\n').pop()!);
    };

    await runLoad(5); // warm-up: plans, pools, caches
    const before = await scrape(url);
    const samples: Sample[] = [sampleOf(before, 0)];
    const t0 = Date.now();
    const sampler = setInterval(() => {
      scrape(url)
        .then((m) => {
          const s = sampleOf(m, Math.round((Date.now() - t0) / 1000));
          samples.push(s);
          if (soak) {
            process.stdout.write(
              `  t=${s.atSeconds}s rss ${s.rssMb} MB heap ${s.heapUsedMb} MB outbox pending ${s.outboxPending} refreshes queued ${s.refreshWaiting}\n`,
            );
          }
        })
        .catch(() => undefined);
    }, sampleEvery);
    const load = await runLoad(seconds);
    clearInterval(sampler);
    const after = await scrape(url);
    samples.push(sampleOf(after, Math.round((Date.now() - t0) / 1000)));
    // Background work caught up: the outbox and the refresh queue drain.
    const drainStart = Date.now();
    for (let quiet = 0; quiet < 2 && Date.now() - drainStart < 120_000; ) {
      await new Promise((r) => setTimeout(r, 500));
      const s = sampleOf(await scrape(url), 0);
      quiet = s.outboxPending === 0 && s.refreshWaiting === 0 ? quiet + 1 : 0;
    }
    const drainSeconds = Math.round((Date.now() - drainStart) / 100) / 10;
    const [{ recorded }] = await ds.query(
      `SELECT count(*)::int AS recorded FROM activity WHERE source_key LIKE 'bench-mixed-%'`,
    );
    const [{ pending }] = await ds.query(
      `SELECT count(*)::int AS pending FROM outbox WHERE relayed_at IS NULL`,
    );

    const gqlErrors = Object.values(load.graphqlErrors as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    const start = samples[0];
    const end = samples[samples.length - 1];
    const result = {
      bench: soak ? 'soak' : 'mixed',
      seconds,
      connections,
      targetRate: rate || 'unlimited',
      requests: load.requests.total,
      throughputRps: Math.round(load.requests.average),
      latencyMs: {
        p50: load.latency.p50,
        p90: load.latency.p90,
        p99: load.latency.p99,
        p99_9: load.latency.p99_9,
        max: load.latency.max,
      },
      errors: {
        socket: load.errors,
        timeouts: load.timeouts,
        non2xx: load.non2xx,
        graphql: gqlErrors,
        graphqlByOperation: load.graphqlErrors,
        samples: load.errorSamples,
      },
      serverLatencyByOperation: serverLatency(before, after),
      memory: {
        start: { rssMb: start.rssMb, heapUsedMb: start.heapUsedMb },
        end: { rssMb: end.rssMb, heapUsedMb: end.heapUsedMb },
        peakRssMb: Math.max(...samples.map((s) => s.rssMb)),
        // A leak shows as a later half higher than the earlier one; GC makes single samples noisy.
        meanFirstHalf: halfMeans(samples.slice(1, -1)).first,
        meanSecondHalf: halfMeans(samples.slice(1, -1)).second,
        samples: samples.map((s) => [s.atSeconds, s.rssMb, s.heapUsedMb]),
      },
      serverErrorLogLines: serverErrors,
      activityRecorded: recorded,
      outboxPendingAfterDrain: pending,
      backgroundDrainSeconds: drainSeconds,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `${result.bench}: ${result.requests} requests in ${seconds} s, ${result.throughputRps} req/s ` +
        `(${connections} connections, rate ${result.targetRate}); latency p50 ${result.latencyMs.p50} ms, ` +
        `p90 ${result.latencyMs.p90} ms, p99 ${result.latencyMs.p99} ms; errors: ${load.errors} socket, ` +
        `${load.timeouts} timeouts, ${load.non2xx} non-2xx, ${gqlErrors} GraphQL; ` +
        `${recorded} loans recorded, outbox drained ${drainSeconds} s after the load; ` +
        `server memory rss ${start.rssMb} -> ${end.rssMb} MB (peak ${result.memory.peakRssMb}), ` +
        `heap ${start.heapUsedMb} -> ${end.heapUsedMb} MB\n`,
    );
    for (const [op, s] of Object.entries(result.serverLatencyByOperation)) {
      process.stdout.write(
        `  ${op}: ${s.count} ops, server p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms\n`,
      );
    }
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await once(server, 'exit');
    }
    // Leave nothing behind in a Redis that may be shared: every key of this run has the prefix.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await queue.close();
    redis.disconnect();
    await ds.destroy();
    await dropDatabase(dbUrl);
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
