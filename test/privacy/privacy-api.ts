import type { DataSource } from 'typeorm';
import { startTestApi, type TestApi } from '../support/api';

/** A test API for the privacy features (they are part of the platform's own wiring). */
export function startPrivacyApi(label: string): Promise<TestApi> {
  return startTestApi(label);
}

/** Closes the API after removing every Redis key the test wrote under its own prefix. */
export async function closePrivacyApi(api: TestApi): Promise<void> {
  const { redis, config } = api.platform;
  let cursor = '0';
  do {
    const match = `${config.REDIS_PREFIX}:*`;
    const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await api.close();
}

/** Activity counts by type, branch, month and age band: what statistics are built from. */
export async function statistics(ds: DataSource): Promise<unknown[]> {
  return ds.query(
    `SELECT type, branch_id::text AS branch, date_trunc('month', occurred_at) AS month, age_band,
            count(*)::int AS n
       FROM activity GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  );
}

/** Two branches, a few titles and an event; returns their ids. */
export async function seedLibrary(ds: DataSource) {
  const one = async (sql: string, params: unknown[] = []): Promise<string> =>
    (await ds.query(`${sql} RETURNING id::text AS id`, params))[0].id;
  const branch = `INSERT INTO branch (external_id, name, kind) VALUES ($1, $2, 'BUILDING')`;
  const central = await one(branch, ['B1', 'Central Library']);
  const north = await one(branch, ['B2', 'Northside']);
  const items: string[] = [];
  for (const title of ['The Moonstone', 'Middlemarch', 'Bleak House', 'Persuasion']) {
    items.push(
      await one('INSERT INTO catalogue_item (external_id, title) VALUES ($1, $2)', [
        `I-${items.length + 1}`,
        title,
      ]),
    );
  }
  const event = await one(
    `INSERT INTO event (external_id, title, branch_id, starts_at)
     VALUES ('E1', 'Local History Talk', $1, now() - interval '10 days')`,
    [central],
  );
  return { central, north, items, event };
}

export interface PersonFields {
  externalId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  birthYear?: number;
  guardianId?: string | null;
  historyChoice?: 'KEEP' | 'DEFAULT' | 'NEVER';
  homeBranchId?: string | null;
}

/** Inserts a customer directly; returns the id. */
export async function insertCustomer(ds: DataSource, f: PersonFields): Promise<string> {
  const [row] = await ds.query(
    `INSERT INTO customer (external_id, kind, first_name, last_name, email, birth_year, guardian_id,
                           history_choice, home_branch_id)
     VALUES ($1, 'BORROWER', $2, $3, $4, $5, $6, $7, $8) RETURNING id::text AS id`,
    [
      f.externalId,
      f.firstName ?? null,
      f.lastName ?? null,
      f.email ?? null,
      f.birthYear ?? null,
      f.guardianId ?? null,
      f.historyChoice ?? 'DEFAULT',
      f.homeBranchId ?? null,
    ],
  );
  return row.id;
}

let sourceSeq = 0;

/** Appends one activity entry `daysAgo` days before now; returns its id. */
export async function insertActivity(
  ds: DataSource,
  a: {
    customerId: string | null;
    type: string;
    daysAgo: number;
    branchId: string;
    itemId?: string | null;
    eventId?: string | null;
    ageBand?: string;
  },
): Promise<string> {
  const [row] = await ds.query(
    `INSERT INTO activity
            (customer_id, type, occurred_at, branch_id, item_id, event_id, age_band, source_key)
     VALUES ($1, $2, now() - make_interval(days => $3), $4, $5, $6, $7, $8)
     RETURNING id::text AS id`,
    [
      a.customerId,
      a.type,
      a.daysAgo,
      a.branchId,
      a.itemId ?? null,
      a.eventId ?? null,
      a.ageBand ?? 'ADULT_25_44',
      `privacy-test-${++sourceSeq}-${Date.now()}`,
    ],
  );
  return row.id;
}
