import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Callers pass an event name and fields, never prose with personal data
 * interpolated into it; the redaction list is a second line of defence.
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'commonplace' },
    redact: {
      paths: ['*.email', '*.phone', '*.firstName', '*.lastName', '*.postcode', 'req.headers.authorization'],
      censor: '[redacted]',
    },
  });
}

export const rootLogger = createLogger();
