import {
  arrayLiteral,
  findCustomers,
  findIds,
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
import { customerRow, type CustomerRow } from './rows';

/** Plan of the customer upsert; columns absent from the file are left alone on existing rows. */
function columns(header: CsvHeader): UpsertColumn[] {
  const has = (c: string) => header.position.has(c);
  const keep = (v: string, t: string) => `COALESCE(${v}, ${t})`;
  const plain = (name: string, type: string, column = name): UpsertColumn => ({
    name,
    type,
    updates: has(column),
  });
  return [
    {
      name: 'kind',
      type: 'customer_kind',
      insert: (v) => `COALESCE(${v}, 'MEMBER')`,
      update: keep,
      updates: has('kind'),
    },
    plain('first_name', 'text'),
    plain('last_name', 'text'),
    plain('email', 'text'),
    plain('phone', 'text'),
    plain('postcode', 'text'),
    plain('birth_year', 'smallint'),
    plain('home_branch_id', 'bigint', 'home_branch'),
    plain('guardian_id', 'bigint', 'guardian'),
    plain('preferred_language', 'text'),
    {
      name: 'accessibility_needs',
      type: 'text',
      insert: (v) => `${v}::accessibility_need[]`,
      update: (v) => `${v}::accessibility_need[]`,
      updates: has('accessibility_needs'),
    },
    // Extra columns are merged in, so attributes set elsewhere survive a re-import.
    {
      name: 'attributes',
      type: 'text',
      insert: (v) => `${v}::jsonb`,
      update: (v, t) => `${t} || ${v}::jsonb`,
      updates: true,
    },
    {
      name: 'status',
      type: 'customer_status',
      insert: (v) => `COALESCE(${v}, 'ACTIVE')`,
      update: keep,
      updates: has('status'),
    },
    {
      name: 'registered_at',
      type: 'timestamptz',
      insert: (v) => `COALESCE(${v}, now())`,
      update: keep,
      updates: has('registered_at'),
    },
  ];
}

async function writeBatch(
  db: Db,
  batch: ReadonlyArray<PendingRow<CustomerRow>>,
  header: CsvHeader,
): Promise<BatchOutcome> {
  const branches = await findIds(
    db,
    'branch',
    batch.flatMap((r) => r.value.homeBranch ?? []),
  );
  const known = await findCustomers(
    db,
    batch.flatMap((r) => [r.value.externalId, ...(r.value.guardian ? [r.value.guardian] : [])]),
  );
  const rejected: RowRejection[] = [];
  const accepted = new Set<string>();
  const rows = batch.filter(({ line, value: c }) => {
    const problems = [];
    if (known.get(c.externalId)?.erased) {
      problems.push({
        field: 'external_id',
        rule: 'erased',
        message: 'belongs to an erased customer, who is never re-imported',
      });
    }
    if (c.homeBranch !== null && !branches.has(c.homeBranch)) {
      problems.push({
        field: 'home_branch',
        rule: 'unknown',
        message: `branch ${c.homeBranch} does not exist`,
      });
    }
    if (c.guardian !== null) {
      const guardian = known.get(c.guardian);
      if (guardian?.erased) {
        problems.push({ field: 'guardian', rule: 'erased', message: 'is an erased customer' });
      } else if (!guardian && !accepted.has(c.guardian)) {
        problems.push({
          field: 'guardian',
          rule: 'unknown',
          message: `customer ${c.guardian} must exist already or appear earlier in the file`,
        });
      }
    }
    if (problems.length) {
      rejected.push({ line, problems });
      return false;
    }
    accepted.add(c.externalId);
    return true;
  });
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0, rejected, created: {} };

  const customers = rows.map((r) => r.value);
  const { inserted, updated } = await upsertByExternalId(
    db,
    { table: 'customer', columns: columns(header), guard: `t.status <> 'ERASED'`, stamped: true },
    customers.map((c) => c.externalId),
    [
      customers.map((c) => c.kind),
      customers.map((c) => c.firstName),
      customers.map((c) => c.lastName),
      customers.map((c) => c.email),
      customers.map((c) => c.phone),
      customers.map((c) => c.postcode),
      customers.map((c) => c.birthYear),
      customers.map((c) => (c.homeBranch === null ? null : branches.get(c.homeBranch)!)),
      // Guardians new in this batch have no id yet; they are linked just below.
      customers.map((c) => (c.guardian === null ? null : (known.get(c.guardian)?.id ?? null))),
      customers.map((c) => c.preferredLanguage),
      customers.map((c) => arrayLiteral(c.accessibilityNeeds)),
      customers.map((c) => JSON.stringify(c.attributes)),
      customers.map((c) => c.status),
      customers.map((c) => c.registeredAt?.toISOString() ?? null),
    ],
  );

  const touched = new Set(updated.values());
  const late = customers.filter((c) => c.guardian !== null && !known.has(c.guardian));
  if (late.length) {
    const ids = await findIds(
      db,
      'customer',
      late.flatMap((c) => [c.externalId, c.guardian!]),
    );
    const { rows: linked } = await db.query<{ id: string }>(
      `UPDATE customer AS t SET guardian_id = r.guardian_id, updated_at = now()` +
        ` FROM unnest($1::bigint[], $2::bigint[]) AS r(id, guardian_id)` +
        ` WHERE t.id = r.id AND t.guardian_id IS DISTINCT FROM r.guardian_id RETURNING t.id`,
      [late.map((c) => ids.get(c.externalId)!), late.map((c) => ids.get(c.guardian!)!)],
    );
    const newIds = new Set(inserted.values());
    for (const { id } of linked) if (!newIds.has(id)) touched.add(id);
  }
  return {
    inserted: inserted.size,
    updated: touched.size,
    unchanged: rows.length - inserted.size - touched.size,
    rejected,
    created: {},
    changed: { customerChanged: [...touched] },
  };
}

/**
 * Customers of every kind, upserted by external id. `home_branch` and `guardian` are external
 * ids; a guardian must exist already or come earlier in the file. Erased customers are
 * tombstones: rows naming one are refused rather than bringing the person back.
 */
export const customersImporter: Importer<CustomerRow> = {
  kind: 'customers',
  columns: {
    required: ['external_id'],
    optional: [
      'kind',
      'first_name',
      'last_name',
      'email',
      'phone',
      'postcode',
      'birth_year',
      'home_branch',
      'registered_at',
      'guardian',
      'preferred_language',
      'accessibility_needs',
      'status',
    ],
  },
  mapRow: customerRow,
  key: (row) => row.externalId,
  writeBatch,
};
