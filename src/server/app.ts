import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { type Logger, safeError } from '../common/logger';
import { createContext, type GraphQLContext } from '../graphql/context';
import { createErrorFormatter } from '../graphql/errors';
import type { TokenService } from '../auth/tokens';
import type { Services } from '../services';
import depthLimit from 'graphql-depth-limit';
import { authenticate, costLimitPlugin, rateLimit } from './security';
import { auditPlugin } from '../auth/guard';
import { consoleRouter } from './console';
import { trackingRoutes } from '../marketing/tracking/tracking.routes';

export interface AppDeps {
  ds: DataSource;
  redis: Redis;
  tokens: TokenService;
  limits: { perMinute: number; maxCost: number; maxDepth: number; redisPrefix: string };
  services: Services;
  schema: GraphQLSchema;
  log: Logger;
  production: boolean;
  /** Stack traces in error responses: only on a developer's machine. */
  debugErrors: boolean;
  httpServer: Server;
}

/** Checks each dependency with a short timeout; used by /readyz. */
export async function readiness(ds: DataSource, redis: Redis) {
  const check = async (fn: () => Promise<unknown>) => {
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref()),
      ]);
      return 'up';
    } catch {
      return 'down';
    }
  };
  const [postgres, redisState] = await Promise.all([
    check(() => ds.query('SELECT 1')),
    check(() => redis.ping()),
  ]);
  return { postgres, redis: redisState };
}

/**
 * The HTTP application: GraphQL at /graphql, the web console at /console, liveness at /healthz,
 * readiness at /readyz.
 */
export async function createApp(deps: AppDeps) {
  const { ds, redis, services, schema, log } = deps;
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: !deps.production,
    includeStacktraceInErrorResponses: deps.debugErrors,
    formatError: createErrorFormatter(log, deps.debugErrors),
    // Refuses cross-site simple requests, so a page elsewhere cannot act with a user's cookies.
    csrfPrevention: true,
    // The process owns SIGTERM/SIGINT (it drains workers and the pool too); Apollo's own
    // handlers would race it and re-raise the signal.
    stopOnTerminationSignals: false,
    validationRules: [depthLimit(deps.limits.maxDepth)],
    plugins: [
      // No field sets cache hints, and the default cache-control plugin wraps every resolver to
      // look for them: a measurable cost on every list served.
      ApolloServerPluginCacheControlDisabled(),
      costLimitPlugin(schema, deps.limits.maxCost),
      auditPlugin(),
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      deps.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false }),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const state = await readiness(ds, redis);
    const ok = Object.values(state).every((s) => s === 'up');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'not_ready', ...state });
  });
  app.use('/console', consoleRouter());
  // Links in messages: unsubscribe, open pixel, click redirect (signed; no bearer token).
  app.use('/m', trackingRoutes(services.marketing.tracking, log));
  app.use(
    '/graphql',
    authenticate(deps.tokens),
    rateLimit(redis, deps.limits.redisPrefix, deps.limits.perMinute, log),
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId =
          (req.headers['x-request-id'] as string | undefined)?.slice(0, 64) || randomUUID();
        return createContext(ds, services, log, requestId, req.actor ?? null);
      },
    }),
  );
  // Errors before GraphQL runs (a body over the limit, malformed JSON) get a GraphQL-shaped
  // answer rather than express's HTML page.
  app.use(
    (
      err: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      if (res.headersSent) return next(err);
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      const code =
        err.type === 'entity.too.large'
          ? 'PAYLOAD_TOO_LARGE'
          : status < 500
            ? 'BAD_REQUEST'
            : 'INTERNAL_SERVER_ERROR';
      const message =
        code === 'PAYLOAD_TOO_LARGE'
          ? 'The request body is larger than the 1 MB allowed'
          : status < 500
            ? 'The request could not be read as JSON'
            : 'Something went wrong on our side; it has been logged.';
      if (status >= 500) log.error({ event: 'http.unexpected_error', err: safeError(err) });
      res.status(status).json({ errors: [{ message, extensions: { code } }] });
    },
  );
  return { app, apollo };
}
