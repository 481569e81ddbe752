import DataLoader from 'dataloader';
import { type DataSource, type EntityTarget, type ObjectLiteral, In } from 'typeorm';
import type { Activity } from '../activity/activity.entity';
import {
  activityCountsFor,
  type ActivityWindow,
  recentActivityFor,
  type TypeCount,
} from '../activity/activity.repository';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import type { ItemCache } from '../catalogue/item-cache';
import { Holding } from '../catalogue/holding.entity';
import { Customer } from '../customers/customer.entity';
import { LibraryEvent } from '../events/event.entity';
import { CustomerInterest } from '../interests/customer-interest.entity';
import { Interest } from '../interests/interest.entity';
import { readerFor } from '../db/entity-reader';
import { labelKey } from '../common/validation';
import type { CacheRead } from '../recommendations/recommendation.service';
import type { Services } from '../services';

/** Loads rows of one entity by id in a single `WHERE id IN (...)` per tick. */
function byId<T extends ObjectLiteral & { id: string }>(ds: DataSource, entity: EntityTarget<T>) {
  const reader = readerFor(ds, entity);
  return new DataLoader<string, T | null>(async (ids) => {
    const rows = await reader.whereIn(ds, 'id', ids);
    const map = new Map(rows.map((r) => [String(r.id), r]));
    return ids.map((id) => map.get(id) ?? null);
  });
}

/** Titles through the process's short-lived cache; only the misses go to PostgreSQL. */
export function cachedItems(ds: DataSource, cache: ItemCache) {
  const reader = readerFor(ds, CatalogueItem);
  return new DataLoader<string, CatalogueItem | null>(async (ids) => {
    // Hits are kept here, not looked up again after the read: an entry may expire meanwhile.
    const found = new Map<string, CatalogueItem>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = cache.get(id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length) {
      for (const item of await reader.whereIn(ds, 'id', missing)) {
        cache.set(item);
        found.set(String(item.id), item);
      }
    }
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** Groups rows that belong to many parents, loading all parents' rows in one statement. */
function grouped<T>(load: (ids: readonly string[]) => Promise<Array<[string, T]>>) {
  return new DataLoader<string, T[]>(async (ids) => {
    const map = new Map<string, T[]>(ids.map((id) => [id, []]));
    for (const [parent, row] of await load(ids)) map.get(parent)?.push(row);
    return ids.map((id) => map.get(id) ?? []);
  });
}

export interface ActivityKey extends Omit<ActivityWindow, 'before'> {
  customerId: string;
  before?: { occurredAt: string; id: string } | null;
}

/** Windows that share everything but the customer are fetched together in one statement. */
function activityLoader(ds: DataSource) {
  return new DataLoader<ActivityKey, Activity[], string>(
    async (keys) => {
      const groups = new Map<string, ActivityKey[]>();
      for (const k of keys) {
        const { customerId: _ignored, ...window } = k;
        const g = JSON.stringify(window);
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      const found = new Map<string, Activity[]>();
      for (const [g, members] of groups) {
        const w = members[0];
        const rows = await recentActivityFor(
          ds,
          members.map((m) => m.customerId),
          {
            limit: w.limit,
            types: w.types,
            since: w.since ? new Date(w.since) : null,
            before: w.before
              ? { occurredAt: new Date(w.before.occurredAt), id: w.before.id }
              : null,
          },
        );
        for (const [cid, list] of rows) found.set(`${g}#${cid}`, list);
      }
      return keys.map((k) => {
        const { customerId, ...window } = k;
        return found.get(`${JSON.stringify(window)}#${customerId}`) ?? [];
      });
    },
    { cacheKeyFn: (k) => JSON.stringify(k) },
  );
}

/** Per-request loaders: every relation in the schema resolves through one of these. */
export function createLoaders(ds: DataSource, services: Services) {
  return {
    /** Cached suggestions for every customer in the response, in one MGET. */
    cachedRecommendations: new DataLoader<string, CacheRead>((ids) =>
      services.recommendations.cached(ids),
    ),
    /** Taxonomy nodes by `${kind}:${label}`, for reasons that name an interest. */
    interestByLabel: new DataLoader<string, Interest | null>(async (keys) => {
      const pairs = keys.map((k) => ({
        kind: k.slice(0, k.indexOf(':')),
        key: labelKey(k.slice(k.indexOf(':') + 1)),
      }));
      const rows: Array<Record<string, unknown>> = await ds.query(
        `SELECT i.id::text AS id, i.kind, i.label, i.key, i.parent_id::text AS parent_id
           FROM interest i JOIN unnest($1::interest_kind[], $2::text[]) AS w(kind, key) USING (kind, key)`,
        [pairs.map((p) => p.kind), pairs.map((p) => p.key)],
      );
      const found = new Map(rows.map((r) => [`${r.kind}:${r.key}`, interestFromRow(r)]));
      return pairs.map((p) => found.get(`${p.kind}:${p.key}`) ?? null);
    }),
    branch: byId(ds, Branch),
    customer: byId(ds, Customer),
    item: cachedItems(ds, services.catalogue.cache),
    event: byId(ds, LibraryEvent),
    interest: byId(ds, Interest),
    activity: activityLoader(ds),
    activityCounts: new DataLoader<string, TypeCount[]>(async (ids) => {
      const map = await activityCountsFor(ds, ids);
      return ids.map((id) => map.get(id) ?? []);
    }),
    interestsOfCustomer: grouped<CustomerInterest & { interest: Interest }>(async (ids) => {
      const rows = await ds.getRepository(CustomerInterest).find({
        where: { customerId: In([...ids]) },
        relations: { interest: true },
        order: { weight: 'DESC', interestId: 'ASC' },
      });
      return rows.map((r) => [r.customerId, r as CustomerInterest & { interest: Interest }]);
    }),
    wardsOfCustomer: grouped<Customer>(async (ids) => {
      const rows = await ds.getRepository(Customer).find({
        where: { guardianId: In([...ids]) },
        order: { id: 'ASC' },
      });
      return rows.map((r) => [r.guardianId as string, r]);
    }),
    holdingsOfItem: grouped<Holding>(async (ids) => {
      const rows = await ds.getRepository(Holding).find({
        where: { itemId: In([...ids]) },
        order: { branchId: 'ASC' },
      });
      return rows.map((r) => [r.itemId, r]);
    }),
    interestsOfItem: grouped<Interest>(async (ids) => {
      const rows: Array<{ parent: string } & Record<string, unknown>> = await ds.query(
        `SELECT ii.item_id::text AS parent, i.id::text AS id, i.kind, i.label, i.key,
                i.parent_id::text AS parent_id
           FROM item_interest ii JOIN interest i ON i.id = ii.interest_id
          WHERE ii.item_id = ANY($1::bigint[])
          ORDER BY i.kind, i.label`,
        [ids],
      );
      return rows.map((r) => [r.parent, interestFromRow(r)]);
    }),
    topicsOfEvent: grouped<Interest>(async (ids) => {
      const rows: Array<{ parent: string } & Record<string, unknown>> = await ds.query(
        `SELECT et.event_id::text AS parent, i.id::text AS id, i.kind, i.label, i.key,
                i.parent_id::text AS parent_id
           FROM event_topic et JOIN interest i ON i.id = et.interest_id
          WHERE et.event_id = ANY($1::bigint[])
          ORDER BY i.label`,
        [ids],
      );
      return rows.map((r) => [r.parent, interestFromRow(r)]);
    }),
  };
}

function interestFromRow(r: Record<string, unknown>): Interest {
  return Object.assign(new Interest(), {
    id: r.id as string,
    kind: r.kind as Interest['kind'],
    label: r.label as string,
    key: r.key as string,
    parentId: (r.parent_id as string | null) ?? null,
  });
}

export type Loaders = ReturnType<typeof createLoaders>;
