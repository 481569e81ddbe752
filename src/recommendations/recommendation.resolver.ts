import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ActivityType, Channel } from '../activity/activity.enums';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import { Audience } from '../catalogue/catalogue.enums';
import { assertId } from '../common/ids';
import { Customer } from '../customers/customer.entity';
import { LibraryEvent } from '../events/event.entity';
import { isOwnData } from '../auth/access';
import { accessibleCustomer } from '../auth/guard';
import { Role } from '../auth/role';
import { ConsentPurpose, ConsentSource } from '../consent/consent.enums';
import type { GraphQLContext } from '../graphql/context';
import { Interest } from '../interests/interest.entity';
import { impressionsOf } from './impression.recorder';
import { RecommendationMode } from './recommendation.enums';
import { CACHE_UNAVAILABLE, isCached } from './recommendation.service';
import {
  EventRecommendation,
  RankedItem,
  Recommendation,
  RecommendationReason,
  SuggestionSourceKind,
} from './recommendation.types';

/** The consents that together mean a personalisation mode, in the order to record them. */
export function consentsForMode(mode: RecommendationMode): Array<[ConsentPurpose, boolean]> {
  switch (mode) {
    case RecommendationMode.FULL:
      return [
        [ConsentPurpose.PERSONALISATION, true],
        [ConsentPurpose.HISTORY_RETENTION, true],
      ];
    case RecommendationMode.INTERESTS_ONLY:
      return [
        [ConsentPurpose.PERSONALISATION, true],
        [ConsentPurpose.HISTORY_RETENTION, false],
      ];
    case RecommendationMode.OFF:
      return [[ConsentPurpose.PERSONALISATION, false]];
  }
}

@Resolver(() => Customer)
export class CustomerRecommendationResolver {
  @FieldResolver(() => [Recommendation], {
    description:
      'Suggested titles, best first, each with its reasons. Served from cache; when none is ' +
      'cached yet, popular titles at their branch for their age group while a refresh runs.',
  })
  async recommendations(
    @Root() c: Customer,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { defaultValue: 10 }) first: number,
  ): Promise<Recommendation[]> {
    const cached = await ctx.loaders.cachedRecommendations.load(c.id);
    const list = await ctx.services.recommendations.forCustomer(c, cached, first);
    // Only what customers are shown themselves counts towards click- and borrow-through, not
    // staff looking at their record.
    if (ctx.actor && isOwnData(ctx.actor, c)) {
      ctx.services.impressions.record(impressionsOf(c, list, new Date()));
    }
    return list.items as Recommendation[];
  }

  @FieldResolver(() => SuggestionSourceKind, { description: 'Whether the list is personal.' })
  async recommendationsSource(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    if (c.recommendationMode === RecommendationMode.OFF) return SuggestionSourceKind.GENERIC;
    const cached = await ctx.loaders.cachedRecommendations.load(c.id);
    return isCached(cached) ? SuggestionSourceKind.PERSONAL : SuggestionSourceKind.POPULAR_FALLBACK;
  }

  @FieldResolver(() => Boolean, {
    description:
      'True when the suggestion cache could not be reached: `recommendations` are then popular ' +
      'titles at their branch for their age group, read from the database, instead of their ' +
      'own list (source POPULAR_FALLBACK). Ask again later for personal suggestions.',
  })
  async recommendationsDegraded(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    if (c.recommendationMode === RecommendationMode.OFF) return false;
    return (await ctx.loaders.cachedRecommendations.load(c.id)) === CACHE_UNAVAILABLE;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the cached list was computed.' })
  async recommendationsComputedAt(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    if (c.recommendationMode === RecommendationMode.OFF) return null;
    const cached = await ctx.loaders.cachedRecommendations.load(c.id);
    return isCached(cached) ? new Date(cached.computedAt) : null;
  }

  @FieldResolver(() => [EventRecommendation], {
    description: 'Upcoming events for them, best first.',
  })
  async eventRecommendations(
    @Root() c: Customer,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { defaultValue: 5 }) first: number,
  ): Promise<EventRecommendation[]> {
    const cached = await ctx.loaders.cachedRecommendations.load(c.id);
    return (await ctx.services.recommendations.eventsFor(
      c,
      cached,
      first,
    )) as EventRecommendation[];
  }
}

@Resolver(() => CatalogueItem)
export class ItemRecommendationResolver {
  @FieldResolver(() => [RankedItem], { description: 'People who borrowed this also borrowed.' })
  async similarItems(
    @Root() i: CatalogueItem,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { defaultValue: 10 }) first: number,
  ): Promise<RankedItem[]> {
    return (await ctx.services.recommendations.similarItems(i.id, first)) as RankedItem[];
  }
}

@Resolver(() => Recommendation)
export class RecommendationFieldsResolver {
  @FieldResolver(() => CatalogueItem)
  item(@Root() r: Recommendation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.item.load(r.itemId);
  }
}

@Resolver(() => RankedItem)
export class RankedItemResolver {
  @FieldResolver(() => CatalogueItem)
  item(@Root() r: RankedItem, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.item.load(r.itemId);
  }
}

@Resolver(() => EventRecommendation)
export class EventRecommendationResolver {
  @FieldResolver(() => LibraryEvent)
  event(@Root() r: EventRecommendation, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.event.load(r.eventId);
  }
}

@Resolver(() => RecommendationReason)
export class ReasonResolver {
  @FieldResolver(() => CatalogueItem, {
    nullable: true,
    description: 'The title the reason refers to.',
  })
  item(@Root() r: RecommendationReason, @Ctx() ctx: GraphQLContext) {
    return r.itemId ? ctx.loaders.item.load(r.itemId) : null;
  }

  @FieldResolver(() => LibraryEvent, { nullable: true })
  event(@Root() r: RecommendationReason, @Ctx() ctx: GraphQLContext) {
    return r.eventId ? ctx.loaders.event.load(r.eventId) : null;
  }

  @FieldResolver(() => Branch, { nullable: true })
  branch(@Root() r: RecommendationReason, @Ctx() ctx: GraphQLContext) {
    return r.branchId ? ctx.loaders.branch.load(r.branchId) : null;
  }

  @FieldResolver(() => Interest, { nullable: true, description: 'The interest it matches.' })
  interest(@Root() r: RecommendationReason, @Ctx() ctx: GraphQLContext) {
    return r.interestKind && r.interestLabel
      ? ctx.loaders.interestByLabel.load(`${r.interestKind}:${r.interestLabel}`)
      : null;
  }
}

@Resolver()
export class RecommendationResolver {
  @Query(() => [RankedItem], {
    description: 'Popular titles at a branch (or everywhere) for an audience.',
  })
  popular(
    @Ctx() ctx: GraphQLContext,
    @Arg('branchId', () => ID, { nullable: true }) branchId?: string,
    @Arg('audience', () => Audience, { defaultValue: Audience.ADULT })
    audience: Audience = Audience.ADULT,
    @Arg('first', () => Int, { defaultValue: 10 }) first = 10,
    @Arg('trending', () => Boolean, { defaultValue: false }) trending = false,
  ) {
    if (branchId) assertId(branchId, 'branchId');
    return ctx.services.recommendations.popular(
      branchId ?? null,
      audience,
      Math.max(1, Math.min(first, 100)),
      trending ? 'TRENDING' : 'ALL_TIME',
    );
  }

  @Mutation(() => Boolean, {
    description: '"Not for me": the title is never suggested to them again.',
  })
  async dismissRecommendation(
    @Ctx() ctx: GraphQLContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('itemId', () => ID) itemId: string,
  ) {
    const { customer } = await accessibleCustomer(ctx, customerId);
    return ctx.services.recommendations.dismiss(customer.id, itemId);
  }

  @Mutation(() => Boolean, {
    description:
      'Records that the customer opened a suggested title (a RECOMMENDATION_CLICK ledger entry), ' +
      "for a front-end acting with the customer's own token. Counts towards click-through.",
  })
  async recordRecommendationClick(
    @Ctx() ctx: GraphQLContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('itemId', () => ID) itemId: string,
  ) {
    const { customer } = await accessibleCustomer(ctx, customerId);
    assertId(itemId, 'itemId');
    await ctx.services.activity.recordOne({
      customerId: customer.id,
      itemId,
      type: ActivityType.RECOMMENDATION_CLICK,
      occurredAt: new Date(),
      channel: Channel.ONLINE,
    });
    return true;
  }

  @Mutation(() => Boolean, { description: 'Asks the workers to recompute this customer soon.' })
  async refreshRecommendations(
    @Ctx() ctx: GraphQLContext,
    @Arg('customerId', () => ID) customerId: string,
  ) {
    const { customer } = await accessibleCustomer(ctx, customerId);
    await ctx.services.recommendations.refreshSoon(customer.id);
    return true;
  }

  @Mutation(() => Customer, {
    description:
      'Sets what personalisation may use, by recording the consents that mean it: FULL gives ' +
      'PERSONALISATION and HISTORY_RETENTION, INTERESTS_ONLY gives PERSONALISATION and withdraws ' +
      'HISTORY_RETENTION, OFF withdraws PERSONALISATION. Each lands in the consent ledger.',
  })
  async setRecommendationMode(
    @Ctx() ctx: GraphQLContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('mode', () => RecommendationMode) mode: RecommendationMode,
    @Arg('wordingVersion', () => String, { defaultValue: 'personalisation-settings-1' })
    wordingVersion: string,
  ) {
    const { actor, customer } = await accessibleCustomer(ctx, customerId);
    const source = actor.role === Role.CUSTOMER ? ConsentSource.WEB : ConsentSource.BRANCH;
    const by = { actor, requestId: ctx.requestId };
    for (const [purpose, granted] of consentsForMode(mode)) {
      await ctx.services.consent.recordConsent(
        customer.id,
        { purpose, granted, source, wordingVersion },
        by,
      );
    }
    return ctx.services.customers.get(customer.id);
  }
}
