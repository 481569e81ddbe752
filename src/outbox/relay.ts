import { setTimeout as sleep } from 'node:timers/promises';
import type { JobsOptions } from 'bullmq';
import { Client } from 'pg';
import type { DataSource, QueryRunner } from 'typeorm';
import { type Logger, safeError } from '../common/logger';
import { withDefaultUser } from '../db/data-source';
import { outboxRelayed, outboxRelayFailures } from '../observability/metrics';
import { OUTBOX_CHANNEL, type StoredJobOptions } from './outbox';
import type { QueueSet } from './queues';

export interface RelayOptions {
  ds: DataSource;
  /** For the LISTEN connection, which must stay out of the pool. */
  databaseUrl: string;
  queues: QueueSet;
  log: Logger;
  /** Look for pending entries this often even when no notification came. */
  pollMs: number;
  batchSize: number;
  /** Relayed entries older than this are deleted. */
  retentionHours: number;
  /** A batch BullMQ has not taken within this long is given up and tried again later. */
  publishTimeoutMs?: number;
}

interface PendingRow {
  id: string;
  queue: string;
  name: string;
  data: Record<string, unknown>;
  job_id: string | null;
  opts: StoredJobOptions;
  request_id: string | null;
  attempts: number;
}

/** What the job data carries besides the sender's fields: where it came from. */
export interface JobTrace {
  outboxId: string;
  requestId?: string;
}

/** After this many refusals by BullMQ itself (not outages) an entry is set aside as dead. */
export const MAX_ENTRY_ATTEMPTS = 10;
const CLEANUP_EVERY_MS = 10 * 60_000;
const CLEANUP_BATCH = 5_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Moves outbox entries into BullMQ. Each pass claims up to `batchSize` pending entries with
 * `FOR UPDATE SKIP LOCKED`, so any number of relays (in any number of processes) share the
 * work without taking the same entry twice; adds them with deterministic job ids (`ob-<id>`
 * unless the sender chose one), so an entry added again after a crash between the add and
 * the commit is ignored by BullMQ; and marks them relayed in the same transaction. When Redis
 * (or PostgreSQL) is unreachable the pass rolls back, the entries stay pending and the relay
 * retries with backoff: nothing is lost, and nothing is added twice.
 *
 * A relay wakes on NOTIFY (sent when a transaction that wrote entries commits), and also polls,
 * so a lost notification or a dropped LISTEN connection only delays work by `pollMs`.
 */
export class OutboxRelay {
  private listener: Client | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private cleanupTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private failures = 0;
  private stopped = true;
  private lastFailureLog = 0;

  constructor(private readonly opts: RelayOptions) {}

  /** Redis is back: catch up now rather than when the backoff runs out (up to 30 s). */
  private readonly onRedisReady = () => {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.wake();
  };

  async start(): Promise<void> {
    this.stopped = false;
    this.opts.queues.connection.on('ready', this.onRedisReady);
    await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollMs);
    this.pollTimer.unref();
    this.cleanupTimer = setInterval(() => void this.cleanup(), CLEANUP_EVERY_MS);
    this.cleanupTimer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.opts.queues.connection.off('ready', this.onRedisReady);
    for (const t of [this.pollTimer, this.retryTimer, this.cleanupTimer]) if (t) clearTimeout(t);
    this.pollTimer = this.retryTimer = this.cleanupTimer = null;
    await this.running?.catch(() => undefined);
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  /** Asks for a pass soon; passes never overlap within one relay. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.retryTimer) return; // backing off after a failure
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Relays until nothing is pending; for tests and tools. Throws when a pass fails. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.relayBatch();
      total += n;
      if (n < this.opts.batchSize) return total;
    }
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        const n = await this.relayBatch();
        if (n >= this.opts.batchSize) this.again = true;
      } while (this.again && !this.stopped);
      if (this.failures) this.opts.log.info({ event: 'outbox.relay_recovered' });
      this.failures = 0;
    } catch (err) {
      this.failures += 1;
      outboxRelayFailures.inc();
      // An outage fails every pass; one line every ten seconds says enough.
      if (Date.now() - this.lastFailureLog > 10_000) {
        this.lastFailureLog = Date.now();
        this.opts.log.warn({
          event: 'outbox.relay_failed',
          failures: this.failures,
          err: safeError(err),
        });
      }
      const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(this.failures, 10));
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.wake();
      }, delay);
      this.retryTimer.unref();
    }
  }

  /** One transaction: claim, add to BullMQ, mark. Returns how many entries it claimed. */
  async relayBatch(): Promise<number> {
    const { queues } = this.opts;
    if (!queues.available) throw new Error('Redis is not connected');
    const qr = this.opts.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const rows: PendingRow[] = await qr.query(
        `SELECT id::text, queue, name, data, job_id, opts, request_id, attempts
           FROM outbox
          WHERE relayed_at IS NULL AND dead_at IS NULL
            AND (next_attempt_at IS NULL OR next_attempt_at <= now())
          ORDER BY id LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [this.opts.batchSize],
      );
      if (rows.length) await this.publish(qr, rows);
      await qr.commitTransaction();
      return rows.length;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  private async publish(qr: QueryRunner, rows: PendingRow[]): Promise<void> {
    const relayed: Array<{ id: string; jobId: string }> = [];
    const refused: Array<{ row: PendingRow; error: string }> = [];
    const byQueue = new Map<string, PendingRow[]>();
    for (const r of rows) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
    for (const [name, group] of byQueue) {
      const queue = this.opts.queues.get(name);
      const jobs = group.map((r) => asJob(r));
      const before = relayed.length;
      try {
        const added = await this.withinTimeout(queue.addBulk(jobs));
        added.forEach((job, i) => relayed.push({ id: group[i].id, jobId: String(job.id) }));
      } catch (err) {
        // Unreachable Redis fails the whole pass; anything else is about particular entries,
        // which are tried one by one so one bad entry cannot hold up the rest.
        if (!this.opts.queues.available) throw err;
        for (let i = 0; i < group.length; i++) {
          try {
            const job = await this.withinTimeout(
              queue.add(jobs[i].name, jobs[i].data, jobs[i].opts),
            );
            relayed.push({ id: group[i].id, jobId: String(job.id) });
          } catch (one) {
            if (!this.opts.queues.available) throw one;
            refused.push({ row: group[i], error: describe(one) });
          }
        }
      }
      if (relayed.length > before) outboxRelayed.inc({ queue: name }, relayed.length - before);
    }
    if (relayed.length) {
      await qr.query(
        `UPDATE outbox o SET relayed_at = now(), relayed_job_id = r.job_id, attempts = o.attempts + 1
           FROM unnest($1::bigint[], $2::text[]) AS r(id, job_id)
          WHERE o.id = r.id`,
        [relayed.map((r) => r.id), relayed.map((r) => r.jobId)],
      );
    }
    for (const { row, error } of refused) {
      const attempts = row.attempts + 1;
      const dead = attempts >= MAX_ENTRY_ATTEMPTS;
      await qr.query(
        `UPDATE outbox SET attempts = $2, last_error = $3,
                next_attempt_at = now() + make_interval(secs => $4::float),
                dead_at = CASE WHEN $5::boolean THEN now() END
          WHERE id = $1`,
        [row.id, attempts, error, Math.min(3600, 2 ** attempts), dead],
      );
      this.opts.log.error({
        event: dead ? 'outbox.entry_dead' : 'outbox.entry_refused',
        outboxId: row.id,
        queue: row.queue,
        job: row.name,
        attempts,
      });
    }
  }

  private withinTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.opts.publishTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`BullMQ did not answer within ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Deletes relayed entries past the retention period, a batch at a time. */
  async cleanup(): Promise<number> {
    let removed = 0;
    try {
      for (;;) {
        const [{ n }]: Array<{ n: number }> = await this.opts.ds.query(
          `WITH gone AS (
             DELETE FROM outbox WHERE id IN (
               SELECT id FROM outbox
                WHERE relayed_at < now() - make_interval(secs => $1::float)
                ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING 1)
           SELECT count(*)::int AS n FROM gone`,
          [this.opts.retentionHours * 3600, CLEANUP_BATCH],
        );
        removed += n;
        if (n < CLEANUP_BATCH || this.stopped) break;
      }
      if (removed) this.opts.log.info({ event: 'outbox.cleaned', removed });
    } catch (err) {
      this.opts.log.warn({ event: 'outbox.cleanup_failed', err: safeError(err) });
    }
    return removed;
  }

  /** LISTENs on its own connection, reconnecting with backoff after PostgreSQL restarts. */
  private async listen(attempt = 0): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: withDefaultUser(this.opts.databaseUrl),
      application_name: 'commonplace-outbox-relay',
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    const retry = () => {
      if (this.stopped || this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 6));
      void sleep(delay, undefined, { ref: false }).then(() => this.listen(attempt + 1));
    };
    client.on('error', (err) => {
      this.opts.log.warn({ event: 'outbox.listener_error', err: safeError(err) });
      retry();
    });
    client.on('end', retry);
    client.on('notification', () => this.wake());
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      attempt = 0;
      if (this.stopped) await client.end();
      // Anything committed while the listener was away is picked up now.
      else this.wake();
    } catch (err) {
      this.opts.log.warn({ event: 'outbox.listen_failed', err: safeError(err) });
      retry();
    }
  }
}

function asJob(r: PendingRow): { name: string; data: Record<string, unknown>; opts: JobsOptions } {
  const trace: JobTrace = { outboxId: r.id, ...(r.request_id ? { requestId: r.request_id } : {}) };
  return {
    name: r.name,
    data: { ...r.data, _trace: trace },
    opts: { ...r.opts, jobId: r.job_id ?? `ob-${r.id}` },
  };
}

/** BullMQ's own messages (bad options, a missing parent) name no personal data. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err);
}
