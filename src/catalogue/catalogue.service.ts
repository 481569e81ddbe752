import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DomainError, fromZod, PG_UNIQUE_VIOLATION } from '../common/errors';
import { readerFor } from '../db/entity-reader';
import { assertId, likeContains, stripUndefined } from '../common/ids';
import { decodeCursor, type Page, toPage } from '../graphql/pagination';
import { ensureInterests, type InterestRef } from '../interests/interest.repository';
import { InterestKind } from '../interests/interest.enums';
import { CatalogueItem } from './catalogue-item.entity';
import type { Audience, ItemFormat } from './catalogue.enums';
import { holdingSchema, itemPatchSchema, newItemSchema } from './catalogue.validation';
import { Holding } from './holding.entity';
import { ItemCache } from './item-cache';

export interface ItemFilter {
  /** Part of the title or of an author's name. */
  search?: string | null;
  formats?: ItemFormat[] | null;
  audiences?: Audience[] | null;
  language?: string | null;
  interestId?: string | null;
}

/** The taxonomy links of a title: its subjects, genres and authors. */
function linksOf(item: {
  subjects?: string[];
  genres?: string[];
  authors?: string[];
}): InterestRef[] {
  return [
    ...(item.subjects ?? []).map((label) => ({ kind: InterestKind.SUBJECT, label })),
    ...(item.genres ?? []).map((label) => ({ kind: InterestKind.GENRE, label })),
    ...(item.authors ?? []).map((label) => ({ kind: InterestKind.AUTHOR, label })),
  ];
}

export class CatalogueService {
  /** Recently read titles; this service forgets a title whenever it changes one. */
  readonly cache = new ItemCache();

  constructor(private readonly ds: DataSource) {}

  async get(id: string): Promise<CatalogueItem> {
    const item = await readerFor(this.ds, CatalogueItem).one(this.ds, 'id', assertId(id, 'id'));
    if (!item) throw DomainError.notFound('Item', id);
    return item;
  }

  async getByExternalId(externalId: string): Promise<CatalogueItem> {
    const item = await readerFor(this.ds, CatalogueItem).one(
      this.ds,
      'external_id',
      externalId,
      'text',
    );
    if (!item) throw DomainError.notFound('Item with externalId', externalId);
    return item;
  }

  async list(
    filter: ItemFilter,
    first: number,
    after?: string | null,
  ): Promise<Page<CatalogueItem>> {
    const cursor = decodeCursor(after, 1);
    const qb = this.ds.getRepository(CatalogueItem).createQueryBuilder('i');
    const term = filter.search?.trim();
    if (term) {
      if (term.length > 200)
        throw DomainError.badInput('filter.search', 'max', 'must be at most 200 characters');
      qb.andWhere('(lower(i.title) LIKE :term OR cp_join_words(i.authors) LIKE :term)', {
        term: likeContains(term),
      });
    }
    if (filter.formats?.length)
      qb.andWhere('i.format IN (:...formats)', { formats: filter.formats });
    if (filter.audiences?.length) qb.andWhere('i.audience IN (:...aud)', { aud: filter.audiences });
    if (filter.language) qb.andWhere('i.language = :lang', { lang: filter.language.toLowerCase() });
    if (filter.interestId) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM item_interest ii WHERE ii.item_id = i.id AND ii.interest_id = :iid)',
        { iid: assertId(filter.interestId, 'filter.interestId') },
      );
    }
    if (cursor) qb.andWhere('i.id > :after', { after: String(cursor[0]) });
    const rows = await qb
      .orderBy('i.id', 'ASC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first, (i) => [i.id]);
  }

  async create(input: unknown): Promise<CatalogueItem> {
    const parsed = newItemSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const { subjects, genres, ...columns } = parsed.data;
    return this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(CatalogueItem);
      let saved: CatalogueItem;
      try {
        saved = await repo.save(repo.create(columns));
      } catch (err) {
        if ((err as { code?: string }).code === PG_UNIQUE_VIOLATION) {
          throw DomainError.conflict(
            `An item with externalId ${columns.externalId} already exists`,
            'input.externalId',
          );
        }
        throw err;
      }
      await this.relink(tx, saved.id, linksOf({ subjects, genres, authors: columns.authors }));
      return repo.findOneByOrFail({ id: saved.id });
    });
  }

  async update(id: string, input: unknown): Promise<CatalogueItem> {
    const parsed = itemPatchSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const { subjects, genres, ...columns } = stripUndefined(parsed.data);
    const updated = await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(CatalogueItem);
      const current = await repo.findOne({
        where: { id: assertId(id, 'id') },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw DomainError.notFound('Item', id);
      this.cache.forget(id);
      if (Object.keys(columns).length)
        await repo.update({ id }, columns as QueryDeepPartialEntity<CatalogueItem>);
      if (subjects || genres || columns.authors) {
        const existing = await this.currentLinks(tx, id);
        await this.relink(
          tx,
          id,
          linksOf({
            subjects: subjects ?? existing.subjects,
            genres: genres ?? existing.genres,
            authors: columns.authors ?? current.authors,
          }),
        );
      }
      return repo.findOneByOrFail({ id });
    });
    // Again after commit: a read during the transaction may have cached the old row.
    this.cache.forget(id);
    return updated;
  }

  /** Sets the copies a branch holds; creates the holding on first use. */
  async setHolding(itemId: string, branchId: string, input: unknown): Promise<Holding> {
    const parsed = holdingSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error);
    assertId(itemId, 'itemId');
    assertId(branchId, 'branchId');
    const [item] = await this.ds.query('SELECT 1 FROM catalogue_item WHERE id = $1', [itemId]);
    if (!item) throw DomainError.notFound('Item', itemId);
    const [branch] = await this.ds.query('SELECT 1 FROM branch WHERE id = $1', [branchId]);
    if (!branch) throw DomainError.notFound('Branch', branchId);
    await this.ds.query(
      `INSERT INTO holding (item_id, branch_id, copies, copies_available) VALUES ($1, $2, $3, $4)
       ON CONFLICT (item_id, branch_id) DO UPDATE
         SET copies = excluded.copies, copies_available = excluded.copies_available, updated_at = now()`,
      [itemId, branchId, parsed.data.copies, parsed.data.copiesAvailable],
    );
    return this.ds.getRepository(Holding).findOneByOrFail({ itemId, branchId });
  }

  private async currentLinks(tx: EntityManager, itemId: string) {
    const rows: { kind: InterestKind; label: string }[] = await tx.query(
      `SELECT i.kind, i.label FROM item_interest ii JOIN interest i ON i.id = ii.interest_id
        WHERE ii.item_id = $1`,
      [itemId],
    );
    return {
      subjects: rows.filter((r) => r.kind === InterestKind.SUBJECT).map((r) => r.label),
      genres: rows.filter((r) => r.kind === InterestKind.GENRE).map((r) => r.label),
    };
  }

  /** Replaces a title's taxonomy links with exactly these. */
  private async relink(tx: EntityManager, itemId: string, refs: InterestRef[]) {
    const ids = [...new Set((await ensureInterests(tx, refs)).values())];
    await tx.query(
      'DELETE FROM item_interest WHERE item_id = $1 AND NOT (interest_id = ANY($2::bigint[]))',
      [itemId, ids],
    );
    await tx.query(
      `INSERT INTO item_interest (item_id, interest_id) SELECT $1, unnest($2::bigint[])
       ON CONFLICT DO NOTHING`,
      [itemId, ids],
    );
  }
}
