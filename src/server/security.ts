import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { type DocumentNode, GraphQLError, type GraphQLSchema } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { bearerToken, type TokenService } from '../auth/tokens';
import type { Actor } from '../auth/role';
import { DomainError } from '../common/errors';
import { type Logger, safeError } from '../common/logger';
import { oncePer } from '../common/throttle';
import { rateLimitFailOpen } from '../observability/metrics';

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor | null;
  }
}

/** A GraphQL-shaped error body for failures before GraphQL runs. */
function sendError(res: Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Verifies the bearer token, if any; a bad token is refused rather than treated as anonymous. */
export function authenticate(tokens: TokenService) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const token = bearerToken(req.headers.authorization);
      req.actor = token ? await tokens.verify(token) : null;
      next();
    } catch (err) {
      if (err instanceof DomainError) return sendError(res, 401, err.code, err.message);
      next(err);
    }
  };
}

/**
 * Per-token (or, for anonymous callers, per-address) request limits kept in Redis, so every API
 * process shares one budget. If Redis is unreachable the request goes through at once (fail
 * open): a rate limit must not turn a Redis outage into errors. Each such request is counted
 * (`commonplace_rate_limit_fail_open_total`) and the outage logged every ten seconds.
 */
export function rateLimit(redis: Redis, prefix: string, perMinute: number, log: Logger) {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${prefix}:ratelimit`,
    points: perMinute,
    duration: 60,
    // Do not wait for a connection that is down: let the request through straight away.
    rejectIfRedisNotReady: true,
  });
  const shouldLog = oncePer(10_000);
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.actor ? `${req.actor.role}:${req.actor.subject}` : `ip:${req.ip}`;
    try {
      await limiter.consume(key);
      next();
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        res.setHeader('Retry-After', String(Math.ceil(err.msBeforeNext / 1000)));
        return sendError(
          res,
          429,
          'RATE_LIMITED',
          'Too many requests; slow down and retry shortly',
        );
      }
      rateLimitFailOpen.inc();
      if (shouldLog()) log.warn({ event: 'ratelimit.unavailable', err: safeError(err) });
      next();
    }
  };
}

/** Lists cost their page size times what each entry asks for, so a deep fan-out is expensive. */
const pageEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size =
    typeof args.first === 'number'
      ? args.first
      : Array.isArray(args.inputs)
        ? args.inputs.length
        : 1;
  return 1 + childComplexity * Math.max(1, size);
};

/** Refuses over-costly operations before any resolver runs. */
export function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {
  const estimators = [pageEstimator, simpleEstimator({ defaultComplexity: 1 })];
  // Apollo hands back the same parsed document for the same query text, so the cost of an
  // operation without variables is computed once rather than on every request.
  const costOf = new WeakMap<DocumentNode, Map<string | undefined, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          const cacheable = !request.variables || Object.keys(request.variables).length === 0;
          let cost = cacheable ? costOf.get(document)?.get(request.operationName) : undefined;
          if (cost === undefined) {
            try {
              cost = getComplexity({
                schema,
                query: document,
                operationName: request.operationName,
                variables: request.variables,
                estimators,
              });
            } catch {
              // Variables that do not fit the schema: execution reports them as BAD_USER_INPUT.
              return;
            }
            if (cacheable) {
              const byName = costOf.get(document) ?? new Map<string | undefined, number>();
              byName.set(request.operationName, cost);
              costOf.set(document, byName);
            }
          }
          if (cost > maxCost) {
            throw new GraphQLError(
              `This query costs ${cost}, more than the ${maxCost} allowed: ask for smaller pages or fewer fields`,
              { extensions: { code: 'QUERY_TOO_COSTLY', cost, maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
