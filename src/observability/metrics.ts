import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';

/**
 * Prometheus metrics of this process. Each process (API or worker) keeps its own and is scraped
 * on its own: the API at `/metrics`, a worker-only process on `METRICS_PORT`.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpDuration = new Histogram({
  name: 'commonplace_http_request_duration_seconds',
  help: 'HTTP requests by route (as registered, never the raw URL), method and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'commonplace_graphql_operation_duration_seconds',
  help: 'GraphQL operations by operation name and type, from parsing to response',
  labelNames: ['operation', 'type'] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const graphqlErrors = new Counter({
  name: 'commonplace_graphql_errors_total',
  help: 'Errors returned to GraphQL clients, by extensions.code',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const recommendationCache = new Counter({
  name: 'commonplace_recommendation_cache_total',
  help: 'Suggestion cache reads per customer: hit, miss, or unavailable (Redis down: degraded)',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const rateLimitFailOpen = new Counter({
  name: 'commonplace_rate_limit_fail_open_total',
  help: 'Requests let through unmetered because the rate limiter could not reach Redis',
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'commonplace_job_duration_seconds',
  help: 'Job run time in this worker process, by queue, job name and outcome',
  labelNames: ['queue', 'name', 'outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
  registers: [registry],
});

export const outboxRelayed = new Counter({
  name: 'commonplace_outbox_relayed_total',
  help: 'Outbox entries this process moved into BullMQ, by queue',
  labelNames: ['queue'] as const,
  registers: [registry],
});

export const outboxRelayFailures = new Counter({
  name: 'commonplace_outbox_relay_failures_total',
  help: 'Relay passes that failed (Redis or PostgreSQL unreachable); entries stay pending',
  registers: [registry],
});

/** Where the scrape-time gauges read from; the running platform sets it. */
export interface MetricsSources {
  ds: DataSource;
  queues: () => Queue[];
  redisReady: () => boolean;
}

let sources: MetricsSources | null = null;

/** Points the queue and outbox gauges at this platform; returns a function that undoes it. */
export function setMetricsSources(s: MetricsSources): () => void {
  sources = s;
  return () => {
    if (sources === s) sources = null;
  };
}

/** Scrapes must answer even when a dependency hangs: each read gets this long. */
const SCRAPE_READ_MS = 1_000;

function within<T>(p: Promise<T>, ms = SCRAPE_READ_MS): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error('scrape read timed out')), ms).unref(),
    ),
  ]);
}

new Gauge({
  name: 'commonplace_queue_jobs',
  help: 'Jobs per queue and state (absent while Redis is unreachable)',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
  async collect() {
    this.reset();
    if (!sources?.redisReady()) return;
    const states = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;
    await Promise.all(
      sources.queues().map(async (q) => {
        try {
          const counts = await within(q.getJobCounts(...states));
          for (const s of states) this.set({ queue: q.name, state: s }, counts[s] ?? 0);
        } catch {
          // Left out of this scrape; dependency_up says why.
        }
      }),
    );
  },
});

const outboxPending = new Gauge({
  name: 'commonplace_outbox_pending',
  help: 'Outbox entries not yet moved into BullMQ',
  registers: [registry],
});
const outboxDead = new Gauge({
  name: 'commonplace_outbox_dead',
  help: 'Outbox entries BullMQ refused too often; they need a person to look at them',
  registers: [registry],
});
new Gauge({
  name: 'commonplace_outbox_oldest_pending_age_seconds',
  help: 'Age of the oldest pending outbox entry: how far background work lags behind',
  registers: [registry],
  async collect() {
    if (!sources) return;
    try {
      const [row] = await within(
        sources.ds.query(
          `SELECT count(*) FILTER (WHERE dead_at IS NULL)::int AS pending,
                  count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead,
                  coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_at IS NULL)), 0)::float AS age
             FROM outbox WHERE relayed_at IS NULL`,
        ) as Promise<Array<{ pending: number; dead: number; age: number }>>,
      );
      this.set(row.age);
      outboxPending.set(row.pending);
      outboxDead.set(row.dead);
    } catch {
      // PostgreSQL unreachable: the previous values stay; dependency_up says why.
    }
  },
});

new Gauge({
  name: 'commonplace_recommendation_cache_hit_ratio',
  help: 'Hits over all suggestion cache reads since this process started',
  registers: [registry],
  async collect() {
    const values = (await recommendationCache.get()).values;
    const count = (r: string) => values.find((v) => v.labels.result === r)?.value ?? 0;
    const all = count('hit') + count('miss') + count('unavailable');
    this.set(all ? count('hit') / all : 0);
  },
});

export const dependencyUp = new Gauge({
  name: 'commonplace_dependency_up',
  help: '1 when the dependency answered the last readiness check, 0 when it did not',
  labelNames: ['dependency'] as const,
  registers: [registry],
});

/** The operation name as a label: client-chosen, so bounded in shape and in number. */
const seenOperations = new Set<string>();
const MAX_OPERATION_LABELS = 200;
export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'other';
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= MAX_OPERATION_LABELS) return 'other';
  seenOperations.add(name);
  return name;
}
