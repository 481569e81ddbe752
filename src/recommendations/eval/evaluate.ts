import { performance } from 'node:perf_hooks';
import { Audience, ItemFormat } from '../../catalogue/catalogue.enums';
import { AgeBand } from '../../customers/customer.enums';
import {
  assembleModel,
  buildFeatureIndex,
  buildInteractionMatrix,
  computeNeighbours,
  computePopularity,
  mergeNeighbourShards,
  planItemShards,
  recommendForCustomer,
  type CatalogueItem,
  type CustomerProfile,
  type NeighbourOptions,
  type RecommendationModel,
  type RecommendOptions,
  type SignalOptions,
} from '../engine';
import type { Movie } from './movielens';
import { summarise, type EvalUser, type GroupMetrics, type Split } from './protocol';

/** Everything tunable about an engine run; empty objects mean the engine's defaults. */
export interface EngineSettings {
  signals?: SignalOptions;
  matrixHalfLifeDays?: number;
  neighbours?: NeighbourOptions;
  recommend?: RecommendOptions;
  /** Neighbour shards computed in turn, as separate workers would. */
  shardCount?: number;
}

/** Results of both methods on one split. */
export interface Evaluation {
  engine: { warm: GroupMetrics; cold: GroupMetrics };
  popularity: { warm: GroupMetrics; cold: GroupMetrics };
  buildMs: number;
  /** CPU time of the build; wall time alone misleads on a shared machine. */
  buildCpuMs: number;
  serveMs: number;
}

/** List length evaluated. */
export const K = 10;

/**
 * Films as catalogue titles. MovieLens has no audience rating, authors, series or languages, so
 * every film is an English adult DVD and genres are its only distinguishing features.
 */
export function catalogueFromMovies(movies: readonly Movie[]): CatalogueItem[] {
  return movies.map((movie) => ({
    format: ItemFormat.DVD,
    audience: Audience.ADULT,
    language: 'en',
    genres: movie.genres,
  }));
}

/**
 * The model build exactly as workers run it: interaction matrix, neighbours shard by shard,
 * popularity, features, assembly.
 */
export function buildEngineModel(
  split: Split,
  catalogue: readonly CatalogueItem[],
  settings: EngineSettings,
): RecommendationModel {
  const itemCount = catalogue.length;
  const matrix = buildInteractionMatrix(split.training, {
    ...settings.signals,
    customerCount: split.customerCount,
    itemCount,
    now: split.buildNow,
    halfLifeDays: settings.matrixHalfLifeDays,
  });
  const shards = planItemShards(matrix, settings.shardCount ?? 3).map((shard) =>
    computeNeighbours(matrix, shard, settings.neighbours),
  );
  const neighbours = mergeNeighbourShards(shards, itemCount);
  const popularity = computePopularity(split.training, {
    ...settings.signals,
    itemCount,
    now: split.buildNow,
  });
  const features = buildFeatureIndex(catalogue, popularity);
  return assembleModel({ catalogue, neighbours, popularity, features });
}

/** The engine's top-K list for each user, as a worker would serve it. */
export function engineLists(
  model: RecommendationModel,
  users: readonly EvalUser[],
  settings: EngineSettings,
): number[][] {
  return users.map((user) => {
    const profile: CustomerProfile = {
      ageBand: AgeBand.UNKNOWN,
      mode: 'FULL',
      interests: user.interests,
      history: user.history,
    };
    const options = { ...settings.signals, ...settings.recommend, limit: K };
    return recommendForCustomer(model, profile, { now: user.now }, options).map((r) => r.itemIndex);
  });
}

/**
 * The baseline: titles by number of training ratings, most first, ties by lower index, with
 * the user's own history left out.
 */
export function popularityLists(split: Split, itemCount: number): number[][] {
  const counts = new Int32Array(itemCount);
  const counted = new Set<string>();
  for (const entry of split.training) {
    // Each rating is a LOAN and a RATING entry; count the pair once.
    const key = `${entry.customer}:${entry.item}`;
    if (counted.has(key)) continue;
    counted.add(key);
    counts[entry.item]++;
  }
  const order = Array.from({ length: itemCount }, (_, i) => i).sort(
    (a, b) => counts[b] - counts[a] || a - b,
  );
  return split.users.map((user) => {
    const seen = new Set(user.history.map((entry) => entry.item));
    const list: number[] = [];
    for (const item of order) {
      if (list.length === K) break;
      if (!seen.has(item)) list.push(item);
    }
    return list;
  });
}

/** Builds the engine, serves every user, and scores engine and baseline on warm and cold users. */
export function evaluate(
  split: Split,
  catalogue: readonly CatalogueItem[],
  settings: EngineSettings,
): Evaluation {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const model = buildEngineModel(split, catalogue, settings);
  const buildCpu = process.cpuUsage(cpu);
  const built = performance.now();
  const engine = engineLists(model, split.users, settings);
  const served = performance.now();
  const baseline = popularityLists(split, catalogue.length);

  const warmUsers = split.users.filter((user) => !user.cold);
  const coldUsers = split.users.filter((user) => user.cold);
  const pick = (lists: number[][], cold: boolean): number[][] =>
    lists.filter((_, n) => split.users[n].cold === cold);
  const size = catalogue.length;
  return {
    engine: {
      warm: summarise(pick(engine, false), warmUsers, K, size),
      cold: summarise(pick(engine, true), coldUsers, K, size),
    },
    popularity: {
      warm: summarise(pick(baseline, false), warmUsers, K, size),
      cold: summarise(pick(baseline, true), coldUsers, K, size),
    },
    buildMs: built - started,
    buildCpuMs: (buildCpu.user + buildCpu.system) / 1000,
    serveMs: served - built,
  };
}
