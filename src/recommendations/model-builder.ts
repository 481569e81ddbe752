import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { Audience } from '../catalogue/catalogue.enums';
import {
  buildInteractionMatrix,
  computeNeighbours,
  computePopularity,
  type GroupPopularity,
  mergeNeighbourShards,
  type NeighbourShard,
  planItemShards,
} from './engine';
import {
  getModelRow,
  loadInteractions,
  loadShards,
  saveShard,
  serializePopularity,
} from './model.repository';
import { audiencesAllowedFor, popularListKey, type PopularKind } from './popular-lists';
import type { PopularEntry, RecommendationStore } from './recommendation.store';

/** Items handled between two yields to the event loop, so BullMQ can renew the job's lock. */
const ITEMS_PER_SLICE = 250;
/** Similar titles kept per title for `similarItems`. */
export const SIMILAR_PER_ITEM = 20;
/** Length of each precomputed popular list. */
export const POPULAR_LIST_LENGTH = 100;

export interface BuildSettings {
  halfLifeDays: number;
}

/**
 * Computes the neighbours of one shard of the catalogue. Every shard job rebuilds the same
 * interaction matrix from the same snapshot, so shards can run on different machines; the
 * shard's items are processed in slices with a yield between them.
 */
export async function buildShard(
  ds: DataSource,
  modelId: string,
  shard: number,
  settings: BuildSettings,
): Promise<{ items: number }> {
  const row = await getModelRow(ds, modelId);
  if (!row) throw new Error(`recommendation model ${modelId} does not exist`);
  const { itemIds, catalogue, maxActivityId } = row.snapshot;
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const { activities, customerCount } = await loadInteractions(ds, itemIndex, maxActivityId);
  const matrix = buildInteractionMatrix(activities, {
    customerCount,
    itemCount: catalogue.length,
    now: row.asOf,
    halfLifeDays: settings.halfLifeDays,
  });
  const plan = planItemShards(matrix, row.shardCount);
  const mine = plan[shard];
  const parts: NeighbourShard[] = [];
  if (mine) {
    for (let start = mine.start; start < mine.end; start += ITEMS_PER_SLICE) {
      parts.push(
        computeNeighbours(matrix, { start, end: Math.min(mine.end, start + ITEMS_PER_SLICE) }),
      );
      await yieldToLoop();
    }
  }
  await saveShard(ds, modelId, shard, parts);
  return { items: mine ? mine.end - mine.start : 0 };
}

/**
 * Completes a build once every shard is stored: popularity, the similar-title table, the
 * popular lists (in PostgreSQL and Redis), then marks the model READY. Safe to re-run.
 */
export async function finishBuild(
  ds: DataSource,
  store: RecommendationStore,
  modelId: string,
  settings: BuildSettings & { popularTtlSeconds: number },
): Promise<{ alreadyReady: boolean }> {
  const row = await getModelRow(ds, modelId);
  if (!row) throw new Error(`recommendation model ${modelId} does not exist`);
  const { itemIds, catalogue, maxActivityId } = row.snapshot;
  const shards = await loadShards(ds, modelId);
  if (shards.length !== row.shardCount) {
    throw new Error(`model ${modelId} has ${shards.length} of ${row.shardCount} shards`);
  }
  const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
  const { activities, groups } = await loadInteractions(ds, itemIndex, maxActivityId);
  const popularity = computePopularity(activities, {
    itemCount: catalogue.length,
    now: row.asOf,
    audienceOfCustomer: (c) => groups[c],
  });
  const neighbours = mergeNeighbourShards(shards.flat(), catalogue.length);

  const lists = popularLists(
    popularity.byBranch,
    popularity.global,
    itemIds,
    catalogue.map((c) => c.audience),
  );
  let alreadyReady = false;
  await ds.transaction(async (tx) => {
    const [current] = await tx.query('SELECT status FROM rec_model WHERE id = $1 FOR UPDATE', [
      modelId,
    ]);
    if (current.status === 'READY') {
      alreadyReady = true;
      return;
    }
    // Replaced wholesale: the tables always describe exactly one model.
    await tx.query('DELETE FROM item_similarity');
    const sim = {
      item: [] as string[],
      rank: [] as number[],
      other: [] as string[],
      score: [] as number[],
    };
    for (let i = 0; i < catalogue.length; i++) {
      const from = neighbours.offsets[i];
      const to = Math.min(neighbours.offsets[i + 1], from + SIMILAR_PER_ITEM);
      for (let p = from; p < to; p++) {
        sim.item.push(itemIds[i]);
        sim.rank.push(p - from + 1);
        sim.other.push(itemIds[neighbours.neighbours[p]]);
        sim.score.push(neighbours.scores[p]);
      }
    }
    // PostgreSQL caps a statement's parameters, so rows go in as arrays, 20,000 at a time.
    for (let s = 0; s < sim.item.length; s += 20_000) {
      await tx.query(
        `INSERT INTO item_similarity (item_id, rank, similar_item_id, score)
         SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::bigint[], $4::real[])`,
        [
          sim.item.slice(s, s + 20_000),
          sim.rank.slice(s, s + 20_000),
          sim.other.slice(s, s + 20_000),
          sim.score.slice(s, s + 20_000),
        ],
      );
    }
    await tx.query('DELETE FROM popular_item');
    const pop = {
      key: [] as string[],
      rank: [] as number[],
      item: [] as string[],
      score: [] as number[],
    };
    for (const [key, entries] of lists) {
      entries.forEach((e, r) => {
        pop.key.push(key);
        pop.rank.push(r + 1);
        pop.item.push(e.itemId);
        pop.score.push(e.score);
      });
    }
    await tx.query(
      `INSERT INTO popular_item (list_key, rank, item_id, score)
       SELECT * FROM unnest($1::text[], $2::smallint[], $3::bigint[], $4::real[])`,
      [pop.key, pop.rank, pop.item, pop.score],
    );
    await tx.query(
      `UPDATE rec_model SET status = 'READY', finished_at = now(), popularity = $2,
              stats = stats || $3::jsonb
        WHERE id = $1`,
      [
        modelId,
        serializePopularity(popularity),
        { interactions: activities.length, similarRows: sim.item.length },
      ],
    );
    // Keep this model and the one before it (refreshes may still be reading it).
    await tx.query(
      `DELETE FROM rec_model WHERE id < $1 AND id NOT IN (
         SELECT id FROM rec_model WHERE status = 'READY' AND id < $1 ORDER BY id DESC LIMIT 1)`,
      [modelId],
    );
  });
  await store.putPopular(lists, settings.popularTtlSeconds);
  return { alreadyReady };
}

/**
 * Popular lists per branch and overall, for each readership group, all-time and trending;
 * each list holds only stock that group may be shown.
 */
export function popularLists(
  byBranch: ReadonlyMap<number, GroupPopularity>,
  global: GroupPopularity,
  itemIds: readonly string[],
  audiences: readonly Audience[],
): Map<string, PopularEntry[]> {
  const out = new Map<string, PopularEntry[]>();
  const scopes: Array<[string | null, GroupPopularity]> = [[null, global]];
  for (const [branch, table] of byBranch) scopes.push([String(branch), table]);
  for (const [branchId, table] of scopes) {
    for (const group of [Audience.ADULT, Audience.YOUNG_ADULT, Audience.CHILDREN]) {
      const allowed = new Set(audiencesAllowedFor(group));
      for (const kind of ['ALL_TIME', 'TRENDING'] as PopularKind[]) {
        const ranked = kind === 'ALL_TIME' ? table.ranked : table.trendingRanked;
        const scores = kind === 'ALL_TIME' ? table.allTime : table.trending;
        const entries: PopularEntry[] = [];
        for (let r = 0; r < ranked.length && entries.length < POPULAR_LIST_LENGTH; r++) {
          const item = ranked[r];
          if (scores[item] <= 0 || !allowed.has(audiences[item])) continue;
          entries.push({ itemId: itemIds[item], score: Math.round(scores[item] * 1000) / 1000 });
        }
        if (entries.length) out.set(popularListKey(branchId, group, kind), entries);
      }
    }
  }
  return out;
}
