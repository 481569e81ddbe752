import type { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/errors';
import { assertId } from '../common/ids';
import { CustomerStatus } from '../customers/customer.enums';
import type { RecommendationMode } from '../recommendations/recommendation.enums';
import { ConsentRecord } from './consent-record.entity';
import type { HistoryChoice } from './consent.enums';
import type { ConsentInput, LedgerEntry } from './consent.rules';

type Db = DataSource | EntityManager;

/** The columns of a customer that consent changes read and keep in step. */
export interface ConsentSubject {
  id: string;
  status: CustomerStatus;
  mode: RecommendationMode;
  historyChoice: HistoryChoice;
}

const LEDGER_COLUMNS = `id::text AS "id", customer_id::text AS "customerId", purpose, channel,
       granted, recorded_at AS "recordedAt", source, wording_version AS "wordingVersion"`;

function toRecord(row: Record<string, unknown>): ConsentRecord {
  return Object.assign(new ConsentRecord(), row);
}

/**
 * Locks the customer's row for the rest of the transaction, so consent changes for one
 * customer happen one after another. NOT_FOUND when there is none; refuses erased customers.
 */
export async function lockConsentSubject(
  tx: EntityManager,
  customerId: string,
): Promise<ConsentSubject> {
  const [row] = await tx.query(
    `SELECT id::text AS "id", status, recommendation_mode AS "mode",
            history_choice AS "historyChoice"
       FROM customer WHERE id = $1 FOR UPDATE`,
    [assertId(customerId, 'customerId')],
  );
  if (!row) throw DomainError.notFound('Customer', customerId);
  if (row.status === CustomerStatus.ERASED) {
    throw DomainError.badInput('customerId', 'erased', 'belongs to an erased customer');
  }
  return row as ConsentSubject;
}

/**
 * Appends one row. The time is taken when the row is written, after the customer's row is
 * locked, so the ledger's order matches the order the changes were made in.
 */
export async function appendConsent(
  tx: EntityManager,
  customerId: string,
  c: ConsentInput,
): Promise<void> {
  await tx.query(
    `INSERT INTO consent_record
            (customer_id, purpose, channel, granted, recorded_at, source, wording_version)
     VALUES ($1, $2, $3, $4, clock_timestamp(), $5, $6)`,
    [customerId, c.purpose, c.channel, c.granted, c.source, c.wordingVersion],
  );
}

/** The latest row per customer, purpose and channel, for many customers in one statement. */
export async function latestConsentRows(
  db: Db,
  customerIds: readonly string[],
): Promise<Array<LedgerEntry & { customerId: string }>> {
  if (!customerIds.length) return [];
  return db.query(
    `SELECT DISTINCT ON (customer_id, purpose, channel) ${LEDGER_COLUMNS}
       FROM consent_record WHERE customer_id = ANY($1::bigint[])
      ORDER BY customer_id, purpose, channel, recorded_at DESC, id DESC`,
    [customerIds],
  );
}

/** Every row for one customer, newest first. */
export async function consentRows(db: Db, customerId: string): Promise<ConsentRecord[]> {
  const rows: Record<string, unknown>[] = await db.query(
    `SELECT ${LEDGER_COLUMNS} FROM consent_record WHERE customer_id = $1
      ORDER BY recorded_at DESC, id DESC`,
    [customerId],
  );
  return rows.map(toRecord);
}

/** Keeps the columns the workers and access rules read in step with the ledger. */
export async function updateConsentSubject(
  tx: EntityManager,
  customerId: string,
  mode: RecommendationMode,
  historyChoice: HistoryChoice,
): Promise<void> {
  await tx.query(
    `UPDATE customer SET recommendation_mode = $2, history_choice = $3, updated_at = now()
      WHERE id = $1`,
    [customerId, mode, historyChoice],
  );
}
