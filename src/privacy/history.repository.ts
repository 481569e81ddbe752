import type { DataSource } from 'typeorm';

/**
 * Set-based statements that detach activity from customers. Each statement detaches at most
 * `limit` rows and runs in its own short transaction, so row locks are held briefly and an
 * import or the desk recording loans is never kept waiting for long. Rows another transaction
 * holds are skipped and picked up by the next run. The ledger's trigger permits exactly this
 * change: `customer_id` to NULL together with `anonymised_at`, nothing else.
 */

/** Loan-cycle entries that stay linked while the item is still out. */
export const OPEN_LOAN_TYPES = ['LOAN', 'RENEWAL', 'HOLD_PLACED', 'HOLD_COLLECTED'] as const;

/** Which rows one kind of batch picks, with `p.cutoff` the retention cut-off. */
const PICKS = {
  /** DEFAULT: anything older than the retention period. */
  DEFAULT: `c.history_choice = 'DEFAULT' AND a.occurred_at < p.cutoff`,
  /**
   * NEVER, everything but RETURNs: an entry is detached unless it belongs to a loan still
   * running, i.e. it is a loan-cycle entry for an item the customer has not returned since
   * (a RETURN of the same item, still linked to them, at or after it). The retention period
   * applies as well, so a hold that never turned into a loan does not stay linked forever.
   */
  NEVER_ENTRIES: `c.history_choice = 'NEVER' AND a.type <> 'RETURN'
     AND (a.occurred_at < p.cutoff
          OR a.item_id IS NULL
          OR a.type <> ALL (p.open_types)
          OR EXISTS (SELECT 1 FROM activity r
                      WHERE r.customer_id = a.customer_id AND r.item_id = a.item_id
                        AND r.type = 'RETURN' AND r.occurred_at >= a.occurred_at))`,
  /**
   * NEVER, RETURNs: detached once no linked loan-cycle entry it closes remains. Detaching a
   * RETURN before the loan it closes would leave that loan looking open for good, so RETURNs
   * go last, and only when the entries before them are gone.
   */
  NEVER_RETURNS: `c.history_choice = 'NEVER' AND a.type = 'RETURN'
     AND (a.occurred_at < p.cutoff
          OR NOT EXISTS (SELECT 1 FROM activity l
                          WHERE l.customer_id = a.customer_id AND l.item_id = a.item_id
                            AND l.type = ANY (p.open_types)
                            AND l.occurred_at <= a.occurred_at))`,
  /**
   * ERASED: anything. Erasure detaches everything in its own transaction; this catches an
   * entry recorded by a request that checked the customer just before they were erased.
   */
  ERASED: `c.status = 'ERASED'`,
} as const;

export type DetachKind = keyof typeof PICKS;

/** Detaches up to `limit` rows of one kind; returns how many it detached. */
export async function detachBatch(
  ds: DataSource,
  kind: DetachKind,
  opts: { cutoff: Date; now: Date; limit: number },
): Promise<number> {
  const [row] = await ds.query(
    `WITH picked AS (
       SELECT a.id
         FROM activity a JOIN customer c ON c.id = a.customer_id
        CROSS JOIN (SELECT $1::timestamptz AS cutoff, $4::activity_type[] AS open_types) p
        WHERE ${PICKS[kind]}
        LIMIT $2
        FOR UPDATE OF a SKIP LOCKED
     ), detached AS (
       UPDATE activity a SET customer_id = NULL, anonymised_at = $3
         FROM picked WHERE a.id = picked.id
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM detached`,
    [opts.cutoff, opts.limit, opts.now, OPEN_LOAN_TYPES],
  );
  return row.n as number;
}
