import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../auth/role';
import type { GraphQLContext } from '../graphql/context';
import {
  ActivityUseRow,
  CampaignUpliftRow,
  WonBackRow,
  CohortRow,
  CustomerUseRow,
  EventAttendanceRow,
  InsightFilter,
  InsightReport,
  LapsedRow,
  PcUseRow,
  ReachRow,
  RecommendationOutcomeRow,
  StockRow,
} from './insights.types';

const filterArg = { nullable: true, description: 'Defaults: the last twelve months, by month.' };

/** Manager reports: aggregates only, with small cells suppressed. */
@Authorized(Role.MANAGER, Role.ADMIN)
@Resolver()
export class InsightsResolver {
  @Query(() => [ActivityUseRow], {
    description:
      'Activity entries by period, type, branch and channel. Whole periods in Europe/London are ' +
      'read from summaries as of the last refresh; other ranges are counted live.',
  })
  insightsActivity(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.activity(filter);
  }

  @Query(() => [CustomerUseRow], {
    description: 'Active customers and registrations by period and kind.',
  })
  insightsCustomers(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.customers(filter);
  }

  @Query(() => [ReachRow], {
    description: 'Penetration by postcode area and age band, least served first.',
  })
  insightsReach(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.reach(filter);
  }

  @Query(() => [LapsedRow], {
    description: 'Customers with no activity in `filter.months` months before `filter.to`.',
  })
  insightsLapsed(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.lapsed(filter);
  }

  @Query(() => [CohortRow], {
    description: 'Monthly retention of customers registered in the range.',
  })
  insightsCohorts(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.cohorts(filter);
  }

  @Query(() => [StockRow], {
    description: 'Holds and loans against copies, per branch and subject.',
  })
  insightsStock(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.stock(filter);
  }

  @Query(() => [StockRow], { description: 'Where holds most outstrip available copies.' })
  insightsDemand(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.demand(filter);
  }

  @Query(() => [EventAttendanceRow], {
    description: 'Event attendance against capacity by branch and topic.',
  })
  insightsEvents(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.events(filter);
  }

  @Query(() => [PcUseRow], { description: 'PC sessions by day of week and hour.' })
  insightsPcUse(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.pcUse(filter);
  }

  @Query(() => [RecommendationOutcomeRow], {
    description:
      'Were suggestions any use: per month, home branch and list, suggestions shown to ' +
      'customers and how many they opened (click-through) and borrowed (borrow-through) within ' +
      'RECOMMENDATION_ATTRIBUTION_DAYS of first seeing them. By month only.',
  })
  insightsRecommendations(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.recommendations(filter);
  }

  @Query(() => [CampaignUpliftRow], {
    description:
      'Campaigns that started in the range: the share of recipients and of the control group ' +
      'active within `filter.days` days (default 14), and the difference.',
  })
  insightsCampaignUplift(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.campaignUplift(filter);
  }

  @Query(() => [WonBackRow], {
    description:
      'Customers won back after campaigns: recipients with no activity in the `filter.months` ' +
      'months before a campaign (default 12) who were active within `filter.days` days of it, ' +
      'against the control group.',
  })
  insightsWonBack(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.wonBack(filter);
  }

  @Query(() => String, { description: 'Any report as CSV, with the same rows as its query.' })
  insightsCsv(
    @Ctx() ctx: GraphQLContext,
    @Arg('report', () => InsightReport) report: InsightReport,
    @Arg('filter', () => InsightFilter, filterArg) filter?: InsightFilter,
  ) {
    return ctx.services.insights.csv(report, filter);
  }

  @Mutation(() => Int, {
    description:
      'Replaces the population table from CSV `area,age_band,population`; all or nothing.',
  })
  importPopulation(@Ctx() ctx: GraphQLContext, @Arg('csv', () => String) csv: string) {
    return ctx.services.insights.importPopulation(csv);
  }
}
