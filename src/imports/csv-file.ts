import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { parse, type Parser } from 'csv-parse';
import { ImportError, ImportErrorCode } from './import.errors';
import type { ColumnSpec, CsvHeader, CsvRecord } from './import.types';

/** A record longer than this is almost certainly an unclosed quote swallowing the file. */
const MAX_RECORD_CHARS = 1_000_000;

/**
 * Smaller reads than the default 64 KiB keep each synchronous parsing step short, so database
 * replies for the batch being written are not left waiting behind it.
 */
const READ_CHUNK_BYTES = 16 * 1024;

/**
 * A CSV file read as a stream, one record at a time, so memory does not grow with the file.
 * Open it with {@link CsvFile.open}, read `columns`, iterate `records()`, then `close()`.
 */
export class CsvFile {
  private constructor(
    private readonly parser: Parser,
    private readonly iterator: AsyncIterator<string[]>,
    /** Header names as written, trimmed. */
    readonly columns: readonly string[],
    /** The line the next record starts on. */
    private nextLine: number,
  ) {}

  /** Opens the file and reads its header; throws FILE_UNREADABLE or BAD_HEADER. */
  static async open(file: string): Promise<CsvFile> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      throw new ImportError(
        ImportErrorCode.FILE_UNREADABLE,
        `cannot open ${file}: ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
    // Lines are counted here rather than with the parser's `info` option, which allocates an
    // object per record; blank lines therefore come through and are skipped in records().
    const parser = parse({
      bom: true,
      relax_column_count: true,
      max_record_size: MAX_RECORD_CHARS,
    });
    // pipeline (unlike pipe) hands a read error on to the parser, so iteration rejects with it.
    pipeline(handle.createReadStream({ highWaterMark: READ_CHUNK_BYTES }), parser, () => undefined);
    const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
    let first: IteratorResult<string[]>;
    try {
      first = await iterator.next();
    } catch (err) {
      parser.destroy();
      throw readFailure(file, err);
    }
    if (first.done) {
      throw new ImportError(ImportErrorCode.BAD_HEADER, `${file} is empty: expected a header row`);
    }
    const header = first.value;
    return new CsvFile(
      parser,
      iterator,
      header.map((c) => c.trim()),
      2 + lineBreaks(header),
    );
  }

  /** Data records after the header, each with the line it starts on; blank lines are skipped. */
  async *records(): AsyncGenerator<CsvRecord> {
    for (;;) {
      let next: IteratorResult<string[]>;
      try {
        next = await this.iterator.next();
      } catch (err) {
        throw readFailure('the file', err);
      }
      if (next.done) return;
      const cells = next.value;
      const line = this.nextLine;
      this.nextLine += 1 + lineBreaks(cells);
      if (!isBlank(cells)) yield { line, cells };
    }
  }

  /** Stops reading and releases the file; safe to call more than once. */
  close(): void {
    this.parser.destroy();
  }
}

/** A record spans one line plus one for each line break quoted inside its cells. */
function lineBreaks(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) {
    for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) n += 1;
  }
  return n;
}

/** An empty line, or one with nothing but separators and spaces. */
function isBlank(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== '') return false;
  return true;
}

function readFailure(file: string, err: unknown): ImportError {
  const e = err as { code?: string; message?: string; lines?: number };
  if (e.code && e.code.startsWith('CSV_')) {
    const where = e.lines ? `line ${e.lines}: ` : '';
    return new ImportError(
      ImportErrorCode.MALFORMED_CSV,
      `${where}${e.message ?? 'malformed CSV'}`,
      undefined,
      { cause: err },
    );
  }
  return new ImportError(
    ImportErrorCode.FILE_UNREADABLE,
    `cannot read ${file}: ${e.message ?? String(err)}`,
    undefined,
    { cause: err },
  );
}

/**
 * Matches a header against a kind's columns: names are compared trimmed and case-insensitively;
 * a missing required column, a repeated name or a nameless column refuses the whole file.
 */
export function resolveHeader(names: readonly string[], spec: ColumnSpec): CsvHeader {
  const columns = names.map((n) => n.trim().toLowerCase());
  const position = new Map<string, number>();
  const known = new Set([...spec.required, ...spec.optional]);
  const extras: Array<{ name: string; index: number }> = [];
  const problems: string[] = [];
  columns.forEach((name, index) => {
    if (!name) {
      problems.push(`column ${index + 1} has no name`);
    } else if (position.has(name)) {
      problems.push(`column "${name}" appears more than once`);
    } else {
      position.set(name, index);
      if (!known.has(name)) extras.push({ name, index });
    }
  });
  const missing = spec.required.filter((c) => !position.has(c));
  if (missing.length) {
    const plural = missing.length > 1 ? 's' : '';
    problems.unshift(`missing required column${plural}: ${missing.join(', ')}`);
  }
  if (problems.length) {
    throw new ImportError(
      ImportErrorCode.BAD_HEADER,
      `bad header: ${problems.join('; ')} (expected ${spec.required.join(', ')}` +
        `${spec.optional.length ? ` and optionally ${spec.optional.join(', ')}` : ''})`,
    );
  }
  return { columns, position, extras };
}
