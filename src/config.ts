import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://127.0.0.1:5432/commonplace'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Prefix for BullMQ queue names and cache keys, so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('commonplace'),
  /** Aborts any SQL statement running longer than this, so one bad query cannot hog the pool. */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Half-life of an activity's weight in the recommender, in days. */
  RECOMMENDER_HALF_LIFE_DAYS: z.coerce.number().positive().default(180),
  /** How long a customer's cached suggestions live in Redis before they must be recomputed. */
  RECOMMENDATION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  /** Shard jobs a model rebuild is split into, so several worker machines share it. */
  REBUILD_SHARDS: z.coerce.number().int().min(1).max(256).default(4),
  /** Shared secret for HS256 tokens; required in production, at least 32 characters. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Verify tokens against this JWKS (an identity provider) instead of the shared secret. */
  JWKS_URL: z.string().url('must be a URL').optional(),
  JWT_ISSUER: z.string().default('commonplace'),
  JWT_AUDIENCE: z.string().default('commonplace-api'),
  /** Days activity stays linked to customers whose history choice is DEFAULT. */
  HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  /** A suggestion counts as opened or borrowed when that happens within this many days. */
  RECOMMENDATION_ATTRIBUTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Requests a token may make per minute before it is told to slow down. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Largest query cost accepted; each field costs 1, lists multiply by their page size. */
  MAX_QUERY_COST: z.coerce.number().int().min(10).default(5000),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).default(12),
  /** Cron pattern (UTC) for the nightly model rebuild. */
  REBUILD_CRON: z.string().default('0 3 * * *'),

  // Marketing: channels, links and contact pressure.
  /** SMTP server email goes to, e.g. smtp://user:pass@mail.example.org:587; unset: no EMAIL. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From header of every email. */
  MAIL_FROM: z
    .string()
    .trim()
    .regex(
      /^[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>$|^[^<>\s@]+@[^<>\s@]+$/,
      'must be an address, e.g. Library <news@library.example>',
    )
    .default('Commonplace Library <library@localhost>'),
  /** Where the tracking and unsubscribe links in messages point: this API as the public sees it. */
  PUBLIC_URL: z.string().url('must be a URL').optional(),
  /** Signs unsubscribe and tracking links; required in production once a channel is set up. */
  LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** SMS gateway webhook: each message is POSTed there as signed JSON; unset: no SMS. */
  SMS_WEBHOOK_URL: z.string().url('must be a URL').optional(),
  /** App push webhook (the app's back end resolves the card number to devices); unset: no APP. */
  APP_WEBHOOK_URL: z.string().url('must be a URL').optional(),
  /** Signs webhook payloads (HMAC-SHA256); required in production when a webhook is set. */
  WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** The contact cap: at most this many MARKETING messages reach one customer in any window of */
  MARKETING_CAP_MESSAGES: z.coerce.number().int().min(1).max(100).default(2),
  /** MARKETING_CAP_DAYS days, across every campaign. */
  MARKETING_CAP_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /** The library's time zone: quiet hours are read in it. */
  LIBRARY_TIME_ZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone name such as Europe/London')
    .default('Europe/London'),
  /** No message goes out between these local times (HH:MM-HH:MM); "off" sends at any hour. */
  QUIET_HOURS: z
    .string()
    .trim()
    .regex(
      /^(off|([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])$/,
      'must be HH:MM-HH:MM (e.g. 21:00-08:00) or off',
    )
    .default('21:00-08:00'),
  /** Messages per second per channel, shared by every worker. */
  EMAIL_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(20),
  SMS_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(5),
  APP_PER_SECOND: z.coerce.number().int().min(1).max(10_000).default(50),
  /** Delivery chunks each worker process sends at once, per channel. */
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** How long a delivery job may go without its worker checking in before another takes it. */
  DELIVERY_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  /** How long opening a PostgreSQL connection may take before the request fails. */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** A Redis command (cache read, rate-limit count, enqueue) fails after this long. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).default(1_000),
  /** The outbox relay looks for pending entries this often even without a notification. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(2_000),
  /** Entries the relay moves into BullMQ per transaction. */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  /** Relayed entries are deleted after this many hours. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().min(1).default(72),
  /** Running jobs get this long to finish on SIGTERM before they go back to the queue. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(20_000),
  /** A job whose worker stops renewing its lock for this long is stalled and runs elsewhere. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** How often each worker looks for stalled jobs. */
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  /** Bearer token for `/metrics`; without it only loopback callers may read the metrics. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Port of a worker-only process's /metrics, /healthz and /readyz; off when unset. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Signs Bull Board browser sessions; JWT_SECRET is used when unset. */
  ADMIN_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Lifetime of the Bull Board browser session cookie, in minutes. */
  ADMIN_SESSION_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
});

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof schema>;

/** Raised at start-up when the environment is invalid; the message says which variable to fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration from an environment object (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map(
        (i) => `${i.path.join('.')}: ${i.message} (got ${JSON.stringify(env[String(i.path[0])])})`,
      ),
    );
  }
  const config = result.data;
  const missing: string[] = [];
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET && !config.JWKS_URL) {
    missing.push(
      'JWT_SECRET: required in production (or set JWKS_URL) — tokens cannot be verified without it',
    );
  }
  const webhooks = config.SMS_WEBHOOK_URL || config.APP_WEBHOOK_URL;
  if (config.NODE_ENV === 'production' && (config.SMTP_URL || webhooks) && !config.LINK_SECRET) {
    missing.push(
      'LINK_SECRET: required in production once a channel is set up — unsubscribe and ' +
        'tracking links could be forged without it',
    );
  }
  if (config.NODE_ENV === 'production' && webhooks && !config.WEBHOOK_SECRET) {
    missing.push(
      'WEBHOOK_SECRET: required in production when SMS_WEBHOOK_URL or APP_WEBHOOK_URL is set',
    );
  }
  if (missing.length) throw new ConfigError(missing);
  return config;
}

/**
 * The secret tokens are signed with. Outside production a fixed development secret is used
 * when none is set, so `npm run demo` works out of the box; it is public, so never rely on it.
 */
export function jwtSecret(config: Config): string {
  return config.JWT_SECRET ?? 'commonplace-development-secret-not-for-production';
}

/** The secret message links are signed with; a public development one outside production. */
export function linkSecret(config: Config): string {
  return config.LINK_SECRET ?? 'commonplace-development-link-secret-not-for-production';
}

/** The secret webhook payloads are signed with; a public development one outside production. */
export function webhookSecret(config: Config): string {
  return config.WEBHOOK_SECRET ?? 'commonplace-development-webhook-secret-not-for-production';
}

/** The base of links in messages: PUBLIC_URL, or this API on localhost. */
export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, '');
}
