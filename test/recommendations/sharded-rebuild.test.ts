import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startTestApi, type TestApi } from '../support/api';
import { eventually, seedTasteLibrary, waitForRefreshedModel } from '../support/library';
import { startWorkers } from '../../workers/run';

/**
 * The rebuild is split into shard jobs so several machines share it. Two separate worker
 * processes must produce exactly the model one in-process worker produces.
 */
const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
const AS_OF = Date.parse('2026-06-01T00:00:00Z');

let api: TestApi;
const children: ChildProcess[] = [];

const similarity = async (): Promise<string[]> =>
  (
    await api.db.ds.query(
      `SELECT item_id || ':' || rank || ':' || similar_item_id || ':' || score AS row
       FROM item_similarity ORDER BY item_id, rank`,
    )
  ).map((r: { row: string }) => r.row);

beforeAll(async () => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
  api = await startTestApi('sharded');
  await seedTasteLibrary(api.db.ds);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null) return resolve(null);
          c.once('exit', resolve);
          c.kill('SIGTERM');
        }),
    ),
  );
  await api.close();
});

it('builds the same model with two worker processes as with one in-process worker', async () => {
  const single = await startWorkers(api.platform, { concurrency: 1 });
  await api.platform.recommendations.queue.requestRebuild(4, AS_OF);
  const first = await waitForRefreshedModel(api.db.ds);
  const oneWorker = await similarity();
  await single.stop();
  expect(oneWorker.length).toBeGreaterThan(50);

  const env = {
    ...process.env,
    DATABASE_URL: api.db.url,
    REDIS_PREFIX: api.platform.config.REDIS_PREFIX,
    LOG_LEVEL: 'warn',
  };
  for (let i = 0; i < 2; i++) {
    children.push(
      spawn(process.execPath, [MAIN, 'worker'], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
    );
  }
  await eventually(
    async () => (await api.platform.recommendations.queue.workerCount()) >= 2,
    30_000,
  );
  await api.platform.recommendations.queue.requestRebuild(4, AS_OF);
  const second = await waitForRefreshedModel(api.db.ds, first);
  expect(Number(second)).toBeGreaterThan(Number(first));
  expect(await similarity()).toEqual(oneWorker);
}, 120_000);
