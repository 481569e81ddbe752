import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { DomainEvents } from './common/domain-events';
import { type Logger, rootLogger, safeError } from './common/logger';
import { type Config, jwtSecret } from './config';
import { TokenService } from './auth/tokens';
import { createDataSource, ensureDatabase, redactUrl } from './db/data-source';
import { assertSchemaCurrent, runMigrations } from './db/migrate';
import { createSchema } from './graphql/schema';
import { setMetricsSources } from './observability/metrics';
import { QueueSet } from './outbox/queues';
import { OutboxRelay } from './outbox/relay';
import { adminSessionSecret } from './server/admin';
import { createApp } from './server/app';
import { RecommendationQueue } from './recommendations/recommendation.queue';
import { RecommendationService } from './recommendations/recommendation.service';
import { RecommendationStore } from './recommendations/recommendation.store';
import { refreshOnChanges } from './recommendations/refresh-requests';
import { createServices, type Services } from './services';
import { MarketingQueue } from './marketing/delivery/delivery.queue';
import { marketingSettings } from './marketing/marketing.settings';

/** Every queue the platform's workers serve; dashboards and metrics show these. */
export const PLATFORM_QUEUES = ['recommendations', 'privacy', 'insights'] as const;

export interface Platform {
  config: Config;
  ds: DataSource;
  /** Fail-fast Redis for the cache, rate limits and producing jobs (never for workers). */
  redis: Redis;
  /** Producer side of every queue, for the outbox relay, metrics and Bull Board. */
  queues: QueueSet;
  events: DomainEvents;
  services: Services;
  tokens: TokenService;
  recommendations: {
    store: RecommendationStore;
    queue: RecommendationQueue;
    service: RecommendationService;
  };
  log: Logger;
  /** Starts an outbox relay in this process (workers do; see README); stopped by `close`. */
  startRelay(): Promise<OutboxRelay>;
  /** Closes everything this platform opened, in reverse order. */
  close(): Promise<void>;
}

/** A Redis connection; BullMQ requires maxRetriesPerRequest to be null on its connections. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
}

/**
 * A Redis connection for requests and producers, which must never wait for Redis: while it is
 * disconnected commands fail at once instead of queueing (`enableOfflineQueue: false`), and a
 * command that gets no answer fails after `commandTimeoutMs`. Callers fall back (suggestions
 * from PostgreSQL, rate limits open, jobs through the outbox). Not for BullMQ workers.
 */
export function createProducerRedis(url: string, name: string, commandTimeoutMs: number): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    connectionName: name,
    lazyConnect: false,
  });
}

/** Resolves when the connection is ready, or after `ms` (Redis may well be down at start-up). */
async function readyWithin(redis: Redis, ms: number): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), ms);
    const onReady = () => done(true);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    };
    redis.once('ready', onReady);
  });
}

/** Opens the pool, creating the database first when it is missing and the role may. */
export async function connect(config: Config, log: Logger): Promise<DataSource> {
  try {
    if (await ensureDatabase(config.DATABASE_URL)) {
      log.info({ event: 'db.created', url: redactUrl(config.DATABASE_URL) });
    }
  } catch (err) {
    throw new Error(
      `Cannot reach PostgreSQL at ${redactUrl(config.DATABASE_URL)} (${(err as Error).message}). ` +
        'Start PostgreSQL or set DATABASE_URL to a database this role may use.',
    );
  }
  const ds = createDataSource({
    url: config.DATABASE_URL,
    poolSize: config.DB_POOL_SIZE,
    statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
  });
  await ds.initialize();
  return ds;
}

/**
 * Connects to PostgreSQL (creating the database when allowed), migrates when asked, and builds
 * the services. Fails with a message that says what to do when PostgreSQL is unreachable.
 */
export async function openPlatform(
  config: Config,
  opts: { migrate: boolean; log?: Logger; ds?: DataSource } = { migrate: true },
): Promise<Platform> {
  const log = opts.log ?? rootLogger;
  const ds = opts.ds ?? (await connect(config, log));
  if (opts.migrate) {
    const applied = await runMigrations(ds);
    if (applied.length) log.info({ event: 'db.migrated', migrations: applied });
  } else {
    await assertSchemaCurrent(ds);
  }
  const redis = createProducerRedis(
    config.REDIS_URL,
    'commonplace-app',
    config.REDIS_COMMAND_TIMEOUT_MS,
  );
  let redisErrors = 0;
  redis.on('error', (err) => {
    // While Redis is down this fires on every reconnect attempt; the first says enough.
    if (redisErrors++ === 0) log.warn({ event: 'redis.error', err: safeError(err) });
  });
  redis.on('ready', () => {
    if (redisErrors) log.info({ event: 'redis.ready', errorsWhileDown: redisErrors });
    redisErrors = 0;
  });
  if (!(await readyWithin(redis, 2_000))) {
    log.warn({ event: 'redis.unavailable_at_start', note: 'serving degraded until it answers' });
  }
  // What a customer does or declares changes their suggestions: each change queues a refresh
  // through the outbox, in its own transaction.
  const events = refreshOnChanges(new DomainEvents());
  const store = new RecommendationStore(
    redis,
    config.REDIS_PREFIX,
    config.RECOMMENDATION_TTL_SECONDS,
  );
  const queue = new RecommendationQueue(redis, config.REDIS_PREFIX);
  const queues = new QueueSet(redis, config.REDIS_PREFIX).register(queue.queue);
  queues.ensure(PLATFORM_QUEUES);
  const unsetMetrics = setMetricsSources({
    ds,
    queues: () => queues.all(),
    redisReady: () => queues.available,
  });
  const recommendations = new RecommendationService(ds, store, queue, log);
  const marketingQueue = new MarketingQueue(redis, config.REDIS_PREFIX);
  // Marketing's queues carry their own job options; registered, they show on the dashboard and
  // in the metrics too.
  queues.register(marketingQueue.queue);
  for (const q of marketingQueue.deliveries.values()) queues.register(q);
  const services = createServices(
    ds,
    events,
    recommendations,
    { store, refreshQueue: queue.queue, log },
    { queue: marketingQueue, settings: marketingSettings(config) },
  );
  const relays: OutboxRelay[] = [];
  return {
    config,
    ds,
    redis,
    queues,
    events,
    services,
    recommendations: { store, queue, service: recommendations },
    tokens: new TokenService({
      secret: jwtSecret(config),
      jwksUrl: config.JWKS_URL,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    log,
    async startRelay() {
      const relay = new OutboxRelay({
        ds,
        databaseUrl: config.DATABASE_URL,
        queues,
        log: log.child({ component: 'outbox-relay' }),
        pollMs: config.OUTBOX_POLL_MS,
        batchSize: config.OUTBOX_BATCH_SIZE,
        retentionHours: config.OUTBOX_RETENTION_HOURS,
      });
      relays.push(relay);
      await relay.start();
      return relay;
    },
    async close() {
      await services.impressions.close();
      for (const relay of relays) await relay.stop();
      unsetMetrics();
      await queues.close();
      await marketingQueue.close();
      await queue.close();
      redis.disconnect();
      // A statement stuck behind a lock must not hold the process open for ever.
      await Promise.race([ds.destroy(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
  };
}

/** Starts the HTTP API on the configured port; resolves once it is listening. */
export async function startApi(
  p: Platform,
  port = p.config.PORT,
): Promise<{ server: Server; stop(): Promise<void> }> {
  const server = createServer();
  const { app, apollo } = await createApp({
    ds: p.ds,
    redis: p.redis,
    tokens: p.tokens,
    limits: {
      perMinute: p.config.RATE_LIMIT_PER_MINUTE,
      maxCost: p.config.MAX_QUERY_COST,
      maxDepth: p.config.MAX_QUERY_DEPTH,
      redisPrefix: p.config.REDIS_PREFIX,
    },
    services: p.services,
    schema: await createSchema(),
    log: p.log,
    production: p.config.NODE_ENV === 'production',
    debugErrors: p.config.NODE_ENV === 'development',
    httpServer: server,
    queues: p.queues,
    metricsToken: p.config.METRICS_TOKEN,
    adminSession: {
      secret: adminSessionSecret({
        ADMIN_SESSION_SECRET: p.config.ADMIN_SESSION_SECRET,
        JWT_SECRET: p.config.JWT_SECRET,
        production: p.config.NODE_ENV === 'production',
        developmentSecret: jwtSecret(p.config),
      }),
      minutes: p.config.ADMIN_SESSION_MINUTES,
      secureCookie: p.config.NODE_ENV === 'production',
    },
  });
  server.on('request', app);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    server,
    // Apollo's drain plugin stops accepting connections and waits for in-flight requests.
    stop: () => apollo.stop(),
  };
}

/** For CLI commands: connect, and bring the schema up to date first. */
export async function connectMigrated(config: Config, log: Logger): Promise<DataSource> {
  const ds = await connect(config, log);
  await runMigrations(ds);
  return ds;
}
