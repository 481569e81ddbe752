import pino from 'pino';
import { currentContext } from '../observability/request-context';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Callers pass an event name and fields, never prose with personal data
 * interpolated into it; the redaction list is a second line of defence. Every line written
 * while a request or a job is under way carries its `requestId` (and `jobId`), so a request
 * can be followed into the jobs it caused.
 */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'commonplace' },
    mixin: () => ({ ...currentContext() }),
    redact: {
      paths: [
        '*.email',
        '*.phone',
        '*.firstName',
        '*.lastName',
        '*.postcode',
        'req.headers.authorization',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const rootLogger = createLogger();

/**
 * What of an error is safe to log: its kind, code and where it was thrown. Database messages
 * can quote the offending values (an email in a unique violation), so messages stay out.
 */
export function safeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const e = err as Error & { code?: unknown };
  const frames = (e.stack ?? '')
    .split('\n')
    .slice(1, 6)
    .map((l) => l.trim());
  return { type: e.name, code: e.code, frames };
}
