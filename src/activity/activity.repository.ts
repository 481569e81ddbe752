import type { DataSource, EntityManager } from 'typeorm';
import type { ActivityType } from './activity.enums';
import { activityFromRow, type ActivityRow } from './activity.mapper';
import type { Activity } from './activity.entity';

export interface ActivityWindow {
  /** Rows to fetch per customer (callers ask for one more than they show, to know if more exist). */
  limit: number;
  types?: ActivityType[] | null;
  since?: Date | null;
  /** Keyset position: entries strictly older than (occurredAt, id). */
  before?: { occurredAt: Date; id: string } | null;
}

/**
 * The newest entries of many customers in one statement: a LATERAL join walks the
 * (customer_id, occurred_at, id) index backwards once per customer.
 */
export async function recentActivityFor(
  db: DataSource | EntityManager,
  customerIds: readonly string[],
  w: ActivityWindow,
): Promise<Map<string, Activity[]>> {
  const rows: (ActivityRow & { for_customer: string })[] = await db.query(
    `SELECT a.*, k.cid::text AS for_customer
       FROM unnest($1::bigint[]) AS k(cid)
       CROSS JOIN LATERAL (
         SELECT * FROM activity
          WHERE customer_id = k.cid
            AND ($2::activity_type[] IS NULL OR type = ANY($2::activity_type[]))
            AND ($3::timestamptz IS NULL OR occurred_at >= $3)
            AND ($4::timestamptz IS NULL OR (occurred_at, id) < ($4, $5::bigint))
          ORDER BY occurred_at DESC, id DESC
          LIMIT $6
       ) a`,
    [
      customerIds,
      w.types?.length ? w.types : null,
      w.since ?? null,
      w.before?.occurredAt ?? null,
      w.before?.id ?? null,
      w.limit,
    ],
  );
  const out = new Map<string, Activity[]>(customerIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.for_customer)?.push(activityFromRow(r));
  return out;
}

export interface TypeCount {
  type: ActivityType;
  count: number;
}

/**
 * Counts of live entries by type for many customers. Corrections and the entries they cancel
 * are left out, so a mistaken loan stops counting once corrected.
 */
export async function activityCountsFor(
  db: DataSource | EntityManager,
  customerIds: readonly string[],
): Promise<Map<string, TypeCount[]>> {
  const rows: { customer_id: string; type: ActivityType; n: string }[] = await db.query(
    `SELECT a.customer_id::text AS customer_id, a.type, count(*) AS n
       FROM activity a
      WHERE a.customer_id = ANY($1::bigint[])
        AND a.type <> 'CORRECTION'
        AND NOT EXISTS (SELECT 1 FROM activity c WHERE c.corrects_id = a.id)
      GROUP BY a.customer_id, a.type
      ORDER BY a.customer_id, a.type`,
    [customerIds],
  );
  const out = new Map<string, TypeCount[]>(customerIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.customer_id)?.push({ type: r.type, count: Number(r.n) });
  return out;
}
