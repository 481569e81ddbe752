import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { Logger } from './common/logger';
import { createPrivacyServices } from './privacy/privacy.services';
import type { RecommendationStore } from './recommendations/recommendation.store';
import { ActivityService } from './activity/activity.service';
import { AuditService } from './audit/audit.service';
import { BranchService } from './branches/branch.service';
import { CatalogueService } from './catalogue/catalogue.service';
import type { DomainEvents } from './common/domain-events';
import { CustomerService } from './customers/customer.service';
import { EventService } from './events/event.service';
import { disclosureThresholdFromEnv } from './insights/disclosure';
import { InsightsService } from './insights/insights.service';
import { InterestService } from './interests/interest.service';
import type { RecommendationService } from './recommendations/recommendation.service';

/** The domain services, built once per process and shared by every request. */
export function createServices(
  ds: DataSource,
  events: DomainEvents,
  recommendations: RecommendationService,
  privacy: { store: RecommendationStore; refreshQueue: Queue; log: Logger },
) {
  const audit = new AuditService(ds);
  return {
    events,
    activity: new ActivityService(ds, events),
    branches: new BranchService(ds),
    catalogue: new CatalogueService(ds),
    customers: new CustomerService(ds, events),
    libraryEvents: new EventService(ds),
    interests: new InterestService(ds, events),
    recommendations,
    audit,
    insights: new InsightsService(ds, { disclosureThreshold: disclosureThresholdFromEnv() }),
    ...createPrivacyServices({ ds, audit, ...privacy }),
  };
}

export type Services = ReturnType<typeof createServices>;
