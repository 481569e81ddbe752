import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Logger } from '../common/logger';
import { ConsentService } from '../consent/consent.service';
import type { GraphQLContext } from '../graphql/context';
import type { RecommendationStore } from '../recommendations/recommendation.store';
import { requestForgetIn, requestRefreshIn } from '../recommendations/refresh-requests';
import { ErasureService } from './erasure.service';
import { ExportService } from './export.service';
import { HistoryService } from './history.service';

/** What the consent and privacy services are built from. */
export interface PrivacyDeps {
  ds: DataSource;
  audit: AuditService;
  /** The suggestions cache: evicted when consent is withdrawn or a customer erased, exported. */
  store: Pick<RecommendationStore, 'evict' | 'get' | 'available'>;
  /** The recommendations queue (`RecommendationQueue.queue`): erasure cancels a pending refresh. */
  refreshQueue: Queue;
  log: Logger;
}

/** Builds the consent ledger, history choice, subject access and erasure services. */
export function createPrivacyServices(deps: PrivacyDeps) {
  const { ds, audit, store, log } = deps;
  const consent = new ConsentService(
    ds,
    audit,
    { evict: (ids) => store.evict(ids), refreshIn: requestRefreshIn, forgetIn: requestForgetIn },
    log.child({ component: 'consent' }),
  );
  const privacyLog = log.child({ component: 'privacy' });
  return {
    consent,
    readingHistory: new HistoryService(ds, audit, consent, privacyLog),
    subjectAccess: new ExportService(ds, audit, store, privacyLog),
    erasure: new ErasureService(ds, audit, store, deps.refreshQueue, privacyLog),
  };
}

export type PrivacyServices = ReturnType<typeof createPrivacyServices>;

/**
 * The context the consent and privacy resolvers need: the shared one, with these services
 * among `services` (spread into `createServices`' result).
 */
export type PrivacyContext = GraphQLContext & { services: PrivacyServices };
