import { ensureInterests, rowsForKnownCustomers } from './import.repository';
import type { BatchOutcome, Db, Importer, PendingRow } from './import.types';
import { interestRow, type InterestRow } from './rows';

async function writeBatch(
  db: Db,
  batch: ReadonlyArray<PendingRow<InterestRow>>,
): Promise<BatchOutcome> {
  const { customers, rows, rejected } = await rowsForKnownCustomers(db, batch);
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0, rejected, created: {} };

  const interestsCreated = await ensureInterests(
    db,
    rows.map((r) => r.value.interest),
  );
  // An interest the recommender inferred becomes declared, at full weight, when the customer
  // states it; one already declared is left as it is.
  const { rows: written } = await db.query<{ op: 'inserted' | 'updated'; customer_id: string }>(
    `WITH wanted AS (` +
      ` SELECT DISTINCT r.customer_id, n.id AS interest_id` +
      ` FROM unnest($1::bigint[], $2::interest_kind[], $3::text[]) AS r(customer_id, kind, key)` +
      ` JOIN interest n ON n.kind = r.kind AND n.key = r.key),` +
      ` promoted AS (UPDATE customer_interest ci SET source = 'DECLARED', declared_at = now(),` +
      ` weight = GREATEST(ci.weight, 1) FROM wanted w` +
      ` WHERE ci.customer_id = w.customer_id AND ci.interest_id = w.interest_id` +
      ` AND ci.source <> 'DECLARED' RETURNING ci.customer_id),` +
      ` added AS (INSERT INTO customer_interest (customer_id, interest_id, source)` +
      ` SELECT w.customer_id, w.interest_id, 'DECLARED' FROM wanted w WHERE NOT EXISTS` +
      ` (SELECT 1 FROM customer_interest ci` +
      ` WHERE ci.customer_id = w.customer_id AND ci.interest_id = w.interest_id)` +
      ` ON CONFLICT DO NOTHING RETURNING customer_id)` +
      ` SELECT 'updated' AS op, customer_id::text FROM promoted` +
      ` UNION ALL SELECT 'inserted', customer_id::text FROM added`,
    [
      rows.map((r) => customers.get(r.value.customerExternalId)!.id),
      rows.map((r) => r.value.interest.kind),
      rows.map((r) => r.value.interest.key),
    ],
  );
  const inserted = written.filter((w) => w.op === 'inserted').length;
  const updated = written.length - inserted;
  return {
    inserted,
    updated,
    unchanged: rows.length - inserted - updated,
    rejected,
    created: { interests: interestsCreated },
    changed: { interestsChanged: written.map((w) => w.customer_id) },
  };
}

/**
 * Interests customers have declared: `customer_external_id,kind,value`, where kind is subject,
 * genre, author, format, event_type or language and value a label as used on titles. The
 * taxonomy node is created when new. The customer must exist already.
 */
export const interestsImporter: Importer<InterestRow> = {
  kind: 'interests',
  columns: { required: ['customer_external_id', 'kind', 'value'], optional: [] },
  mapRow: interestRow,
  key: (row) => `${row.customerExternalId}\u001f${row.interest.kind}\u001f${row.interest.key}`,
  writeBatch,
};
