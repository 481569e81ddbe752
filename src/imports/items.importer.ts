import { InterestKind } from '../interests/interest.enums';
import {
  arrayLiteral,
  ensureInterests,
  findIds,
  syncInterestLinks,
  upsertByExternalId,
  type UpsertColumn,
} from './import.repository';
import type {
  BatchOutcome,
  CsvHeader,
  Db,
  Importer,
  PendingRow,
  RowRejection,
} from './import.types';
import { itemRow, type ItemRow } from './rows';

/** Which interest kind each list column feeds. */
const LINKED_COLUMNS: ReadonlyArray<[string, InterestKind]> = [
  ['subjects', InterestKind.SUBJECT],
  ['genres', InterestKind.GENRE],
  ['authors', InterestKind.AUTHOR],
];

/** Plan of the title upsert; columns absent from the file are left alone on existing rows. */
function columns(header: CsvHeader): UpsertColumn[] {
  const has = (c: string) => header.position.has(c);
  const keep = (v: string, t: string) => `COALESCE(${v}, ${t})`;
  return [
    { name: 'title', type: 'text', updates: true },
    {
      name: 'authors',
      type: 'text',
      insert: (v) => `${v}::text[]`,
      update: (v) => `${v}::text[]`,
      updates: has('authors'),
    },
    {
      name: 'format',
      type: 'item_format',
      insert: (v) => `COALESCE(${v}, 'BOOK')`,
      update: keep,
      updates: has('format'),
    },
    {
      name: 'audience',
      type: 'audience',
      insert: (v) => `COALESCE(${v}, 'ADULT')`,
      update: keep,
      updates: has('audience'),
    },
    { name: 'language', type: 'text', updates: has('language') },
    { name: 'published_year', type: 'smallint', updates: has('published_year') },
    { name: 'isbn', type: 'text', updates: has('isbn') },
    { name: 'series', type: 'text', updates: has('series') },
    {
      name: 'added_at',
      type: 'timestamptz',
      insert: (v) => `COALESCE(${v}, now())`,
      update: keep,
      updates: has('added_at'),
    },
    // Extra columns are merged in, so attributes set elsewhere survive a re-import.
    {
      name: 'attributes',
      type: 'text',
      insert: (v) => `${v}::jsonb`,
      update: (v, t) => `${t} || ${v}::jsonb`,
      updates: true,
    },
  ];
}

async function writeBatch(
  db: Db,
  batch: ReadonlyArray<PendingRow<ItemRow>>,
  header: CsvHeader,
): Promise<BatchOutcome> {
  const rejected: RowRejection[] = [];
  const branches = await findIds(
    db,
    'branch',
    batch.flatMap((r) => r.value.holdings.map((h) => h.branch)),
  );
  const rows = batch.filter((r) => {
    const unknown = r.value.holdings.filter((h) => !branches.has(h.branch));
    if (!unknown.length) return true;
    rejected.push({
      line: r.line,
      problems: unknown.map((h) => ({
        field: 'holdings',
        rule: 'unknown',
        message: `branch ${h.branch} does not exist`,
      })),
    });
    return false;
  });
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0, rejected, created: {} };

  const items = rows.map((r) => r.value);
  const { inserted, updated } = await upsertByExternalId(
    db,
    { table: 'catalogue_item', columns: columns(header), stamped: true },
    items.map((i) => i.externalId),
    [
      items.map((i) => i.title),
      items.map((i) => arrayLiteral(i.authors)),
      items.map((i) => i.format),
      items.map((i) => i.audience),
      items.map((i) => i.language),
      items.map((i) => i.publishedYear),
      items.map((i) => i.isbn),
      items.map((i) => i.series),
      items.map((i) => i.addedAt?.toISOString() ?? null),
      items.map((i) => JSON.stringify(i.attributes)),
    ],
  );
  const ids = await findIds(
    db,
    'catalogue_item',
    items.map((i) => i.externalId),
  );
  const owners = [...ids.values()];
  const changed = new Set<string>();

  let interestsCreated = 0;
  const kinds = LINKED_COLUMNS.filter(([c]) => header.position.has(c)).map(([, k]) => k);
  if (kinds.length) {
    const wanted = items.flatMap((i) =>
      i.interests
        .filter((ref) => kinds.includes(ref.kind))
        .map((ref) => ({ owner: ids.get(i.externalId)!, ref })),
    );
    interestsCreated = await ensureInterests(
      db,
      wanted.map((w) => w.ref),
    );
    const relinked = await syncInterestLinks(
      db,
      { table: 'item_interest', owner: 'item_id' },
      owners,
      kinds,
      wanted,
    );
    for (const id of relinked) changed.add(id);
  }
  if (header.position.has('holdings')) {
    const held = items.flatMap((i) =>
      i.holdings.map((h) => ({
        item: ids.get(i.externalId)!,
        branch: branches.get(h.branch)!,
        copies: h.copies,
        copiesAvailable: h.copiesAvailable,
      })),
    );
    for (const id of await syncHoldings(db, owners, held)) changed.add(id);
  }

  const newIds = new Set(inserted.values());
  const touched = new Set(updated.values());
  for (const id of changed) if (!newIds.has(id)) touched.add(id);
  return {
    inserted: newIds.size,
    updated: touched.size,
    unchanged: rows.length - newIds.size - touched.size,
    rejected,
    created: { interests: interestsCreated },
  };
}

/**
 * Makes the holdings of `items` exactly `held`: counts that differ are updated, new branches
 * added and branches no longer listed removed. Returns the items whose holdings changed.
 */
async function syncHoldings(
  db: Db,
  items: readonly string[],
  held: ReadonlyArray<{ item: string; branch: string; copies: number; copiesAvailable: number }>,
): Promise<Set<string>> {
  const { rows } = await db.query<{ item_id: string }>(
    `WITH wanted AS (SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[])` +
      ` AS w(item_id, branch_id, copies, available)),` +
      ` gone AS (DELETE FROM holding h WHERE h.item_id = ANY($5::bigint[])` +
      ` AND NOT EXISTS (SELECT 1 FROM wanted w` +
      ` WHERE w.item_id = h.item_id AND w.branch_id = h.branch_id)` +
      ` RETURNING h.item_id),` +
      ` changed AS (UPDATE holding h SET copies = w.copies, copies_available = w.available,` +
      ` updated_at = now() FROM wanted w` +
      ` WHERE h.item_id = w.item_id AND h.branch_id = w.branch_id` +
      ` AND (h.copies, h.copies_available) IS DISTINCT FROM (w.copies, w.available)` +
      ` RETURNING h.item_id),` +
      ` added AS (INSERT INTO holding (item_id, branch_id, copies, copies_available)` +
      ` SELECT w.item_id, w.branch_id, w.copies, w.available FROM wanted w WHERE NOT EXISTS` +
      ` (SELECT 1 FROM holding h WHERE h.item_id = w.item_id AND h.branch_id = w.branch_id)` +
      ` RETURNING item_id)` +
      ` SELECT item_id FROM gone UNION SELECT item_id FROM changed UNION SELECT item_id FROM added`,
    [
      held.map((h) => h.item),
      held.map((h) => h.branch),
      held.map((h) => h.copies),
      held.map((h) => h.copiesAvailable),
      items,
    ],
  );
  return new Set(rows.map((r) => r.item_id));
}

/**
 * Catalogue titles, upserted by external id. Subjects, genres and authors become links to the
 * interest taxonomy, and `holdings` (`BRANCH:copies:available|...`) the copies per branch; when
 * one of those columns is present its cell is the complete list for the title.
 */
export const itemsImporter: Importer<ItemRow> = {
  kind: 'items',
  columns: {
    required: ['external_id', 'title'],
    optional: [
      'authors',
      'subjects',
      'genres',
      'format',
      'audience',
      'language',
      'published_year',
      'isbn',
      'series',
      'added_at',
      'holdings',
    ],
  },
  mapRow: itemRow,
  key: (row) => row.externalId,
  writeBatch,
};
