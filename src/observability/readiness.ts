import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { dependencyUp } from './metrics';

export type DependencyState = 'up' | 'down';

export interface Readiness {
  /**
   * `ready`: everything answers. `degraded`: PostgreSQL answers but Redis does not; the API
   * still serves (suggestions from PostgreSQL, activity recorded through the outbox), so it
   * stays in the load balancer. `not_ready`: PostgreSQL does not answer; nothing can be served.
   */
  status: 'ready' | 'degraded' | 'not_ready';
  postgres: DependencyState;
  redis: DependencyState;
}

const CHECK_TIMEOUT_MS = 2_000;

async function check(fn: () => Promise<unknown>): Promise<DependencyState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** Asks each dependency, with a short timeout, and records the answers as metrics too. */
export async function readiness(ds: DataSource, redis: Redis): Promise<Readiness> {
  const [postgres, redisState] = await Promise.all([
    check(() => ds.query('SELECT 1')),
    // A connection that is not ready would only fail; no need to wait for it to.
    redis.status === 'ready' ? check(() => redis.ping()) : Promise.resolve('down' as const),
  ]);
  dependencyUp.set({ dependency: 'postgres' }, postgres === 'up' ? 1 : 0);
  dependencyUp.set({ dependency: 'redis' }, redisState === 'up' ? 1 : 0);
  const status = postgres === 'down' ? 'not_ready' : redisState === 'down' ? 'degraded' : 'ready';
  return { status, postgres, redis: redisState };
}
