import type { DataSource } from 'typeorm';
import type { Logger } from '../common/logger';
import type { ConsentService } from '../consent/consent.service';
import type { RecommendationService } from '../recommendations/recommendation.service';
import { CampaignService } from './campaigns/campaign.service';
import type { MarketingQueue } from './delivery/delivery.queue';
import type { MarketingSettings } from './marketing.settings';
import { suppressOnWithdrawal } from './privacy';
import { SegmentService } from './segments/segment.service';
import { TrackingService } from './tracking/tracking.service';

export interface MarketingDeps {
  ds: DataSource;
  queue: MarketingQueue;
  consent: ConsentService;
  recommendations: RecommendationService;
  settings: MarketingSettings;
  disclosureThreshold: number;
  log: Logger;
}

/** Builds segments, campaigns and link tracking, and ties consent withdrawal to delivery. */
export function createMarketingServices(deps: MarketingDeps) {
  const log = deps.log.child({ component: 'marketing' });
  const segments = new SegmentService(deps.ds, {
    disclosureThreshold: deps.disclosureThreshold,
    log,
  });
  const campaigns = new CampaignService(deps.ds, segments, deps.queue, deps.recommendations, {
    configuredChannels: deps.settings.channels,
    disclosureThreshold: deps.disclosureThreshold,
    log,
  });
  deps.consent.onWithdrawal(suppressOnWithdrawal);
  const tracking = new TrackingService(deps.ds, deps.consent, {
    linkSecret: deps.settings.linkSecret,
    log,
  });
  return { segments, campaigns, tracking, settings: deps.settings, queue: deps.queue };
}

export type MarketingServices = ReturnType<typeof createMarketingServices>;
