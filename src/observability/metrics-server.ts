import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { metricsEndpoint } from './http';
import { readiness } from './readiness';

/**
 * For a process without the API (a worker): /metrics, /healthz and /readyz on their own port,
 * so the jobs it runs and the outbox it relays can be scraped and watched like the API.
 */
export async function startMetricsServer(opts: {
  port: number;
  token: string | undefined;
  ds: DataSource;
  redis: Redis;
}): Promise<{ server: Server; port: number; stop(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const state = await readiness(opts.ds, opts.redis);
    res.status(state.status === 'not_ready' ? 503 : 200).json(state);
  });
  app.get('/metrics', metricsEndpoint(opts.token));
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(opts.port, resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
