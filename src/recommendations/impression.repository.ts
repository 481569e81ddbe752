import type { DataSource, EntityManager } from 'typeorm';
import { COUNTED_ENTRY } from '../activity/counted';
import { SUMMARY_TIME_ZONE } from '../insights/refresh';

/** One suggestion shown to one customer, as the recorder hands it over. */
export interface Impression {
  customerId: string;
  itemId: string;
  source: 'PERSONAL' | 'POPULAR_FALLBACK';
  /** The customer's home branch when it was shown. */
  branchId: string | null;
  /** 1 for the first suggestion on the list. */
  rank: number;
  shownAt: Date;
  /** Times it was shown since the last write (repeated page views are folded together). */
  shows: number;
}

/**
 * Writes a batch of impressions in one statement. A title already shown to the customer keeps
 * its first time and gains the new showings, so a row stands for "we suggested this to them".
 */
export async function upsertImpressions(ds: DataSource, rows: readonly Impression[]) {
  if (!rows.length) return;
  await ds.query(
    `INSERT INTO recommendation_impression
       (customer_id, item_id, source, branch_id, best_rank, shows, first_shown_at, last_shown_at)
     SELECT c, i, s, b, r, n, t, t
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::smallint[],
                   $6::int[], $7::timestamptz[]) AS x(c, i, s, b, r, n, t)
      -- Buffered rows wait a moment: a customer erased or switched off meanwhile is skipped.
      WHERE EXISTS (SELECT 1 FROM customer WHERE id = x.c AND status <> 'ERASED'
                                              AND recommendation_mode <> 'OFF')
        AND EXISTS (SELECT 1 FROM catalogue_item WHERE id = x.i)
     ON CONFLICT (customer_id, item_id) DO UPDATE SET
       shows = recommendation_impression.shows + EXCLUDED.shows,
       best_rank = LEAST(recommendation_impression.best_rank, EXCLUDED.best_rank),
       last_shown_at = GREATEST(recommendation_impression.last_shown_at, EXCLUDED.last_shown_at)`,
    [
      rows.map((r) => r.customerId),
      rows.map((r) => r.itemId),
      rows.map((r) => r.source),
      rows.map((r) => r.branchId),
      rows.map((r) => r.rank),
      rows.map((r) => r.shows),
      rows.map((r) => r.shownAt.toISOString()),
    ],
  );
}

/**
 * Marks suggestions the customer went on to click (a RECOMMENDATION_CLICK entry) or borrow (a
 * LOAN) within `windowDays` of first seeing them, from the ledger. Only rows still linked to a
 * customer and whose window ended less than a day ago are looked at, so running it hourly is
 * cheap; running it twice changes nothing more.
 */
export async function attributeOutcomes(
  ds: DataSource | EntityManager,
  opts: { now: Date; windowDays: number },
): Promise<number> {
  const [{ n }] = await ds.query(
    `WITH found AS (
       SELECT ri.id,
              min(a.occurred_at) FILTER (WHERE a.type = 'RECOMMENDATION_CLICK') AS clicked_at,
              min(a.occurred_at) FILTER (WHERE a.type = 'LOAN') AS borrowed_at
         FROM recommendation_impression ri
         JOIN activity a ON a.customer_id = ri.customer_id AND a.item_id = ri.item_id
        WHERE ri.customer_id IS NOT NULL
          AND (ri.clicked_at IS NULL OR ri.borrowed_at IS NULL)
          AND ri.first_shown_at >= $1::timestamptz - ($2 + 1) * interval '1 day'
          AND a.type IN ('RECOMMENDATION_CLICK', 'LOAN')
          AND a.occurred_at >= ri.first_shown_at
          AND a.occurred_at < ri.first_shown_at + $2 * interval '1 day'
          AND ${COUNTED_ENTRY}
        GROUP BY ri.id
     ), changed AS (
       UPDATE recommendation_impression ri
          SET clicked_at = COALESCE(ri.clicked_at, f.clicked_at),
              borrowed_at = COALESCE(ri.borrowed_at, f.borrowed_at)
         FROM found f
        WHERE ri.id = f.id
          AND ((ri.clicked_at IS NULL AND f.clicked_at IS NOT NULL)
            OR (ri.borrowed_at IS NULL AND f.borrowed_at IS NOT NULL))
       RETURNING 1
     )
     SELECT count(*)::int AS n FROM changed`,
    [opts.now.toISOString(), opts.windowDays],
  );
  return n;
}

/**
 * Counts every month whose attribution window has closed into `recommendation_outcome` and
 * deletes its rows, in one statement, so no suggestion is counted twice or lost and the link
 * between people and what they were shown goes once it has served its purpose. Attribution runs
 * first so the month's last clicks and loans are in.
 */
export async function rollUpOutcomes(
  ds: DataSource,
  opts: { now: Date; windowDays: number },
): Promise<{ attributed: number; rolledUp: number }> {
  return ds.transaction(async (tx) => {
    const attributed = await attributeOutcomes(tx, opts);
    // A month is closed once its end plus the window has passed: every month wholly before the
    // month that contains (now - window).
    const [{ n }] = await tx.query(
      `WITH closed AS (
         DELETE FROM recommendation_impression
          WHERE first_shown_at <
                date_trunc('month', $1::timestamptz - $2 * interval '1 day', '${SUMMARY_TIME_ZONE}')
         RETURNING *
       ), counted AS (
         INSERT INTO recommendation_outcome AS o (month, branch_id, source, shown, clicked,
                borrowed, people_shown, people_clicked, people_borrowed)
         SELECT date_trunc('month', first_shown_at, '${SUMMARY_TIME_ZONE}'), branch_id, source,
                count(*), count(clicked_at), count(borrowed_at),
                count(DISTINCT customer_id),
                count(DISTINCT customer_id) FILTER (WHERE clicked_at IS NOT NULL),
                count(DISTINCT customer_id) FILTER (WHERE borrowed_at IS NOT NULL)
           FROM closed GROUP BY 1, 2, 3
         ON CONFLICT (month, branch_id, source) DO UPDATE SET
           shown = o.shown + EXCLUDED.shown, clicked = o.clicked + EXCLUDED.clicked,
           borrowed = o.borrowed + EXCLUDED.borrowed,
           people_shown = o.people_shown + EXCLUDED.people_shown,
           people_clicked = o.people_clicked + EXCLUDED.people_clicked,
           people_borrowed = o.people_borrowed + EXCLUDED.people_borrowed
         RETURNING 1
       )
       SELECT count(*)::int AS n FROM closed, (SELECT count(*) FROM counted) k`,
      [opts.now.toISOString(), opts.windowDays],
    );
    return { attributed, rolledUp: n };
  });
}

/** What a customer was shown, for their subject access export. */
export async function impressionRows(tx: EntityManager, customerId: string): Promise<unknown[]> {
  return tx.query(
    `SELECT ri.item_id::text AS "itemId", i.title, ri.source, ri.shows,
            ri.first_shown_at AS "firstShownAt", ri.last_shown_at AS "lastShownAt",
            ri.clicked_at AS "clickedAt", ri.borrowed_at AS "borrowedAt"
       FROM recommendation_impression ri JOIN catalogue_item i ON i.id = ri.item_id
      WHERE ri.customer_id = $1 ORDER BY ri.first_shown_at, ri.id`,
    [customerId],
  );
}

/** Erasure: the rows stay counted, but no longer say whom they were shown to. */
export async function detachImpressions(tx: EntityManager, customerId: string): Promise<number> {
  const [{ n }] = await tx.query(
    `WITH changed AS (UPDATE recommendation_impression SET customer_id = NULL
                       WHERE customer_id = $1 RETURNING 1)
     SELECT count(*)::int AS n FROM changed`,
    [customerId],
  );
  return n;
}
