import type { InterestRef } from './rows';
import type { Db, PendingRow, RowRejection } from './import.types';

/*
 * Set-based SQL shared by the loaders. Every statement takes whole columns as arrays and expands
 * them with unnest(), so a batch costs a handful of round trips whatever its size, and no
 * statement comes near PostgreSQL's limit of 65,535 parameters.
 */

/** Tables keyed by an external id from the library's systems of record. */
export type ExternalTable = 'branch' | 'customer' | 'catalogue_item' | 'event';

/** One column of an upsert: how a new row gets it and how an existing row changes. */
export interface UpsertColumn {
  name: string;
  /** Element type of the parameter array, e.g. `text`, `smallint`, `customer_kind`. */
  type: string;
  /** Value for a new row from the incoming one `v`; defaults to `v`. */
  insert?: (v: string) => string;
  /** Value for an existing row from incoming `v` and current `t`; defaults to `v`. */
  update?: (v: string, t: string) => string;
  /** Whether existing rows take this column; false when the file does not have it. */
  updates: boolean;
}

export interface UpsertPlan {
  table: ExternalTable;
  columns: readonly UpsertColumn[];
  /** Extra condition an existing row must meet to be changed (in terms of alias `t`). */
  guard?: string;
  /** Whether the table has an updated_at column to stamp. */
  stamped: boolean;
}

export interface UpsertResult {
  inserted: Map<string, string>;
  updated: Map<string, string>;
}

/**
 * Inserts rows whose external id is new and updates existing rows only where a value really
 * differs (IS DISTINCT FROM), so re-importing an unchanged file writes nothing. `values` holds one
 * array per plan column, in plan order, after the array of external ids. Returns external id →
 * id for the rows inserted and the rows updated.
 */
export async function upsertByExternalId(
  db: Db,
  plan: UpsertPlan,
  externalIds: readonly string[],
  values: readonly unknown[][],
): Promise<UpsertResult> {
  const params = [externalIds, ...values];
  const names = ['external_id', ...plan.columns.map((c) => c.name)];
  const source =
    `unnest(${['text', ...plan.columns.map((c) => c.type)].map((t, i) => `$${i + 1}::${t}[]`)})` +
    ` AS r(${names.join(', ')})`;
  const updated = new Map<string, string>();
  const changing = plan.columns.filter((c) => c.updates);
  if (changing.length) {
    const next = changing.map((c) =>
      c.update ? c.update(`r.${c.name}`, `t.${c.name}`) : `r.${c.name}`,
    );
    const set = changing.map((c, i) => `${c.name} = ${next[i]}`);
    if (plan.stamped) set.push('updated_at = now()');
    const sql =
      `UPDATE ${plan.table} AS t SET ${set.join(', ')} FROM ${source}` +
      ` WHERE t.external_id = r.external_id${plan.guard ? ` AND ${plan.guard}` : ''}` +
      ` AND ROW(${changing.map((c) => `t.${c.name}`).join(', ')})` +
      ` IS DISTINCT FROM ROW(${next.join(', ')})` +
      ' RETURNING t.id, t.external_id';
    const { rows } = await db.query<IdRow>(sql, params);
    for (const row of rows) updated.set(row.external_id, row.id);
  }
  // Rows already present are filtered out before the insert so no sequence value is spent on
  // them; ON CONFLICT only covers another import adding the same id at the same moment.
  const fresh = plan.columns.map((c) => (c.insert ? c.insert(`r.${c.name}`) : `r.${c.name}`));
  const insertSql =
    `INSERT INTO ${plan.table} (${names.join(', ')})` +
    ` SELECT r.external_id, ${fresh.join(', ')}` +
    ` FROM ${source}` +
    ` WHERE NOT EXISTS (SELECT 1 FROM ${plan.table} x WHERE x.external_id = r.external_id)` +
    ' ON CONFLICT (external_id) DO NOTHING RETURNING id, external_id';
  const inserted = new Map<string, string>();
  const { rows } = await db.query<IdRow>(insertSql, params);
  for (const row of rows) inserted.set(row.external_id, row.id);
  return { inserted, updated };
}

interface IdRow {
  id: string;
  external_id: string;
}

/** Ids of the given external ids that exist in `table` (unknown ones are simply absent). */
export async function findIds(
  db: Db,
  table: ExternalTable,
  externalIds: Iterable<string>,
): Promise<Map<string, string>> {
  const keys = [...new Set(externalIds)];
  const found = new Map<string, string>();
  if (!keys.length) return found;
  const { rows } = await db.query<IdRow>(
    `SELECT t.id, t.external_id FROM unnest($1::text[]) AS k(external_id)` +
      ` JOIN ${table} t ON t.external_id = k.external_id`,
    [keys],
  );
  for (const row of rows) found.set(row.external_id, row.id);
  return found;
}

/** What a loader needs to know about a referenced customer. */
export interface CustomerRef {
  id: string;
  birthYear: number | null;
  erased: boolean;
}

/** The given customers that exist, with birth year (for age bands) and tombstone state. */
export async function findCustomers(
  db: Db,
  externalIds: Iterable<string>,
): Promise<Map<string, CustomerRef>> {
  const keys = [...new Set(externalIds)];
  const found = new Map<string, CustomerRef>();
  if (!keys.length) return found;
  const { rows } = await db.query<IdRow & { birth_year: number | null; erased: boolean }>(
    `SELECT c.id, c.external_id, c.birth_year, c.status = 'ERASED' AS erased` +
      ` FROM unnest($1::text[]) AS k(external_id) JOIN customer c ON c.external_id = k.external_id`,
    [keys],
  );
  for (const r of rows) {
    found.set(r.external_id, { id: r.id, birthYear: r.birth_year, erased: r.erased });
  }
  return found;
}

/**
 * Splits a batch into rows whose customer exists and is not erased, and refusals for the rest
 * naming `customer_external_id`, for kinds that only attach to customers already known.
 */
export async function rowsForKnownCustomers<T extends { customerExternalId: string }>(
  db: Db,
  batch: ReadonlyArray<PendingRow<T>>,
): Promise<{
  customers: Map<string, CustomerRef>;
  rows: Array<PendingRow<T>>;
  rejected: RowRejection[];
}> {
  const customers = await findCustomers(
    db,
    batch.map((r) => r.value.customerExternalId),
  );
  const rejected: RowRejection[] = [];
  const rows = batch.filter(({ line, value }) => {
    const customer = customers.get(value.customerExternalId);
    if (customer && !customer.erased) return true;
    rejected.push({
      line,
      problems: [
        customer
          ? { field: 'customer_external_id', rule: 'erased', message: 'is an erased customer' }
          : {
              field: 'customer_external_id',
              rule: 'unknown',
              message: `customer ${value.customerExternalId} does not exist`,
            },
      ],
    });
    return false;
  });
  return { customers, rows, rejected };
}

/**
 * Adds the taxonomy nodes that do not exist yet; the first spelling seen becomes the label.
 * Returns how many were added.
 */
export async function ensureInterests(db: Db, refs: readonly InterestRef[]): Promise<number> {
  const unique = new Map<string, InterestRef>();
  for (const ref of refs) {
    const k = `${ref.kind}\u001f${ref.key}`;
    if (!unique.has(k)) unique.set(k, ref);
  }
  if (!unique.size) return 0;
  const list = [...unique.values()];
  const result = await db.query(
    `INSERT INTO interest (kind, label, key)` +
      ` SELECT r.kind, r.label, r.key FROM unnest($1::interest_kind[], $2::text[], $3::text[])` +
      ` AS r(kind, label, key)` +
      ` WHERE NOT EXISTS (SELECT 1 FROM interest i WHERE i.kind = r.kind AND i.key = r.key)` +
      ` ON CONFLICT (kind, key) DO NOTHING`,
    [list.map((r) => r.kind), list.map((r) => r.label), list.map((r) => r.key)],
  );
  return result.rowCount ?? 0;
}

/**
 * A PostgreSQL array literal such as `{"a","b",NULL}`, for a list per row inside a text[]
 * parameter, or for a whole column built faster than the driver would.
 */
export function arrayLiteral(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (i) out += ',';
    out += v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/**
 * An array literal of values that need no quoting: ids, enum names and ISO timestamps, which
 * hold no spaces, commas, braces, quotes or backslashes.
 */
export function plainArrayLiteral(values: ReadonlyArray<string | null>): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i) out += ',';
    out += values[i] ?? 'NULL';
  }
  return `${out}}`;
}

/**
 * Makes the links of `owners` to interests of `kinds` exactly `wanted` (owner id, interest kind,
 * key), adding and removing as needed. Returns the owners whose links changed.
 */
export async function syncInterestLinks(
  db: Db,
  link: { table: 'item_interest' | 'event_topic'; owner: 'item_id' | 'event_id' },
  owners: readonly string[],
  kinds: readonly string[],
  wanted: ReadonlyArray<{ owner: string; ref: InterestRef }>,
): Promise<Set<string>> {
  if (!owners.length || !kinds.length) return new Set();
  const { table, owner } = link;
  const { rows } = await db.query<{ owner: string }>(
    `WITH wanted AS (` +
      ` SELECT DISTINCT r.owner, n.id AS interest_id` +
      ` FROM unnest($1::bigint[], $2::interest_kind[], $3::text[]) AS r(owner, kind, key)` +
      ` JOIN interest n ON n.kind = r.kind AND n.key = r.key),` +
      ` gone AS (DELETE FROM ${table} l USING interest n` +
      ` WHERE l.${owner} = ANY($4::bigint[]) AND n.id = l.interest_id` +
      ` AND n.kind = ANY($5::interest_kind[])` +
      ` AND NOT EXISTS (SELECT 1 FROM wanted w` +
      ` WHERE w.owner = l.${owner} AND w.interest_id = l.interest_id)` +
      ` RETURNING l.${owner} AS owner),` +
      ` added AS (INSERT INTO ${table} (${owner}, interest_id)` +
      ` SELECT owner, interest_id FROM wanted ON CONFLICT DO NOTHING RETURNING ${owner} AS owner)` +
      ` SELECT owner FROM gone UNION SELECT owner FROM added`,
    [
      wanted.map((w) => w.owner),
      wanted.map((w) => w.ref.kind),
      wanted.map((w) => w.ref.key),
      owners,
      kinds,
    ],
  );
  return new Set(rows.map((r) => r.owner));
}
