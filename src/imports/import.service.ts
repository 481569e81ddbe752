import { performance } from 'node:perf_hooks';
import type { PoolClient } from 'pg';
import type pino from 'pino';
import type { DataSource } from 'typeorm';
import type { DomainEventMap, DomainEvents } from '../common/domain-events';
import { rootLogger } from '../common/logger';
import { activityImporter } from './activity.importer';
import { branchesImporter } from './branches.importer';
import { CsvFile, resolveHeader } from './csv-file';
import { customersImporter } from './customers.importer';
import { eventsImporter } from './events.importer';
import { ImportError, ImportErrorCode } from './import.errors';
import {
  IMPORT_KINDS,
  type BatchOutcome,
  type CreatedCounts,
  type CsvHeader,
  type Db,
  type ImportKind,
  type ImportOptions,
  type ImportReport,
  type Importer,
  type PendingRow,
  type RowRejection,
} from './import.types';
import { interestsImporter } from './interests.importer';
import { consentsImporter } from './consents.importer';
import { itemsImporter } from './items.importer';

export const DEFAULT_BATCH_SIZE = 5_000;
/**
 * Records mapped between turns of the event loop. Mapping is synchronous; without a break the
 * replies for the batch being written would wait behind a whole chunk of the file.
 */
const RECORDS_PER_TURN = 256;
/** Attempts at a batch the database cancelled to break a deadlock. */
const MAX_ATTEMPTS = 3;
export const DEFAULT_MAX_LISTED_REJECTIONS = 10_000;

const IMPORTERS: Record<ImportKind, Importer<unknown>> = {
  branches: branchesImporter,
  items: itemsImporter,
  customers: customersImporter,
  interests: interestsImporter,
  consents: consentsImporter,
  events: eventsImporter,
  activity: activityImporter,
};

/**
 * Imports one CSV file of the given kind and reports what happened to every row.
 *
 * The file is streamed and written in batches of `batchSize` rows, each batch in one
 * transaction with set-based SQL, so memory stays flat however long the file is; the next
 * batch is parsed and validated while the previous one is being written. A row that breaks a
 * rule is refused with its line number and the column at fault, and nothing of it is stored;
 * every other row is imported. Re-running the same file changes nothing.
 *
 * @throws ImportError FILE_UNREADABLE or BAD_HEADER before anything is stored; MALFORMED_CSV or
 *   DATABASE part-way, with the committed progress in `partial`.
 */
export async function runImport(
  ds: DataSource,
  kind: ImportKind,
  file: string,
  opts: ImportOptions = {},
): Promise<ImportReport> {
  const importer = IMPORTERS[kind];
  if (!importer) {
    throw new ImportError(
      ImportErrorCode.UNKNOWN_KIND,
      `unknown import kind "${String(kind)}"; expected one of ${IMPORT_KINDS.join(', ')}`,
    );
  }
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive whole number, got ${batchSize}`);
  }
  const logger = opts.logger ?? rootLogger;
  const started = performance.now();
  const tally = new Tally(kind, opts.maxListedRejections ?? DEFAULT_MAX_LISTED_REJECTIONS);

  const csv = await CsvFile.open(file);
  try {
    const header = resolveHeader(csv.columns, importer.columns);
    tally.report.extraColumns = header.extras.map((e) => e.name);
    logger.info(
      { kind, batchSize, extraColumns: tally.report.extraColumns.length },
      'import.started',
    );
    const connections = connectionsFor(ds, importer, opts.maxConnections);
    const runners = Array.from({ length: connections }, () => ds.createQueryRunner());
    try {
      const clients: PoolClient[] = [];
      for (const runner of runners) clients.push((await runner.connect()) as PoolClient);
      const writer = new BatchWriter(
        clients,
        importer,
        header,
        tally,
        logger,
        opts.onProgress,
        opts.events,
      );
      await pump(csv, importer, header, writer, batchSize, tally);
    } finally {
      for (const runner of runners) await runner.release();
    }
  } catch (err) {
    const report = tally.finish(started);
    const failure =
      err instanceof ImportError
        ? new ImportError(err.code, err.message, report, { cause: err.cause })
        : new ImportError(
            ImportErrorCode.DATABASE,
            `import stopped: ${(err as Error).message}`,
            report,
            { cause: err },
          );
    logger.error({ kind, code: failure.code, rows: report.rows }, 'import.failed');
    throw failure;
  } finally {
    csv.close();
  }
  const report = tally.finish(started);
  logger.info(
    {
      kind,
      rows: report.rows,
      inserted: report.inserted,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: report.rejected.length + report.unlistedRejections,
      created: report.created,
      ms: report.ms,
    },
    'import.finished',
  );
  return report;
}

/** Connections to write with: what the importer can use, within the pool and the caller's cap. */
function connectionsFor(ds: DataSource, importer: Importer<unknown>, cap = Infinity): number {
  // node-postgres pools hold 10 connections unless told otherwise.
  const poolMax = (ds.options as { extra?: { max?: number } }).extra?.max ?? 10;
  return Math.max(1, Math.min(importer.concurrency ?? 1, poolMax, cap));
}

/** Reads records, maps them and hands full batches to the writer. */
async function pump(
  csv: CsvFile,
  importer: Importer<unknown>,
  header: CsvHeader,
  writer: BatchWriter,
  batchSize: number,
  tally: Tally,
): Promise<void> {
  let batch: Array<PendingRow<unknown>> = [];
  let span = 0;
  const send = async () => {
    const rows = batch;
    const read = span;
    batch = [];
    span = 0;
    if (rows.length || read) await writer.submit(rows, read);
  };
  try {
    for await (const record of csv.records()) {
      tally.report.rows += 1;
      span += 1;
      if (tally.report.rows % RECORDS_PER_TURN === 0) await new Promise(setImmediate);
      const mapped = importer.mapRow(record, header);
      if (mapped.ok) batch.push({ line: record.line, value: mapped.value });
      else tally.reject({ line: record.line, problems: mapped.problems });
      if (batch.length >= batchSize) await send();
    }
  } catch (err) {
    // Rows before a malformed spot are good rows: store them, then report the file as broken.
    if (err instanceof ImportError && err.code === ImportErrorCode.MALFORMED_CSV) {
      await send().catch(() => undefined);
    }
    await writer.settle();
    throw err;
  }
  await send();
  await writer.drain();
}

/**
 * Writes batches while the file is still being read, on as many connections as it was given,
 * one batch per connection at a time, so at most that many batches plus the one being read are
 * in memory. A batch the importer says needs its predecessors waits until they have committed.
 */
class BatchWriter {
  private readonly idle: PoolClient[];
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;
  private settledRows = 0;

  constructor(
    private readonly clients: readonly PoolClient[],
    private readonly importer: Importer<unknown>,
    private readonly header: CsvHeader,
    private readonly tally: Tally,
    private readonly logger: pino.Logger,
    private readonly onProgress: ((rows: number) => void) | undefined,
    private readonly events: DomainEvents | undefined,
  ) {
    this.idle = [...clients];
  }

  /**
   * Starts writing `rows` once a connection is free; `span` is how many records of the file
   * they stand for, refused ones included. Throws the failure of any earlier batch.
   */
  async submit(rows: Array<PendingRow<unknown>>, span: number): Promise<void> {
    const ordered = this.importer.needsEarlierBatches?.(rows) ?? false;
    while (this.running.size >= this.clients.length || (ordered && this.running.size > 0)) {
      await Promise.race(this.running).catch(() => undefined);
    }
    if (this.failure) throw this.failure;
    const client = this.idle.pop()!;
    const job = this.write(client, rows, span).finally(() => {
      this.idle.push(client);
      this.running.delete(job);
    });
    // Failures are kept in `failure` and rethrown by submit() or drain().
    job.catch(() => undefined);
    this.running.add(job);
  }

  /** Waits for every batch under way; throws if any failed. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
  }

  /** Waits for every batch under way, whatever happens to them. */
  async settle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async write(
    db: PoolClient,
    rows: Array<PendingRow<unknown>>,
    span: number,
  ): Promise<void> {
    const t0 = performance.now();
    try {
      const outcome = await writeBatch(db, this.importer, rows, this.header, this.events);
      this.tally.add(outcome);
      this.settledRows += span;
      this.logger.debug(
        {
          kind: this.importer.kind,
          rows: rows.length,
          inserted: outcome.inserted,
          updated: outcome.updated,
          rejected: outcome.rejected.length,
          ms: Math.round(performance.now() - t0),
        },
        'import.batch',
      );
      this.onProgress?.(this.settledRows);
    } catch (err) {
      this.failure ??= err;
      throw err;
    }
  }
}

/**
 * Writes one batch in one transaction; rows sharing a key go in file order, one per pass.
 * Savepoints cost round trips, so they are only used when the database has refused a value
 * that validation let through: the batch is then written again with the offending rows
 * isolated and refused. The customers the batch changed are announced in the same
 * transaction, so the refreshes they need commit with the rows.
 */
async function writeBatch(
  db: Db,
  importer: Importer<unknown>,
  rows: ReadonlyArray<PendingRow<unknown>>,
  header: CsvHeader,
  events: DomainEvents | undefined,
): Promise<BatchOutcome> {
  if (!rows.length) return emptyOutcome();
  const write = async (isolate: boolean) => {
    const outcome = emptyOutcome();
    for (const pass of passes(rows, importer.key?.bind(importer))) {
      merge(
        outcome,
        isolate
          ? await writeIsolating(db, importer, pass, header)
          : await importer.writeBatch(db, pass, header),
      );
    }
    if (events && outcome.changed) {
      for (const [name, ids] of Object.entries(outcome.changed)) {
        if (ids.length) {
          await events.emit(db, name as keyof DomainEventMap, { customerIds: [...new Set(ids)] });
        }
      }
    }
    delete outcome.changed;
    return outcome;
  };
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await inTransaction(db, () => write(false));
      } catch (err) {
        if (isDataError(err)) break;
        // Batches written side by side can deadlock on a shared customer; PostgreSQL cancels
        // one of them, which is simply written again.
        if (!isTransient(err) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
    return await inTransaction(db, () => write(true));
  } catch (err) {
    const first = rows[0].line;
    const last = rows[rows.length - 1].line;
    throw new ImportError(
      ImportErrorCode.DATABASE,
      `database error writing lines ${first}-${last}: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
}

async function inTransaction<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    const result = await work();
    await db.query('COMMIT');
    return result;
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/**
 * Validation mirrors the schema's constraints, but should the database still refuse a value,
 * the rows are halved behind savepoints until the offending ones are found and refused; the
 * rest of the batch is written as usual.
 */
async function writeIsolating(
  db: Db,
  importer: Importer<unknown>,
  rows: ReadonlyArray<PendingRow<unknown>>,
  header: CsvHeader,
): Promise<BatchOutcome> {
  await db.query('SAVEPOINT import_rows');
  try {
    const outcome = await importer.writeBatch(db, rows, header);
    await db.query('RELEASE SAVEPOINT import_rows');
    return outcome;
  } catch (err) {
    if (!isDataError(err)) throw err;
    await db.query('ROLLBACK TO SAVEPOINT import_rows');
    await db.query('RELEASE SAVEPOINT import_rows');
    if (rows.length === 1) {
      const e = err as { column?: string; message: string };
      const outcome = emptyOutcome();
      outcome.rejected.push({
        line: rows[0].line,
        problems: [{ field: e.column ?? 'row', rule: 'database', message: e.message }],
      });
      return outcome;
    }
    const mid = Math.ceil(rows.length / 2);
    const outcome = await writeIsolating(db, importer, rows.slice(0, mid), header);
    return merge(outcome, await writeIsolating(db, importer, rows.slice(mid), header));
  }
}

/** Deadlocks and serialization failures: the same batch may well succeed a moment later. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '40P01' || code === '40001';
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation) are about the values. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Splits rows so no key repeats within a pass: first occurrences, then second ones, ... */
function passes<T>(
  rows: ReadonlyArray<PendingRow<T>>,
  key: ((row: T) => string) | undefined,
): Array<ReadonlyArray<PendingRow<T>>> {
  if (!key) return [rows];
  const seen = new Map<string, number>();
  const out: Array<Array<PendingRow<T>>> = [];
  for (const row of rows) {
    const k = key(row.value);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    (out[n] ??= []).push(row);
  }
  return out;
}

function emptyOutcome(): BatchOutcome {
  return { inserted: 0, updated: 0, unchanged: 0, rejected: [], created: {} };
}

function merge(into: BatchOutcome, from: BatchOutcome): BatchOutcome {
  into.inserted += from.inserted;
  into.updated += from.updated;
  into.unchanged += from.unchanged;
  into.rejected.push(...from.rejected);
  for (const [name, ids] of Object.entries(from.changed ?? {})) {
    into.changed ??= {};
    (into.changed[name as keyof DomainEventMap] ??= []).push(...ids);
  }
  const created = Object.entries(from.created) as Array<[keyof CreatedCounts, number]>;
  for (const [k, v] of created) into.created[k] = (into.created[k] ?? 0) + v;
  return into;
}

/** Running totals, listing refused rows up to a limit so a hopeless file cannot exhaust memory. */
class Tally {
  readonly report: ImportReport;

  constructor(
    kind: ImportKind,
    private readonly maxListed: number,
  ) {
    this.report = {
      kind,
      rows: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: [],
      unlistedRejections: 0,
      created: { customers: 0, items: 0, interests: 0 },
      extraColumns: [],
      ms: 0,
    };
  }

  reject(rejection: RowRejection): void {
    if (this.report.rejected.length < this.maxListed) this.report.rejected.push(rejection);
    else this.report.unlistedRejections += 1;
  }

  add(outcome: BatchOutcome): void {
    const r = this.report;
    r.inserted += outcome.inserted;
    r.updated += outcome.updated;
    r.unchanged += outcome.unchanged;
    for (const rejection of outcome.rejected) this.reject(rejection);
    r.created.customers += outcome.created.customers ?? 0;
    r.created.items += outcome.created.items ?? 0;
    r.created.interests += outcome.created.interests ?? 0;
  }

  finish(started: number): ImportReport {
    this.report.rejected.sort((a, b) => a.line - b.line);
    this.report.ms = Math.round(performance.now() - started);
    return { ...this.report, rejected: [...this.report.rejected] };
  }
}
