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
import { ImpressionRecorder } from './recommendations/impression.recorder';
import type { RecommendationService } from './recommendations/recommendation.service';
import type { MarketingQueue } from './marketing/delivery/delivery.queue';
import { createMarketingServices } from './marketing/marketing.services';
import type { MarketingSettings } from './marketing/marketing.settings';

/** The domain services, built once per process and shared by every request. */
export function createServices(
  ds: DataSource,
  events: DomainEvents,
  recommendations: RecommendationService,
  privacy: { store: RecommendationStore; refreshQueue: Queue; log: Logger },
  marketing: { queue: MarketingQueue; settings: MarketingSettings },
) {
  const audit = new AuditService(ds);
  const disclosureThreshold = disclosureThresholdFromEnv();
  const privacyServices = createPrivacyServices({ ds, audit, ...privacy });
  return {
    events,
    activity: new ActivityService(ds, events),
    branches: new BranchService(ds),
    catalogue: new CatalogueService(ds),
    customers: new CustomerService(ds, events),
    libraryEvents: new EventService(ds),
    interests: new InterestService(ds, events),
    recommendations,
    impressions: new ImpressionRecorder(ds, privacy.log),
    audit,
    insights: new InsightsService(ds, { disclosureThreshold }),
    ...privacyServices,
    marketing: createMarketingServices({
      ds,
      queue: marketing.queue,
      consent: privacyServices.consent,
      recommendations,
      settings: marketing.settings,
      disclosureThreshold,
      log: privacy.log,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
