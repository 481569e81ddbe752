import { ImportError, ImportErrorCode } from '../../src/imports/import.errors';
import { runImport } from '../../src/imports/import.service';
import type { ImportKind, ImportReport } from '../../src/imports/import.types';
import { createImportTestDb, silentLogger, type ImportTestDb } from './import-test-db';

let db: ImportTestDb;

async function load(kind: ImportKind, file: string, batchSize?: number): Promise<ImportReport> {
  return runImport(db.ds, kind, file, { logger: silentLogger, batchSize });
}

/** `line N: field` for every problem, the way the command prints them. */
function where(report: ImportReport): string[] {
  return report.rejected.flatMap((r) => r.problems.map((p) => `line ${r.line}: ${p.field}`));
}

/** The counts of a report in one readable line. */
function summary(r: ImportReport): string {
  return `${r.rows} rows: ${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged`;
}

const BRANCHES = [
  'External_ID,Name,Kind,Postcode',
  'CEN,Central Library,BUILDING,ab1 2cd',
  'MOB,Mobile Library,mobile,',
  'WEB,Online,ONLINE,',
];

const ITEMS = [
  [
    'external_id,title,authors,subjects,genres,format,audience,language',
    'published_year,isbn,series,added_at,holdings,shelf_mark',
  ].join(','),
  'I1,The River,Ann Lee,Nature|Rivers,Memoir,BOOK,ADULT,en,' +
    '2001,978-0-306-40615-7,,2024-01-02,CEN:3:2|MOB:1:1,R 551',
  'I2,Tiny Tales,Bo Chen|Ann Lee,Animals,Picture books,BOOK,CHILDREN,en,2019,,Tales,,CEN:2:2,',
  'I3,"Quiet, Please",,"Libraries",,EBOOK,ADULT,cy,,,,,WEB:5:5,',
];

const CUSTOMERS = [
  [
    'external_id,kind,first_name,last_name,email,phone,postcode,birth_year,home_branch',
    'registered_at,guardian,preferred_language,accessibility_needs,status,loyalty',
  ].join(','),
  'C1,BORROWER,Ada,Byron,ada@example.org,+44 20 7946 0000,ab1 2cd,1980,CEN,' +
    '2020-05-01,,en,large print,,gold',
  'C2,,Tom,Byron,,,,2016,CEN,,C1,en,,,',
  'C3,VISITOR,,,,,,,,,,,,,',
];

beforeAll(async () => {
  db = await createImportTestDb('service');
});

afterAll(async () => {
  await db.close();
});

describe('a good file of each kind', () => {
  it('imports branches and a second run changes nothing', async () => {
    const file = await db.csv('branches.csv', BRANCHES);
    expect(summary(await load('branches', file))).toBe(
      '3 rows: 3 inserted, 0 updated, 0 unchanged',
    );
    expect(summary(await load('branches', file))).toBe(
      '3 rows: 0 inserted, 0 updated, 3 unchanged',
    );
    expect(await db.sql(`SELECT external_id, kind, postcode FROM branch ORDER BY 1`)).toEqual([
      { external_id: 'CEN', kind: 'BUILDING', postcode: 'AB1 2CD' },
      { external_id: 'MOB', kind: 'MOBILE', postcode: null },
      { external_id: 'WEB', kind: 'ONLINE', postcode: null },
    ]);
  });

  it('imports items with interests, holdings and extra columns, idempotently', async () => {
    const file = await db.csv('items.csv', ITEMS);
    const first = await load('items', file);
    expect(first.rejected).toEqual([]);
    expect(summary(first)).toBe('3 rows: 3 inserted, 0 updated, 0 unchanged');
    expect(first.created.interests).toBe(8);
    expect(summary(await load('items', file))).toBe('3 rows: 0 inserted, 0 updated, 3 unchanged');

    const [river] = await db.sql(
      `SELECT authors, isbn, attributes, format FROM catalogue_item WHERE external_id = 'I1'`,
    );
    expect(river).toEqual({
      authors: ['Ann Lee'],
      isbn: '9780306406157',
      attributes: { shelf_mark: 'R 551' },
      format: 'BOOK',
    });
    const links = await db.sql<{ kind: string; label: string }>(
      `SELECT n.kind, n.label FROM item_interest l JOIN interest n ON n.id = l.interest_id
       JOIN catalogue_item i ON i.id = l.item_id WHERE i.external_id = 'I2' ORDER BY n.kind, n.key`,
    );
    expect(links.map((l) => `${l.kind}:${l.label}`)).toEqual([
      'SUBJECT:Animals',
      'GENRE:Picture books',
      'AUTHOR:Ann Lee',
      'AUTHOR:Bo Chen',
    ]);
    const held = await db.sql(
      `SELECT b.external_id AS branch, h.copies, h.copies_available FROM holding h
       JOIN branch b ON b.id = h.branch_id JOIN catalogue_item i ON i.id = h.item_id
       WHERE i.external_id = 'I1' ORDER BY 1`,
    );
    expect(held).toEqual([
      { branch: 'CEN', copies: 3, copies_available: 2 },
      { branch: 'MOB', copies: 1, copies_available: 1 },
    ]);
  });

  it('counts a title as updated when only its links or holdings change', async () => {
    const changed = ITEMS.map((line) =>
      line.replace('CEN:2:2,', 'CEN:2:1,').replace('Nature|Rivers', 'Nature'),
    );
    const report = await load('items', await db.csv('items-changed.csv', changed));
    expect(summary(report)).toBe('3 rows: 0 inserted, 2 updated, 1 unchanged');
    await load('items', await db.csv('items.csv', ITEMS));
  });

  it('imports customers with a guardian earlier in the file, idempotently', async () => {
    const file = await db.csv('customers.csv', CUSTOMERS);
    const first = await load('customers', file);
    expect(first.rejected).toEqual([]);
    expect(summary(first)).toBe('3 rows: 3 inserted, 0 updated, 0 unchanged');
    expect(summary(await load('customers', file))).toBe(
      '3 rows: 0 inserted, 0 updated, 3 unchanged',
    );

    const rows = await db.sql(
      `SELECT c.external_id, c.kind, c.email, c.postcode, c.accessibility_needs::text[],
              c.attributes, b.external_id AS home, g.external_id AS guardian, c.status
       FROM customer c LEFT JOIN branch b ON b.id = c.home_branch_id
       LEFT JOIN customer g ON g.id = c.guardian_id ORDER BY c.external_id`,
    );
    expect(rows[0]).toEqual({
      external_id: 'C1',
      kind: 'BORROWER',
      email: 'ada@example.org',
      postcode: 'AB1 2CD',
      accessibility_needs: ['LARGE_PRINT'],
      attributes: { loyalty: 'gold' },
      home: 'CEN',
      guardian: null,
      status: 'ACTIVE',
    });
    // An empty kind makes a new customer a MEMBER.
    expect(rows[1]).toMatchObject({ external_id: 'C2', kind: 'MEMBER', guardian: 'C1' });
  });

  it('updates only what a file changes and leaves columns it lacks alone', async () => {
    const file = await db.csv('customers-partial.csv', [
      'EXTERNAL_ID,EMAIL,kind',
      'C1,ada.byron@example.org,',
      'C3,,',
    ]);
    expect(summary(await load('customers', file))).toBe(
      '2 rows: 0 inserted, 1 updated, 1 unchanged',
    );
    const [ada] = await db.sql(
      `SELECT email, first_name, kind FROM customer WHERE external_id = 'C1'`,
    );
    expect(ada).toEqual({ email: 'ada.byron@example.org', first_name: 'Ada', kind: 'BORROWER' });
  });

  it('imports declared interests, creating taxonomy nodes; a re-run changes nothing', async () => {
    const file = await db.csv('interests.csv', [
      'customer_external_id,kind,value',
      'C1,subject,rivers',
      'C1,genre,Cosy crime',
      'C2,author,ann  lee',
      'C2,author,Ann Lee',
    ]);
    const first = await load('interests', file);
    expect(summary(first)).toBe('4 rows: 3 inserted, 0 updated, 1 unchanged');
    expect(first.created.interests).toBe(1);
    expect(summary(await load('interests', file))).toBe(
      '4 rows: 0 inserted, 0 updated, 4 unchanged',
    );
    const declared = await db.sql(
      `SELECT c.external_id, n.kind, n.label, ci.source FROM customer_interest ci
       JOIN customer c ON c.id = ci.customer_id JOIN interest n ON n.id = ci.interest_id
       ORDER BY 1, 2`,
    );
    expect(declared).toEqual([
      { external_id: 'C1', kind: 'SUBJECT', label: 'Rivers', source: 'DECLARED' },
      { external_id: 'C1', kind: 'GENRE', label: 'Cosy crime', source: 'DECLARED' },
      { external_id: 'C2', kind: 'AUTHOR', label: 'Ann Lee', source: 'DECLARED' },
    ]);
  });

  it('appends consent decisions to the ledger and derives the mode from them', async () => {
    const file = await db.csv('consents.csv', [
      'customer_external_id,purpose,channel,granted,recorded_at,source,wording_version',
      'C1,personalisation,,yes,2021-01-01T10:00:00Z,branch,reg-2020',
      'C1,HISTORY_RETENTION,,true,2021-01-01T10:00:00Z,,',
      'C1,marketing,email,given,2021-01-01T10:00:00Z,,reg-2020',
      'C1,MARKETING,EMAIL,withdrawn,2023-06-01T09:00:00Z,web,prefs-2023',
      'C2,PERSONALISATION,,1,2021-02-01T10:00:00Z,,',
      'C2,HISTORY_RETENTION,,0,2021-02-01T10:00:00Z,,',
    ]);
    const first = await load('consents', file);
    expect(first.rejected).toEqual([]);
    expect(summary(first)).toBe('6 rows: 6 inserted, 0 updated, 0 unchanged');
    expect(summary(await load('consents', file))).toBe(
      '6 rows: 0 inserted, 0 updated, 6 unchanged',
    );
    expect(
      await db.sql(
        `SELECT external_id, recommendation_mode, history_choice FROM customer
          WHERE external_id IN ('C1', 'C2') ORDER BY 1`,
      ),
    ).toEqual([
      { external_id: 'C1', recommendation_mode: 'FULL', history_choice: 'KEEP' },
      { external_id: 'C2', recommendation_mode: 'INTERESTS_ONLY', history_choice: 'DEFAULT' },
    ]);
    const ledger = await db.sql(
      `SELECT r.purpose, r.channel, r.granted, r.source, r.wording_version
         FROM consent_record r JOIN customer c ON c.id = r.customer_id
        WHERE c.external_id = 'C1' AND r.purpose = 'MARKETING' ORDER BY r.recorded_at`,
    );
    expect(ledger).toEqual([
      {
        purpose: 'MARKETING',
        channel: 'EMAIL',
        granted: true,
        source: 'IMPORT',
        wording_version: 'reg-2020',
      },
      {
        purpose: 'MARKETING',
        channel: 'EMAIL',
        granted: false,
        source: 'WEB',
        wording_version: 'prefs-2023',
      },
    ]);
  });

  it('refuses consent rows that break the ledger rules, naming the column', async () => {
    const file = await db.csv('consents-bad.csv', [
      'customer_external_id,purpose,channel,granted,recorded_at,source',
      'C1,MARKETING,,yes,2022-01-01T00:00:00Z,',
      'C1,PERSONALISATION,EMAIL,yes,2022-01-01T00:00:00Z,',
      'C1,SERVICE_MESSAGES,SMS,maybe,2022-01-01T00:00:00Z,',
      'C1,MARKETING,EMAIL,yes,2022-01-01T00:00:00Z,unsubscribe_link',
      'C1,MARKETING,EMAIL,yes,2999-01-01T00:00:00Z,',
      'NOPE,MARKETING,EMAIL,yes,2022-01-01T00:00:00Z,',
      'C1,SERVICE_MESSAGES,SMS,no,2022-01-01T00:00:00Z,',
    ]);
    const report = await load('consents', file);
    expect(where(report)).toEqual([
      'line 2: channel',
      'line 3: channel',
      'line 4: granted',
      'line 5: source',
      'line 6: recorded_at',
      'line 7: customer_external_id',
    ]);
    expect(summary(report)).toBe('7 rows: 1 inserted, 0 updated, 0 unchanged');
  });

  it('imports events, linking topics to the interests that carry their labels', async () => {
    const file = await db.csv('events.csv', [
      'external_id,title,description,branch,starts_at,ends_at,capacity,topics,audience',
      'E1,River walk,"Meet at the door.\nBring boots.",CEN,2026-02-01T10:00:00Z,' +
        '2026-02-01T12:00:00Z,20,Rivers|cosy Crime|Boots|event_type:Walk,ADULT',
      'E2,Online quiz,,,2026-03-01T19:00:00+01:00,,,,',
    ]);
    expect(summary(await load('events', file))).toBe('2 rows: 2 inserted, 0 updated, 0 unchanged');
    expect(summary(await load('events', file))).toBe('2 rows: 0 inserted, 0 updated, 2 unchanged');
    const topics = await db.sql<{ kind: string; label: string }>(
      `SELECT n.kind, n.label FROM event_topic t JOIN interest n ON n.id = t.interest_id
       JOIN event e ON e.id = t.event_id WHERE e.external_id = 'E1' ORDER BY n.kind, n.key`,
    );
    expect(topics.map((t) => `${t.kind}:${t.label}`)).toEqual([
      'SUBJECT:Boots',
      'SUBJECT:Rivers',
      'GENRE:Cosy crime',
      'EVENT_TYPE:Walk',
    ]);
  });

  it('appends activity with age bands, details and last_active_at, idempotently', async () => {
    const file = await db.csv('activity.csv', [
      [
        'customer_external_id,type,occurred_at,item_external_id,event_external_id,branch',
        'channel,source_key,rating,session_minutes,search_terms,staff_member,weather',
      ].join(','),
      'C1,LOAN,2025-06-01T10:00:00Z,I1,,CEN,IN_BRANCH,LMS-1,,,,,sunny',
      'C1,RATING,2025-06-20T10:00:00Z,I1,,,ONLINE,LMS-2,4,,,,',
      'C2,EVENT_ATTENDED,2025-07-01T10:00:00Z,,E1,CEN,,,,,,staff-7,',
      'C2,PC_SESSION,2025-07-02T10:00:00Z,,,CEN,,,,45,,,',
      'C3,SEARCH,2025-07-03T10:00:00Z,,,,app,,,,"otters, rivers",,',
    ]);
    const first = await load('activity', file);
    expect(first.rejected).toEqual([]);
    expect(summary(first)).toBe('5 rows: 5 inserted, 0 updated, 0 unchanged');
    expect(summary(await load('activity', file))).toBe(
      '5 rows: 0 inserted, 0 updated, 5 unchanged',
    );

    const entries = await db.sql(
      `SELECT type, age_band, details, channel, staff_member FROM activity ORDER BY occurred_at`,
    );
    const entry = (type: string, ageBand: string, details: object, channel = 'IN_BRANCH') => ({
      type,
      age_band: ageBand,
      details,
      channel,
      staff_member: type === 'EVENT_ATTENDED' ? 'staff-7' : null,
    });
    expect(entries).toEqual([
      entry('LOAN', 'ADULT_25_44', { weather: 'sunny' }),
      entry('RATING', 'ADULT_25_44', { rating: 4 }, 'ONLINE'),
      entry('EVENT_ATTENDED', 'CHILD_5_11', {}),
      entry('PC_SESSION', 'CHILD_5_11', { sessionMinutes: 45 }),
      entry('SEARCH', 'UNKNOWN', { searchTerms: 'otters, rivers' }, 'APP'),
    ]);
    const [c1] = await db.sql<{ last: Date }>(
      `SELECT last_active_at AS last FROM customer WHERE external_id = 'C1'`,
    );
    expect(c1.last.toISOString()).toBe('2025-06-20T10:00:00.000Z');
  });
});

describe('rows that break a rule', () => {
  it('reports each bad row with its line and column and imports the rows around it', async () => {
    const branches = await load(
      'branches',
      await db.csv('bad-branches.csv', [
        'external_id,name,kind',
        'B10,Ten,CASTLE',
        'B11,Eleven,OUTREACH',
      ]),
    );
    expect(where(branches)).toEqual(['line 2: kind']);
    expect(branches.inserted).toBe(1);

    const items = await load(
      'items',
      await db.csv('bad-items.csv', [
        'external_id,title,isbn,holdings',
        'I10,Good one,,',
        'I11,Bad check digit,978-0-306-40615-8,',
        'I12,,,',
        'I13,Nowhere,,ZZZ:1:1',
        'I14,Also good,0306406152,CEN:1:0',
      ]),
    );
    expect(where(items)).toEqual(['line 3: isbn', 'line 4: title', 'line 5: holdings']);
    expect(summary(items)).toBe('5 rows: 2 inserted, 0 updated, 0 unchanged');

    const customers = await load(
      'customers',
      await db.csv('bad-customers.csv', [
        'external_id,birth_year,home_branch,guardian',
        'C10,1800,,',
        'C11,1990,NOPE,',
        'C12,2015,,C13',
        'C13,1985,,',
        'C14,2016,,C13',
      ]),
    );
    expect(where(customers)).toEqual([
      'line 2: birth_year',
      'line 3: home_branch',
      'line 4: guardian',
    ]);
    expect(customers.rejected[0].problems[0].message).toBe('must be 1900 or later');
    expect(summary(customers)).toBe('5 rows: 2 inserted, 0 updated, 0 unchanged');

    const activity = await load(
      'activity',
      await db.csv('bad-activity.csv', [
        'customer_external_id,type,occurred_at,item_external_id,event_external_id,branch,rating',
        'C1,VISIT,2025-08-01T09:00:00Z,,,CEN,',
        'C1,VISIT,yesterday,,,CEN,',
        'C1,RATING,2025-08-01T09:00:00Z,I1,,,9',
        'C1,TELEPORT,2025-08-01T09:00:00Z,,,,',
        'C1,EVENT_BOOKED,2025-08-01T09:00:00Z,,E404,,',
        'C1,VISIT,2025-08-02T09:00:00Z,,,ZZZ,',
        ',VISIT,2025-08-02T09:00:00Z,,,,',
        'C1,VISIT,2025-08-03T09:00:00Z,,,MOB,',
      ]),
    );
    expect(where(activity)).toEqual([
      'line 3: occurred_at',
      'line 4: rating',
      'line 5: type',
      'line 6: event_external_id',
      'line 7: branch',
      'line 8: customer_external_id',
    ]);
    expect(summary(activity)).toBe('8 rows: 2 inserted, 0 updated, 0 unchanged');
  });

  it('counts lines from the header, including line breaks inside quoted cells', async () => {
    const report = await load(
      'branches',
      await db.csv('multiline.csv', [
        'external_id,name,kind',
        'B20,"Two',
        'lines",BUILDING',
        '',
        'B21,Bad,VAN',
      ]),
    );
    expect(where(report)).toEqual(['line 5: kind']);
    expect(report.rows).toBe(2);
  });

  it('refuses a file missing a required column and stores nothing', async () => {
    const before = await db.sql(`SELECT count(*)::int AS n FROM catalogue_item`);
    const file = await db.csv('no-title.csv', ['external_id,authors', 'I90,Someone']);
    const failure = await load('items', file).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ImportError);
    expect((failure as ImportError).code).toBe(ImportErrorCode.BAD_HEADER);
    expect((failure as ImportError).message).toMatch(/missing required column: title/);
    expect(await db.sql(`SELECT count(*)::int AS n FROM catalogue_item`)).toEqual(before);
  });

  it('refuses a row the database will not store and keeps the rest of its batch', async () => {
    // PostgreSQL text cannot hold a NUL character, and nothing upstream checks for one.
    const report = await load(
      'branches',
      await db.csv('nul.csv', [
        'external_id,name,kind',
        'N1,Fine,BUILDING',
        'N2,Bad\u0000name,BUILDING',
        'N3,Fine too,BUILDING',
      ]),
    );
    expect(report.rejected).toEqual([
      { line: 3, problems: [expect.objectContaining({ rule: 'database' })] },
    ]);
    expect(report.inserted).toBe(2);
  });

  it('stores the rows before a malformed spot and reports where the file broke', async () => {
    const file = await db.csv('broken.csv', [
      'external_id,name,kind',
      'Q1,Before,BUILDING',
      'Q2,"Never closed,BUILDING',
      'Q3,After,BUILDING',
    ]);
    const failure = (await load('branches', file).catch((e: unknown) => e)) as ImportError;
    expect(failure.code).toBe(ImportErrorCode.MALFORMED_CSV);
    expect(failure.message).toMatch(/^line \d+: Quote Not Closed/);
    expect(failure.partial).toMatchObject({ rows: 1, inserted: 1 });
    const stored = await db.sql(`SELECT external_id FROM branch WHERE external_id LIKE 'Q%'`);
    expect(stored).toEqual([{ external_id: 'Q1' }]);
  });

  it('refuses a file that cannot be read', async () => {
    await expect(load('branches', `${db.dir}/missing.csv`)).rejects.toMatchObject({
      code: ImportErrorCode.FILE_UNREADABLE,
    });
  });
});

describe('references the database does not know', () => {
  it('creates customers and titles known only from activity, minimally, and says so', async () => {
    const report = await load(
      'activity',
      await db.csv('unknown-refs.csv', [
        'customer_external_id,type,occurred_at,item_external_id,source_key',
        'NEW-C,LOAN,2025-09-01T10:00:00Z,NEW-I,K-1',
        'NEW-C,RETURN,2025-09-10T10:00:00Z,NEW-I,K-2',
      ]),
    );
    expect(report.created).toMatchObject({ customers: 1, items: 1 });
    expect(report.inserted).toBe(2);
    const [customer] = await db.sql(
      `SELECT kind, attributes FROM customer WHERE external_id = 'NEW-C'`,
    );
    expect(customer).toEqual({ kind: 'VISITOR', attributes: { createdBy: 'activity-import' } });
    const [item] = await db.sql(
      `SELECT title, attributes FROM catalogue_item WHERE external_id = 'NEW-I'`,
    );
    expect(item).toEqual({ title: 'NEW-I', attributes: { createdBy: 'activity-import' } });
  });

  it('lets a correction cancel an entry from the same file', async () => {
    const report = await load(
      'activity',
      await db.csv('correction.csv', [
        'customer_external_id,type,occurred_at,item_external_id,source_key,corrects_source_key',
        'C3,CORRECTION,2025-09-02T10:00:00Z,,K-4,K-3',
        'C3,VISIT,2025-09-01T10:00:00Z,,K-3,',
        'C3,CORRECTION,2025-09-02T10:00:00Z,,K-5,NOT-THERE',
      ]),
    );
    expect(where(report)).toEqual(['line 4: corrects_source_key']);
    const [row] = await db.sql(
      `SELECT t.source_key FROM activity c JOIN activity t ON t.id = c.corrects_id
       WHERE c.source_key = 'K-4'`,
    );
    expect(row).toEqual({ source_key: 'K-3' });
  });
});

describe('erased customers', () => {
  it('are never brought back by a customer, interest or activity import', async () => {
    await db.sql(
      `INSERT INTO customer (external_id, kind, status) VALUES ('GONE', 'BORROWER', 'ERASED')`,
    );
    const customers = await load(
      'customers',
      await db.csv('erased.csv', ['external_id,first_name,status', 'GONE,Grace,ACTIVE']),
    );
    expect(customers.rejected).toEqual([
      { line: 2, problems: [expect.objectContaining({ field: 'external_id', rule: 'erased' })] },
    ]);
    const interests = await load(
      'interests',
      await db.csv('erased-interests.csv', [
        'customer_external_id,kind,value',
        'GONE,subject,Rivers',
      ]),
    );
    expect(interests.rejected[0].problems[0].rule).toBe('erased');
    const activity = await load(
      'activity',
      await db.csv('erased-activity.csv', [
        'customer_external_id,type,occurred_at',
        'GONE,VISIT,2025-01-01',
      ]),
    );
    expect(activity.rejected[0].problems[0].rule).toBe('erased');
    const [gone] = await db.sql(
      `SELECT status, first_name, (SELECT count(*)::int FROM activity WHERE customer_id = c.id) AS n
       FROM customer c WHERE external_id = 'GONE'`,
    );
    expect(gone).toEqual({ status: 'ERASED', first_name: null, n: 0 });
  });
});

describe('batches', () => {
  it('writes rows sharing an external id in file order, across and within batches', async () => {
    const progress: number[] = [];
    const file = await db.csv('dupes.csv', [
      'external_id,name,kind',
      'D1,First,BUILDING',
      'D1,Second,BUILDING',
      'D2,Other,MOBILE',
      'D1,Third,BUILDING',
      'D3,More,MOBILE',
    ]);
    const report = await runImport(db.ds, 'branches', file, {
      logger: silentLogger,
      batchSize: 3,
      onProgress: (n) => progress.push(n),
    });
    expect(summary(report)).toBe('5 rows: 3 inserted, 2 updated, 0 unchanged');
    expect(progress).toEqual([3, 5]);
    const [d1] = await db.sql(`SELECT name FROM branch WHERE external_id = 'D1'`);
    expect(d1).toEqual({ name: 'Third' });
  });

  it('imports activity in many batches, two at a time, and a re-run adds nothing', async () => {
    const lines = ['customer_external_id,type,occurred_at,branch'];
    const start = Date.parse('2024-01-01T00:00:00Z');
    for (let i = 0; i < 2_500; i += 1) {
      const at = new Date(start + i * 60_000).toISOString();
      lines.push(`M${(i % 3) + 1},VISIT,${at},CEN`);
    }
    const file = await db.csv('many.csv', lines);
    const first = await load('activity', file, 400);
    expect(summary(first)).toBe('2500 rows: 2500 inserted, 0 updated, 0 unchanged');
    expect(first.created.customers).toBe(3);
    expect(summary(await load('activity', file, 1_000))).toBe(
      '2500 rows: 0 inserted, 0 updated, 2500 unchanged',
    );
    const [m2] = await db.sql<{ last: Date }>(
      `SELECT last_active_at AS last FROM customer WHERE external_id = 'M2'`,
    );
    expect(m2.last.toISOString()).toBe(new Date(start + 2_497 * 60_000).toISOString());
  });
});
