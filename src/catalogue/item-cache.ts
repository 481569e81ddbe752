import type { CatalogueItem } from './catalogue-item.entity';

/**
 * Titles recently read by this process. Catalogue records are public and change rarely, while
 * every suggestion list names ten or more of them; keeping them for a few seconds takes a SQL
 * round trip off most suggestion requests. Changes made through this process are seen at once;
 * changes made by another API process show here within `ttlMs`.
 */
export class ItemCache {
  private readonly entries = new Map<string, { item: CatalogueItem; expires: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 20_000,
  ) {}

  get(id: string, now = Date.now()): CatalogueItem | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (e.expires <= now) {
      this.entries.delete(id);
      return undefined;
    }
    return e.item;
  }

  set(item: CatalogueItem, now = Date.now()): void {
    // Maps iterate in insertion order, so the first key is the oldest entry.
    if (this.entries.size >= this.maxEntries && !this.entries.has(item.id)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(item.id);
    this.entries.set(item.id, { item, expires: now + this.ttlMs });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }
}
