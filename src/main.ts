import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { rootLogger, safeError } from './common/logger';
import { ConfigError, loadConfig } from './config';
import { openPlatform, startApi } from './platform';

type Role = 'all' | 'api' | 'worker';

/**
 * Process entry: `all` migrates, serves the API and runs the workers; `api` and `worker` run
 * one side each for scaling out (only `all` and `worker` apply migrations).
 */
async function main(role: Role) {
  const config = loadConfig();
  const log = rootLogger.child({ role });
  const platform = await openPlatform(config, { migrate: role !== 'api', log });
  const stops: Array<() => Promise<void>> = [];
  if (role === 'all' || role === 'api') {
    const api = await startApi(platform);
    const { port } = api.server.address() as AddressInfo;
    log.info({ event: 'api.listening', port, graphql: `http://localhost:${port}/graphql` });
    stops.push(api.stop);
  }
  if (role === 'all' || role === 'worker') {
    const { startWorkers } = await import('../workers/run');
    const workers = await startWorkers(platform);
    stops.push(workers.stop);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'shutdown.start', signal });
    const timer = setTimeout(() => {
      log.error({ event: 'shutdown.timeout' });
      process.exit(1);
    }, 30_000);
    for (const stop of stops) await stop().catch((err) => log.error({ event: 'shutdown.error', err: safeError(err) }));
    await platform.close();
    clearTimeout(timer);
    log.info({ event: 'shutdown.done' });
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const role = (process.argv[2] ?? 'all') as Role;
if (!['all', 'api', 'worker'].includes(role)) {
  process.stderr.write(`Unknown role "${role}": use all, api or worker\n`);
  process.exit(2);
}
main(role).catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    rootLogger.fatal({ event: 'startup.failed', err: safeError(err) });
    process.stderr.write(`Start-up failed: ${(err as Error).message}\n`);
  }
  process.exit(1);
});
