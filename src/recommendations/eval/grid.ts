import {
  DEFAULT_NEIGHBOUR_OPTIONS,
  DEFAULT_RECOMMEND_OPTIONS,
  type BlendWeights,
  type CatalogueItem,
  type RecommendationModel,
} from '../engine';
import { buildEngineModel, engineLists, K, type EngineSettings } from './evaluate';
import type { MovieLens } from './movielens';
import { summarise, validationSplit, type GroupMetrics, type Split } from './protocol';

/** One grid point: what differs from the defaults and how it scored. */
interface GridRow {
  label: string;
  metrics: GroupMetrics;
  isDefault: boolean;
}

/**
 * Prints small grids of blend weights and recency settings scored on a validation split made
 * from the training data only (the same protocol applied to warm users' histories), so tuning
 * never sees the held-out test items. The engine defaults were chosen from these tables.
 */
export function runGrid(split: Split, data: MovieLens, catalogue: readonly CatalogueItem[]): void {
  const validation = validationSplit(split, data.movies, data.genreNames);
  const warm = validation.users.filter((user) => !user.cold);
  const cold = validation.users.filter((user) => user.cold);
  const model = buildEngineModel(validation, catalogue, {});
  const defaults = DEFAULT_RECOMMEND_OPTIONS;
  print('## Tuning grid (validation split carved from training data)\n');

  const warmRows: GridRow[] = [];
  for (const interest of [0, 0.05, 0.1, 0.2]) {
    for (const popularity of [0, 0.02, 0.05, 0.1]) {
      const weights: BlendWeights = { ...defaults.weights, interest, popularity };
      const label = `interest ${interest}, popularity ${popularity}`;
      const isDefault = sameWeights(weights, defaults.weights);
      warmRows.push(row(label, model, warm, catalogue, { recommend: { weights } }, isDefault));
    }
  }
  printRows(`Warm users (${warm.length}), blend with collaborative weight 1`, warmRows);

  const coldRows: GridRow[] = [];
  for (const popularInInterest of [0, 0.5, 1, 1.5, 2]) {
    for (const interest of [0, 0.1]) {
      const coldWeights: BlendWeights = { ...defaults.coldWeights, popularInInterest, interest };
      const label = `popular-in-interest ${popularInInterest}, interest ${interest}`;
      const isDefault = sameWeights(coldWeights, defaults.coldWeights);
      coldRows.push(row(label, model, cold, catalogue, { recommend: { coldWeights } }, isDefault));
    }
  }
  printRows(`Cold users (${cold.length}), blend with popularity weight 1`, coldRows);

  const recencyRows: GridRow[] = [];
  for (const sequenceHalfLife of [Infinity, 25, 50, 100]) {
    const settings: EngineSettings = { neighbours: { sequenceHalfLife } };
    const rebuilt = buildEngineModel(validation, catalogue, settings);
    for (const recencyHalfLifeItems of [Infinity, 3, 5, 8]) {
      recencyRows.push(
        row(
          `sequence half-life ${sequenceHalfLife}, recency half-life ${recencyHalfLifeItems}`,
          rebuilt,
          warm,
          catalogue,
          { ...settings, recommend: { recencyHalfLifeItems } },
          sequenceHalfLife === DEFAULT_NEIGHBOUR_OPTIONS.sequenceHalfLife &&
            recencyHalfLifeItems === defaults.recencyHalfLifeItems,
        ),
      );
    }
  }
  printRows(`Warm users (${warm.length}), recency in titles`, recencyRows);
}

function row(
  label: string,
  model: RecommendationModel,
  users: Split['users'],
  catalogue: readonly CatalogueItem[],
  settings: EngineSettings,
  isDefault: boolean,
): GridRow {
  const lists = engineLists(model, users, settings);
  return { label, metrics: summarise(lists, users, K, catalogue.length), isDefault };
}

function printRows(title: string, rows: readonly GridRow[]): void {
  const best = Math.max(...rows.map((r) => r.metrics.recall));
  print(`### ${title}\n`);
  print(`| Setting | Recall@${K} | NDCG@${K} | Coverage |`);
  print('|---|---:|---:|---:|');
  for (const r of rows) {
    const marks = [r.isDefault ? 'default' : '', r.metrics.recall === best ? 'best' : '']
      .filter(Boolean)
      .join(', ');
    print(
      `| ${r.label}${marks ? ` (${marks})` : ''} | ${r.metrics.recall.toFixed(4)} | ` +
        `${r.metrics.ndcg.toFixed(4)} | ${(r.metrics.coverage * 100).toFixed(1)}% |`,
    );
  }
  print('');
}

function sameWeights(a: BlendWeights, b: BlendWeights): boolean {
  return (Object.keys(a) as (keyof BlendWeights)[]).every((key) => a[key] === b[key]);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
