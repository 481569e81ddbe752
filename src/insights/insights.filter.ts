import { DomainError } from '../common/errors';
import { InsightPeriod } from './insights.types';
import type { InsightFilter } from './insights.types';

/** A report's filter with defaults applied and every bound checked. */
export interface ResolvedFilter {
  from: Date;
  to: Date;
  period: InsightPeriod;
  /** Lapsed and won-back reports: months without activity. */
  months: number;
  /** Campaign reports: days after a campaign started in which activity counts. */
  days: number;
  /** Ranked lists: how many rows. */
  limit: number;
  timeZone: string;
  /** Explicit threshold asked for by the caller, if any. */
  threshold: number | null;
}

const DEFAULT_TIME_ZONE = 'Europe/London';
const MAX_RANGE_DAYS = 3660;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies defaults (the twelve months before now, by month, in UK local time) and validates.
 * Ranges are half-open: `from` is included, `to` is not.
 */
export function resolveFilter(input: InsightFilter | undefined, now = new Date()): ResolvedFilter {
  const to = input?.to ?? now;
  const yearBefore = new Date(Date.UTC(to.getUTCFullYear() - 1, to.getUTCMonth(), to.getUTCDate()));
  const from = input?.from ?? yearBefore;
  if (!(from < to)) {
    throw DomainError.badInput('filter.from', 'before_to', 'from must be before to');
  }
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    throw DomainError.badInput('filter.from', 'max_range', 'a report covers at most ten years');
  }
  const months = input?.months ?? 12;
  if (!Number.isInteger(months) || months < 1 || months > 120) {
    throw DomainError.badInput('filter.months', 'range', 'months must be between 1 and 120');
  }
  const days = input?.days ?? 14;
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw DomainError.badInput('filter.days', 'range', 'days must be between 1 and 365');
  }
  const limit = input?.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw DomainError.badInput('filter.limit', 'range', 'limit must be between 1 and 1000');
  }
  const timeZone = input?.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) {
    throw DomainError.badInput('filter.timeZone', 'time_zone', 'not an IANA time zone name');
  }
  return {
    from,
    to,
    period: input?.period ?? InsightPeriod.MONTH,
    months,
    days,
    limit,
    timeZone,
    threshold: input?.threshold ?? null,
  };
}
