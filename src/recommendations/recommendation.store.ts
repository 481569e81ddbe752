import type { Redis } from 'ioredis';

/** One suggestion as cached and served: ids only, so titles are always current when shown. */
export interface CachedReason {
  kind: string;
  text: string;
  itemId?: string;
  eventId?: string;
  branchId?: string;
  interestKind?: string;
  interestLabel?: string;
}

export interface CachedSuggestion {
  itemId: string;
  score: number;
  reasons: CachedReason[];
}

export interface CachedEventSuggestion {
  eventId: string;
  score: number;
  reasons: CachedReason[];
}

/** Everything the API needs for one customer, read in a single GET. */
export interface CachedRecommendations {
  customerId: string;
  modelVersion: string;
  computedAt: string;
  mode: string;
  items: CachedSuggestion[];
  events: CachedEventSuggestion[];
}

export interface PopularEntry {
  itemId: string;
  score: number;
}

/**
 * Redis keys for suggestions. Every key is written with a TTL: BullMQ needs Redis set to
 * `noeviction`, so nothing here may rely on Redis evicting it under memory pressure.
 */
export class RecommendationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /**
   * False while Redis is unreachable: callers answer from PostgreSQL at once instead of sending
   * a command that can only fail (the connection does not queue commands while it is down).
   */
  get available(): boolean {
    return this.redis.status === 'ready';
  }

  customerKey(customerId: string): string {
    return `${this.prefix}:rec:customer:${customerId}`;
  }

  popularKey(listKey: string): string {
    return `${this.prefix}:rec:popular:${listKey}`;
  }

  async get(customerId: string): Promise<CachedRecommendations | null> {
    const raw = await this.redis.get(this.customerKey(customerId));
    return raw ? (JSON.parse(raw) as CachedRecommendations) : null;
  }

  /** Many customers' entries in one MGET, in the order asked. */
  async getMany(customerIds: readonly string[]): Promise<Array<CachedRecommendations | null>> {
    if (!customerIds.length) return [];
    const raw = await this.redis.mget(...customerIds.map((id) => this.customerKey(id)));
    return raw.map((r) => (r ? (JSON.parse(r) as CachedRecommendations) : null));
  }

  async put(entries: CachedRecommendations[]): Promise<void> {
    if (!entries.length) return;
    const pipe = this.redis.pipeline();
    for (const e of entries)
      pipe.set(this.customerKey(e.customerId), JSON.stringify(e), 'EX', this.ttlSeconds);
    await pipe.exec();
  }

  async evict(customerIds: readonly string[]): Promise<void> {
    if (customerIds.length) await this.redis.del(...customerIds.map((id) => this.customerKey(id)));
  }

  /** Removes one title from a cached list at once, so "not for me" shows without waiting. */
  async dropItem(customerId: string, itemId: string): Promise<void> {
    const current = await this.get(customerId);
    if (!current) return;
    current.items = current.items.filter((s) => s.itemId !== itemId);
    const ttl = await this.redis.ttl(this.customerKey(customerId));
    await this.redis.set(
      this.customerKey(customerId),
      JSON.stringify(current),
      'EX',
      ttl > 0 ? ttl : this.ttlSeconds,
    );
  }

  async putPopular(lists: Map<string, PopularEntry[]>, ttlSeconds: number): Promise<void> {
    const pipe = this.redis.pipeline();
    for (const [key, entries] of lists)
      pipe.set(this.popularKey(key), JSON.stringify(entries), 'EX', ttlSeconds);
    await pipe.exec();
  }

  /** The first list key that exists, in order of preference, in one round trip. */
  async getPopular(
    keys: readonly string[],
  ): Promise<{ key: string; entries: PopularEntry[] } | null> {
    if (!keys.length) return null;
    const values = await this.redis.mget(...keys.map((k) => this.popularKey(k)));
    for (let i = 0; i < keys.length; i++) {
      if (values[i])
        return { key: keys[i], entries: JSON.parse(values[i] as string) as PopularEntry[] };
    }
    return null;
  }
}
