import type { DataSource } from 'typeorm';

/**
 * A small library with obvious taste structure: crime readers borrow crime, fantasy readers
 * borrow fantasy, children borrow children's books. Returns the ids tests refer to.
 */
export async function seedTasteLibrary(ds: DataSource) {
  await ds.query(`INSERT INTO branch (external_id, name, kind) VALUES ('B1', 'Central Library', 'BUILDING'),
                  ('B2', 'Northside', 'BUILDING')`);
  const genres: Array<[string, string]> = [
    ['crime', 'ADULT'],
    ['fantasy', 'ADULT'],
    ['picture', 'CHILDREN'],
  ];
  for (const [g] of genres) {
    await ds.query(`INSERT INTO interest (kind, label, key) VALUES ('GENRE', $1, $1)`, [g]);
  }
  for (const [g, audience] of genres) {
    await ds.query(
      `INSERT INTO catalogue_item (external_id, title, authors, audience, added_at)
       SELECT $1 || '-' || n, initcap($1) || ' title ' || n, ARRAY[initcap($1) || ' author ' || (n % 7)],
              $2::audience, now() - interval '400 days'
         FROM generate_series(1, 30) n`,
      [g, audience],
    );
    await ds.query(
      `INSERT INTO item_interest (item_id, interest_id)
       SELECT i.id, t.id FROM catalogue_item i, interest t
        WHERE i.external_id LIKE $1 || '-%' AND t.key = $1`,
      [g],
    );
  }
  await ds.query(`INSERT INTO holding (item_id, branch_id, copies, copies_available)
                  SELECT i.id, b.id, 2, 1 FROM catalogue_item i, branch b`);
  // 40 crime readers, 40 fantasy readers, 20 children; birth years set the age bands.
  await ds.query(
    `INSERT INTO customer (external_id, kind, birth_year, home_branch_id)
     SELECT 'R' || n, 'BORROWER', CASE WHEN n > 80 THEN 2019 ELSE 1980 END,
            (SELECT id FROM branch WHERE external_id = CASE WHEN n % 2 = 0 THEN 'B1' ELSE 'B2' END)
       FROM generate_series(1, 100) n`,
  );
  // Each reader borrows 8 titles of their genre, drawn with a skew towards the first titles.
  await ds.query(
    `INSERT INTO activity (customer_id, type, occurred_at, item_id, branch_id, age_band, source_key)
     SELECT c.id, 'LOAN', now() - ((k * 7 + n) || ' days')::interval, i.id, c.home_branch_id,
            CASE WHEN n > 80 THEN 'CHILD_5_11' ELSE 'ADULT_45_64' END::age_band,
            'seed-' || n || '-' || k
       FROM generate_series(1, 100) n
       JOIN customer c ON c.external_id = 'R' || n
       CROSS JOIN generate_series(1, 8) k
       JOIN catalogue_item i ON i.external_id =
            (CASE WHEN n <= 40 THEN 'crime' WHEN n <= 80 THEN 'fantasy' ELSE 'picture' END)
            || '-' || (1 + ((n * 3 + k * k) % 12))
     ON CONFLICT DO NOTHING`,
  );
  const ids = async (sql: string): Promise<string[]> =>
    ((await ds.query(sql)) as Array<{ id: string }>).map((r) => r.id);
  return {
    crimeReader: (await ids(`SELECT id::text FROM customer WHERE external_id = 'R2'`))[0],
    child: (await ids(`SELECT id::text FROM customer WHERE external_id = 'R90'`))[0],
    adultItems: new Set(await ids(`SELECT id::text FROM catalogue_item WHERE audience = 'ADULT'`)),
    crimeItems: new Set(
      await ids(`SELECT id::text FROM catalogue_item WHERE external_id LIKE 'crime-%'`),
    ),
  };
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for the newest model to be built and every customer refreshed. */
export async function waitForRefreshedModel(
  ds: DataSource,
  afterId = '0',
  ms = 60_000,
): Promise<string> {
  return eventually(async () => {
    const [row] = await ds.query(
      `SELECT id::text FROM rec_model WHERE id > $1 AND status = 'READY' AND stats ? 'refreshedAt'
        ORDER BY id DESC LIMIT 1`,
      [afterId],
    );
    return row?.id as string | undefined;
  }, ms);
}
