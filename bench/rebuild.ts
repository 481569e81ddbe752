/**
 * Times a full recommendation rebuild at library scale:
 *   node dist/bench/rebuild.js [--customers 100000 --items 50000 --activities 1000000 --shards 4]
 * Loads a generated library into a scratch database, then runs the same steps the workers run
 * (snapshot, every shard, finish) in this process and reports seconds and peak memory; then
 * refreshes every customer's cached suggestions and reports that separately.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config';
import { createModel } from '../src/recommendations/model.repository';
import { buildShard, finishBuild } from '../src/recommendations/model-builder';
import { loadModel } from '../src/recommendations/model.repository';
import { RecommendationStore } from '../src/recommendations/recommendation.store';
import { refreshCustomers } from '../src/recommendations/refresher';
import { dropDatabase, loadLibrary, rssSampler, scratchDatabase } from './scratch';

async function main() {
  const { values } = parseArgs({
    options: {
      customers: { type: 'string', default: '100000' },
      items: { type: 'string', default: '50000' },
      activities: { type: 'string', default: '1000000' },
      shards: { type: 'string', default: '4' },
      keep: { type: 'boolean', default: false },
    },
  });
  const size = {
    customers: Number(values.customers),
    items: Number(values.items),
    activities: Number(values.activities),
    events: 2000,
    branches: 20,
  };
  const config = loadConfig();
  const { url, ds } = await scratchDatabase(config.DATABASE_URL, 'commonplace_bench_rebuild');
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench${Date.now()}`;
  const store = new RecommendationStore(redis, prefix, 600);
  try {
    process.stdout.write(`loading ${JSON.stringify(size)} ...\n`);
    const importSeconds = await loadLibrary(ds, size);
    const rss = rssSampler();
    const t0 = Date.now();
    const shards = Number(values.shards);
    const modelId = await createModel(ds, shards, Date.now());
    for (let s = 0; s < shards; s++)
      await buildShard(ds, modelId, s, { halfLifeDays: config.RECOMMENDER_HALF_LIFE_DAYS });
    await finishBuild(ds, store, modelId, {
      halfLifeDays: config.RECOMMENDER_HALF_LIFE_DAYS,
      popularTtlSeconds: 600,
    });
    const buildSeconds = (Date.now() - t0) / 1000;
    const buildPeak = rss.peakMb();

    const t1 = Date.now();
    const model = await loadModel(ds, modelId);
    const ids: Array<{ id: string }> = await ds.query(
      `SELECT id::text FROM customer WHERE recommendation_mode <> 'OFF' AND status <> 'ERASED' ORDER BY id`,
    );
    for (let i = 0; i < ids.length; i += 500) {
      await refreshCustomers(
        ds,
        store,
        model,
        ids.slice(i, i + 500).map((r) => r.id),
      );
    }
    const refreshSeconds = (Date.now() - t1) / 1000;
    rss.stop();
    const result = {
      bench: 'rebuild',
      ...size,
      shards,
      importSeconds: Math.round(importSeconds),
      buildSeconds: Math.round(buildSeconds * 10) / 10,
      buildPeakRssMb: buildPeak,
      refreshedCustomers: ids.length,
      refreshSeconds: Math.round(refreshSeconds * 10) / 10,
      customersPerSecond: Math.round(ids.length / refreshSeconds),
      peakRssMb: rss.peakMb(),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.stdout.write(
      `full rebuild of ${size.customers} customers / ${size.items} titles / ${size.activities} activities: ` +
        `${result.buildSeconds} s, peak ${buildPeak} MB; refreshing ${ids.length} customers took ` +
        `${result.refreshSeconds} s (${result.customersPerSecond}/s)\n`,
    );
  } finally {
    const keys = await redis.keys(`${prefix}:*`);
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    redis.disconnect();
    await ds.destroy();
    if (!values.keep) await dropDatabase(url);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
