import type { Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from '../src/common/logger';
import { cancelPendingRefresh } from '../src/privacy/refresh-jobs';
import { finishBuild, buildShard } from '../src/recommendations/model-builder';
import { createModel } from '../src/recommendations/model.repository';
import type { ModelCache } from '../src/recommendations/model-cache';
import {
  RECOMMENDATIONS_QUEUE,
  type RecommendationJobName,
  type RecommendationJobs,
  type RecommendationQueue,
} from '../src/recommendations/recommendation.queue';
import type { RecommendationStore } from '../src/recommendations/recommendation.store';
import { refreshCustomers } from '../src/recommendations/refresher';

/** Customers per refresh job in a fan-out. */
export const REFRESH_CHUNK = 500;

export interface RecommendationWorkerDeps {
  ds: DataSource;
  store: RecommendationStore;
  queue: RecommendationQueue;
  models: ModelCache;
  log: Logger;
  halfLifeDays: number;
  /** Shards a rebuild is split into when the request does not say. */
  defaultShards: number;
  popularTtlSeconds: number;
}

type AnyJob = Job<RecommendationJobs[RecommendationJobName], unknown, RecommendationJobName>;

/**
 * Runs one job of the recommendations queue. Every branch is idempotent, so a job that ran
 * partly (its worker died) and runs again elsewhere ends as if it had run once:
 * - rebuild: the model row is keyed by the job (`build_key`), so a retry reuses the build it
 *   started; the shard flow has ids derived from the model id, so adding it again adds nothing;
 * - build-shard: recomputed from the model's snapshot and upserted;
 * - finish-build: does nothing to a model already READY (it only re-publishes the popular
 *   lists), and the refresh-all job it queues has an id derived from the model;
 * - refresh-all, refresh-chunk, refresh-done, refresh-customer(s): recompute and overwrite;
 * - forget-customer: deletes what an erased or OFF customer must not have, whatever is there.
 */
export function recommendationProcessor(deps: RecommendationWorkerDeps) {
  const { ds, store, queue, models, log } = deps;
  const q = RECOMMENDATIONS_QUEUE;
  const prefix = queue.prefix;

  return async (job: AnyJob): Promise<unknown> => {
    const started = Date.now();
    const done = (result: Record<string, unknown>) => {
      log.info({
        event: 'job.completed',
        queue: q,
        job: job.name,
        jobId: job.id,
        ms: Date.now() - started,
        ...result,
      });
      return result;
    };
    switch (job.name) {
      case 'rebuild': {
        const data = job.data as RecommendationJobs['rebuild'];
        const shards = Math.max(1, data.shards ?? deps.defaultShards);
        // A retried rebuild reuses the model it already started rather than opening another,
        // even when its worker died between creating the model and saving its id on the job.
        const buildKey = `${prefix}/${job.id}/${job.timestamp}`;
        const modelId =
          data.modelId ?? (await createModel(ds, shards, data.asOf ?? Date.now(), buildKey));
        if (!data.modelId) await job.updateData({ ...data, modelId });
        await queue.flow.add({
          name: 'finish-build',
          queueName: q,
          prefix,
          data: { modelId },
          opts: {
            jobId: `finish-${modelId}`,
            attempts: 5,
            backoff: { type: 'exponential', delay: 1000 },
          },
          children: Array.from({ length: shards }, (_, shard) => ({
            name: 'build-shard',
            queueName: q,
            prefix,
            data: { modelId, shard },
            opts: {
              jobId: `shard-${modelId}-${shard}`,
              attempts: 5,
              backoff: { type: 'exponential', delay: 1000 },
            },
          })),
        });
        return done({ modelId, shards });
      }
      case 'build-shard': {
        const { modelId, shard } = job.data as RecommendationJobs['build-shard'];
        const r = await buildShard(ds, modelId, shard, { halfLifeDays: deps.halfLifeDays });
        return done({ modelId, shard, items: r.items });
      }
      case 'finish-build': {
        const { modelId } = job.data as RecommendationJobs['finish-build'];
        const { alreadyReady } = await finishBuild(ds, store, modelId, {
          halfLifeDays: deps.halfLifeDays,
          popularTtlSeconds: deps.popularTtlSeconds,
        });
        await queue.queue.add('refresh-all', { modelId }, { jobId: `refresh-all-${modelId}` });
        return done({ modelId, alreadyReady });
      }
      case 'refresh-all': {
        const { modelId } = job.data as RecommendationJobs['refresh-all'];
        const rows: Array<{ id: string }> = await ds.query(
          `SELECT id::text FROM customer WHERE status <> 'ERASED' AND recommendation_mode <> 'OFF' ORDER BY id`,
        );
        const children = [];
        for (let i = 0; i < rows.length; i += REFRESH_CHUNK) {
          children.push({
            name: 'refresh-chunk',
            queueName: q,
            prefix,
            data: { modelId, customerIds: rows.slice(i, i + REFRESH_CHUNK).map((r) => r.id) },
            opts: { jobId: `refresh-chunk-${modelId}-${i / REFRESH_CHUNK}`, attempts: 5 },
          });
        }
        await queue.flow.add({
          name: 'refresh-done',
          queueName: q,
          prefix,
          data: { modelId },
          opts: { jobId: `refresh-done-${modelId}` },
          children,
        });
        return done({ modelId, customers: rows.length, chunks: children.length });
      }
      case 'refresh-chunk': {
        const { customerIds } = job.data as RecommendationJobs['refresh-chunk'];
        const model = await models.latest();
        if (!model) return done({ skipped: 'no model' });
        const r = await refreshCustomers(ds, store, model, customerIds);
        return done({ model: model.id, ...r });
      }
      case 'refresh-done': {
        const { modelId } = job.data as RecommendationJobs['refresh-done'];
        await ds.query(
          `UPDATE rec_model SET stats = stats || jsonb_build_object('refreshedAt', now()) WHERE id = $1`,
          [modelId],
        );
        return done({ modelId });
      }
      case 'refresh-customer': {
        const { customerId } = job.data as RecommendationJobs['refresh-customer'];
        const model = await models.latest();
        if (!model) {
          // Nothing to refresh from yet: build the first model, which refreshes everyone.
          await queue.requestRebuild();
          return done({ skipped: 'no model' });
        }
        const r = await refreshCustomers(ds, store, model, [customerId]);
        return done({ model: model.id, ...r });
      }
      case 'refresh-customers': {
        const { customerIds } = job.data as RecommendationJobs['refresh-customers'];
        const model = await models.latest();
        if (!model) {
          await queue.requestRebuild();
          return done({ skipped: 'no model' });
        }
        const r = await refreshCustomers(ds, store, model, customerIds);
        return done({ model: model.id, customers: customerIds.length, ...r });
      }
      case 'forget-customer': {
        const { customerId } = job.data as RecommendationJobs['forget-customer'];
        const [row]: Array<{ status: string; mode: string }> = await ds.query(
          'SELECT status, recommendation_mode AS mode FROM customer WHERE id = $1',
          [customerId],
        );
        // They may have switched personalisation back on since; then their list stays.
        if (row && row.status !== 'ERASED' && row.mode !== 'OFF') {
          return done({ customerId, skipped: 'personalised again' });
        }
        await store.evict([customerId]);
        const { removed } = await cancelPendingRefresh(queue.queue, customerId);
        return done({ customerId, cancelledRefresh: removed });
      }
      default:
        throw new Error(`unknown job ${job.name as string} on ${q}`);
    }
  };
}
