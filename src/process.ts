import type { AddressInfo } from 'node:net';
import { type Logger, rootLogger, safeError } from './common/logger';
import type { Config } from './config';
import { startMetricsServer } from './observability/metrics-server';
import { openPlatform, type Platform, startApi } from './platform';

export type Role = 'all' | 'api' | 'worker';

export interface RunningProcess {
  platform: Platform;
  /** The API's port, when this process serves it. */
  port: number | null;
  shutdown(signal: string): Promise<void>;
}

/** Time for closing queues and the pool after the grace period, before the process gives up. */
const CLOSE_MARGIN_MS = 15_000;

/**
 * Starts one process of the platform: `all` migrates, serves the API and runs the workers;
 * `api` and `worker` run one side each for scaling out (only `api` skips migrating). Workers
 * also run the outbox relay. A worker-only process serves /metrics on METRICS_PORT when set.
 *
 * SIGTERM and SIGINT drain HTTP, give running jobs SHUTDOWN_GRACE_MS to finish (then hand them
 * back to the queue), close the queues and the pool, and exit; if any of that hangs, the
 * process exits non-zero after the grace period plus 15 seconds.
 */
export async function runProcess(
  role: Role,
  config: Config,
  log: Logger = rootLogger,
): Promise<RunningProcess> {
  const platform = await openPlatform(config, { migrate: role !== 'api', log });
  const stops: Array<() => Promise<void>> = [];
  let port: number | null = null;
  // Handlers go in before anything starts, so a SIGTERM during start-up still shuts down
  // cleanly (after start-up completes) instead of killing the process mid-way.
  let startup: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | null = null;
  const shutdown = (signal: string) => {
    stopping ??= (async () => {
      log.info({ event: 'shutdown.start', signal });
      const timer = setTimeout(() => {
        log.error({ event: 'shutdown.timeout' });
        process.exit(1);
      }, config.SHUTDOWN_GRACE_MS + CLOSE_MARGIN_MS);
      timer.unref();
      await startup.catch(() => undefined);
      for (const stop of stops) {
        await stop().catch((err) => log.error({ event: 'shutdown.error', err: safeError(err) }));
      }
      await platform.close();
      clearTimeout(timer);
      log.info({ event: 'shutdown.done' });
    })();
    return stopping;
  };
  // Once shut down, exit: a socket left half-closed by an outage must not keep the process up.
  const onSignal = (signal: string) =>
    void shutdown(signal).then(() => process.exit(process.exitCode ?? 0));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  startup = (async () => {
    if (role === 'all' || role === 'api') {
      const api = await startApi(platform);
      port = (api.server.address() as AddressInfo).port;
      log.info({ event: 'api.listening', port, graphql: `http://localhost:${port}/graphql` });
      stops.push(api.stop);
    }
    if (role === 'all' || role === 'worker') {
      const { startWorkers } = await import('../workers/run');
      const workers = await startWorkers(platform);
      stops.push(workers.stop);
    }
    if (role === 'worker' && config.METRICS_PORT !== undefined) {
      const metrics = await startMetricsServer({
        port: config.METRICS_PORT,
        token: config.METRICS_TOKEN,
        ds: platform.ds,
        redis: platform.redis,
      });
      log.info({ event: 'metrics.listening', port: metrics.port });
      stops.push(metrics.stop);
    }
  })();
  await startup;
  return { platform, port, shutdown };
}

/** Prints a start-up failure the way an operator can act on, then exits non-zero. */
export function failStartup(err: unknown): never {
  const message = (err as Error).message ?? String(err);
  rootLogger.fatal({ event: 'startup.failed', err: safeError(err) });
  process.stderr.write(`Start-up failed: ${message}\n`);
  process.exit(1);
}
