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
  /** Requests a token may make per minute before it is told to slow down. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Largest query cost accepted; each field costs 1, lists multiply by their page size. */
  MAX_QUERY_COST: z.coerce.number().int().min(10).default(5000),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).default(12),
  /** Cron pattern (UTC) for the nightly model rebuild. */
  REBUILD_CRON: z.string().default('0 3 * * *'),
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
  if (config.NODE_ENV === 'production' && !config.JWT_SECRET && !config.JWKS_URL) {
    throw new ConfigError([
      'JWT_SECRET: required in production (or set JWKS_URL) — tokens cannot be verified without it',
    ]);
  }
  return config;
}

/**
 * The secret tokens are signed with. Outside production a fixed development secret is used
 * when none is set, so `npm run demo` works out of the box; it is public, so never rely on it.
 */
export function jwtSecret(config: Config): string {
  return config.JWT_SECRET ?? 'commonplace-development-secret-not-for-production';
}
