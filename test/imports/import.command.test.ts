import { importCommand, type CommandOutput } from '../../src/imports/import.command';
import { createImportTestDb, silentLogger, type ImportTestDb } from './import-test-db';

let db: ImportTestDb;
const savedUrl = process.env.DATABASE_URL;

/** Runs the command, collecting what it prints. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandOutput = {
    out: (t) => (out += t),
    err: (t) => (err += t),
    logger: silentLogger,
  };
  const code = await importCommand(argv, io);
  return { code, out, err };
}

beforeAll(async () => {
  db = await createImportTestDb('command');
  process.env.DATABASE_URL = db.url;
});

afterAll(async () => {
  if (savedUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = savedUrl;
  await db.close();
});

describe('import command', () => {
  it('prints a summary and exits 0 when every row is imported', async () => {
    const file = await db.csv('branches.csv', ['external_id,name,kind', 'B1,Central,BUILDING']);
    const result = await run('import', 'branches', file);
    expect(result).toEqual({
      code: 0,
      out: expect.stringMatching(/^branches: 1 rows: 1 inserted, 0 updated, 0 unchanged, 0 rej/),
      err: '',
    });
  });

  it('prints each refused row as "line N: field: message" and exits 1', async () => {
    const file = await db.csv('customers.csv', [
      'external_id,birth_year,home_branch',
      'C1,1800,B1',
      'C2,1990,B1',
      'C3,1990,NOWHERE',
    ]);
    const result = await run('customers', file);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/1 inserted, 0 updated, 0 unchanged, 2 rejected/);
    expect(result.err).toBe(
      'line 2: birth_year: must be 1900 or later\n' +
        'line 4: home_branch: branch NOWHERE does not exist\n',
    );
  });

  it('exits 1 with the reason when the header lacks a required column', async () => {
    const file = await db.csv('events.csv', ['external_id,title', 'E1,Quiz']);
    const result = await run('events', file);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /^import failed \(BAD_HEADER\): bad header: missing required column: starts_at/,
    );
  });

  it('exits 1 when the file cannot be read', async () => {
    const result = await run('items', `${db.dir}/nope.csv`);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/FILE_UNREADABLE/);
  });

  it('exits 2 with usage for an unknown kind or missing file', async () => {
    expect((await run('books', 'x.csv')).code).toBe(2);
    const missing = await run('activity');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^usage: import <kind> FILE.csv/);
  });
});
