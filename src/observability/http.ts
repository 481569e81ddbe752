import { timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { graphqlDuration, graphqlErrors, httpDuration, operationLabel, registry } from './metrics';
import { requestIdFrom, runWithContext } from './request-context';

declare module 'express-serve-static-core' {
  interface Request {
    requestId?: string;
  }
}

/**
 * Gives every request an id (the caller's `x-request-id` when it is a plausible id, a UUID
 * otherwise), returns it in the `x-request-id` response header, and makes it the context of
 * everything the request does: log lines carry it, and outbox entries take it into the jobs.
 */
export function requestContext() {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    req.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    runWithContext({ requestId }, next);
  };
}

/**
 * Enters the request's context again. Body parsing resumes from stream events, which do not
 * always carry the context along, so this goes right before the handler that needs it.
 */
export function rebindRequestContext() {
  return (req: Request, _res: Response, next: NextFunction) => {
    runWithContext({ requestId: req.requestId }, next);
  };
}

/** Route labels are a fixed set, so a scanner trying random URLs cannot inflate the metrics. */
function routeOf(path: string): string {
  if (path === '/graphql' || path.startsWith('/graphql/')) return '/graphql';
  if (path.startsWith('/admin/queues')) return '/admin/queues';
  if (['/healthz', '/readyz', '/metrics', '/admin/session'].includes(path)) return path;
  return 'other';
}

/** Times every HTTP request by route, method and status. */
export function httpMetrics() {
  return (req: Request, res: Response, next: NextFunction) => {
    const end = httpDuration.startTimer();
    res.once('finish', () =>
      end({
        method: req.method,
        route: routeOf(req.originalUrl.split('?')[0]),
        status: String(res.statusCode),
      }),
    );
    next();
  };
}

/** Times GraphQL operations by name and counts the errors returned, by code. */
export function graphqlMetricsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, operation, response }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          graphqlDuration.observe(
            {
              operation: operationLabel(operationName ?? operation?.name?.value),
              type: operation?.operation ?? 'invalid',
            },
            seconds,
          );
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : [];
          for (const e of errors ?? []) {
            const code = e.extensions?.code;
            graphqlErrors.inc({ code: typeof code === 'string' ? code : 'UNKNOWN' });
          }
        },
      };
    },
  };
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus text format. With `token` set, callers must send `Authorization: Bearer <token>`;
 * without one, only loopback callers are served (a scraper on the same host, or a tunnel).
 */
export function metricsEndpoint(token: string | undefined) {
  return async (req: Request, res: Response) => {
    if (token) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!sameSecret(given, token)) {
        res.status(401).set('www-authenticate', 'Bearer').json({ error: 'metrics token required' });
        return;
      }
    } else if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.status(403).json({ error: 'metrics are served to loopback callers only' });
      return;
    }
    res.set('content-type', registry.contentType).send(await registry.metrics());
  };
}
