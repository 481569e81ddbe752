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

/** Parsed entries kept per process: a few thousand active customers' lists, some MB. */
const PARSED_ENTRIES_KEPT = 2_000;

/**
 * The parsed form of the last text seen per customer, least recently used dropped first. A hit
 * needs the text to be identical, so an entry rewritten by a worker is parsed afresh.
 */
export class ParsedEntries {
  private readonly entries = new Map<string, { raw: string; value: CachedRecommendations }>();

  constructor(private readonly capacity: number) {}

  get(customerId: string, raw: string): CachedRecommendations {
    const hit = this.entries.get(customerId);
    this.entries.delete(customerId);
    const value = hit && hit.raw === raw ? hit.value : (JSON.parse(raw) as CachedRecommendations);
    this.entries.set(customerId, { raw, value });
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }
}

/**
 * Redis keys for suggestions. Every key is written with a TTL: BullMQ needs Redis set to
 * `noeviction`, so nothing here may rely on Redis evicting it under memory pressure.
 */
export class RecommendationStore {
  private readonly parsed = new ParsedEntries(PARSED_ENTRIES_KEPT);

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

  /**
   * Many customers' entries in one MGET, in the order asked. Parsing a list costs more than
   * reading it, so the last parsed copy of recently read entries is kept and reused while Redis
   * returns exactly the same text; callers must treat the entries as read-only.
   */
  async getMany(customerIds: readonly string[]): Promise<Array<CachedRecommendations | null>> {
    if (!customerIds.length) return [];
    const raw = await this.redis.mget(...customerIds.map((id) => this.customerKey(id)));
    return raw.map((r, i) => (r ? this.parsed.get(customerIds[i], r) : null));
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
