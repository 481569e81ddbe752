import type { DataSource } from 'typeorm';
import type { Logger } from '../common/logger';
import type { Services } from '../services';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: per-request loaders, the services, and a request-scoped log. */
export interface GraphQLContext {
  requestId: string;
  log: Logger;
  loaders: Loaders;
  services: Services;
}

export function createContext(
  ds: DataSource,
  services: Services,
  log: Logger,
  requestId: string,
): GraphQLContext {
  return { requestId, log: log.child({ requestId }), loaders: createLoaders(ds, services), services };
}
