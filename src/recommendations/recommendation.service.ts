import type { DataSource } from 'typeorm';
import type { Audience } from '../catalogue/catalogue.enums';
import { ageBandFor } from '../customers/age-band';
import type { Customer } from '../customers/customer.entity';
import { CustomerStatus } from '../customers/customer.enums';
import { DomainError } from '../common/errors';
import { assertId } from '../common/ids';
import type { Logger } from '../common/logger';
import { safeError } from '../common/logger';
import { oncePer } from '../common/throttle';
import { recommendationCache } from '../observability/metrics';
import { audienceGroupFor, popularListKeys, type PopularKind } from './popular-lists';
import { RecommendationMode } from './recommendation.enums';
import type { RecommendationQueue } from './recommendation.queue';
import { requestRefreshIn } from './refresh-requests';
import type {
  CachedEventSuggestion,
  CachedRecommendations,
  CachedSuggestion,
  PopularEntry,
  RecommendationStore,
} from './recommendation.store';

/** Where a list came from, so clients and tests can tell personal from generic. */
export type SuggestionSource = 'PERSONAL' | 'POPULAR_FALLBACK' | 'GENERIC';

export const MAX_SUGGESTIONS = 50;

/** A cache read that could not happen: Redis is unreachable, so the answer is degraded. */
export const CACHE_UNAVAILABLE = Object.freeze({ unavailable: true as const });
export type CacheRead = CachedRecommendations | null | typeof CACHE_UNAVAILABLE;

/** A list was found in the cache (not a miss, not an outage). */
export function isCached(read: CacheRead): read is CachedRecommendations {
  return read !== null && read !== CACHE_UNAVAILABLE;
}

export interface SuggestionList {
  items: CachedSuggestion[];
  source: SuggestionSource;
  computedAt: string | null;
  modelVersion: string | null;
  /** Redis was unreachable: a popular list from PostgreSQL stands in for the personal one. */
  degraded: boolean;
}

/**
 * Serves suggestions from the Redis cache and never computes a model on a request: on a miss it
 * answers from the precomputed popular list for the customer's branch and readership and asks
 * the workers for a refresh. With Redis unreachable it answers the same way from the copy of
 * the popular lists in PostgreSQL, and says the answer is degraded.
 */
export class RecommendationService {
  private readonly shouldLogUnavailable = oncePer(10_000);

  constructor(
    private readonly ds: DataSource,
    private readonly store: RecommendationStore,
    private readonly queue: RecommendationQueue,
    private readonly log: Logger,
  ) {}

  /**
   * Batched cache read for a page of customers (one MGET). Never throws: with Redis unreachable
   * every entry is CACHE_UNAVAILABLE and the page is served degraded.
   */
  async cached(customerIds: readonly string[]): Promise<CacheRead[]> {
    if (!customerIds.length) return [];
    const unavailable = (err?: unknown) => {
      recommendationCache.inc({ result: 'unavailable' }, customerIds.length);
      if (this.shouldLogUnavailable()) {
        this.log.warn({
          event: 'recommendations.cache_unavailable',
          ...(err ? { err: safeError(err) } : {}),
        });
      }
      return customerIds.map(() => CACHE_UNAVAILABLE);
    };
    if (!this.store.available) return unavailable();
    try {
      const found = await this.store.getMany(customerIds);
      const hits = found.filter((f) => f !== null).length;
      if (hits) recommendationCache.inc({ result: 'hit' }, hits);
      if (found.length - hits) recommendationCache.inc({ result: 'miss' }, found.length - hits);
      return found;
    } catch (err) {
      return unavailable(err);
    }
  }

  async forCustomer(c: Customer, cached: CacheRead, first: number): Promise<SuggestionList> {
    const limit = checkFirst(first);
    const group = audienceGroupFor(ageBandFor(c.birthYear));
    if (c.recommendationMode === RecommendationMode.OFF || c.status === CustomerStatus.ERASED) {
      const items = await this.popular(c.homeBranchId, group, limit, 'ALL_TIME');
      return {
        items: items.map(asSuggestion(c.homeBranchId)),
        source: 'GENERIC',
        computedAt: null,
        modelVersion: null,
        degraded: false,
      };
    }
    const degraded = cached === CACHE_UNAVAILABLE;
    if (isCached(cached)) {
      return {
        items: cached.items.slice(0, limit),
        source: 'PERSONAL',
        computedAt: cached.computedAt,
        modelVersion: cached.modelVersion,
        degraded: false,
      };
    }
    // A refresh cannot be queued while Redis is down; the next request after it returns asks.
    if (!degraded) this.requestRefresh([c.id]);
    // Take extra so that titles the customer has had can be dropped and the list still fills.
    const candidates = await this.popular(c.homeBranchId, group, limit + 30, 'ALL_TIME');
    const had = await this.alreadyHad(
      c.id,
      candidates.map((p) => p.itemId),
    );
    const items = candidates.filter((p) => !had.has(p.itemId)).slice(0, limit);
    return {
      items: items.map(asSuggestion(c.homeBranchId)),
      source: 'POPULAR_FALLBACK',
      computedAt: null,
      modelVersion: null,
      degraded,
    };
  }

  /** Events for a customer: personal when cached, otherwise the next events at their branch. */
  async eventsFor(c: Customer, cached: CacheRead, first: number): Promise<CachedEventSuggestion[]> {
    const limit = checkFirst(first);
    if (isCached(cached) && c.recommendationMode !== RecommendationMode.OFF)
      return cached.events.slice(0, limit);
    const allowed =
      audienceGroupFor(ageBandFor(c.birthYear)) === 'ADULT' ? null : ['CHILDREN', 'YOUNG_ADULT'];
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT e.id::text FROM event e
        WHERE e.starts_at >= now()
          AND ($2::audience[] IS NULL OR e.audience IS NULL OR e.audience = ANY($2::audience[]))
        ORDER BY (e.branch_id IS NOT DISTINCT FROM $1::bigint) DESC, e.starts_at, e.id
        LIMIT $3`,
      [c.homeBranchId, allowed, limit],
    );
    return rows.map((r) => ({
      eventId: r.id,
      score: 0,
      reasons: [{ kind: 'UPCOMING', text: 'Coming up soon' }],
    }));
  }

  /** A popular list: Redis first, the PostgreSQL copy when Redis has none. */
  async popular(
    branchId: string | null,
    group: Audience,
    first: number,
    kind: PopularKind,
  ): Promise<PopularEntry[]> {
    const limit = Math.min(first, 100);
    const keys = popularListKeys(branchId, group, kind);
    if (this.store.available) {
      try {
        const hit = await this.store.getPopular(keys);
        if (hit) return hit.entries.slice(0, limit);
      } catch (err) {
        if (this.shouldLogUnavailable()) {
          this.log.warn({
            event: 'recommendations.popular_cache_unavailable',
            err: safeError(err),
          });
        }
      }
    }
    for (const key of keys) {
      const rows: Array<{ item_id: string; score: number }> = await this.ds.query(
        'SELECT item_id::text, score FROM popular_item WHERE list_key = $1 ORDER BY rank LIMIT $2',
        [key, limit],
      );
      if (rows.length) return rows.map((r) => ({ itemId: r.item_id, score: r.score }));
    }
    return [];
  }

  /** Titles people who used this one also used, from the current model. */
  async similarItems(
    itemId: string,
    first: number,
  ): Promise<Array<{ itemId: string; score: number }>> {
    const rows: Array<{ id: string; score: number }> = await this.ds.query(
      `SELECT similar_item_id::text AS id, score FROM item_similarity
        WHERE item_id = $1 ORDER BY rank LIMIT $2`,
      [itemId, checkFirst(first)],
    );
    return rows.map((r) => ({ itemId: r.id, score: r.score }));
  }

  /**
   * "Not for me": never suggested again. The dismissal and a refresh commit together; the
   * title also leaves the cached list at once when Redis is reachable.
   */
  async dismiss(customerId: string, itemId: string): Promise<boolean> {
    assertId(customerId, 'customerId');
    assertId(itemId, 'itemId');
    await this.ds.transaction(async (tx) => {
      const [c] = await tx.query('SELECT 1 FROM customer WHERE id = $1', [customerId]);
      if (!c) throw DomainError.notFound('Customer', customerId);
      const [i] = await tx.query('SELECT 1 FROM catalogue_item WHERE id = $1', [itemId]);
      if (!i) throw DomainError.notFound('Item', itemId);
      await tx.query(
        `INSERT INTO recommendation_dismissal (customer_id, item_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [customerId, itemId],
      );
      await requestRefreshIn(tx, [customerId]);
    });
    if (this.store.available) {
      await this.store
        .dropItem(customerId, itemId)
        .catch((err) =>
          this.log.warn({ event: 'recommendations.dismiss_not_cached', err: safeError(err) }),
        );
    }
    return true;
  }

  /** Asks for a refresh through the outbox, so it happens even if Redis is down right now. */
  async refreshSoon(customerId: string): Promise<void> {
    assertId(customerId, 'customerId');
    await this.ds.transaction((tx) => requestRefreshIn(tx, [customerId]));
  }

  /**
   * Queues a refresh without making the caller wait for, or fail on, Redis; skipped while Redis
   * is down. Only for requests that may be lost (a cache miss asks again on the next read).
   */
  requestRefresh(customerIds: readonly string[]): void {
    if (!this.queue.available) return;
    this.queue.scheduleRefresh(customerIds).catch((err) =>
      this.log.warn({
        event: 'recommendations.refresh_not_queued',
        count: customerIds.length,
        err: safeError(err),
      }),
    );
  }

  /** Titles this customer has borrowed, held, used or dismissed, among the given ones. */
  private async alreadyHad(customerId: string, itemIds: string[]): Promise<Set<string>> {
    if (!itemIds.length) return new Set();
    const rows: Array<{ id: string }> = await this.ds.query(
      `SELECT item_id::text AS id FROM activity WHERE customer_id = $1 AND item_id = ANY($2::bigint[])
       UNION
       SELECT item_id::text FROM recommendation_dismissal WHERE customer_id = $1 AND item_id = ANY($2::bigint[])`,
      [customerId, itemIds],
    );
    return new Set(rows.map((r) => r.id));
  }
}

function checkFirst(first: number): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_SUGGESTIONS) {
    throw DomainError.badInput('first', 'range', `must be between 1 and ${MAX_SUGGESTIONS}`);
  }
  return first;
}

function asSuggestion(branchId: string | null) {
  return (p: PopularEntry): CachedSuggestion => ({
    itemId: p.itemId,
    score: p.score,
    reasons: [
      branchId
        ? { kind: 'POPULAR_AT_BRANCH', text: 'Popular at your library', branchId }
        : { kind: 'POPULAR', text: 'Popular with library members' },
    ],
  });
}
