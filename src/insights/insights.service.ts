import type { DataSource } from 'typeorm';
import { effectiveThreshold, suppressSmallCells } from './disclosure';
import { resolveFilter } from './insights.filter';
import { reportCsv } from './insights.csv';
import { InsightsRepository } from './insights.repository';
import {
  campaignUpliftRows,
  cohortRows,
  demandRanking,
  eventRows,
  outcomeRows,
  rankReach,
  stockRows,
  wonBackRows,
} from './insights.shape';
import {
  type ActivityUseRow,
  type CampaignUpliftRow,
  type WonBackRow,
  type CohortRow,
  type CustomerUseRow,
  type EventAttendanceRow,
  type InsightFilter,
  InsightPeriod,
  InsightReport,
  type LapsedRow,
  type PcUseRow,
  type ReachRow,
  type RecommendationOutcomeRow,
  type StockRow,
} from './insights.types';
import { parsePopulationCsv } from './population';
import { SUMMARY_TIME_ZONE } from './refresh';
import { DomainError } from '../common/errors';

export interface InsightsOptions {
  /** Smallest number of people a shown cell may describe; from `DISCLOSURE_THRESHOLD`. */
  disclosureThreshold: number;
}

/**
 * Aggregate reports for managers. Every report passes through disclosure control before it
 * leaves, so GraphQL and CSV show the same, already-suppressed rows.
 */
export class InsightsService {
  private readonly repo: InsightsRepository;

  constructor(
    ds: DataSource,
    private readonly options: InsightsOptions,
  ) {
    this.repo = new InsightsRepository(ds);
  }

  private prepare(input?: InsightFilter) {
    const filter = resolveFilter(input);
    const threshold = effectiveThreshold(this.options.disclosureThreshold, filter.threshold);
    return { filter, threshold };
  }

  /** Activity entries by period, type, branch and channel. */
  async activity(input?: InsightFilter): Promise<ActivityUseRow[]> {
    const { filter, threshold } = this.prepare(input);
    return suppressSmallCells(await this.repo.activity(filter), ['entries'], threshold);
  }

  /** Active customers and new registrations by period and customer kind. */
  async customers(input?: InsightFilter): Promise<CustomerUseRow[]> {
    const { filter, threshold } = this.prepare(input);
    return suppressSmallCells(await this.repo.customers(filter), ['customers'], threshold);
  }

  /** Active customers against population by postcode area and age band, least served first. */
  async reach(input?: InsightFilter): Promise<ReachRow[]> {
    const { filter, threshold } = this.prepare(input);
    return rankReach(await this.repo.reach(filter), threshold);
  }

  /** Customers with no counted activity in the `months` before `to`, by home branch and kind. */
  async lapsed(input?: InsightFilter): Promise<LapsedRow[]> {
    const { filter, threshold } = this.prepare(input);
    return suppressSmallCells(await this.repo.lapsed(filter), ['lapsedCustomers'], threshold);
  }

  /** Retention of customers registered in the range, by registration month. */
  async cohorts(input?: InsightFilter): Promise<CohortRow[]> {
    const { filter, threshold } = this.prepare(input);
    return cohortRows(await this.repo.cohorts(filter), threshold);
  }

  /** Holds and loans against copies, per branch and subject. */
  async stock(input?: InsightFilter): Promise<StockRow[]> {
    const { filter, threshold } = this.prepare(input);
    return stockRows(await this.repo.stock(filter), threshold);
  }

  /** The `limit` branch and subject pairs with the most holds per available copy. */
  async demand(input?: InsightFilter): Promise<StockRow[]> {
    const { filter, threshold } = this.prepare(input);
    return demandRanking(stockRows(await this.repo.stock(filter), threshold), filter.limit);
  }

  /** Event attendance against capacity, per branch and topic. */
  async events(input?: InsightFilter): Promise<EventAttendanceRow[]> {
    const { filter, threshold } = this.prepare(input);
    return eventRows(await this.repo.events(filter), threshold);
  }

  /** PC sessions by day of week and hour. */
  async pcUse(input?: InsightFilter): Promise<PcUseRow[]> {
    const { filter, threshold } = this.prepare(input);
    return suppressSmallCells(await this.repo.pcUse(filter), ['sessions'], threshold);
  }

  /**
   * Were suggestions any use: shown, opened and borrowed per month. Months only, in
   * Europe/London, because closed months are kept as monthly counts once the link between
   * people and what they were shown is gone.
   */
  async recommendations(input?: InsightFilter): Promise<RecommendationOutcomeRow[]> {
    const { filter, threshold } = this.prepare(input);
    if (filter.period !== InsightPeriod.MONTH) {
      throw DomainError.badInput('filter.period', 'month_only', 'this report is by month only');
    }
    if (filter.timeZone !== SUMMARY_TIME_ZONE) {
      throw DomainError.badInput(
        'filter.timeZone',
        'fixed',
        `this report's months are cut in ${SUMMARY_TIME_ZONE}`,
      );
    }
    return outcomeRows(await this.repo.recommendationOutcomes(filter), threshold);
  }

  /** Campaigns started in the range: recipients against control, `days` after sending. */
  async campaignUplift(input?: InsightFilter): Promise<CampaignUpliftRow[]> {
    const { filter, threshold } = this.prepare(input);
    return campaignUpliftRows(await this.repo.campaigns(filter), filter.days, threshold);
  }

  /** Customers lapsed for `months` whom a campaign brought back within `days`. */
  async wonBack(input?: InsightFilter): Promise<WonBackRow[]> {
    const { filter, threshold } = this.prepare(input);
    return wonBackRows(await this.repo.campaigns(filter), filter.months, filter.days, threshold);
  }

  /** The rows of one report, by name. */
  rows(report: InsightReport, input?: InsightFilter): Promise<object[]> {
    switch (report) {
      case InsightReport.ACTIVITY:
        return this.activity(input);
      case InsightReport.CUSTOMERS:
        return this.customers(input);
      case InsightReport.REACH:
        return this.reach(input);
      case InsightReport.LAPSED:
        return this.lapsed(input);
      case InsightReport.COHORTS:
        return this.cohorts(input);
      case InsightReport.STOCK:
        return this.stock(input);
      case InsightReport.DEMAND:
        return this.demand(input);
      case InsightReport.EVENTS:
        return this.events(input);
      case InsightReport.PC_USE:
        return this.pcUse(input);
      case InsightReport.RECOMMENDATIONS:
        return this.recommendations(input);
      case InsightReport.CAMPAIGN_UPLIFT:
        return this.campaignUplift(input);
      case InsightReport.WON_BACK:
        return this.wonBack(input);
    }
  }

  /** One report as CSV: the same rows the GraphQL query returns. */
  async csv(report: InsightReport, input?: InsightFilter): Promise<string> {
    return reportCsv(report, await this.rows(report, input));
  }

  /** Validates a population extract and, only if every line is good, replaces the table. */
  importPopulation(csv: string): Promise<number> {
    return this.repo.replacePopulation(parsePopulationCsv(csv));
  }
}
