/**
 * Writes a generated demo library as the CSV import files. The activity file is streamed with
 * back-pressure, so memory stays flat however many rows the ledger has.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type {
  ActivityRow,
  BranchRow,
  ConsentRow,
  CustomerRow,
  DemoLibrary,
  EventRow,
  Holding,
  InterestRow,
  ItemRow,
} from './generate';

/** A cell value; `undefined` is written as an empty cell ("no value"). */
type Cell = string | number | undefined;

/** One CSV column: its header and how to read it from a row. */
export interface CsvColumn<T> {
  header: string;
  value: (row: T) => Cell;
}

/** Separator for lists inside one cell. */
export const LIST_SEPARATOR = '|';

const list = (values: readonly string[]): string => values.join(LIST_SEPARATOR);
const holdings = (values: readonly Holding[]): string =>
  list(values.map((holding) => `${holding.branch}:${holding.copies}:${holding.available}`));

export const BRANCH_COLUMNS: readonly CsvColumn<BranchRow>[] = [
  { header: 'external_id', value: (row) => row.externalId },
  { header: 'name', value: (row) => row.name },
  { header: 'kind', value: (row) => row.kind },
  { header: 'postcode', value: (row) => row.postcode },
];

export const ITEM_COLUMNS: readonly CsvColumn<ItemRow>[] = [
  { header: 'external_id', value: (row) => row.externalId },
  { header: 'title', value: (row) => row.title },
  { header: 'authors', value: (row) => list(row.authors) },
  { header: 'subjects', value: (row) => list(row.subjects) },
  { header: 'genres', value: (row) => list(row.genres) },
  { header: 'format', value: (row) => row.format },
  { header: 'audience', value: (row) => row.audience },
  { header: 'language', value: (row) => row.language },
  { header: 'published_year', value: (row) => row.publishedYear },
  { header: 'isbn', value: (row) => row.isbn },
  { header: 'series', value: (row) => row.series },
  { header: 'added_at', value: (row) => row.addedAt },
  { header: 'holdings', value: (row) => holdings(row.holdings) },
];

export const CUSTOMER_COLUMNS: readonly CsvColumn<CustomerRow>[] = [
  { header: 'external_id', value: (row) => row.externalId },
  { header: 'kind', value: (row) => row.kind },
  { header: 'first_name', value: (row) => row.firstName },
  { header: 'last_name', value: (row) => row.lastName },
  { header: 'email', value: (row) => row.email },
  { header: 'phone', value: (row) => row.phone },
  { header: 'postcode', value: (row) => row.postcode },
  { header: 'birth_year', value: (row) => row.birthYear },
  { header: 'home_branch', value: (row) => row.homeBranch },
  { header: 'registered_at', value: (row) => row.registeredAt },
  { header: 'guardian', value: (row) => row.guardian },
  { header: 'preferred_language', value: (row) => row.preferredLanguage },
  { header: 'accessibility_needs', value: (row) => list(row.accessibilityNeeds) },
  { header: 'status', value: (row) => row.status },
];

export const INTEREST_COLUMNS: readonly CsvColumn<InterestRow>[] = [
  { header: 'customer_external_id', value: (row) => row.customerExternalId },
  { header: 'kind', value: (row) => row.kind },
  { header: 'value', value: (row) => row.value },
];

export const CONSENT_COLUMNS: readonly CsvColumn<ConsentRow>[] = [
  { header: 'customer_external_id', value: (row) => row.customerExternalId },
  { header: 'purpose', value: (row) => row.purpose },
  { header: 'channel', value: (row) => row.channel },
  { header: 'granted', value: (row) => String(row.granted) },
  { header: 'recorded_at', value: (row) => row.recordedAt },
  { header: 'source', value: (row) => row.source },
  { header: 'wording_version', value: (row) => row.wordingVersion },
];

export const EVENT_COLUMNS: readonly CsvColumn<EventRow>[] = [
  { header: 'external_id', value: (row) => row.externalId },
  { header: 'title', value: (row) => row.title },
  { header: 'description', value: (row) => row.description },
  { header: 'branch', value: (row) => row.branch },
  { header: 'starts_at', value: (row) => row.startsAt },
  { header: 'ends_at', value: (row) => row.endsAt },
  { header: 'capacity', value: (row) => row.capacity },
  { header: 'topics', value: (row) => list(row.topics) },
  { header: 'audience', value: (row) => row.audience },
];

export const ACTIVITY_COLUMNS: readonly CsvColumn<ActivityRow>[] = [
  { header: 'customer_external_id', value: (row) => row.customerExternalId },
  { header: 'type', value: (row) => row.type },
  { header: 'occurred_at', value: (row) => row.occurredAt },
  { header: 'item_external_id', value: (row) => row.itemExternalId },
  { header: 'event_external_id', value: (row) => row.eventExternalId },
  { header: 'branch', value: (row) => row.branch },
  { header: 'channel', value: (row) => row.channel },
  { header: 'source_key', value: (row) => row.sourceKey },
  { header: 'rating', value: (row) => row.rating },
  { header: 'session_minutes', value: (row) => row.sessionMinutes },
  { header: 'search_terms', value: (row) => row.searchTerms },
];

/** File names of the import set, in the order an importer should load them. */
export const DEMO_FILES = {
  branches: 'branches.csv',
  items: 'items.csv',
  customers: 'customers.csv',
  interests: 'interests.csv',
  consents: 'consents.csv',
  events: 'events.csv',
  activity: 'activity.csv',
} as const;

/** Rows written per file. */
export type DemoFileCounts = Record<keyof typeof DEMO_FILES, number>;

/**
 * Writes rows as CSV (header first, `\n` line ends, quoting only where needed). Rows are pulled
 * from the iterable only as fast as the file accepts them, so a lazy iterable of any length
 * runs in constant memory.
 *
 * @returns the number of data rows written.
 */
export async function writeCsvFile<T>(
  path: string,
  columns: readonly CsvColumn<T>[],
  rows: Iterable<T>,
): Promise<number> {
  let count = 0;
  function* records(): Generator<Cell[]> {
    for (const row of rows) {
      count++;
      yield columns.map((column) => column.value(row));
    }
  }
  // Readable.from only asks the generator for more when the stringifier wants it, and the
  // stringifier only wants more when the file stream has drained: back-pressure end to end.
  await pipeline(
    Readable.from(records()),
    stringify({ header: true, columns: columns.map((column) => column.header) }),
    createWriteStream(path),
  );
  return count;
}

/**
 * Writes the six import files of a library into `directory` (created if missing), replacing
 * files of the same names.
 */
export async function writeDemoLibrary(
  library: DemoLibrary,
  directory: string,
): Promise<DemoFileCounts> {
  await mkdir(directory, { recursive: true });
  const path = (name: keyof typeof DEMO_FILES) => join(directory, DEMO_FILES[name]);
  return {
    branches: await writeCsvFile(path('branches'), BRANCH_COLUMNS, library.branches),
    items: await writeCsvFile(path('items'), ITEM_COLUMNS, library.items),
    customers: await writeCsvFile(path('customers'), CUSTOMER_COLUMNS, library.customers),
    interests: await writeCsvFile(path('interests'), INTEREST_COLUMNS, library.interests),
    consents: await writeCsvFile(path('consents'), CONSENT_COLUMNS, library.consents),
    events: await writeCsvFile(path('events'), EVENT_COLUMNS, library.events),
    activity: await writeCsvFile(path('activity'), ACTIVITY_COLUMNS, library.activities()),
  };
}
