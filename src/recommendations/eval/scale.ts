import { performance } from 'node:perf_hooks';
import { ActivityType } from '../../activity/activity.enums';
import { Audience, ItemFormat } from '../../catalogue/catalogue.enums';
import { AgeBand } from '../../customers/customer.enums';
import { InterestKind } from '../../interests/interest.enums';
import {
  assembleModel,
  audienceGroupOf,
  buildFeatureIndex,
  buildInteractionMatrix,
  computeNeighbours,
  computePopularity,
  mergeNeighbourShards,
  planItemShards,
  recommendForCustomer,
  type CatalogueItem,
  type CustomerProfile,
  type HistoryEntry,
  type ItemActivity,
  type NeighbourShard,
} from '../engine';

/** Size of the synthetic library. */
export interface ScaleSize {
  customers: number;
  items: number;
  activities: number;
  /** Lists to serve; defaults to every customer. */
  serve?: number;
}

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 1);
const CLUSTERS = 250;
const BRANCHES = 20;
const AGE_BANDS = Object.values(AgeBand);
// Print books three times over, so most of the synthetic stock is print.
const FORMATS = [
  ItemFormat.BOOK,
  ItemFormat.BOOK,
  ItemFormat.BOOK,
  ItemFormat.EBOOK,
  ItemFormat.AUDIOBOOK,
  ItemFormat.LARGE_PRINT,
  ItemFormat.DVD,
];

/**
 * A full rebuild of a synthetic library at production size, timed stage by stage: matrix,
 * neighbours in shards (as separate workers would run them), popularity, features, and a list
 * for every customer. The data is random but shaped like a library: titles fall into taste
 * clusters with skewed popularity, and a few customers borrow far more than most.
 */
export function runScaleCheck(size: ScaleSize): void {
  const random = seeded(20250101);
  const { catalogue, clusterItems } = syntheticCatalogue(size.items, random);
  const { activities, ageBands, homeBranches } = syntheticActivity(size, clusterItems, random);
  // CPU time is reported beside wall time because a shared machine inflates the latter.
  const timings: [string, number, number][] = [];
  const time = <T>(label: string, work: () => T): T => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = work();
    const used = process.cpuUsage(cpu);
    timings.push([label, performance.now() - started, (used.user + used.system) / 1000]);
    return result;
  };

  const matrix = time('interaction matrix', () =>
    buildInteractionMatrix(activities, {
      customerCount: size.customers,
      itemCount: size.items,
      now: NOW,
    }),
  );
  const plan = planItemShards(matrix, 16);
  const shards: NeighbourShard[] = [];
  let slowestShard = 0;
  time(`neighbours (${plan.length} shards)`, () => {
    for (const shard of plan) {
      const started = performance.now();
      shards.push(computeNeighbours(matrix, shard));
      slowestShard = Math.max(slowestShard, performance.now() - started);
    }
  });
  const neighbours = mergeNeighbourShards(shards, size.items);
  const popularity = time('popularity', () =>
    computePopularity(activities, {
      itemCount: size.items,
      now: NOW,
      audienceOfCustomer: (customer) => audienceGroupOf(ageBands[customer]),
    }),
  );
  const model = time('features and assembly', () =>
    assembleModel({
      catalogue,
      neighbours,
      popularity,
      features: buildFeatureIndex(catalogue, popularity),
    }),
  );

  const histories: HistoryEntry[][] = Array.from({ length: size.customers }, () => []);
  for (const entry of activities) histories[entry.customer].push(entry);
  let suggested = 0;
  const served = Math.min(size.customers, size.serve ?? size.customers);
  time(`lists for ${served} customers`, () => {
    for (let customer = 0; customer < served; customer++) {
      const profile: CustomerProfile = {
        ageBand: ageBands[customer],
        mode: 'FULL',
        homeBranch: homeBranches[customer],
        history: histories[customer],
        interests:
          customer % 3 === 0
            ? [{ kind: InterestKind.SUBJECT, label: `topic ${customer % CLUSTERS}` }]
            : [],
      };
      suggested += recommendForCustomer(model, profile, { now: NOW }).length;
    }
  });

  const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
  const totalCpu = timings.reduce((sum, [, , cpu]) => sum + cpu, 0);
  const rss = process.resourceUsage().maxRSS / 1024;
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  print(
    `## Synthetic rebuild: ${size.customers} customers, ${size.items} titles, ` +
      `${activities.length} activities\n`,
  );
  print('| Stage | wall ms | CPU ms |');
  print('|---|---:|---:|');
  for (const [label, ms, cpu] of timings) {
    print(`| ${label} | ${ms.toFixed(0)} | ${cpu.toFixed(0)} |`);
  }
  print(`| **total (one thread)** | **${total.toFixed(0)}** | **${totalCpu.toFixed(0)}** |`);
  print('');
  print(
    `Slowest neighbour shard ${slowestShard.toFixed(0)} ms; ${matrix.byCustomer.indices.length} ` +
      `customer-title pairs; ${neighbours.neighbours.length} neighbour links; ` +
      `${(suggested / Math.max(1, served)).toFixed(1)} suggestions per customer; ` +
      `peak RSS ${rss.toFixed(0)} MB.`,
  );
}

function syntheticCatalogue(
  itemCount: number,
  random: () => number,
): { catalogue: CatalogueItem[]; clusterItems: number[][] } {
  const clusterItems: number[][] = Array.from({ length: CLUSTERS }, () => []);
  const catalogue: CatalogueItem[] = [];
  for (let i = 0; i < itemCount; i++) {
    // The first titles seed every cluster so none is empty.
    const cluster = i < CLUSTERS ? i : Math.floor(random() * CLUSTERS);
    clusterItems[cluster].push(i);
    // One cluster in ten is children's stock and one in ten young adults'.
    const audience =
      cluster % 10 === 0
        ? Audience.CHILDREN
        : cluster % 10 === 1
          ? Audience.YOUNG_ADULT
          : Audience.ADULT;
    catalogue.push({
      format: FORMATS[Math.floor(random() * FORMATS.length)],
      audience,
      language: random() < 0.95 ? 'en' : 'pl',
      subjects: [`topic ${cluster}`, `topic ${(cluster * 7) % CLUSTERS}`],
      genres: [`genre ${cluster % 30}`],
      authors: [`author ${Math.floor(random() * itemCount * 0.4)}`],
      series: random() < 0.1 ? `series ${Math.floor(random() * itemCount * 0.02)}` : undefined,
      addedAt: NOW - Math.floor(random() * 3650) * DAY,
    });
  }
  return { catalogue, clusterItems };
}

function syntheticActivity(
  size: ScaleSize,
  clusterItems: number[][],
  random: () => number,
): { activities: ItemActivity[]; ageBands: AgeBand[]; homeBranches: number[] } {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const ageBands = Array.from({ length: size.customers }, () => pick(AGE_BANDS));
  const homeBranches = Array.from({ length: size.customers }, () =>
    Math.floor(random() * BRANCHES),
  );
  // Heavy-tailed activity per customer (Pareto, tail index about 1.7: most borrow a handful, a
  // few borrow hundreds), scaled to the requested total; rounding leftovers go to random customers.
  const raw = Array.from({ length: size.customers }, () => Math.pow(1 - random(), -0.6));
  const rawTotal = raw.reduce((sum, value) => sum + value, 0);
  const counts = raw.map((value) =>
    Math.min(2000, Math.round((value / rawTotal) * size.activities)),
  );
  let assigned = counts.reduce((sum, value) => sum + value, 0);
  while (assigned < size.activities) {
    counts[Math.floor(random() * size.customers)]++;
    assigned++;
  }
  const activities: ItemActivity[] = [];
  for (let customer = 0; customer < size.customers; customer++) {
    const tastes = [0, 1, 2].map(() => Math.floor(random() * CLUSTERS));
    for (let n = 0; n < counts[customer] && activities.length < size.activities; n++) {
      // Four loans in five come from the customer's own tastes.
      const cluster = random() < 0.8 ? pick(tastes) : Math.floor(random() * CLUSTERS);
      const members = clusterItems[cluster];
      if (members.length === 0) continue;
      // Squaring a uniform draw skews choice towards the start of the cluster: its popular titles.
      const item = members[Math.floor(random() * random() * members.length)];
      const roll = random();
      const type =
        roll < 0.7
          ? ActivityType.LOAN
          : roll < 0.85
            ? ActivityType.CATALOGUE_VIEW
            : roll < 0.93
              ? ActivityType.HOLD_PLACED
              : ActivityType.RATING;
      activities.push({
        customer,
        item,
        type,
        at: NOW - Math.floor(random() * 730 * DAY),
        rating: type === ActivityType.RATING ? 1 + Math.floor(random() * 5) : undefined,
        branch: homeBranches[customer],
      });
    }
  }
  return { activities, ageBands, homeBranches };
}

/** A small deterministic generator (mulberry32), so every run measures the same library. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
