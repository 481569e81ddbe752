import type { DataSource, EntityManager } from 'typeorm';
import type { ConsentChannel } from '../../consent/consent.enums';
import type { CustomerStatus } from '../../customers/customer.enums';
import type { RecommendationMode } from '../../recommendations/recommendation.enums';
import type { NotificationStatus, SuppressionReason } from '../campaigns/campaign.enums';

type Db = DataSource | EntityManager;

/**
 * The SQL of delivery: the audience snapshot, eligibility decisions in batches, and each
 * message's claim → sent / failed / unconfirmed transitions, every one guarded by the status
 * it expects so a retried or duplicated job cannot move a row twice.
 */

/**
 * Snapshots the audience: one TARGETED row per customer the predicate matches now, with when
 * each was last active before the campaign (for the won-back report). One statement, so the
 * audience is all there or not at all.
 */
export async function insertAudience(
  tx: EntityManager,
  campaignId: string,
  startedAt: Date,
  where: { sql: string; params: unknown[] },
): Promise<number> {
  const n = where.params.length;
  const [row] = await tx.query(
    `WITH inserted AS (
       INSERT INTO notification (campaign_id, customer_id, status, last_active_before)
       SELECT $${n + 1}::bigint, c.id, 'TARGETED',
              (SELECT max(a.occurred_at) FROM activity a
                WHERE a.customer_id = c.id AND a.occurred_at < $${n + 2}::timestamptz
                  AND a.type <> 'CORRECTION')
         FROM customer c
        WHERE c.status <> 'ERASED' AND ${where.sql}
       ON CONFLICT (campaign_id, customer_id) DO NOTHING
       RETURNING 1)
     SELECT count(*)::int AS n FROM inserted`,
    [...where.params, campaignId, startedAt],
  );
  return row.n;
}

/** A batch of undecided rows, locked so two fan-outs of one campaign never decide one twice. */
export async function lockTargetedBatch(
  tx: EntityManager,
  campaignId: string,
  limit: number,
): Promise<Array<{ id: string; customerId: string | null }>> {
  return tx.query(
    `SELECT id::text AS "id", customer_id::text AS "customerId" FROM notification
      WHERE campaign_id = $1 AND status = 'TARGETED'
      ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [campaignId, limit],
  );
}

export interface RecipientRow {
  id: string;
  status: CustomerStatus;
  email: string | null;
  phone: string | null;
  externalId: string;
}

export async function recipients(db: Db, ids: readonly string[]): Promise<RecipientRow[]> {
  if (!ids.length) return [];
  return db.query(
    `SELECT id::text AS "id", status, email, phone, external_id AS "externalId"
       FROM customer WHERE id = ANY($1::bigint[])`,
    [ids],
  );
}

/**
 * MARKETING messages sent, being sent, or possibly sent to each customer since `since`:
 * what the contact cap counts. `exceptId` leaves out the message being decided.
 */
export async function recentMarketing(
  db: Db,
  customerIds: readonly string[],
  since: Date,
  exceptId: string | null = null,
): Promise<Map<string, number>> {
  if (!customerIds.length) return new Map();
  const rows: Array<{ customerId: string; n: number }> = await db.query(
    `SELECT n.customer_id::text AS "customerId", count(*)::int AS n
       FROM notification n JOIN campaign k ON k.id = n.campaign_id
      WHERE n.customer_id = ANY($1::bigint[]) AND k.purpose = 'MARKETING'
        AND n.status IN ('SENDING', 'SENT', 'UNCONFIRMED') AND n.claimed_at >= $2
        AND n.id IS DISTINCT FROM $3::bigint
      GROUP BY n.customer_id`,
    [customerIds, since, exceptId],
  );
  return new Map(rows.map((r) => [r.customerId, r.n]));
}

export interface Decision {
  id: string;
  status: NotificationStatus;
  channel: ConsentChannel | null;
  reason: SuppressionReason | null;
}

/** Applies fan-out decisions to rows still TARGETED, in one statement. */
export async function applyDecisions(tx: EntityManager, decisions: readonly Decision[]) {
  if (!decisions.length) return;
  await tx.query(
    `UPDATE notification n
        SET status = d.status::notification_status, channel = d.channel::consent_channel,
            suppressed_reason = d.reason::suppression_reason,
            suppressed_at = CASE WHEN d.status = 'SUPPRESSED' THEN now() END, updated_at = now()
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS d(id, status, channel, reason)
      WHERE n.id = d.id AND n.status = 'TARGETED'`,
    [
      decisions.map((d) => d.id),
      decisions.map((d) => d.status),
      decisions.map((d) => d.channel),
      decisions.map((d) => d.reason),
    ],
  );
}

/** Delivery chunks of waiting messages: fixed id ranges per channel, so their ids are stable. */
export async function pendingRanges(
  db: Db,
  campaignId: string,
  size: number,
): Promise<Array<{ channel: ConsentChannel; fromId: string; toId: string }>> {
  return db.query(
    `WITH base AS (SELECT min(id) AS first FROM notification WHERE campaign_id = $1)
     SELECT n.channel, (b.first + ((n.id - b.first) / $2) * $2)::text AS "fromId",
            (b.first + ((n.id - b.first) / $2) * $2 + $2 - 1)::text AS "toId"
       FROM notification n CROSS JOIN base b
      WHERE n.campaign_id = $1 AND n.status IN ('PENDING', 'SENDING')
      GROUP BY n.channel, 2, 3
      ORDER BY 2, 1`,
    [campaignId, size],
  );
}

/** Waiting (or interrupted) messages of one chunk, in id order. */
export async function chunkRows(
  db: Db,
  c: { campaignId: string; channel: ConsentChannel; fromId: string; toId: string },
): Promise<string[]> {
  const rows: Array<{ id: string }> = await db.query(
    `SELECT id::text AS "id" FROM notification
      WHERE campaign_id = $1 AND channel = $2 AND id BETWEEN $3 AND $4
        AND status IN ('PENDING', 'SENDING')
      ORDER BY id`,
    [c.campaignId, c.channel, c.fromId, c.toId],
  );
  return rows.map((r) => r.id);
}

/** Everything the claim of one message reads about its customer. */
export interface ClaimCustomer extends RecipientRow {
  firstName: string | null;
  lastName: string | null;
  birthYear: number | null;
  homeBranchId: string | null;
  homeBranch: string | null;
  recommendationMode: RecommendationMode;
}

/**
 * Locks the customer's row for the claim. Consent changes lock the same row (FOR UPDATE), and
 * so do other claims for the customer, so the consent and the contact cap a claim checks
 * cannot change under it.
 */
export async function lockClaimCustomer(
  tx: EntityManager,
  customerId: string,
): Promise<ClaimCustomer | null> {
  const [row] = await tx.query(
    `SELECT c.id::text AS "id", c.status, c.email, c.phone, c.external_id AS "externalId",
            c.first_name AS "firstName", c.last_name AS "lastName", c.birth_year AS "birthYear",
            c.home_branch_id::text AS "homeBranchId", b.name AS "homeBranch",
            c.recommendation_mode AS "recommendationMode"
       FROM customer c LEFT JOIN branch b ON b.id = c.home_branch_id
      WHERE c.id = $1
        FOR NO KEY UPDATE OF c`,
    [customerId],
  );
  return row ?? null;
}

export interface MessageRow {
  id: string;
  customerId: string | null;
  status: NotificationStatus;
  channel: ConsentChannel;
  attempts: number;
}

export async function messageRow(db: Db, id: string, lock = false): Promise<MessageRow | null> {
  const [row] = await db.query(
    `SELECT id::text AS "id", customer_id::text AS "customerId", status, channel, attempts
       FROM notification WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
    [id],
  );
  return row ?? null;
}

/** PENDING (or, on a redelivery-safe channel, an interrupted SENDING) → SENDING. */
export async function markClaimed(
  tx: EntityManager,
  id: string,
  claimId: string,
  address: string,
): Promise<void> {
  await tx.query(
    `UPDATE notification
        SET status = 'SENDING', claim_id = $2, claimed_at = now(), attempts = attempts + 1,
            address = $3, updated_at = now()
      WHERE id = $1`,
    [id, claimId, address],
  );
}

export async function markSuppressed(
  tx: EntityManager,
  id: string,
  reason: SuppressionReason,
): Promise<void> {
  await tx.query(
    `UPDATE notification
        SET status = 'SUPPRESSED', suppressed_reason = $2, suppressed_at = now(), updated_at = now()
      WHERE id = $1`,
    [id, reason],
  );
}

/** A SENDING row found by a later job: its worker stopped mid-hand-over. */
export async function markUnconfirmed(db: Db, id: string, claimId: string | null, code: string) {
  await db.query(
    `UPDATE notification SET status = 'UNCONFIRMED', last_error = $3, updated_at = now()
      WHERE id = $1 AND status = 'SENDING' AND ($2::uuid IS NULL OR claim_id = $2::uuid)`,
    [id, claimId, code],
  );
}

/**
 * The channel accepted the message. Allowed from UNCONFIRMED too: a worker that was only slow,
 * not dead, still records the truth when it hears back.
 */
export async function markSent(db: Db, id: string, claimId: string, providerId: string | null) {
  await db.query(
    `UPDATE notification
        SET status = 'SENT', sent_at = now(), provider_id = $3, last_error = NULL,
            updated_at = now()
      WHERE id = $1 AND claim_id = $2 AND status IN ('SENDING', 'UNCONFIRMED')`,
    [id, claimId, providerId],
  );
}

/** The channel certainly did not take it: back to PENDING for a later attempt. */
export async function markRetry(db: Db, id: string, claimId: string, code: string) {
  await db.query(
    `UPDATE notification SET status = 'PENDING', claim_id = NULL, last_error = $3,
            updated_at = now()
      WHERE id = $1 AND claim_id = $2 AND status = 'SENDING'`,
    [id, claimId, code],
  );
}

export async function markFailed(db: Db, id: string, claimId: string | null, code: string) {
  await db.query(
    `UPDATE notification SET status = 'FAILED', failed_at = now(), last_error = $3,
            updated_at = now()
      WHERE id = $1 AND status IN ('PENDING', 'SENDING')
        AND ($2::uuid IS NULL OR claim_id = $2::uuid)`,
    [id, claimId, code],
  );
}

/** SENDING → SENT once nothing in the campaign waits any more. */
export async function completeIfDone(db: Db, campaignId: string): Promise<boolean> {
  const [rows] = await db.query(
    `UPDATE campaign SET status = 'SENT', finished_at = now(), updated_at = now()
      WHERE id = $1 AND status = 'SENDING'
        AND NOT EXISTS (SELECT 1 FROM notification
                         WHERE campaign_id = $1 AND status IN ('TARGETED', 'PENDING', 'SENDING'))
      RETURNING id`,
    [campaignId],
  );
  return rows.length > 0;
}
