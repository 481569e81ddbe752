import type { EntityManager } from 'typeorm';

/**
 * Reads for a subject-access export, one statement per section. They take the transaction's
 * manager so every section comes from the same snapshot.
 */

/** Every column of the customer's row by column name, so a column added later is included too. */
export async function customerRow(
  tx: EntityManager,
  customerId: string,
): Promise<Record<string, unknown> | null> {
  const [row] = await tx.query('SELECT to_jsonb(c) AS row FROM customer c WHERE c.id = $1', [
    customerId,
  ]);
  return (row?.row as Record<string, unknown> | undefined) ?? null;
}

export async function interestRows(tx: EntityManager, customerId: string): Promise<unknown[]> {
  return tx.query(
    `SELECT i.id::text AS "interestId", i.kind, i.label, ci.weight, ci.source,
            ci.declared_at AS "declaredAt"
       FROM customer_interest ci JOIN interest i ON i.id = ci.interest_id
      WHERE ci.customer_id = $1 ORDER BY i.kind, i.label`,
    [customerId],
  );
}

/**
 * Activity still linked to the customer, oldest first, with the names of what it refers to.
 * The staff member who recorded an entry is left out: that is someone else's personal data.
 */
export async function activityRows(tx: EntityManager, customerId: string): Promise<unknown[]> {
  return tx.query(
    `SELECT a.id::text AS "id", a.type, a.occurred_at AS "occurredAt",
            a.recorded_at AS "recordedAt", a.channel, a.age_band AS "ageBand", a.details,
            a.source_key AS "sourceKey", a.corrects_id::text AS "correctsId",
            CASE WHEN b.id IS NULL THEN NULL
                 ELSE jsonb_build_object('id', b.id::text, 'name', b.name) END AS "branch",
            CASE WHEN i.id IS NULL THEN NULL
                 ELSE jsonb_build_object('id', i.id::text, 'title', i.title, 'authors', i.authors)
            END AS "item",
            CASE WHEN e.id IS NULL THEN NULL
                 ELSE jsonb_build_object('id', e.id::text, 'title', e.title,
                                        'startsAt', e.starts_at)
            END AS "event"
       FROM activity a
       LEFT JOIN branch b ON b.id = a.branch_id
       LEFT JOIN catalogue_item i ON i.id = a.item_id
       LEFT JOIN event e ON e.id = a.event_id
      WHERE a.customer_id = $1
      ORDER BY a.occurred_at, a.id`,
    [customerId],
  );
}

export async function dismissalRows(tx: EntityManager, customerId: string): Promise<unknown[]> {
  return tx.query(
    `SELECT d.item_id::text AS "itemId", i.title, d.dismissed_at AS "dismissedAt"
       FROM recommendation_dismissal d JOIN catalogue_item i ON i.id = d.item_id
      WHERE d.customer_id = $1 ORDER BY d.dismissed_at, d.item_id`,
    [customerId],
  );
}

export async function wardRows(tx: EntityManager, customerId: string): Promise<unknown[]> {
  return tx.query(
    `SELECT id::text AS "id", first_name AS "firstName", last_name AS "lastName"
       FROM customer WHERE guardian_id = $1 ORDER BY id`,
    [customerId],
  );
}

/** Titles of catalogue items by id, for naming cached suggestions. */
export async function itemTitles(
  tx: EntityManager,
  itemIds: readonly string[],
): Promise<Map<string, string>> {
  if (!itemIds.length) return new Map();
  const rows: Array<{ id: string; title: string }> = await tx.query(
    `SELECT id::text AS "id", title FROM catalogue_item WHERE id = ANY($1::bigint[])`,
    [itemIds],
  );
  return new Map(rows.map((r) => [r.id, r.title]));
}
