import { suppressSmallCells } from './disclosure';
import { shapeUplift } from '../marketing/campaigns/campaign.results';
import type {
  RawCampaignCell,
  RawCohortCell,
  RawEventCell,
  RawOutcomeCell,
  RawReachCell,
  RawStockCell,
} from './insights.repository';
import type {
  CampaignUpliftRow,
  CohortRow,
  EventAttendanceRow,
  ReachRow,
  RecommendationOutcomeRow,
  StockRow,
  SuggestionListKind,
  WonBackRow,
} from './insights.types';

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/**
 * Reach rows with penetration rates, ranked least to best served. Suppressed rows come first,
 * ordered by area and band only, so their place in the ranking reveals nothing about their size;
 * rows without a population figure cannot be ranked and come last.
 */
export function rankReach(cells: readonly RawReachCell[], threshold: number): ReachRow[] {
  const rated = cells.map((c) => ({
    area: c.area,
    ageBand: c.ageBand,
    population: c.population,
    activeCustomers: c.activeCustomers,
    penetrationRate: c.population == null ? null : ratio(c.activeCustomers, c.population),
    people: c.activeCustomers,
  }));
  const shown = suppressSmallCells(rated, ['activeCustomers', 'penetrationRate'], threshold);
  const byName = (a: ReachRow, b: ReachRow) =>
    a.area.localeCompare(b.area) || a.ageBand.localeCompare(b.ageBand);
  const group = (r: Omit<ReachRow, 'rank'>) =>
    r.suppressed ? 0 : r.penetrationRate == null ? 2 : 1;
  return shown
    .map((r) => ({ ...r, rank: 0 }))
    .sort((a, b) => {
      const g = group(a) - group(b);
      if (g !== 0) return g;
      if (group(a) === 1) return a.penetrationRate! - b.penetrationRate! || byName(a, b);
      return byName(a, b);
    })
    .map((r, i) => ({ ...r, rank: i + 1 }));
}

/** Cohort cells with rates; a cohort smaller than the threshold hides every one of its cells. */
export function cohortRows(cells: readonly RawCohortCell[], threshold: number): CohortRow[] {
  const rated = cells.map((c) => ({
    ...c,
    retentionRate: ratio(c.activeCustomers, c.cohortSize),
    people: c.cohortSize < threshold ? c.cohortSize : c.activeCustomers,
  }));
  return suppressSmallCells(rated, ['cohortSize', 'activeCustomers', 'retentionRate'], threshold);
}

/** Stock cells with demand ratios; no copy on the shelf counts as one so it still ranks. */
export function stockRows(cells: readonly RawStockCell[], threshold: number): StockRow[] {
  const rated = cells.map((c) => ({
    ...c,
    holdsPerAvailableCopy: c.holds / Math.max(c.copiesAvailable, 1),
    loansPerCopy: ratio(c.loans, c.copies),
  }));
  return suppressSmallCells(
    rated,
    ['holds', 'loans', 'holdsPerAvailableCopy', 'loansPerCopy'],
    threshold,
  );
}

/**
 * Where demand most outstrips supply: branch and subject pairs by holds per available copy,
 * highest first. Suppressed and hold-free rows are left out.
 */
export function demandRanking(rows: readonly StockRow[], limit: number): StockRow[] {
  return rows
    .filter((r) => !r.suppressed && (r.holds ?? 0) > 0)
    .sort(
      (a, b) =>
        b.holdsPerAvailableCopy! - a.holdsPerAvailableCopy! ||
        b.holds! - a.holds! ||
        a.branchId.localeCompare(b.branchId) ||
        a.subject.localeCompare(b.subject),
    )
    .slice(0, limit);
}

/** Event cells with fill rates. */
export function eventRows(cells: readonly RawEventCell[], threshold: number): EventAttendanceRow[] {
  const rated = cells.map(({ attendanceAtCapped, ...c }) => ({
    ...c,
    fillRate: ratio(attendanceAtCapped, c.capacity),
  }));
  return suppressSmallCells(rated, ['attendance', 'fillRate'], threshold);
}

/**
 * Suggestion outcome rows. A row describing too few people is suppressed whole; otherwise the
 * clicked and borrowed counts (and their rates) are each suppressed when too few people stand
 * behind them, so a small number of people who borrowed is never shown.
 */
export function outcomeRows(
  cells: readonly RawOutcomeCell[],
  threshold: number,
): RecommendationOutcomeRow[] {
  const small = (people: number) => people > 0 && people < threshold;
  return cells.map((c) => {
    const hideAll = small(c.peopleShown);
    const clicked = hideAll || small(c.peopleClicked) ? null : c.clicked;
    const borrowed = hideAll || small(c.peopleBorrowed) ? null : c.borrowed;
    return {
      period: c.period,
      branchId: c.branchId,
      list: c.list as SuggestionListKind,
      shown: hideAll ? null : c.shown,
      clicked,
      borrowed,
      clickThroughRate: clicked == null ? null : ratio(clicked, c.shown),
      borrowThroughRate: borrowed == null ? null : ratio(borrowed, c.shown),
      suppressed: hideAll,
    };
  });
}

/** Whether any of the values was withheld. */
const anyWithheld = (values: ReadonlyArray<number | null>) => values.some((v) => v === null);

/**
 * Recipients against control per campaign, with the campaign results' disclosure rule: counts
 * of 1 to threshold − 1 people are withheld, and so are rates built on them.
 */
export function campaignUpliftRows(
  cells: readonly RawCampaignCell[],
  days: number,
  threshold: number,
): CampaignUpliftRow[] {
  return cells.map((c) => {
    const u = shapeUplift(
      days,
      { start: c.startedAt, end: null, now: c.startedAt },
      {
        recipients: { members: c.recipients, active: c.recipientsActive },
        control: { members: c.controlMembers, active: c.controlActive },
      },
      threshold,
    );
    const row = {
      campaignId: c.campaignId,
      campaign: c.campaign,
      purpose: c.purpose,
      startedAt: c.startedAt,
      days,
      recipients: u.recipients,
      recipientsActive: u.recipientsActive,
      recipientRate: u.recipientRate,
      controlMembers: u.controlMembers,
      controlActive: u.controlActive,
      controlRate: u.controlRate,
      uplift: u.uplift,
    };
    return {
      ...row,
      suppressed: anyWithheld([
        u.recipients,
        u.recipientsActive,
        u.controlMembers,
        u.controlActive,
      ]),
    };
  });
}

/** Lapsed customers won back per campaign, against lapsed control members who came back. */
export function wonBackRows(
  cells: readonly RawCampaignCell[],
  months: number,
  days: number,
  threshold: number,
): WonBackRow[] {
  return cells.map((c) => {
    const u = shapeUplift(
      days,
      { start: c.startedAt, end: null, now: c.startedAt },
      {
        recipients: { members: c.lapsedRecipients, active: c.wonBack },
        control: { members: c.lapsedControl, active: c.controlReturned },
      },
      threshold,
    );
    return {
      campaignId: c.campaignId,
      campaign: c.campaign,
      startedAt: c.startedAt,
      months,
      days,
      lapsedRecipients: u.recipients,
      wonBack: u.recipientsActive,
      wonBackRate: u.recipientRate,
      lapsedControl: u.controlMembers,
      controlReturned: u.controlActive,
      controlRate: u.controlRate,
      uplift: u.uplift,
      suppressed: anyWithheld([
        u.recipients,
        u.recipientsActive,
        u.controlMembers,
        u.controlActive,
      ]),
    };
  });
}
