import type { DataSource, EntityManager } from 'typeorm';
import { ConsentChannel } from '../../consent/consent.enums';
import { SENDABLE_CHANNELS } from '../campaigns/campaign.rules';
import type { CompiledPredicate } from './segment-compiler';

type Db = DataSource | EntityManager;

export interface SegmentRow {
  id: string;
  name: string;
  description: string | null;
  filter: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id::text AS "id", name, description, filter, created_by AS "createdBy",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function listSegments(db: Db): Promise<SegmentRow[]> {
  return db.query(`SELECT ${COLUMNS} FROM segment ORDER BY lower(name), id`);
}

export async function findSegment(db: Db, id: string): Promise<SegmentRow | null> {
  const [row] = await db.query(`SELECT ${COLUMNS} FROM segment WHERE id = $1`, [id]);
  return row ?? null;
}

export async function insertSegment(
  db: Db,
  s: {
    name: string;
    description: string | null;
    filter: Record<string, unknown>;
    createdBy: string;
  },
): Promise<SegmentRow> {
  const [row] = await db.query(
    `INSERT INTO segment (name, description, filter, created_by) VALUES ($1, $2, $3, $4)
     RETURNING ${COLUMNS}`,
    [s.name, s.description, JSON.stringify(s.filter), s.createdBy],
  );
  return row;
}

export async function updateSegmentRow(
  db: Db,
  id: string,
  s: { name: string; description: string | null; filter: Record<string, unknown> },
): Promise<SegmentRow | null> {
  const [rows] = await db.query(
    `UPDATE segment SET name = $2, description = $3, filter = $4, updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, s.name, s.description, JSON.stringify(s.filter)],
  );
  return rows?.[0] ?? null;
}

/** Campaigns that would still read the segment when they send. */
export async function campaignsWaitingOn(db: Db, segmentId: string): Promise<string[]> {
  const rows: Array<{ name: string }> = await db.query(
    `SELECT name FROM campaign WHERE segment_id = $1 AND status IN ('DRAFT', 'SCHEDULED')
      ORDER BY id`,
    [segmentId],
  );
  return rows.map((r) => r.name);
}

export async function deleteSegmentRow(db: Db, id: string): Promise<boolean> {
  const [, count] = await db.query(`DELETE FROM segment WHERE id = $1`, [id]);
  return count > 0;
}

/** Which of the ids exist, per table, to name unknown ones in a filter. */
export async function existingIds(
  db: Db,
  table: 'branch' | 'interest' | 'event',
  ids: readonly string[],
): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows: Array<{ id: string }> = await db.query(
    `SELECT id::text AS id FROM "${table}" WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/** The address column (or its absence) each sendable channel needs, as SQL over `m`. */
export const ADDRESS_SQL: Record<ConsentChannel, string> = {
  [ConsentChannel.EMAIL]: `nullif(btrim(m.email), '') IS NOT NULL`,
  [ConsentChannel.SMS]: `nullif(btrim(m.phone), '') IS NOT NULL`,
  [ConsentChannel.APP]: `true`,
  [ConsentChannel.POST]: `false`,
};

export interface RawChannelReach {
  channel: ConsentChannel;
  withAddress: number;
  marketingConsent: number;
  reachableForMarketing: number;
  reachableForServiceInformation: number;
}

export interface RawPreview {
  customers: number;
  channels: RawChannelReach[];
}

/** Work memory for a preview: the ledger subqueries hash up to every customer id. */
const PREVIEW_WORK_MEM = '64MB';

/**
 * The segment's size and, per sendable channel, how many have an address, how many gave
 * MARKETING consent for it, how many both (reachable for marketing), and how many have an
 * address and have not withdrawn SERVICE_MESSAGES on it (reachable for service information).
 * One statement: the members once, the latest consent rows of just those members once.
 */
export async function previewCounts(ds: DataSource, where: CompiledPredicate): Promise<RawPreview> {
  const flags = SENDABLE_CHANNELS.map(
    (ch) => `bool_or(purpose = 'MARKETING' AND channel = '${ch}' AND granted) AS "m_${ch}",
             bool_or(purpose = 'SERVICE_MESSAGES' AND channel = '${ch}' AND NOT granted) AS "s_${ch}"`,
  ).join(',\n');
  const counts = SENDABLE_CHANNELS.map(
    (ch) => `count(*) FILTER (WHERE ${ADDRESS_SQL[ch]})::int AS "a_${ch}",
             count(*) FILTER (WHERE f."m_${ch}")::int AS "m_${ch}",
             count(*) FILTER (WHERE f."m_${ch}" AND ${ADDRESS_SQL[ch]})::int AS "r_${ch}",
             count(*) FILTER (WHERE ${ADDRESS_SQL[ch]} AND f."s_${ch}" IS NOT TRUE)::int AS "s_${ch}"`,
  ).join(',\n');
  const sql = `
    WITH members AS MATERIALIZED (
      SELECT c.id, c.email, c.phone FROM customer c
       WHERE c.status <> 'ERASED' AND ${where.sql}
    ), latest AS (
      SELECT DISTINCT ON (cr.customer_id, cr.purpose, cr.channel)
             cr.customer_id, cr.purpose, cr.channel, cr.granted
        FROM consent_record cr
       WHERE cr.purpose IN ('MARKETING', 'SERVICE_MESSAGES')
         AND cr.customer_id IN (SELECT id FROM members)
       ORDER BY cr.customer_id, cr.purpose, cr.channel, cr.recorded_at DESC, cr.id DESC
    ), flags AS (
      SELECT customer_id, ${flags} FROM latest GROUP BY customer_id
    )
    SELECT count(*)::int AS customers, ${counts}
      FROM members m LEFT JOIN flags f ON f.customer_id = m.id`;
  const row = await ds.transaction(async (tx) => {
    await tx.query(`SET LOCAL work_mem = '${PREVIEW_WORK_MEM}'`);
    await tx.query(`SET LOCAL jit = off`);
    const [r] = await tx.query(sql, where.params);
    return r as Record<string, number>;
  });
  return {
    customers: row.customers,
    channels: SENDABLE_CHANNELS.map((ch) => ({
      channel: ch,
      withAddress: row[`a_${ch}`],
      marketingConsent: row[`m_${ch}`],
      reachableForMarketing: row[`r_${ch}`],
      reachableForServiceInformation: row[`s_${ch}`],
    })),
  };
}

/** Whether one customer matches a compiled filter (for the subject-access export). */
export async function customerMatches(
  db: Db,
  customerId: string,
  where: CompiledPredicate,
): Promise<boolean> {
  const [row] = await db.query(
    `SELECT EXISTS (SELECT 1 FROM customer c WHERE c.id = $${where.params.length + 1}::bigint
                      AND c.status <> 'ERASED' AND ${where.sql}) AS hit`,
    [...where.params, customerId],
  );
  return row.hit === true;
}
