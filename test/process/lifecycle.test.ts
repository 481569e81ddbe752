import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createTestDb, deleteRedisKeys, type TestDb } from '../support/db';
import { eventually } from '../support/library';
import { freePort } from '../support/processes';

/** The real entry point, as `npm start` runs it: ready when its dependencies are, and stopping cleanly. */
const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
let db: TestDb;
let port: number;
let prefix: string;

beforeAll(async () => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  db = await createTestDb('lifecycle');
  // A port the system just handed out, not a random guess that may be some connection's.
  port = await freePort();
  prefix = `cplife${port}`;
});

afterAll(async () => {
  await db.drop();
  // The process queued its nightly schedules and jobs under its own prefix: remove them.
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    await redis.ping();
    await deleteRedisKeys(redis, prefix);
  } finally {
    redis.disconnect();
  }
});

it('serves /healthz and /readyz, then drains and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [MAIN, 'all'], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      // Production settings: that is where signal handling matters.
      NODE_ENV: 'production',
      JWT_SECRET: 'lifecycle-test-secret-lifecycle-test-secret',
      // Production refuses to start without a secret for unsubscribe links (marketing).
      LINK_SECRET: 'lifecycle-test-link-secret-lifecycle-test-link',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  try {
    const ready = await eventually(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
      return res?.status === 200 ? res.json() : null;
    }, 30_000);
    expect(ready).toEqual({ status: 'ready', postgres: 'up', redis: 'up' });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  } finally {
    child.kill('SIGTERM');
  }
  // Generous: this bounds a hang, it does not time the shutdown.
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    exited,
    new Promise((r) => (timer = setTimeout(() => r('still running'), 25_000))),
  ]);
  clearTimeout(timer);
  expect(code).toBe(0);
}, 60_000);
