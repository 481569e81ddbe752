import { ageBandFor } from '../customers/age-band';
import { ActivityType } from '../activity/activity.enums';
import type { FieldProblem } from '../common/errors';
import { arrayLiteral, plainArrayLiteral, type CustomerRef } from './import.repository';
import type { BatchOutcome, Db, Importer, PendingRow, RowRejection } from './import.types';
import { activityRow, type ActivityRow } from './rows';

/** Marks records made up because activity named them before their own import arrived. */
const CREATED_BY = JSON.stringify({ createdBy: 'activity-import' });

interface References {
  customers: Map<string, CustomerRef>;
  items: Map<string, string>;
  branches: Map<string, string>;
  events: Map<string, string>;
  /** Earlier activity that corrections in the batch cancel, by source key. */
  corrected: Map<string, string>;
}

/** Resolves every external id the batch names, in one round trip. */
async function resolveReferences(
  db: Db,
  rows: ReadonlyArray<PendingRow<ActivityRow>>,
): Promise<References> {
  const keys = (pick: (r: ActivityRow) => string | null) => {
    const set = new Set<string>();
    for (const r of rows) {
      const k = pick(r.value);
      if (k !== null) set.add(k);
    }
    return arrayLiteral([...set]);
  };
  const { rows: found } = await db.query<{
    t: 'c' | 'i' | 'b' | 'e' | 'a';
    k: string;
    id: string;
    birth_year: number | null;
    erased: boolean | null;
  }>(
    `SELECT 'c' AS t, c.external_id AS k, c.id, c.birth_year, c.status = 'ERASED' AS erased` +
      ` FROM unnest($1::text[]) AS x(k) JOIN customer c ON c.external_id = x.k` +
      ` UNION ALL SELECT 'i', i.external_id, i.id, NULL, NULL` +
      ` FROM unnest($2::text[]) AS x(k) JOIN catalogue_item i ON i.external_id = x.k` +
      ` UNION ALL SELECT 'b', b.external_id, b.id, NULL, NULL` +
      ` FROM unnest($3::text[]) AS x(k) JOIN branch b ON b.external_id = x.k` +
      ` UNION ALL SELECT 'e', e.external_id, e.id, NULL, NULL` +
      ` FROM unnest($4::text[]) AS x(k) JOIN event e ON e.external_id = x.k` +
      ` UNION ALL SELECT 'a', a.source_key, a.id, NULL, NULL` +
      ` FROM unnest($5::text[]) AS x(k) JOIN activity a ON a.source_key = x.k`,
    [
      keys((r) => r.customerExternalId),
      keys((r) => r.itemExternalId),
      keys((r) => r.branchExternalId),
      keys((r) => r.eventExternalId),
      keys((r) => r.correctsSourceKey),
    ],
  );
  const refs: References = {
    customers: new Map(),
    items: new Map(),
    branches: new Map(),
    events: new Map(),
    corrected: new Map(),
  };
  for (const f of found) {
    if (f.t === 'c') {
      refs.customers.set(f.k, { id: f.id, birthYear: f.birth_year, erased: !!f.erased });
    } else if (f.t === 'i') refs.items.set(f.k, f.id);
    else if (f.t === 'b') refs.branches.set(f.k, f.id);
    else if (f.t === 'e') refs.events.set(f.k, f.id);
    else refs.corrected.set(f.k, f.id);
  }
  return refs;
}

/** Problems with a row's references; corrections may cancel an entry earlier in the batch. */
function referenceProblems(
  a: ActivityRow,
  refs: References,
  batchKeys: Set<string>,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (refs.customers.get(a.customerExternalId)?.erased) {
    problems.push({
      field: 'customer_external_id',
      rule: 'erased',
      message: 'is an erased customer',
    });
  }
  if (a.branchExternalId !== null && !refs.branches.has(a.branchExternalId)) {
    problems.push({
      field: 'branch',
      rule: 'unknown',
      message: `branch ${a.branchExternalId} does not exist`,
    });
  }
  if (a.eventExternalId !== null && !refs.events.has(a.eventExternalId)) {
    problems.push({
      field: 'event_external_id',
      rule: 'unknown',
      message: `event ${a.eventExternalId} does not exist`,
    });
  }
  const target = a.correctsSourceKey;
  if (target !== null && !refs.corrected.has(target) && !batchKeys.has(target)) {
    problems.push({
      field: 'corrects_source_key',
      rule: 'unknown',
      message: 'names no recorded activity',
    });
  }
  return problems;
}

/**
 * Adds minimal records for external ids activity names before their own import arrived, so
 * the history is kept; the records are marked `attributes.createdBy = 'activity-import'`.
 * Returns external id → id for all of `externalIds`.
 */
async function createMinimal(
  db: Db,
  table: 'customer' | 'catalogue_item',
  externalIds: readonly string[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!externalIds.length) return ids;
  // A customer first seen in the ledger is a visitor until a customer import says otherwise;
  // a title is known only by its id until the catalogue import names it.
  const sql =
    table === 'customer'
      ? `INSERT INTO customer (external_id, kind, attributes)` +
        ` SELECT x, 'VISITOR', $2::jsonb FROM unnest($1::text[]) AS x`
      : `INSERT INTO catalogue_item (external_id, title, attributes)` +
        ` SELECT x, x, $2::jsonb FROM unnest($1::text[]) AS x`;
  // Sorted, so two batches creating the same records take their locks in the same order.
  const { rows } = await db.query<{ id: string; external_id: string }>(
    `${sql} ORDER BY x ON CONFLICT (external_id) DO NOTHING RETURNING id, external_id`,
    [[...externalIds].sort(), CREATED_BY],
  );
  for (const r of rows) ids.set(r.external_id, r.id);
  return ids;
}

/** Column arrays for one multi-row insert. */
class LedgerColumns {
  readonly customer: string[] = [];
  readonly type: string[] = [];
  readonly occurredAt: string[] = [];
  readonly branch: Array<string | null> = [];
  readonly channel: string[] = [];
  readonly item: Array<string | null> = [];
  readonly event: Array<string | null> = [];
  readonly staff: Array<string | null> = [];
  readonly sourceKey: string[] = [];
  readonly details: string[] = [];
  readonly corrects: Array<string | null> = [];
  readonly ageBand: string[] = [];

  get size(): number {
    return this.sourceKey.length;
  }

  add(a: ActivityRow, customer: CustomerRef, refs: References, corrects: string | null): void {
    this.customer.push(customer.id);
    this.type.push(a.type);
    this.occurredAt.push(a.occurredAt.toISOString());
    this.branch.push(a.branchExternalId === null ? null : refs.branches.get(a.branchExternalId)!);
    this.channel.push(a.channel);
    this.item.push(a.itemExternalId === null ? null : refs.items.get(a.itemExternalId)!);
    this.event.push(a.eventExternalId === null ? null : refs.events.get(a.eventExternalId)!);
    this.staff.push(a.staffMember);
    this.sourceKey.push(a.sourceKey);
    this.details.push(Object.keys(a.details).length ? JSON.stringify(a.details) : '{}');
    this.corrects.push(corrects);
    // The band at the time of the activity, kept for statistics after anonymisation.
    this.ageBand.push(ageBandFor(customer.birthYear, a.occurredAt));
  }

  /** The columns as array literals, built here because it is the hot path of big imports. */
  params(): string[] {
    return [
      plainArrayLiteral(this.customer),
      plainArrayLiteral(this.type),
      plainArrayLiteral(this.occurredAt),
      plainArrayLiteral(this.branch),
      plainArrayLiteral(this.channel),
      plainArrayLiteral(this.item),
      plainArrayLiteral(this.event),
      arrayLiteral(this.staff),
      arrayLiteral(this.sourceKey),
      arrayLiteral(this.details),
      plainArrayLiteral(this.corrects),
      plainArrayLiteral(this.ageBand),
    ];
  }
}

/**
 * Appends entries, skipping source keys already recorded, and moves each customer's
 * last_active_at on to their latest new entry. Returns how many entries were new, and whose.
 */
async function appendEntries(
  db: Db,
  cols: LedgerColumns,
): Promise<{ inserted: number; customers: string[] }> {
  if (!cols.size) return { inserted: 0, customers: [] };
  const { rows } = await db.query<{ inserted: number; customers: string[] }>(
    `WITH ins AS (INSERT INTO activity (customer_id, type, occurred_at, branch_id, channel,` +
      ` item_id, event_id, staff_member, source_key, details, corrects_id, age_band)` +
      ` SELECT * FROM unnest($1::bigint[], $2::activity_type[], $3::timestamptz[], $4::bigint[],` +
      ` $5::channel[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::jsonb[],` +
      ` $11::bigint[], $12::age_band[])` +
      ` ON CONFLICT (source_key) DO NOTHING RETURNING customer_id, occurred_at),` +
      ` latest AS (SELECT customer_id, max(occurred_at) AS at FROM ins GROUP BY customer_id),` +
      // Customers are locked in id order so batches written side by side cannot deadlock.
      ` locked AS (SELECT c.id, l.at FROM customer c JOIN latest l ON l.customer_id = c.id` +
      ` WHERE c.last_active_at IS NULL OR c.last_active_at < l.at` +
      ` ORDER BY c.id FOR NO KEY UPDATE OF c),` +
      ` touched AS (UPDATE customer c SET last_active_at = k.at FROM locked k` +
      ` WHERE c.id = k.id AND (c.last_active_at IS NULL OR c.last_active_at < k.at) RETURNING 1)` +
      ` SELECT (SELECT count(*)::int FROM ins) AS inserted,` +
      ` ARRAY(SELECT customer_id::text FROM latest) AS customers`,
    cols.params(),
  );
  return rows[0];
}

async function writeBatch(
  db: Db,
  batch: ReadonlyArray<PendingRow<ActivityRow>>,
): Promise<BatchOutcome> {
  const refs = await resolveReferences(db, batch);
  const rejected: RowRejection[] = [];
  // Corrections go after the other rows so they can cancel an entry from the same batch.
  const plain = batch.filter((r) => r.value.type !== ActivityType.CORRECTION);
  const corrections = batch.filter((r) => r.value.type === ActivityType.CORRECTION);
  const batchKeys = new Set<string>();
  const accept = (rows: ReadonlyArray<PendingRow<ActivityRow>>, record: boolean) =>
    rows.filter(({ line, value }) => {
      const problems = referenceProblems(value, refs, batchKeys);
      if (problems.length) {
        rejected.push({ line, problems });
        return false;
      }
      if (record) batchKeys.add(value.sourceKey);
      return true;
    });
  const accepted = [...accept(plain, true), ...accept(corrections, false)];

  const missing = (pick: (a: ActivityRow) => string | null, known: Map<string, unknown>) => {
    const keys = new Set<string>();
    for (const { value } of accepted) {
      const k = pick(value);
      if (k !== null && !known.has(k)) keys.add(k);
    }
    return [...keys];
  };
  const wantedCustomers = missing((a) => a.customerExternalId, refs.customers);
  const wantedItems = missing((a) => a.itemExternalId, refs.items);
  const newCustomers = await createMinimal(db, 'customer', wantedCustomers);
  const newItems = await createMinimal(db, 'catalogue_item', wantedItems);
  for (const [k, id] of newCustomers) refs.customers.set(k, { id, birthYear: null, erased: false });
  for (const [k, id] of newItems) refs.items.set(k, id);
  if (newCustomers.size < wantedCustomers.length || newItems.size < wantedItems.length) {
    // A batch written alongside, or another import, made some of them first; use those.
    const again = await resolveReferences(db, accepted);
    for (const [k, c] of again.customers) refs.customers.set(k, c);
    for (const [k, id] of again.items) refs.items.set(k, id);
  }

  const first = new LedgerColumns();
  const targets: Array<PendingRow<ActivityRow>> = [];
  for (const row of accepted) {
    const a = row.value;
    if (a.type === ActivityType.CORRECTION) targets.push(row);
    else first.add(a, refs.customers.get(a.customerExternalId)!, refs, null);
  }
  const written1 = await appendEntries(db, first);
  let inserted = written1.inserted;
  const customers = written1.customers;
  if (targets.length) {
    // Entries cancelled from this batch have ids only now that they are written.
    const written = await resolveReferences(db, targets);
    const second = new LedgerColumns();
    for (const { value: a } of targets) {
      const target = written.corrected.get(a.correctsSourceKey!)!;
      second.add(a, refs.customers.get(a.customerExternalId)!, refs, target);
    }
    const written2 = await appendEntries(db, second);
    inserted += written2.inserted;
    customers.push(...written2.customers);
  }
  return {
    inserted,
    updated: 0,
    unchanged: accepted.length - inserted,
    rejected,
    created: { customers: newCustomers.size, items: newItems.size },
    changed: { activityRecorded: customers },
  };
}

/**
 * The activity ledger. Entries are appended, never changed: an entry whose source key is
 * already recorded is skipped and counted as unchanged. Customers and titles the ledger names
 * but the database does not know are created minimally; unknown branches and events refuse
 * the row. `corrects_source_key` names the entry a CORRECTION cancels.
 */
export const activityImporter: Importer<ActivityRow> = {
  kind: 'activity',
  columns: {
    required: ['customer_external_id', 'type', 'occurred_at'],
    optional: [
      'item_external_id',
      'event_external_id',
      'branch',
      'channel',
      'source_key',
      'rating',
      'session_minutes',
      'search_terms',
      'staff_member',
      'corrects_source_key',
    ],
  },
  mapRow: activityRow,
  writeBatch,
  // Entries are independent, so batches are written side by side: with three connections the
  // database stays busy while one of them waits on a commit. A correction may cancel an entry
  // from an earlier batch, which must have committed to be found.
  concurrency: 3,
  needsEarlierBatches: (rows) => rows.some((r) => r.value.type === ActivityType.CORRECTION),
};
