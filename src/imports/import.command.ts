import 'reflect-metadata';
import type pino from 'pino';
import { DomainEvents } from '../common/domain-events';
import { loadConfig, type Config } from '../config';
import { createDataSource, ensureDatabase, redactUrl } from '../db/data-source';
import { runMigrations } from '../db/migrate';
import { refreshOnChanges } from '../recommendations/refresh-requests';
import { ImportError } from './import.errors';
import { runImport } from './import.service';
import { IMPORT_KINDS, type ImportKind, type ImportReport } from './import.types';

const USAGE =
  `usage: import <kind> FILE.csv [--batch-size N]\n` + `  kind: ${IMPORT_KINDS.join(', ')}\n`;

/** Where the command writes; tests pass their own. */
export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Structured logs of the import; the platform's logger when absent. */
  logger?: pino.Logger;
}

const STDIO: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `import <kind> FILE.csv [--batch-size N]`: connects to DATABASE_URL (creating the database
 * and applying pending migrations when needed), imports the file, prints a summary to stdout
 * and each refused row to stderr as `line N: field: message`.
 *
 * @param argv the arguments after the command name; a leading `import` is tolerated.
 * @returns 0 when every row was imported or already present; 1 when any row was refused or
 *   the file could not be read or has a bad header; 2 on a usage mistake.
 */
export async function importCommand(argv: string[], io: CommandOutput = STDIO): Promise<number> {
  const args = argv[0] === 'import' ? argv.slice(1) : [...argv];
  let batchSize: number | undefined;
  const at = args.indexOf('--batch-size');
  if (at !== -1) {
    batchSize = Number(args[at + 1]);
    args.splice(at, 2);
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      io.err(`--batch-size must be a positive whole number\n${USAGE}`);
      return 2;
    }
  }
  const [kind, file, ...rest] = args;
  if (!kind || !file || rest.length) {
    io.err(USAGE);
    return 2;
  }
  if (!IMPORT_KINDS.includes(kind as ImportKind)) {
    io.err(`unknown kind "${kind}"\n${USAGE}`);
    return 2;
  }

  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    io.err(`${(err as Error).message}\n`);
    return 1;
  }
  const url = config.DATABASE_URL;
  const ds = createDataSource({
    url,
    // Enough for the activity import's parallel batches.
    poolSize: 3,
    statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
  });
  try {
    await ensureDatabase(url);
    await ds.initialize();
    await runMigrations(ds);
  } catch (err) {
    io.err(`cannot prepare the database at ${redactUrl(url)}: ${(err as Error).message}\n`);
    if (ds.isInitialized) await ds.destroy();
    return 1;
  }
  try {
    // Customers whose activity or interests changed get their suggestions refreshed: the
    // refreshes go into the outbox with each batch and reach the workers once it commits.
    const events = refreshOnChanges(new DomainEvents());
    const report = await runImport(ds, kind as ImportKind, file, {
      batchSize,
      logger: io.logger,
      events,
    });
    printReport(report, io);
    return report.rejected.length + report.unlistedRejections > 0 ? 1 : 0;
  } catch (err) {
    if (!(err instanceof ImportError)) throw err;
    io.err(`import failed (${err.code}): ${err.message}\n`);
    if (err.partial && err.partial.rows > 0) printReport(err.partial, io);
    return 1;
  } finally {
    await ds.destroy();
  }
}

/** The summary line, then every listed refusal on stderr. */
export function printReport(report: ImportReport, io: CommandOutput): void {
  const created = Object.entries(report.created)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}`);
  const refused = report.rejected.length + report.unlistedRejections;
  const extra = created.length ? `; created ${created.join(', ')}` : '';
  io.out(
    `${report.kind}: ${report.rows} rows: ${report.inserted} inserted, ` +
      `${report.updated} updated, ${report.unchanged} unchanged, ${refused} rejected${extra} ` +
      `(${(report.ms / 1000).toFixed(1)} s)\n`,
  );
  if (report.extraColumns.length) {
    const where =
      report.kind === 'customers' || report.kind === 'items'
        ? 'kept in attributes'
        : report.kind === 'activity'
          ? 'kept in details'
          : 'ignored';
    io.out(`extra columns ${where}: ${report.extraColumns.join(', ')}\n`);
  }
  for (const r of report.rejected) {
    for (const p of r.problems) io.err(`line ${r.line}: ${p.field}: ${p.message}\n`);
  }
  if (report.unlistedRejections) {
    io.err(`... and ${report.unlistedRejections} more rejected rows not listed\n`);
  }
}
