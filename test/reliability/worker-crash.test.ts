import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { Client } from 'pg';
import pino from 'pino';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { withDefaultUser } from '../../src/db/data-source';
import { openPlatform, type Platform } from '../../src/platform';
import { createTestDb, deleteRedisKeys, type TestDb } from '../support/db';
import { eventually, seedTasteLibrary, waitForRefreshedModel } from '../support/library';
import { collectJsonLines, freePort } from '../support/processes';

/**
 * Fault tests with real worker processes (`node dist/src/main.js worker`, the production entry
 * point, running the real processors). A shard of a model rebuild is made to stop half-way by
 * holding a lock on the table it writes to, so the job is certainly running when the worker
 * is killed or told to stop.
 */
const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
let db: TestDb;
let platform: Platform;
const prefix = `cpcrash${randomBytes(4).toString('hex')}`;

interface WorkerProcess {
  child: ChildProcess;
  logs: Array<Record<string, any>>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, [MAIN, 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'info',
      NODE_ENV: 'test',
      DB_POOL_SIZE: '4',
      // Short, so a dead worker's job is noticed within seconds rather than a minute.
      WORKER_LOCK_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, logs: collectJsonLines(child), exit };
}

async function started(w: WorkerProcess): Promise<void> {
  await eventually(async () => w.logs.some((l) => l.event === 'workers.started'), 30_000);
}

/** Holds an exclusive lock on the table shard jobs write, until `release`. */
async function blockShardWrites() {
  const client = new Client({ connectionString: withDefaultUser(db.url) });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE rec_model_shard IN ACCESS EXCLUSIVE MODE');
  return {
    async release() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** Shard jobs that are running right now and stuck on the lock. */
async function stuckShardJobs(): Promise<Job[]> {
  return eventually(async () => {
    const [{ n }] = await db.ds.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'
          AND query ILIKE '%rec_model_shard%'`,
    );
    const active = (await platform.recommendations.queue.queue.getActive()).filter(
      (j) => j.name === 'build-shard',
    );
    return n > 0 && active.length > 0 ? active : null;
  }, 30_000);
}

const completions = (w: WorkerProcess, jobId: string) =>
  w.logs.filter((l) => l.event === 'job.completed' && l.jobId === jobId).length;

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  db = await createTestDb('worker_crash');
  await seedTasteLibrary(db.ds);
  const config = loadConfig({ DATABASE_URL: db.url, REDIS_PREFIX: prefix, NODE_ENV: 'test' });
  platform = await openPlatform(config, {
    migrate: false,
    log: pino({ level: 'silent' }),
    ds: db.ds,
  });
}, 60_000);

afterAll(async () => {
  await deleteRedisKeys(platform.redis, prefix);
  await platform.close();
  await db.drop();
});

it('finishes a job once on another worker after its worker is killed with SIGKILL', async () => {
  const lock = await blockShardWrites();
  const a = startWorker();
  let b: WorkerProcess | null = null;
  try {
    await started(a);
    await platform.recommendations.queue.requestRebuild(2, Date.UTC(2026, 0, 1));
    const stuck = await stuckShardJobs();
    const ids = stuck.map((j) => String(j.id));
    a.child.kill('SIGKILL');
    expect((await a.exit).signal).toBe('SIGKILL');
    // The dead worker's half-done write may still land when the lock goes: it must not matter.
    await lock.release();

    const metricsPort = await freePort();
    b = startWorker({ METRICS_PORT: String(metricsPort) });
    await started(b);
    const modelId = await waitForRefreshedModel(db.ds, '0', 60_000);
    // A worker-only process serves its own metrics: the shards it ran are there.
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(scraped).toMatch(
      /commonplace_job_duration_seconds_count\{queue="recommendations",name="build-shard",outcome="completed"\} [12]/,
    );

    const models = await db.ds.query('SELECT id::text, status, build_key FROM rec_model');
    expect(models).toEqual([{ id: modelId, status: 'READY', build_key: expect.any(String) }]);
    const [{ shards }] = await db.ds.query(
      'SELECT count(*)::int AS shards FROM rec_model_shard WHERE model_id = $1',
      [modelId],
    );
    expect(shards).toBe(2);
    const { queue } = platform.recommendations;
    for (const id of ids) {
      const job = (await queue.queue.getJob(id))!;
      expect(await job.getState()).toBe('completed');
      // Started on the killed worker, found stalled, started again and finished on the other.
      expect(job.stalledCounter).toBe(1);
      expect(job.attemptsStarted).toBe(2);
      expect(job.processedBy).toBe(`recommendations@${hostname()}:${b.child.pid}`);
      expect(completions(a, id)).toBe(0);
      expect(completions(b, id)).toBe(1);
    }
    // The rest of the build ran once too.
    for (const id of [`finish-${modelId}`, `refresh-all-${modelId}`, `refresh-done-${modelId}`]) {
      expect(completions(a, id) + completions(b, id)).toBe(1);
    }
  } finally {
    a.child.kill('SIGKILL');
    if (b) {
      b.child.kill('SIGTERM');
      expect((await b.exit).code).toBe(0);
    }
  }
}, 120_000);

it('hands a running job back on SIGTERM once the grace period is over, and exits', async () => {
  const before = (await db.ds.query(`SELECT max(id)::text AS id FROM rec_model`))[0].id ?? '0';
  const lock = await blockShardWrites();
  const c = startWorker({ SHUTDOWN_GRACE_MS: '500' });
  let d: WorkerProcess | null = null;
  try {
    await started(c);
    await platform.recommendations.queue.requestRebuild(2, Date.UTC(2026, 0, 2));
    const ids = (await stuckShardJobs()).map((j) => String(j.id));
    c.child.kill('SIGTERM');
    // It exits although its job cannot have finished: the lock is still held.
    expect(await c.exit).toEqual({ code: 0, signal: null });
    const { queue } = platform.recommendations;
    for (const id of ids) {
      expect(await (await queue.queue.getJob(id))!.getState()).toBe('waiting');
      expect(c.logs.some((l) => l.event === 'job.handed_back' && l.jobId === id)).toBe(true);
    }
    await lock.release();

    d = startWorker();
    await started(d);
    const modelId = await waitForRefreshedModel(db.ds, before, 60_000);
    for (const id of ids) {
      const job = (await queue.queue.getJob(id))!;
      expect(await job.getState()).toBe('completed');
      expect(job.stalledCounter).toBe(0);
      expect(completions(c, id)).toBe(0);
      expect(completions(d, id)).toBe(1);
    }
    const [{ shards }] = await db.ds.query(
      'SELECT count(*)::int AS shards FROM rec_model_shard WHERE model_id = $1',
      [modelId],
    );
    expect(shards).toBe(2);
  } finally {
    c.child.kill('SIGKILL');
    await lock.release().catch(() => undefined);
    if (d) {
      d.child.kill('SIGTERM');
      await d.exit;
    }
  }
}, 120_000);

it('lets a running job finish on SIGTERM when it can within the grace period', async () => {
  const before = (await db.ds.query(`SELECT max(id)::text AS id FROM rec_model`))[0].id ?? '0';
  const lock = await blockShardWrites();
  const e = startWorker({ SHUTDOWN_GRACE_MS: '60000' });
  try {
    await started(e);
    await platform.recommendations.queue.requestRebuild(1, Date.UTC(2026, 0, 3));
    const ids = (await stuckShardJobs()).map((j) => String(j.id));
    e.child.kill('SIGTERM');
    await eventually(async () => e.logs.some((l) => l.event === 'shutdown.start'));
    await lock.release();
    expect(await e.exit).toEqual({ code: 0, signal: null });
    for (const id of ids) {
      const job = (await platform.recommendations.queue.queue.getJob(id))!;
      expect(await job.getState()).toBe('completed');
      expect(completions(e, id)).toBe(1);
    }
    // The rest of the build waits in the queue for the next worker; nothing was lost.
    const [model] = await db.ds.query(`SELECT id::text FROM rec_model WHERE id > $1`, [before]);
    expect(model).toBeDefined();
  } finally {
    e.child.kill('SIGKILL');
    await lock.release().catch(() => undefined);
  }
}, 120_000);
