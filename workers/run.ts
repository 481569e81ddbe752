import type { Platform } from '../src/platform';

/** Starts every BullMQ worker this process runs; `stop` closes them gracefully. */
export async function startWorkers(p: Platform): Promise<{ stop(): Promise<void> }> {
  p.log.info({ event: 'workers.started', queues: [] });
  return { stop: async () => undefined };
}
