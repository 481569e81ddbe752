import type { DataSource } from 'typeorm';

/**
 * A small library for the marketing tests: two branches, crime and coding interests, titles,
 * an event, and customers whose consents, addresses and activity are set per test.
 */
export async function seedMarketingLibrary(ds: DataSource) {
  const one = async (sql: string, params: unknown[] = []): Promise<string> =>
    (await ds.query(`${sql} RETURNING id::text AS id`, params))[0].id;
  const central = await one(
    `INSERT INTO branch (external_id, name, kind, postcode) VALUES ('B1', 'Central Library', 'BUILDING', 'LS1 1AA')`,
  );
  const north = await one(
    `INSERT INTO branch (external_id, name, kind, postcode) VALUES ('B2', 'Northside', 'BUILDING', 'LS6 2BB')`,
  );
  const crime = await one(
    `INSERT INTO interest (kind, label, key) VALUES ('GENRE', 'Crime', 'crime')`,
  );
  const coding = await one(
    `INSERT INTO interest (kind, label, key) VALUES ('SUBJECT', 'Coding', 'coding')`,
  );
  const items: string[] = [];
  for (const [i, title] of ['The Moonstone', 'Gone Girl', 'The Big Sleep', 'Rebecca'].entries()) {
    const id = await one(
      `INSERT INTO catalogue_item (external_id, title, authors) VALUES ($1, $2, $3)`,
      [`I-${i + 1}`, title, [`Author ${i + 1}`]],
    );
    await ds.query('INSERT INTO item_interest (item_id, interest_id) VALUES ($1, $2)', [id, crime]);
    items.push(id);
  }
  const club = await one(
    `INSERT INTO event (external_id, title, branch_id, starts_at)
     VALUES ('E1', 'Coding Club', $1, now() - interval '20 days')`,
    [north],
  );
  await ds.query('INSERT INTO event_topic (event_id, interest_id) VALUES ($1, $2)', [club, coding]);
  return { central, north, crime, coding, items, club };
}

export interface PersonSpec {
  externalId: string;
  firstName?: string | null;
  email?: string | null;
  phone?: string | null;
  birthYear?: number | null;
  postcode?: string | null;
  homeBranchId?: string | null;
  kind?: string;
  registeredDaysAgo?: number;
}

/** Inserts a customer; returns the id. */
export async function addCustomer(ds: DataSource, p: PersonSpec): Promise<string> {
  const [row] = await ds.query(
    `INSERT INTO customer (external_id, kind, first_name, email, phone, birth_year, postcode,
                           home_branch_id, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() - make_interval(days => $9))
     RETURNING id::text AS id`,
    [
      p.externalId,
      p.kind ?? 'BORROWER',
      p.firstName ?? null,
      p.email ?? null,
      p.phone ?? null,
      p.birthYear ?? null,
      p.postcode ?? null,
      p.homeBranchId ?? null,
      p.registeredDaysAgo ?? 400,
    ],
  );
  return row.id;
}

/** Appends a consent ledger row directly (as an import would). */
export async function addConsent(
  ds: DataSource,
  customerId: string,
  purpose: string,
  channel: string | null,
  granted: boolean,
  source = 'IMPORT',
): Promise<void> {
  await ds.query(
    `INSERT INTO consent_record (customer_id, purpose, channel, granted, recorded_at, source, wording_version)
     VALUES ($1, $2, $3, $4, clock_timestamp(), $5, 'test-1')`,
    [customerId, purpose, channel, granted, source],
  );
}

let seq = 0;

/** Appends a ledger entry `daysAgo` days before now. */
export async function addActivity(
  ds: DataSource,
  a: {
    customerId: string;
    type: string;
    daysAgo: number;
    branchId?: string | null;
    itemId?: string | null;
    eventId?: string | null;
  },
): Promise<string> {
  const [row] = await ds.query(
    `INSERT INTO activity (customer_id, type, occurred_at, branch_id, item_id, event_id, source_key)
     VALUES ($1, $2, now() - make_interval(days => $3), $4, $5, $6, $7) RETURNING id::text AS id`,
    [
      a.customerId,
      a.type,
      a.daysAgo,
      a.branchId ?? null,
      a.itemId ?? null,
      a.eventId ?? null,
      `mkt-${++seq}-${Date.now()}`,
    ],
  );
  return row.id;
}
