import { COUNTED_ENTRY } from '../activity/counted';
import type { EntityManager } from 'typeorm';
import { ConsentPurpose, ConsentSource } from '../consent/consent.enums';
import type { ConsentInput } from '../consent/consent.rules';
import { compileSegment } from './segments/segment-compiler';
import { parseSegmentFilter } from './segments/segment-filter';
import { customerMatches, listSegments } from './segments/segment.repository';

/**
 * What marketing does for the customer's rights: the consent ledger, the subject-access
 * export and erasure call these inside their own transactions.
 */

/** The campaign purpose a consent purpose governs, if any. */
const GOVERNS: Partial<Record<ConsentPurpose, string>> = {
  [ConsentPurpose.MARKETING]: 'MARKETING',
  [ConsentPurpose.SERVICE_MESSAGES]: 'SERVICE_INFORMATION',
};

/**
 * A withdrawal takes effect at once: the customer's messages still waiting on that channel,
 * in campaigns of the purpose the consent governs, are suppressed in the same transaction as
 * the ledger row. (A message a worker is already handing over cannot be recalled; the worker's
 * own check runs under the same customer lock, so it sees the withdrawal if it comes first.)
 */
export async function suppressOnWithdrawal(
  tx: EntityManager,
  customerId: string,
  consent: ConsentInput,
): Promise<number> {
  const purpose = GOVERNS[consent.purpose];
  if (consent.granted || !purpose || !consent.channel) return 0;
  const reason =
    consent.source === ConsentSource.UNSUBSCRIBE_LINK ? 'UNSUBSCRIBED' : 'CONSENT_WITHDRAWN';
  const [, count] = await tx.query(
    `UPDATE notification n
        SET status = 'SUPPRESSED', suppressed_reason = $4, suppressed_at = now(),
            updated_at = now()
       FROM campaign k
      WHERE k.id = n.campaign_id AND k.purpose = $3 AND n.customer_id = $1
        AND n.channel = $2 AND n.status = 'PENDING'`,
    [customerId, consent.channel, purpose, reason],
  );
  return count;
}

/** Every message of every campaign for the customer, for their subject-access export. */
export async function messagesOf(tx: EntityManager, customerId: string): Promise<unknown[]> {
  return tx.query(
    `SELECT n.id::text AS "id", k.id::text AS "campaignId", k.name AS "campaign",
            k.purpose, n.channel, n.status, n.suppressed_reason AS "suppressedReason",
            n.address, n.created_at AS "targetedAt", n.claimed_at AS "handedOverAt",
            n.sent_at AS "sentAt", n.failed_at AS "failedAt", n.suppressed_at AS "suppressedAt",
            n.opened_at AS "firstOpenedAt", n.open_count AS "opens",
            n.clicked_at AS "firstClickedAt", n.click_count AS "clicks"
       FROM notification n JOIN campaign k ON k.id = n.campaign_id
      WHERE n.customer_id = $1
      ORDER BY n.created_at, n.id`,
    [customerId],
  );
}

/** The saved segments the customer matches now, each evaluated exactly as a preview would. */
export async function segmentsMatching(
  tx: EntityManager,
  customerId: string,
  now: Date,
): Promise<Array<{ id: string; name: string }>> {
  const out: Array<{ id: string; name: string }> = [];
  for (const s of await listSegments(tx)) {
    const filter = parseSegmentFilter(s.filter, 'segment.filter');
    if (await customerMatches(tx, customerId, compileSegment(filter, { now }))) {
      out.push({ id: s.id, name: s.name });
    }
  }
  return out;
}

/**
 * Erasure's part in marketing, run before the customer's activity is detached. Messages not
 * yet sent are suppressed (CUSTOMER_ERASED). Each row then keeps, as a bare time, when the
 * customer was first active after the campaign started — so the campaign's uplift does not
 * move — and loses the link to the person and the address it went to. Counts, statuses,
 * opens and clicks stay, so every campaign's results read the same afterwards.
 */
export async function anonymiseNotifications(
  tx: EntityManager,
  customerId: string,
  now: Date,
): Promise<number> {
  await tx.query(
    `UPDATE notification
        SET status = 'SUPPRESSED', suppressed_reason = 'CUSTOMER_ERASED', suppressed_at = $2,
            updated_at = $2
      WHERE customer_id = $1 AND status IN ('TARGETED', 'PENDING')`,
    [customerId, now],
  );
  await tx.query(
    `UPDATE notification n
        SET first_active_after = (
              SELECT min(a.occurred_at) FROM activity a
               WHERE a.customer_id = $1 AND a.occurred_at >= k.started_at
                 AND ${COUNTED_ENTRY})
       FROM campaign k
      WHERE k.id = n.campaign_id AND n.customer_id = $1 AND k.started_at IS NOT NULL
        AND n.first_active_after IS NULL`,
    [customerId],
  );
  const [, count] = await tx.query(
    `UPDATE notification
        SET customer_id = NULL, address = NULL, provider_id = NULL, last_error = NULL,
            anonymised_at = $2, updated_at = $2
      WHERE customer_id = $1`,
    [customerId, now],
  );
  return count;
}
