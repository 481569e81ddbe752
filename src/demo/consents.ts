import type { DataSource } from 'typeorm';

/** Wording version of the consents the demo (and the benchmarks) record. */
export const DEMO_CONSENT_WORDING = 'demo-1';

/**
 * Gives the demo library a consent ledger, the way an old system's export might: most
 * customers with an email agreed to hear about news by email, fewer by text or in the app, a
 * few later changed their mind, and some objected to service messages. Chosen by id, so the
 * same library always gets the same ledger. Recorded as IMPORT rows, one statement per rule;
 * does nothing when the demo's consents are already there.
 */
export async function seedDemoConsents(ds: DataSource): Promise<number> {
  const [done] = await ds.query('SELECT 1 FROM consent_record WHERE wording_version = $1 LIMIT 1', [
    DEMO_CONSENT_WORDING,
  ]);
  if (done) return 0;
  const rules: Array<
    [purpose: string, channel: string, granted: boolean, where: string, days: number]
  > = [
    ['MARKETING', 'EMAIL', true, `email IS NOT NULL AND id % 10 < 6`, 1],
    ['MARKETING', 'SMS', true, `phone IS NOT NULL AND id % 10 < 3`, 1],
    ['MARKETING', 'APP', true, `id % 10 < 2`, 2],
    ['SERVICE_MESSAGES', 'EMAIL', true, `email IS NOT NULL AND id % 10 < 9`, 1],
    // Changed their mind later.
    ['MARKETING', 'EMAIL', false, `email IS NOT NULL AND id % 50 = 0`, 30],
    ['SERVICE_MESSAGES', 'EMAIL', false, `email IS NOT NULL AND id % 40 = 1`, 30],
  ];
  let total = 0;
  for (const [purpose, channel, granted, where, days] of rules) {
    const [row] = await ds.query(
      `WITH added AS (
         INSERT INTO consent_record
                (customer_id, purpose, channel, granted, recorded_at, source, wording_version)
         SELECT id, $1, $2, $3, least(registered_at + make_interval(days => $4), now()),
                'IMPORT', $5
           FROM customer WHERE status <> 'ERASED' AND ${where}
         RETURNING 1)
       SELECT count(*)::int AS n FROM added`,
      [purpose, channel, granted, days, DEMO_CONSENT_WORDING],
    );
    total += row.n;
  }
  return total;
}
