import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Audience, ItemFormat } from '../../../src/catalogue/catalogue.enums';
import { generateDemoLibrary, type DemoOptions } from '../../../src/demo/generate';
import {
  DEMO_FILES,
  ITEM_COLUMNS,
  writeCsvFile,
  writeDemoLibrary,
  type CsvColumn,
} from '../../../src/demo/write-csv';

const OPTIONS: Partial<DemoOptions> = {
  seed: 5,
  customers: 200,
  items: 300,
  events: 30,
  activities: 5_000,
  referenceDate: new Date('2025-06-15T00:00:00.000Z'),
};

/** The import format, column for column. */
const HEADERS: Record<keyof typeof DEMO_FILES, string> = {
  branches: 'external_id,name,kind,postcode',
  items:
    'external_id,title,authors,subjects,genres,format,audience,language,published_year,isbn,' +
    'series,added_at,holdings',
  customers:
    'external_id,kind,first_name,last_name,email,phone,postcode,birth_year,home_branch,' +
    'registered_at,guardian,preferred_language,accessibility_needs,status',
  interests: 'customer_external_id,kind,value',
  consents: 'customer_external_id,purpose,channel,granted,recorded_at,source,wording_version',
  events: 'external_id,title,description,branch,starts_at,ends_at,capacity,topics,audience',
  activity:
    'customer_external_id,type,occurred_at,item_external_id,event_external_id,branch,channel,' +
    'source_key,rating,session_minutes,search_terms',
};

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'commonplace-demo-csv-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function fingerprints(directory: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(directory)).sort()) {
    const bytes = await readFile(path.join(directory, name));
    out[name] = createHash('sha256').update(bytes).digest('hex');
  }
  return out;
}

describe('writeDemoLibrary', () => {
  it('writes the seven import files with their exact headers and one line per row', async () => {
    const directory = path.join(scratch, 'headers');
    const library = generateDemoLibrary(OPTIONS);
    const counts = await writeDemoLibrary(library, directory);

    expect(counts).toEqual({
      branches: library.branches.length,
      items: 300,
      customers: 200,
      interests: library.interests.length,
      consents: library.consents.length,
      events: 30,
      activity: 5_000,
    });
    for (const [kind, name] of Object.entries(DEMO_FILES)) {
      const text = await readFile(path.join(directory, name), 'utf8');
      expect(text.split('\n')[0]).toBe(HEADERS[kind as keyof typeof DEMO_FILES]);
      expect(text.endsWith('\n')).toBe(true);
    }
    // Activity cells never need quoting, so lines and rows correspond one to one.
    const activity = await readFile(path.join(directory, DEMO_FILES.activity), 'utf8');
    expect(activity.trimEnd().split('\n')).toHaveLength(5_001);
  });

  it('writes byte-identical files for one seed and different ones for another', async () => {
    const first = path.join(scratch, 'first');
    const second = path.join(scratch, 'second');
    const other = path.join(scratch, 'other');
    await writeDemoLibrary(generateDemoLibrary(OPTIONS), first);
    await writeDemoLibrary(generateDemoLibrary(OPTIONS), second);
    await writeDemoLibrary(generateDemoLibrary({ ...OPTIONS, seed: 6 }), other);

    const reference = await fingerprints(first);
    expect(Object.keys(reference)).toHaveLength(7);
    expect(await fingerprints(second)).toEqual(reference);
    const changed = await fingerprints(other);
    expect(changed[DEMO_FILES.customers]).not.toBe(reference[DEMO_FILES.customers]);
    expect(changed[DEMO_FILES.activity]).not.toBe(reference[DEMO_FILES.activity]);
  });
});

describe('writeCsvFile', () => {
  it('writes lists with |, holdings as BRANCH:copies:available, absent values empty', async () => {
    const file = path.join(scratch, 'items.csv');
    const count = await writeCsvFile(file, ITEM_COLUMNS, [
      {
        externalId: 'IT-1',
        title: 'Salt, Smoke and Bread',
        authors: ['Ann Lee', 'Bo "Chef" Park'],
        subjects: ['Cookery'],
        genres: [],
        format: ItemFormat.BOOK,
        audience: Audience.ADULT,
        language: 'en',
        publishedYear: 2020,
        isbn: undefined,
        series: undefined,
        addedAt: '2021-02-03T04:05:06Z',
        holdings: [
          { branch: 'BR-CENTRAL', copies: 2, available: 1 },
          { branch: 'BR-MOBILE-1', copies: 1, available: 0 },
        ],
      },
    ]);

    expect(count).toBe(1);
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(lines[1]).toBe(
      'IT-1,"Salt, Smoke and Bread","Ann Lee|Bo ""Chef"" Park",Cookery,,BOOK,ADULT,en,2020,,,' +
        '2021-02-03T04:05:06Z,BR-CENTRAL:2:1|BR-MOBILE-1:1:0',
    );
  });

  it('pulls rows from a lazy iterable only as fast as the file takes them', async () => {
    const file = path.join(scratch, 'lazy.csv');
    const cell = (n: number) => String(n).padStart(99, '0');
    const columns: CsvColumn<number>[] = [{ header: 'n', value: cell }];
    const rowBytes = 100;
    const rows = 200_000;
    let largestLag = 0;
    function* lazyRows(): Generator<number> {
      for (let n = 0; n < rows; n++) {
        if (n % 5_000 === 0 && n > 0) {
          // Bytes produced so far minus bytes already in the file: what sits in buffers.
          const lag = n * rowBytes - statSync(file).size;
          largestLag = Math.max(largestLag, lag);
        }
        yield n;
      }
    }

    expect(await writeCsvFile(file, columns, lazyRows())).toBe(rows);
    // 20 MB go through; with back-pressure only the streams' small buffers are ever pending.
    expect(largestLag).toBeLessThan(2 * 1024 * 1024);
    expect(statSync(file).size).toBe(2 + rows * rowBytes);
  });
});
