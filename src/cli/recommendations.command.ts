import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config';
import { rootLogger } from '../common/logger';
import { connectMigrated as connect, createRedis } from '../platform';
import { latestReadyModelId } from '../recommendations/model.repository';
import { RecommendationQueue } from '../recommendations/recommendation.queue';

export interface RebuildOptions {
  wait?: boolean;
  shards?: number;
  timeout: number;
}

/**
 * Queues a rebuild. With --wait, waits until the new model is ready and every customer's cache
 * entry has been refreshed from it; refuses at once when no worker is there to do the work.
 */
export async function rebuildCommand(opts: RebuildOptions): Promise<number> {
  const config = loadConfig();
  const ds = await connect(config, rootLogger);
  const redis = createRedis(config.REDIS_URL, 'commonplace-cli');
  const queue = new RecommendationQueue(redis, config.REDIS_PREFIX);
  try {
    const workers = await queue.workerCount();
    if (opts.wait && workers === 0) {
      process.stderr.write(
        'No recommendation worker is running, so nothing would rebuild the model.\n' +
          'Start one with `npm run start:worker` (or `npm start`) and try again.\n',
      );
      return 1;
    }
    const before = (await latestReadyModelId(ds)) ?? '0';
    const jobId = await queue.requestRebuild(opts.shards);
    process.stdout.write(`rebuild queued (job ${jobId}, ${workers} worker(s) connected)\n`);
    if (!opts.wait) return 0;
    const started = Date.now();
    const deadline = started + opts.timeout * 1000;
    while (Date.now() < deadline) {
      const [row] = await ds.query(
        `SELECT id::text, stats FROM rec_model
          WHERE id > $1 AND status = 'READY' AND stats ? 'refreshedAt' ORDER BY id DESC LIMIT 1`,
        [before],
      );
      if (row) {
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          `model ${row.id} is ready and every customer's suggestions are fresh (${secs} s; ` +
            `${row.stats.items} titles, ${row.stats.interactions} interactions)\n`,
        );
        return 0;
      }
      const [failed] = await ds.query(
        `SELECT id FROM rec_model WHERE id > $1 AND status = 'FAILED'`,
        [before],
      );
      if (failed) {
        process.stderr.write(`model ${failed.id} failed to build; see the worker's log\n`);
        return 1;
      }
      if ((await queue.workerCount()) === 0) {
        process.stderr.write('Every worker has gone away before the rebuild finished.\n');
        return 1;
      }
      await sleep(500);
    }
    process.stderr.write(`gave up waiting after ${opts.timeout} s; the rebuild may still finish\n`);
    return 1;
  } finally {
    await queue.close();
    redis.disconnect();
    await ds.destroy();
  }
}
