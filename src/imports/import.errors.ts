import type { ImportReport } from './import.types';

/** Why a whole import stopped (a single bad row never stops it: it is reported instead). */
export enum ImportErrorCode {
  UNKNOWN_KIND = 'UNKNOWN_KIND',
  FILE_UNREADABLE = 'FILE_UNREADABLE',
  BAD_HEADER = 'BAD_HEADER',
  MALFORMED_CSV = 'MALFORMED_CSV',
  DATABASE = 'DATABASE',
}

/**
 * A failure of the file or the database rather than of one row. `partial` holds what had been
 * committed before it happened; re-running the fixed file is safe because imports are idempotent.
 */
export class ImportError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
    readonly partial?: ImportReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImportError';
  }
}
