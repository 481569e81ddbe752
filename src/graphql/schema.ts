import 'reflect-metadata';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { authChecker } from '../auth/access';
import { CustomerAuditResolver } from '../audit/audit.resolver';
import { ConsentResolver } from '../consent/consent.resolver';
import { PrivacyResolver } from '../privacy/privacy.resolver';
import { ActivityResolver } from '../activity/activity.resolver';
import { BranchResolver } from '../branches/branch.resolver';
import { CatalogueResolver, HoldingResolver } from '../catalogue/catalogue.resolver';
import { CustomerResolver } from '../customers/customer.resolver';
import { EventResolver } from '../events/event.resolver';
import { InsightsResolver } from '../insights/insights.resolver';
import { InterestResolver } from '../interests/interest.resolver';
import { CampaignResolver } from '../marketing/campaigns/campaign.resolver';
import { SegmentResolver } from '../marketing/segments/segment.resolver';
import {
  CustomerRecommendationResolver,
  EventRecommendationResolver,
  ItemRecommendationResolver,
  RankedItemResolver,
  ReasonResolver,
  RecommendationFieldsResolver,
  RecommendationResolver,
} from '../recommendations/recommendation.resolver';

/** Resolver classes of every feature; a new feature adds its resolvers here. */
export const RESOLVERS: NonEmptyArray<Function> = [
  BranchResolver,
  InterestResolver,
  CustomerResolver,
  CatalogueResolver,
  HoldingResolver,
  EventResolver,
  ActivityResolver,
  RecommendationResolver,
  CustomerRecommendationResolver,
  ItemRecommendationResolver,
  RecommendationFieldsResolver,
  RankedItemResolver,
  EventRecommendationResolver,
  ReasonResolver,
  CustomerAuditResolver,
  ConsentResolver,
  PrivacyResolver,
  InsightsResolver,
  SegmentResolver,
  CampaignResolver,
];

/** Builds the executable schema, sorted so the emitted SDL diffs cleanly. */
export async function createSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    // type-graphql's own validation is off: services validate with the same rules as imports.
    validate: false,
  });
  return lexicographicSortSchema(schema);
}
