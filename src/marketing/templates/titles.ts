import type { DataSource, EntityManager } from 'typeorm';
import { Audience } from '../../catalogue/catalogue.enums';
import type { RecommendationService } from '../../recommendations/recommendation.service';
import { type MessageData, SAMPLE_TITLES } from './template';

type Db = DataSource | EntityManager;

/** Titles and authors by item id, in the order asked; unknown ids are skipped. */
export async function titlesOf(db: Db, itemIds: readonly string[]): Promise<MessageData['titles']> {
  if (!itemIds.length) return [];
  const rows: Array<{ id: string; title: string; authors: string[] }> = await db.query(
    `SELECT id::text AS id, title, authors FROM catalogue_item WHERE id = ANY($1::bigint[])`,
    [itemIds],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return itemIds.flatMap((id) => {
    const r = byId.get(id);
    return r ? [{ title: r.title, authors: r.authors }] : [];
  });
}

/**
 * Titles for a preview: the library-wide popular list (an aggregate, nobody's own
 * suggestions), or invented titles before the first model is built.
 */
export async function sampleTitles(
  ds: DataSource,
  recommendations: Pick<RecommendationService, 'popular'>,
  count: number,
): Promise<MessageData['titles']> {
  const popular = await recommendations.popular(null, Audience.ADULT, count, 'ALL_TIME');
  const titles = await titlesOf(
    ds,
    popular.map((p) => p.itemId),
  );
  return titles.length >= count ? titles : [...titles, ...SAMPLE_TITLES].slice(0, count);
}
