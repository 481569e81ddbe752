import { deserialize, serialize } from 'node:v8';
import type { DataSource } from 'typeorm';
import type { ActivityType } from '../activity/activity.enums';
import type { Audience, ItemFormat } from '../catalogue/catalogue.enums';
import type { AgeBand } from '../customers/customer.enums';
import {
  assembleModel,
  audienceGroupOf,
  type CatalogueItem as EngineItem,
  type ItemActivity,
  mergeNeighbourShards,
  type NeighbourShard,
  type PopularityTable,
  type RecommendationModel,
} from './engine';
import { ModelStatus } from './recommendation.enums';

/** What every step of one build must agree on: the titles, their order, and the ledger cut-off. */
export interface ModelSnapshot {
  /** Dense item index → catalogue_item.id. */
  itemIds: string[];
  catalogue: EngineItem[];
  /** Entries with a larger id were recorded after the build began and are left out. */
  maxActivityId: string;
}

/** Reads the catalogue with its subjects, genres and authors, in id order. */
export async function loadCatalogue(
  ds: DataSource,
): Promise<Pick<ModelSnapshot, 'itemIds' | 'catalogue'>> {
  const rows: Array<{
    id: string;
    format: ItemFormat;
    audience: Audience;
    language: string | null;
    authors: string[];
    series: string | null;
    added_at: Date;
    subjects: string[] | null;
    genres: string[] | null;
  }> = await ds.query(
    `SELECT i.id::text, i.format, i.audience, i.language, i.authors, i.series, i.added_at,
            array_agg(t.label ORDER BY t.label) FILTER (WHERE t.kind = 'SUBJECT') AS subjects,
            array_agg(t.label ORDER BY t.label) FILTER (WHERE t.kind = 'GENRE') AS genres
       FROM catalogue_item i
       LEFT JOIN item_interest ii ON ii.item_id = i.id
       LEFT JOIN interest t ON t.id = ii.interest_id
      GROUP BY i.id
      ORDER BY i.id`,
  );
  return {
    itemIds: rows.map((r) => r.id),
    catalogue: rows.map((r) => ({
      format: r.format,
      audience: r.audience,
      language: r.language ?? undefined,
      authors: r.authors,
      subjects: r.subjects ?? [],
      genres: r.genres ?? [],
      series: r.series ?? undefined,
      addedAt: r.added_at.getTime(),
    })),
  };
}

/** Rows fetched per round trip when streaming the ledger into the model. */
const LEDGER_PAGE = 50_000;

/**
 * The ledger entries the shared model may learn from: titles only, live entries only, and only
 * from customers whose mode is FULL — an INTERESTS_ONLY or OFF customer's history never
 * shapes anyone's suggestions, and anonymised entries have no customer to group by.
 * Customers get dense indices in order of first appearance, which is deterministic.
 */
export async function loadInteractions(
  ds: DataSource,
  itemIndex: ReadonlyMap<string, number>,
  maxActivityId: string,
): Promise<{
  activities: ItemActivity[];
  customerCount: number;
  groups: Array<Audience | undefined>;
}> {
  const customerIndex = new Map<string, number>();
  const groups: Array<Audience | undefined> = [];
  const activities: ItemActivity[] = [];
  let after = '0';
  for (;;) {
    const rows: Array<{
      id: string;
      c: string;
      i: string;
      t: ActivityType;
      at: string;
      r: number | null;
      b: string | null;
      g: AgeBand;
    }> = await ds.query(
      `SELECT a.id::text, a.customer_id::text AS c, a.item_id::text AS i, a.type AS t,
                (extract(epoch FROM a.occurred_at) * 1000)::bigint::text AS at,
                (a.details->>'rating')::int AS r, a.branch_id::text AS b, a.age_band AS g
           FROM activity a JOIN customer cu ON cu.id = a.customer_id
          WHERE a.id > $1 AND a.id <= $2 AND a.item_id IS NOT NULL
            AND a.type <> 'CORRECTION'
            AND cu.recommendation_mode = 'FULL' AND cu.status <> 'ERASED'
            AND NOT EXISTS (SELECT 1 FROM activity x WHERE x.corrects_id = a.id)
          ORDER BY a.id
          LIMIT ${LEDGER_PAGE}`,
      [after, maxActivityId],
    );
    for (const r of rows) {
      const item = itemIndex.get(r.i);
      if (item === undefined) continue;
      let customer = customerIndex.get(r.c);
      if (customer === undefined) {
        customer = customerIndex.size;
        customerIndex.set(r.c, customer);
        groups.push(audienceGroupOf(r.g));
      }
      const entry: ItemActivity = { customer, item, type: r.t, at: Number(r.at) };
      if (r.r != null) entry.rating = r.r;
      if (r.b != null) entry.branch = Number(r.b);
      activities.push(entry);
    }
    if (rows.length < LEDGER_PAGE) break;
    after = rows[rows.length - 1].id;
  }
  return { activities, customerCount: customerIndex.size, groups };
}

/**
 * Starts a build: records the snapshot every shard will read. With a `buildKey`, a build
 * already started under that key is returned instead of starting another.
 */
export async function createModel(
  ds: DataSource,
  shardCount: number,
  asOf: number,
  buildKey: string | null = null,
): Promise<string> {
  const started = async (): Promise<string | undefined> =>
    buildKey === null
      ? undefined
      : (await ds.query('SELECT id::text FROM rec_model WHERE build_key = $1', [buildKey]))[0]?.id;
  const existing = await started();
  if (existing) return existing;
  const { itemIds, catalogue } = await loadCatalogue(ds);
  const [{ max }] = await ds.query(`SELECT coalesce(max(id), 0)::text AS max FROM activity`);
  const snapshot: ModelSnapshot = { itemIds, catalogue, maxActivityId: max };
  const [row] = await ds.query(
    `INSERT INTO rec_model (status, shard_count, as_of, snapshot, stats, build_key)
     VALUES ('BUILDING', $1, $2, $3, $4, $5)
     ON CONFLICT (build_key) DO NOTHING RETURNING id::text`,
    [shardCount, asOf, serialize(snapshot), { items: itemIds.length }, buildKey],
  );
  // Another run of the same job got there first.
  return row?.id ?? (await started())!;
}

export interface ModelRow {
  id: string;
  status: ModelStatus;
  shardCount: number;
  asOf: number;
  snapshot: ModelSnapshot;
}

export async function getModelRow(ds: DataSource, modelId: string): Promise<ModelRow | null> {
  const [row] = await ds.query(
    `SELECT id::text, status, shard_count, as_of::text, snapshot FROM rec_model WHERE id = $1`,
    [modelId],
  );
  if (!row) return null;
  return {
    id: row.id,
    status: row.status,
    shardCount: row.shard_count,
    asOf: Number(row.as_of),
    snapshot: deserialize(row.snapshot) as ModelSnapshot,
  };
}

/** Stores one shard's neighbours; re-running a shard job overwrites its own row only. */
export async function saveShard(
  ds: DataSource,
  modelId: string,
  shard: number,
  parts: NeighbourShard[],
) {
  await ds.query(
    `INSERT INTO rec_model_shard (model_id, shard, data) VALUES ($1, $2, $3)
     ON CONFLICT (model_id, shard) DO UPDATE SET data = excluded.data`,
    [modelId, shard, serialize(parts)],
  );
}

export async function loadShards(ds: DataSource, modelId: string): Promise<NeighbourShard[][]> {
  const rows: Array<{ data: Buffer }> = await ds.query(
    'SELECT data FROM rec_model_shard WHERE model_id = $1 ORDER BY shard',
    [modelId],
  );
  return rows.map((r) => deserialize(r.data) as NeighbourShard[]);
}

export async function latestReadyModelId(ds: DataSource): Promise<string | null> {
  const [row] = await ds.query(
    `SELECT id::text FROM rec_model WHERE status = 'READY' ORDER BY id DESC LIMIT 1`,
  );
  return row?.id ?? null;
}

/** A ready model, as the refresh step and the API's explanations use it. */
export interface LoadedModel {
  id: string;
  asOf: number;
  itemIds: string[];
  itemIndex: Map<string, number>;
  model: RecommendationModel;
}

export async function loadModel(ds: DataSource, modelId: string): Promise<LoadedModel> {
  const row = await getModelRow(ds, modelId);
  if (!row) throw new Error(`recommendation model ${modelId} does not exist`);
  const [{ popularity }] = await ds.query('SELECT popularity FROM rec_model WHERE id = $1', [
    modelId,
  ]);
  if (!popularity) throw new Error(`recommendation model ${modelId} has no popularity yet`);
  const shards = (await loadShards(ds, modelId)).flat();
  const { itemIds, catalogue } = row.snapshot;
  const model = assembleModel({
    catalogue,
    neighbours: mergeNeighbourShards(shards, catalogue.length),
    popularity: deserialize(popularity) as PopularityTable,
  });
  return {
    id: row.id,
    asOf: row.asOf,
    itemIds,
    itemIndex: new Map(itemIds.map((id, i) => [id, i])),
    model,
  };
}

export function serializePopularity(table: PopularityTable): Buffer {
  return serialize(table);
}
