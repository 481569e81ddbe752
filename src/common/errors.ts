import type { ZodError } from 'zod';

/** Codes a client can branch on; they travel in GraphQL `extensions.code`. */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  UNAVAILABLE = 'UNAVAILABLE',
  /** The thing is not in a state that allows this (a SENT campaign cannot be scheduled). */
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  /** The database stopped a statement that ran longer than STATEMENT_TIMEOUT_MS. */
  TIMEOUT = 'TIMEOUT',
}

/** One broken rule on one input field. */
export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** The one error type of the domain: a code, a message fit to show, and optional field detail. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string, key: string): DomainError {
    return new DomainError(ErrorCode.NOT_FOUND, `${what} ${key} was not found`);
  }

  static badInput(field: string, rule: string, message: string): DomainError {
    return new DomainError(ErrorCode.BAD_USER_INPUT, `${field}: ${message}`, [
      { field, rule, message },
    ]);
  }

  static conflict(message: string, field?: string): DomainError {
    const problems = field ? [{ field, rule: 'unique', message }] : [];
    return new DomainError(ErrorCode.CONFLICT, message, problems);
  }
}

/** Turns zod's issues into field problems named the way the client spelt the input. */
export function problemsFromZod(error: ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const field = prefix && path ? `${prefix}.${path}` : prefix || path || 'input';
    return { field, rule: issue.code, message: issue.message };
  });
}

/** A BAD_USER_INPUT error carrying every problem zod found. */
export function fromZod(error: ZodError, prefix = ''): DomainError {
  const problems = problemsFromZod(error, prefix);
  const summary = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new DomainError(ErrorCode.BAD_USER_INPUT, summary, problems);
}

/** PostgreSQL's code for a unique-constraint violation. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/**
 * Recognises failures of the database itself, as opposed to bugs: a statement stopped by
 * `statement_timeout` (TIMEOUT), or PostgreSQL unreachable, restarting or out of connections
 * (UNAVAILABLE). Returns null for anything else. Looks through TypeORM's wrapper.
 */
export function databaseFailure(err: unknown): ErrorCode.TIMEOUT | ErrorCode.UNAVAILABLE | null {
  const e = err as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    thrownValue?: unknown;
  } | null;
  if (!e || typeof e !== 'object') return null;
  if (e.driverError) return databaseFailure(e.driverError);
  // graphql-js wraps anything that is not an Error of its own realm.
  if (e.thrownValue) return databaseFailure(e.thrownValue);
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === '57014') return ErrorCode.TIMEOUT;
  if (
    code.startsWith('08') ||
    [
      '57P01',
      '57P02',
      '57P03',
      '53300',
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
    ].includes(code)
  ) {
    return ErrorCode.UNAVAILABLE;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Connection is not established/i.test(
    message,
  )
    ? ErrorCode.UNAVAILABLE
    : null;
}
