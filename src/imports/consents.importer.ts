import {
  currentConsents,
  historyChoiceAfterConsent,
  type LedgerEntry,
  MODE_PURPOSES,
  recommendationModeFor,
} from '../consent/consent.rules';
import { ConsentPurpose, HistoryChoice } from '../consent/consent.enums';
import { rowsForKnownCustomers } from './import.repository';
import type { BatchOutcome, Db, Importer, PendingRow } from './import.types';
import { consentRow, type ConsentRow } from './rows';

async function writeBatch(
  db: Db,
  batch: ReadonlyArray<PendingRow<ConsentRow>>,
): Promise<BatchOutcome> {
  const { customers, rows, rejected } = await rowsForKnownCustomers(db, batch);
  if (!rows.length) return { inserted: 0, updated: 0, unchanged: 0, rejected, created: {} };

  // The ledger is append-only, so a decision already recorded (same customer, purpose,
  // channel, answer and time) is not appended again: that is what makes a re-run harmless.
  const { rows: added } = await db.query<{ customer_id: string; purpose: ConsentPurpose }>(
    `WITH input AS (
       SELECT DISTINCT ON (customer_id, purpose, channel, granted, recorded_at) *
         FROM unnest($1::bigint[], $2::consent_purpose[], $3::consent_channel[], $4::boolean[],
                     $5::timestamptz[], $6::consent_source[], $7::text[])
              AS r(customer_id, purpose, channel, granted, recorded_at, source, wording_version)
     )
     INSERT INTO consent_record
            (customer_id, purpose, channel, granted, recorded_at, source, wording_version)
     SELECT i.customer_id, i.purpose, i.channel, i.granted, i.recorded_at, i.source,
            i.wording_version
       FROM input i
      WHERE NOT EXISTS (
        SELECT 1 FROM consent_record c
         WHERE c.customer_id = i.customer_id AND c.purpose = i.purpose
           AND c.channel IS NOT DISTINCT FROM i.channel AND c.granted = i.granted
           AND c.recorded_at = i.recorded_at)
      ORDER BY i.recorded_at
     RETURNING customer_id::text, purpose`,
    [
      rows.map((r) => customers.get(r.value.customerExternalId)!.id),
      rows.map((r) => r.value.consent.purpose),
      rows.map((r) => r.value.consent.channel),
      rows.map((r) => r.value.consent.granted),
      rows.map((r) => r.value.recordedAt.toISOString()),
      rows.map((r) => r.value.consent.source),
      rows.map((r) => r.value.consent.wordingVersion),
    ],
  );
  await deriveFromLedger(
    db,
    added.filter((a) => MODE_PURPOSES.has(a.purpose)),
  );
  return {
    inserted: added.length,
    updated: 0,
    unchanged: rows.length - added.length,
    rejected,
    created: {},
  };
}

/**
 * Brings `recommendation_mode` and `history_choice` in step with the ledger for customers who
 * gained PERSONALISATION or HISTORY_RETENTION rows, with the same rules the API applies. An
 * imported decision may be older than one already held; the latest by time still decides.
 */
async function deriveFromLedger(
  db: Db,
  changed: ReadonlyArray<{ customer_id: string; purpose: ConsentPurpose }>,
): Promise<void> {
  const ids = [...new Set(changed.map((c) => c.customer_id))];
  if (!ids.length) return;
  const { rows } = await db.query<LedgerEntry & { customerId: string; choice: HistoryChoice }>(
    `SELECT DISTINCT ON (r.customer_id, r.purpose, r.channel)
            r.customer_id::text AS "customerId", r.id::text AS id, r.purpose, r.channel,
            r.granted, r.recorded_at AS "recordedAt", r.source,
            r.wording_version AS "wordingVersion", c.history_choice AS choice
       FROM consent_record r JOIN customer c ON c.id = r.customer_id
      WHERE r.customer_id = ANY($1::bigint[])
      ORDER BY r.customer_id, r.purpose, r.channel, r.recorded_at DESC, r.id DESC`,
    [ids],
  );
  const byCustomer = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = byCustomer.get(r.customerId);
    if (list) list.push(r);
    else byCustomer.set(r.customerId, [r]);
  }
  const historyTouched = new Set(
    changed.filter((c) => c.purpose === ConsentPurpose.HISTORY_RETENTION).map((c) => c.customer_id),
  );
  const update = ids.map((id) => {
    const entries = byCustomer.get(id) ?? [];
    const current = currentConsents(entries);
    const retention = current.find((c) => c.purpose === ConsentPurpose.HISTORY_RETENTION)!;
    const choice = entries[0]?.choice ?? HistoryChoice.DEFAULT;
    return {
      id,
      mode: recommendationModeFor(current),
      choice: historyTouched.has(id)
        ? historyChoiceAfterConsent(choice, retention.granted)
        : choice,
    };
  });
  await db.query(
    `UPDATE customer c SET recommendation_mode = u.mode, history_choice = u.choice,
            updated_at = now()
       FROM unnest($1::bigint[], $2::recommendation_mode[], $3::history_choice[])
            AS u(id, mode, choice)
      WHERE c.id = u.id AND (c.recommendation_mode, c.history_choice) <> (u.mode, u.choice)`,
    [update.map((u) => u.id), update.map((u) => u.mode), update.map((u) => u.choice)],
  );
}

/**
 * Consent decisions from the old system:
 * `customer_external_id,purpose,channel,granted,recorded_at,source,wording_version`. Each row is
 * appended to the consent ledger as it was made (the ledger keeps when, where and which wording);
 * the customer's personalisation mode and history choice follow from the ledger afterwards,
 * exactly as when consent is given through the API. The customer must exist already.
 */
export const consentsImporter: Importer<ConsentRow> = {
  kind: 'consents',
  columns: {
    required: ['customer_external_id', 'purpose', 'granted', 'recorded_at'],
    optional: ['channel', 'source', 'wording_version'],
  },
  mapRow: consentRow,
  // One customer's decisions are written in file order, so the derived mode is computed once
  // all of them are in the ledger.
  key: (row) => row.customerExternalId,
  writeBatch,
};
