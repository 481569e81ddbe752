import type { CatalogueItem } from '../../src/catalogue/catalogue-item.entity';
import { ItemCache } from '../../src/catalogue/item-cache';
import { cachedItems } from '../../src/graphql/loaders';
import { createTestDb, type TestDb } from '../support/db';

/**
 * The title loader answers from the process's short-lived cache and reads only the misses.
 * Found under load by the mixed benchmark: a title that was cached when a batch started but
 * expired while the misses were being read came back as null ("Cannot return null").
 */
let db: TestDb;
let ids: string[];

beforeAll(async () => {
  db = await createTestDb('item_loader');
  ids = (
    await db.ds.query(
      `INSERT INTO catalogue_item (external_id, title) VALUES ('L1', 'One'), ('L2', 'Two')
       RETURNING id::text`,
    )
  ).map((r: { id: string }) => r.id);
});

afterAll(async () => {
  await db.drop();
});

/** A cache whose entries expire right after they are first looked up. */
class ExpiringCache extends ItemCache {
  private readonly seen = new Set<string>();
  override get(id: string): CatalogueItem | undefined {
    if (this.seen.has(id)) return undefined;
    this.seen.add(id);
    return super.get(id);
  }
}

it('returns a title that was cached when the batch began even if it expires during the read', async () => {
  const cache = new ExpiringCache();
  const [first] = await db.ds.query(`SELECT id::text, title FROM catalogue_item WHERE id = $1`, [
    ids[0],
  ]);
  cache.set(first as CatalogueItem);
  const loaded = await cachedItems(db.ds, cache).loadMany(ids);
  expect(loaded.map((i) => (i as CatalogueItem | null)?.title)).toEqual(['One', 'Two']);
});
