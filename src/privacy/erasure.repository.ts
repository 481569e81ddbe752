import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/errors';

/** Statements of one erasure; all run in the caller's transaction. */

/** Locks the customer's row; NOT_FOUND when there is none. */
export async function lockForErasure(
  tx: EntityManager,
  customerId: string,
): Promise<{ erased: boolean }> {
  const [row] = await tx.query('SELECT status FROM customer WHERE id = $1 FOR UPDATE', [
    customerId,
  ]);
  if (!row) throw DomainError.notFound('Customer', customerId);
  return { erased: row.status === 'ERASED' };
}

/**
 * Turns the row into a tombstone: every personal field goes, including when they were last
 * active. What stays identifies no one on its own and stops re-imports resurrecting the
 * person: id, external_id, kind, home branch, registration time and history choice.
 */
export async function tombstone(tx: EntityManager, customerId: string, now: Date): Promise<void> {
  await tx.query(
    `UPDATE customer
        SET first_name = NULL, last_name = NULL, email = NULL, phone = NULL, postcode = NULL,
            birth_year = NULL, preferred_language = NULL, accessibility_needs = '{}',
            attributes = '{}', guardian_id = NULL, last_active_at = NULL,
            status = 'ERASED', erased_at = coalesce(erased_at, $2),
            recommendation_mode = 'OFF', updated_at = now()
      WHERE id = $1`,
    [customerId, now],
  );
}

/** Runs a data-changing statement with `RETURNING 1` and counts the rows it touched. */
async function counted(tx: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const [row] = await tx.query(
    `WITH changed AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM changed`,
    params,
  );
  return row.n as number;
}

/** Detaches every activity entry from the customer (the one change the ledger allows). */
export function detachAllActivity(
  tx: EntityManager,
  customerId: string,
  now: Date,
): Promise<number> {
  return counted(
    tx,
    'UPDATE activity SET customer_id = NULL, anonymised_at = $2 WHERE customer_id = $1',
    [customerId, now],
  );
}

export function deleteInterests(tx: EntityManager, customerId: string): Promise<number> {
  return counted(tx, 'DELETE FROM customer_interest WHERE customer_id = $1', [customerId]);
}

export function deleteDismissals(tx: EntityManager, customerId: string): Promise<number> {
  return counted(tx, 'DELETE FROM recommendation_dismissal WHERE customer_id = $1', [customerId]);
}

/** Children the customer was guardian of lose the link (they keep their own records). */
export function unlinkWards(tx: EntityManager, customerId: string): Promise<number> {
  return counted(
    tx,
    'UPDATE customer SET guardian_id = NULL, updated_at = now() WHERE guardian_id = $1',
    [customerId],
  );
}
