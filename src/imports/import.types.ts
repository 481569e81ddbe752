import type pino from 'pino';
import type { PoolClient } from 'pg';
import type { DomainEventMap, DomainEvents } from '../common/domain-events';
import type { FieldProblem } from '../common/errors';

/** What a CSV file holds; each kind has its own columns and loader. */
export type ImportKind =
  | 'branches'
  | 'items'
  | 'customers'
  | 'interests'
  | 'consents'
  | 'events'
  | 'activity';

/** Every kind, in the order files must be loaded so references resolve. */
export const IMPORT_KINDS: readonly ImportKind[] = [
  'branches',
  'items',
  'customers',
  'interests',
  'consents',
  'events',
  'activity',
];

/** One refused row: its 1-based line in the file (the header is line 1) and what is wrong. */
export interface RowRejection {
  line: number;
  problems: FieldProblem[];
}

/** Records an import made up because a row referred to something not known yet. */
export interface CreatedCounts {
  customers: number;
  items: number;
  interests: number;
}

/** What one import did. `inserted + updated + unchanged + rejected` rows add up to `rows`. */
export interface ImportReport {
  kind: ImportKind;
  /** Data rows read (the header and blank lines are not rows). */
  rows: number;
  inserted: number;
  updated: number;
  /** Rows already stored exactly as the file has them (for activity: entries already recorded). */
  unchanged: number;
  /** Refused rows in line order; at most `maxListedRejections`, see `unlistedRejections`. */
  rejected: RowRejection[];
  /** Refused rows beyond the listed ones, counted but not kept so memory stays bounded. */
  unlistedRejections: number;
  /** Minimal records and taxonomy nodes created for references the database did not know. */
  created: CreatedCounts;
  /** Columns the kind does not define; customers and items keep them in `attributes`, activity
   * in `details`, the other kinds ignore them. */
  extraColumns: string[];
  ms: number;
}

export interface ImportOptions {
  /** Rows written per transaction; 5,000 by default. */
  batchSize?: number;
  logger?: pino.Logger;
  /** Called after each committed batch with the number of rows settled so far. */
  onProgress?: (rows: number) => void;
  /** How many refused rows the report lists in full; 10,000 by default. */
  maxListedRejections?: number;
  /**
   * Most pool connections the import holds at once; by default as many as the kind can use
   * (3 for activity, 1 for the rest), never more than the pool has.
   */
  maxConnections?: number;
  /**
   * Told, inside each batch's transaction, which customers the batch changed (so their
   * suggestions are refreshed through the outbox); nothing is told when absent.
   */
  events?: DomainEvents;
}

/** The columns of one kind of file. Header names are matched case-insensitively. */
export interface ColumnSpec {
  required: readonly string[];
  optional: readonly string[];
}

/** A CSV header resolved against a kind's columns. */
export interface CsvHeader {
  /** Trimmed, lower-case column names in file order. */
  readonly columns: readonly string[];
  readonly position: ReadonlyMap<string, number>;
  /** Columns the kind does not define, with their positions. */
  readonly extras: ReadonlyArray<{ name: string; index: number }>;
}

/** One data record of a CSV file and the line it starts on. */
export interface CsvRecord {
  line: number;
  cells: readonly string[];
}

/** A row's validated content, or everything wrong with it. */
export type RowResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** A validated row waiting to be written, with the line it came from. */
export interface PendingRow<T> {
  line: number;
  value: T;
}

/** What writing one batch did. */
export interface BatchOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RowRejection[];
  created: Partial<CreatedCounts>;
  /** Ids of the customers the batch changed, by the domain event that says how. */
  changed?: Partial<Record<keyof DomainEventMap, string[]>>;
}

/** The database connection a loader writes through; a transaction is already open on it. */
export type Db = Pick<PoolClient, 'query'>;

/**
 * Everything that differs between kinds of file: the columns, the pure row mapping and the
 * set-based writer for a batch of validated rows.
 */
export interface Importer<T> {
  readonly kind: ImportKind;
  readonly columns: ColumnSpec;
  mapRow(record: CsvRecord, header: CsvHeader): RowResult<T>;
  /**
   * What identifies the record a row writes. Rows of one batch sharing a key are written one
   * after another, in file order, as if the file had been applied row by row.
   */
  key?(row: T): string;
  writeBatch(db: Db, rows: ReadonlyArray<PendingRow<T>>, header: CsvHeader): Promise<BatchOutcome>;
  /**
   * Batches that may be written at the same time, each on its own connection; 1 (the default)
   * writes them strictly in file order. Only for kinds whose batches do not depend on each other.
   */
  readonly concurrency?: number;
  /** Whether a batch must wait until every earlier batch has committed. */
  needsEarlierBatches?(rows: ReadonlyArray<PendingRow<T>>): boolean;
}
