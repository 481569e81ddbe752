import { RecommendationEngineError, RecommendationErrorCode } from './errors';
import { buildFeatureIndex, normaliseLabel } from './features';
import { buildInteractionMatrix, type InteractionMatrixOptions } from './matrix';
import {
  computeNeighbours,
  mergeNeighbourShards,
  planItemShards,
  type NeighbourOptions,
} from './neighbours';
import { computePopularity, type PopularityOptions } from './popularity';
import type {
  CatalogueItem,
  FeatureIndex,
  ItemActivity,
  ItemColumns,
  NeighbourTable,
  PopularityTable,
  RecommendationModel,
} from './types';

/** How many of the newest titles are kept as new-arrival candidates. */
const NEW_ARRIVAL_CANDIDATES = 500;

/** The separately built parts of a model. */
export interface ModelParts {
  catalogue: readonly CatalogueItem[];
  neighbours: NeighbourTable;
  popularity: PopularityTable;
  /** Built from the catalogue and popularity when not given. */
  features?: FeatureIndex;
}

/**
 * Puts separately built parts together and checks they describe the same catalogue, so a
 * worker that mixed parts from two rebuilds fails here rather than serving nonsense.
 */
export function assembleModel(parts: ModelParts): RecommendationModel {
  const itemCount = parts.catalogue.length;
  const sizes: [string, number][] = [
    ['neighbours', parts.neighbours.itemCount],
    ['popularity', parts.popularity.itemCount],
  ];
  if (parts.features) sizes.push(['features', parts.features.itemCount]);
  for (const [name, size] of sizes) {
    if (size !== itemCount) {
      throw new RecommendationEngineError(
        RecommendationErrorCode.SIZE_MISMATCH,
        `${name} were built for ${size} items but the catalogue has ${itemCount}; ` +
          'rebuild all parts from the same catalogue snapshot',
      );
    }
  }
  const features = parts.features ?? buildFeatureIndex(parts.catalogue, parts.popularity);
  const dated: number[] = [];
  parts.catalogue.forEach((item, i) => {
    if (item.addedAt !== undefined) dated.push(i);
  });
  const addedAt = (i: number): number => parts.catalogue[i].addedAt ?? 0;
  dated.sort((a, b) => addedAt(b) - addedAt(a) || a - b);
  return {
    catalogue: parts.catalogue,
    neighbours: parts.neighbours,
    popularity: parts.popularity,
    features,
    newArrivals: Int32Array.from(dated.slice(0, NEW_ARRIVAL_CANDIDATES)),
    columns: itemColumns(parts.catalogue),
  };
}

/** Flat per-item arrays of the facts serving reads for every candidate. */
export function itemColumns(catalogue: readonly CatalogueItem[]): ItemColumns {
  const seriesIds = new Map<string, number>();
  const series = new Int32Array(catalogue.length).fill(-1);
  const addedAt = new Float64Array(catalogue.length).fill(Number.NaN);
  catalogue.forEach((item, i) => {
    if (item.addedAt !== undefined) addedAt[i] = item.addedAt;
    if (!item.series || item.series.trim() === '') return;
    const key = normaliseLabel(item.series);
    let id = seriesIds.get(key);
    if (id === undefined) {
      id = seriesIds.size;
      seriesIds.set(key, id);
    }
    series[i] = id;
  });
  return {
    format: catalogue.map((item) => item.format),
    audience: catalogue.map((item) => item.audience),
    language: catalogue.map((item) => (item.language ? normaliseLabel(item.language) : '')),
    addedAt,
    series,
  };
}

/** Options for `buildModel`. */
export interface BuildModelOptions {
  customerCount: number;
  now: number;
  matrix?: Partial<Omit<InteractionMatrixOptions, 'customerCount' | 'itemCount' | 'now'>>;
  neighbours?: NeighbourOptions;
  popularity?: Partial<Omit<PopularityOptions, 'itemCount' | 'now'>>;
  /** Neighbour shards to compute in turn; results do not depend on it. */
  shardCount?: number;
}

/**
 * The whole rebuild in one call: interaction matrix, neighbours (shard by shard), popularity,
 * features. Workers run the same steps spread across machines; this is for tests, the
 * evaluation harness and libraries small enough to rebuild in one process.
 */
export function buildModel(
  activities: readonly ItemActivity[],
  catalogue: readonly CatalogueItem[],
  options: BuildModelOptions,
): RecommendationModel {
  const itemCount = catalogue.length;
  const matrix = buildInteractionMatrix(activities, {
    ...options.matrix,
    customerCount: options.customerCount,
    itemCount,
    now: options.now,
  });
  const shards = planItemShards(matrix, options.shardCount ?? 1).map((shard) =>
    computeNeighbours(matrix, shard, options.neighbours),
  );
  const popularity = computePopularity(activities, {
    ...options.popularity,
    itemCount,
    now: options.now,
  });
  return assembleModel({
    catalogue,
    neighbours: mergeNeighbourShards(shards, itemCount),
    popularity,
  });
}
