import type { DataSource } from 'typeorm';
import type { AuditInput } from '../audit/audit.service';
import type { Actor } from '../auth/role';
import type { Logger } from '../common/logger';
import type { Services } from '../services';
import { createLoaders, type Loaders } from './loaders';

/** What every resolver receives: per-request loaders, the services, and a request-scoped log. */
export interface GraphQLContext {
  requestId: string;
  /** The verified caller; null for anonymous requests, which see only the public catalogue. */
  actor: Actor | null;
  /** Audit entries gathered while resolving; written in one transaction before the response. */
  audit: AuditInput[];
  log: Logger;
  loaders: Loaders;
  services: Services;
}

export function createContext(
  ds: DataSource,
  services: Services,
  log: Logger,
  requestId: string,
  actor: Actor | null,
): GraphQLContext {
  return {
    requestId,
    actor,
    audit: [],
    // requestId comes from the request context (see the logger's mixin), not a binding here.
    log: log.child({ role: actor?.role ?? 'ANONYMOUS' }),
    loaders: createLoaders(ds, services),
    services,
  };
}
