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
import { createApp } from './server/app';
import { RecommendationQueue } from './recommendations/recommendation.queue';
import { RecommendationService } from './recommendations/recommendation.service';
import { RecommendationStore } from './recommendations/recommendation.store';
import { createServices, type Services } from './services';
import { MarketingQueue } from './marketing/delivery/delivery.queue';
import { marketingSettings } from './marketing/marketing.settings';

export interface Platform {
  config: Config;
  ds: DataSource;
  redis: Redis;
  events: DomainEvents;
  services: Services;
  tokens: TokenService;
  recommendations: {
    store: RecommendationStore;
    queue: RecommendationQueue;
    service: RecommendationService;
  };
  log: Logger;
  /** Closes everything this platform opened, in reverse order. */
  close(): Promise<void>;
}

/** A Redis connection; BullMQ requires maxRetriesPerRequest to be null on its connections. */
export function createRedis(url: string, name: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name, lazyConnect: false });
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
  const redis = createRedis(config.REDIS_URL, 'commonplace-app');
  redis.on('error', (err) => log.warn({ event: 'redis.error', err: safeError(err) }));
  const events = new DomainEvents();
  events.onListenerError(({ name, err }) =>
    log.error({ event: 'domain_event.listener_failed', name, err: safeError(err) }),
  );
  const store = new RecommendationStore(
    redis,
    config.REDIS_PREFIX,
    config.RECOMMENDATION_TTL_SECONDS,
  );
  const queue = new RecommendationQueue(redis, config.REDIS_PREFIX);
  const recommendations = new RecommendationService(ds, store, queue, log);
  const marketingQueue = new MarketingQueue(redis, config.REDIS_PREFIX);
  const services = createServices(
    ds,
    events,
    recommendations,
    { store, refreshQueue: queue.queue, log },
    { queue: marketingQueue, settings: marketingSettings(config) },
  );
  // What a customer does or declares changes their suggestions: refresh them soon after.
  events.on('activityRecorded', (e) => recommendations.requestRefresh(e.customerIds));
  events.on('interestsChanged', (e) => recommendations.requestRefresh([e.customerId]));
  events.on('customerChanged', (e) => recommendations.requestRefresh([e.customerId]));
  return {
    config,
    ds,
    redis,
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
    async close() {
      await marketingQueue.close();
      await queue.close();
      redis.disconnect();
      await ds.destroy();
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
