import { resolveHeader } from '../../src/imports/csv-file';
import { ImportError } from '../../src/imports/import.errors';
import type { ColumnSpec, CsvHeader, RowResult } from '../../src/imports/import.types';
import { activityImporter } from '../../src/imports/activity.importer';
import { branchesImporter } from '../../src/imports/branches.importer';
import { customersImporter } from '../../src/imports/customers.importer';
import { eventsImporter } from '../../src/imports/events.importer';
import { interestsImporter } from '../../src/imports/interests.importer';
import { itemsImporter } from '../../src/imports/items.importer';
import {
  activityRow,
  branchRow,
  customerRow,
  eventRow,
  interestRow,
  itemRow,
} from '../../src/imports/rows';

const ALL: ColumnSpec = { required: [], optional: [] };

function header(names: string, spec: ColumnSpec): CsvHeader {
  return resolveHeader(names.split(','), spec);
}

function problems<T>(result: RowResult<T>): string[] {
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
}

function value<T>(result: RowResult<T>): T {
  if (!result.ok) throw new Error(`expected a valid row, got ${JSON.stringify(result.problems)}`);
  return result.value;
}

describe('CSV header', () => {
  it('matches column names case-insensitively and lists unknown ones as extras', () => {
    const h = resolveHeader([' External_ID ', 'NAME', 'Colour'], {
      required: ['external_id', 'name'],
      optional: [],
    });
    expect(h.position.get('external_id')).toBe(0);
    expect(h.extras).toEqual([{ name: 'colour', index: 2 }]);
  });

  it('refuses a header without a required column, naming it', () => {
    expect(() =>
      resolveHeader(['external_id', 'title'], { required: ['external_id', 'kind'], optional: [] }),
    ).toThrow(/missing required column: kind/);
  });

  it('refuses a header that names a column twice', () => {
    expect(() => resolveHeader(['a', 'A'], ALL)).toThrow(ImportError);
  });
});

describe('branch rows', () => {
  const h = header('external_id,name,kind,postcode', branchesImporter.columns);

  it('reads enum values in any case and spacing', () => {
    const row = value(branchRow({ line: 2, cells: ['B1', 'Central', 'building', 'ab1 2cd'] }, h));
    expect(row).toEqual({
      externalId: 'B1',
      name: 'Central',
      kind: 'BUILDING',
      postcode: 'AB1 2CD',
    });
  });

  it('names the column of an unknown enum value', () => {
    expect(problems(branchRow({ line: 2, cells: ['B1', 'Central', 'castle', ''] }, h))).toEqual([
      expect.stringMatching(/^kind: /),
    ]);
  });

  it('refuses a row whose field count differs from the header', () => {
    expect(problems(branchRow({ line: 2, cells: ['B1', 'Central'] }, h))).toContain(
      'row: has 2 fields; the header has 4',
    );
  });
});

describe('item rows', () => {
  const h = header(
    'external_id,title,authors,subjects,genres,format,isbn,published_year,holdings,shelf',
    itemsImporter.columns,
  );
  const cells = (over: Partial<Record<string, string>> = {}) => {
    const base: Record<string, string> = {
      external_id: 'I1',
      title: 'Rivers',
      authors: 'Ann Lee|Bo Chen',
      subjects: 'Nature| Rivers ',
      genres: '',
      format: 'large print',
      isbn: '978-0-306-40615-7',
      published_year: '2001',
      holdings: 'B1:3:2|B:2:1:1',
      shelf: 'A4',
    };
    return { line: 3, cells: h.columns.map((c) => over[c] ?? base[c]) };
  };

  it('splits lists, links authors as interests and keeps extra columns as attributes', () => {
    const row = value(itemRow(cells(), h));
    expect(row.authors).toEqual(['Ann Lee', 'Bo Chen']);
    expect(row.interests.map((i) => `${i.kind}:${i.key}`)).toEqual([
      'SUBJECT:nature',
      'SUBJECT:rivers',
      'AUTHOR:ann lee',
      'AUTHOR:bo chen',
    ]);
    expect(row.format).toBe('LARGE_PRINT');
    expect(row.isbn).toBe('9780306406157');
    expect(row.holdings).toEqual([
      { branch: 'B1', copies: 3, copiesAvailable: 2 },
      { branch: 'B:2', copies: 1, copiesAvailable: 1 },
    ]);
    expect(row.attributes).toEqual({ shelf: 'A4' });
  });

  it('refuses an ISBN with a wrong check digit under the isbn column', () => {
    expect(problems(itemRow(cells({ isbn: '978-0-306-40615-8' }), h))).toEqual([
      'isbn: must be an ISBN-10 or ISBN-13 with a correct check digit',
    ]);
  });

  it('refuses an empty title as required', () => {
    expect(problems(itemRow(cells({ title: ' ' }), h))).toEqual(['title: is required']);
  });

  it('refuses more copies on the shelf than are owned', () => {
    expect(problems(itemRow(cells({ holdings: 'B1:1:2' }), h))).toEqual([
      'holdings: entry 1 "B1:1:2": available must not exceed copies',
    ]);
  });

  it('leaves format to the default when the cell is empty', () => {
    expect(value(itemRow(cells({ format: '' }), h)).format).toBeNull();
  });
});

describe('customer rows', () => {
  const h = header(
    'external_id,kind,birth_year,email,accessibility_needs,guardian,status,pet',
    customersImporter.columns,
  );

  it('names birth_year for a year before 1900', () => {
    const r = customerRow({ line: 4, cells: ['C1', 'BORROWER', '1800', '', '', '', '', ''] }, h);
    expect(problems(r)).toEqual(['birth_year: must be 1900 or later']);
  });

  it('says a birth year that is not a number must be a whole number', () => {
    const r = customerRow({ line: 4, cells: ['C1', '', 'nineteen', '', '', '', '', ''] }, h);
    expect(problems(r)).toEqual(['birth_year: must be a whole number']);
  });

  it('leaves kind and status unset when empty so the loader can apply defaults', () => {
    const cells = ['C1', '', '', 'A@B.ORG', 'audio|large print', '', '', 'cat'];
    const row = value(customerRow({ line: 4, cells }, h));
    expect(row).toMatchObject({
      kind: null,
      status: null,
      email: 'a@b.org',
      accessibilityNeeds: ['AUDIO', 'LARGE_PRINT'],
      attributes: { pet: 'cat' },
    });
  });

  it('refuses a customer who is their own guardian', () => {
    const r = customerRow({ line: 4, cells: ['C1', '', '', '', '', 'C1', '', ''] }, h);
    expect(problems(r)).toEqual(['guardian: must not be the customer themself']);
  });

  it('refuses setting ERASED through an import', () => {
    const r = customerRow({ line: 4, cells: ['C1', '', '', '', '', '', 'erased', ''] }, h);
    expect(problems(r)).toEqual([expect.stringMatching(/^status: cannot be set to ERASED/)]);
  });
});

describe('interest rows', () => {
  const h = header('customer_external_id,kind,value', interestsImporter.columns);

  it('reads a lower-case kind and folds the value into a key', () => {
    const row = value(interestRow({ line: 2, cells: ['C1', 'event_type', '  Book  Club '] }, h));
    expect(row).toEqual({
      customerExternalId: 'C1',
      interest: { kind: 'EVENT_TYPE', label: 'Book  Club', key: 'book club' },
    });
  });

  it('names the kind column for an unknown kind', () => {
    expect(problems(interestRow({ line: 2, cells: ['C1', 'mood', 'Happy'] }, h))).toEqual([
      expect.stringMatching(/^kind: /),
    ]);
  });
});

describe('event rows', () => {
  const h = header('external_id,title,starts_at,ends_at,topics', eventsImporter.columns);

  it('reads a topic kind from its prefix and leaves bare labels to the loader', () => {
    const cells = ['E1', 'Tales', '2026-01-05T10:00:00Z', '', 'Local history|event_type:Storytime'];
    const row = value(eventRow({ line: 2, cells }, h));
    expect(row.topics.map((t) => `${t.kind}:${t.label}`)).toEqual([
      'null:Local history',
      'EVENT_TYPE:Storytime',
    ]);
  });

  it('refuses an end before the start under ends_at', () => {
    const r = eventRow(
      { line: 2, cells: ['E1', 'Tales', '2026-01-05T10:00:00Z', '2026-01-05T09:00:00Z', ''] },
      h,
    );
    expect(problems(r)).toEqual(['ends_at: must not be before startsAt']);
  });
});

describe('activity rows', () => {
  const h = header(
    'customer_external_id,type,occurred_at,item_external_id,channel,source_key,rating,device',
    activityImporter.columns,
  );
  const row = (over: Record<string, string>) => ({
    line: 7,
    cells: h.columns.map(
      (c) =>
        over[c] ??
        {
          customer_external_id: 'C1',
          type: 'loan',
          occurred_at: '2025-03-01T10:00:00Z',
          item_external_id: 'I1',
          channel: '',
          source_key: '',
          rating: '',
          device: 'kiosk',
        }[c]!,
    ),
  });

  it('derives a stable source key and keeps extra columns in details', () => {
    const a = value(activityRow(row({}), h));
    const b = value(activityRow(row({ occurred_at: '2025-03-01T10:00:00.000+00:00' }), h));
    expect(a.sourceKey).toMatch(/^derived:/);
    expect(b.sourceKey).toBe(a.sourceKey);
    expect(a).toMatchObject({ type: 'LOAN', channel: 'IN_BRANCH' });
    expect(a.details).toEqual({ device: 'kiosk' });
  });

  it('names occurred_at for a date that is not ISO 8601', () => {
    expect(problems(activityRow(row({ occurred_at: '01/03/2025' }), h))).toEqual([
      expect.stringMatching(/^occurred_at: must be an ISO 8601/),
    ]);
  });

  it('names rating for a rating of 9 and stores ratings as numbers', () => {
    expect(problems(activityRow(row({ type: 'RATING', rating: '9' }), h))).toEqual([
      'rating: must be a whole number from 1 to 5 for RATING',
    ]);
    expect(value(activityRow(row({ type: 'RATING', rating: '4' }), h)).details.rating).toBe(4);
  });

  it('requires an item for a loan, under item_external_id', () => {
    expect(problems(activityRow(row({ item_external_id: '' }), h))).toEqual([
      'item_external_id: is required for LOAN',
    ]);
  });

  it('reports each missing required value once', () => {
    expect(problems(activityRow(row({ customer_external_id: '', type: '' }), h))).toEqual([
      'customer_external_id: is required',
      'type: is required',
    ]);
  });
});
