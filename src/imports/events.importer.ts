import { InterestKind } from '../interests/interest.enums';
import {
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
import { eventRow, type EventRow, type InterestRef, type TopicRef } from './rows';

/** Plan of the event upsert; columns absent from the file are left alone on existing rows. */
function columns(header: CsvHeader): UpsertColumn[] {
  const has = (c: string) => header.position.has(c);
  return [
    { name: 'title', type: 'text', updates: true },
    { name: 'description', type: 'text', updates: has('description') },
    { name: 'branch_id', type: 'bigint', updates: has('branch') },
    { name: 'starts_at', type: 'timestamptz', updates: true },
    { name: 'ends_at', type: 'timestamptz', updates: has('ends_at') },
    { name: 'capacity', type: 'integer', updates: has('capacity') },
    { name: 'audience', type: 'audience', updates: has('audience') },
  ];
}

/**
 * Turns topics into taxonomy references. A bare label links to every interest already carrying
 * it (so "Storytime" meets the customers who declared the event type, and "Crime" both the
 * genre and the subject); a label nobody uses yet becomes a subject.
 */
async function topicResolver(
  db: Db,
  topics: readonly TopicRef[],
): Promise<(topic: TopicRef) => InterestRef[]> {
  const bare = [...new Set(topics.filter((t) => t.kind === null).map((t) => t.key))];
  const kindsByKey = new Map<string, InterestKind[]>();
  if (bare.length) {
    const { rows } = await db.query<{ kind: InterestKind; key: string }>(
      `SELECT n.kind, n.key FROM unnest($1::text[]) AS k(key) JOIN interest n ON n.key = k.key`,
      [bare],
    );
    for (const r of rows) kindsByKey.set(r.key, [...(kindsByKey.get(r.key) ?? []), r.kind]);
  }
  return (t) => {
    const kinds = t.kind ? [t.kind] : (kindsByKey.get(t.key) ?? [InterestKind.SUBJECT]);
    return kinds.map((kind) => ({ kind, label: t.label, key: t.key }));
  };
}

async function writeBatch(
  db: Db,
  batch: ReadonlyArray<PendingRow<EventRow>>,
  header: CsvHeader,
): Promise<BatchOutcome> {
  const branches = await findIds(
    db,
    'branch',
    batch.flatMap((r) => r.value.branch ?? []),
  );
  const rejected: RowRejection[] = [];
  const rows = batch.filter(({ line, value }) => {
    if (value.branch === null || branches.has(value.branch)) return true;
    rejected.push({
      line,
      problems: [
        { field: 'branch', rule: 'unknown', message: `branch ${value.branch} does not exist` },
      ],
    });
    return false;
  });
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0, rejected, created: {} };

  const events = rows.map((r) => r.value);
  const { inserted, updated } = await upsertByExternalId(
    db,
    { table: 'event', columns: columns(header), stamped: true },
    events.map((e) => e.externalId),
    [
      events.map((e) => e.title),
      events.map((e) => e.description),
      events.map((e) => (e.branch === null ? null : branches.get(e.branch)!)),
      events.map((e) => e.startsAt.toISOString()),
      events.map((e) => e.endsAt?.toISOString() ?? null),
      events.map((e) => e.capacity),
      events.map((e) => e.audience),
    ],
  );

  const touched = new Set(updated.values());
  let interestsCreated = 0;
  if (header.position.has('topics')) {
    const ids = await findIds(
      db,
      'event',
      events.map((e) => e.externalId),
    );
    const resolve = await topicResolver(
      db,
      events.flatMap((e) => e.topics),
    );
    const wanted = events.flatMap((e) =>
      e.topics.flatMap(resolve).map((ref) => ({ owner: ids.get(e.externalId)!, ref })),
    );
    interestsCreated = await ensureInterests(
      db,
      wanted.map((w) => w.ref),
    );
    const relinked = await syncInterestLinks(
      db,
      { table: 'event_topic', owner: 'event_id' },
      [...ids.values()],
      Object.values(InterestKind),
      wanted,
    );
    const newIds = new Set(inserted.values());
    for (const id of relinked) if (!newIds.has(id)) touched.add(id);
  }
  return {
    inserted: inserted.size,
    updated: touched.size,
    unchanged: rows.length - inserted.size - touched.size,
    rejected,
    created: { interests: interestsCreated },
  };
}

/**
 * Library events, upserted by external id; `branch` is a branch external id and `topics` a list
 * of interest labels, optionally with their kind (`event_type:Storytime`). Import items and
 * interests first so bare labels find the interests they name. When the topics column is
 * present its cell is the event's complete list of topics.
 */
export const eventsImporter: Importer<EventRow> = {
  kind: 'events',
  columns: {
    required: ['external_id', 'title', 'starts_at'],
    optional: ['description', 'branch', 'ends_at', 'capacity', 'topics', 'audience'],
  },
  mapRow: eventRow,
  key: (row) => row.externalId,
  writeBatch,
};
