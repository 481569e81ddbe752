import { COUNTED_ENTRY } from '../../activity/counted';
import { AgeBand } from '../../customers/customer.enums';
import type {
  ActivityCondition,
  AttendanceCondition,
  ConsentCondition,
  InterestCondition,
  NoActivityCondition,
  Period,
  SegmentFilter,
} from './segment-filter';

/**
 * Turns a validated segment filter into one SQL predicate over `customer c`, with every value
 * passed as a parameter. Pure: the same filter and clock give the same SQL and parameters, so
 * the preview, the campaign fan-out, the subject-access export and the unit tests share it.
 *
 * Conditions on the ledger and the consent ledger become `c.id IN (subquery)`: PostgreSQL runs
 * each subquery once (a semi-join at the top level, a hashed subplan under OR and NOT) instead
 * of once per customer. Subqueries never yield NULL, so NOT IN keeps its plain meaning.
 */
export interface CompiledPredicate {
  /** A boolean SQL expression over `c` (the customer table). */
  sql: string;
  params: unknown[];
}

export interface CompileOptions {
  /** "Now" for relative periods and age bands. */
  now: Date;
  /** Parameters the caller already uses; the predicate's start at $offset+1. */
  paramOffset?: number;
}

const DAY_MS = 86_400_000;

/** Accumulates parameters and hands back typed placeholders. */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly offset: number) {}

  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.offset + this.values.length}::${cast}`;
  }
}

/** Ages each band covers; `null` is open-ended. Mirrors `ageBandFor`. */
const BAND_AGES: Record<Exclude<AgeBand, AgeBand.UNKNOWN>, [number | null, number | null]> = {
  [AgeBand.CHILD_0_4]: [null, 4],
  [AgeBand.CHILD_5_11]: [5, 11],
  [AgeBand.TEEN_12_17]: [12, 17],
  [AgeBand.ADULT_18_24]: [18, 24],
  [AgeBand.ADULT_25_44]: [25, 44],
  [AgeBand.ADULT_45_64]: [45, 64],
  [AgeBand.ADULT_65_PLUS]: [65, null],
};

/**
 * Birth years that fall in an age band at `now`, as an inclusive range (null: open-ended).
 * `ageBandFor` takes age = year - birthYear - 1, so a band of ages [lo, hi] is the birth years
 * [year - 1 - hi, year - 1 - lo]. Comparing birth years keeps the predicate a plain range.
 */
export function birthYearRange(
  band: Exclude<AgeBand, AgeBand.UNKNOWN>,
  now: Date,
): { min: number | null; max: number | null } {
  const year = now.getUTCFullYear();
  const [lo, hi] = BAND_AGES[band];
  return { min: hi === null ? null : year - 1 - hi, max: lo === null ? null : year - 1 - lo };
}

/** A period's bounds at `now`: a relative one starts lastDays before and has no end. */
export function resolvePeriod(p: Period, now: Date): { from: Date | null; to: Date | null } {
  if (p.lastDays !== undefined)
    return { from: new Date(now.getTime() - p.lastDays * DAY_MS), to: null };
  return { from: p.from ?? null, to: p.to ?? null };
}

const and = (parts: string[]) => (parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`);

function compileNode(f: SegmentFilter, p: Params, now: Date): string {
  const parts: string[] = [];
  if (f.kinds) parts.push(`c.kind = ANY(${p.add(f.kinds, 'customer_kind[]')})`);
  if (f.statuses) parts.push(`c.status = ANY(${p.add(f.statuses, 'customer_status[]')})`);
  if (f.homeBranchIds) {
    parts.push(`coalesce(c.home_branch_id = ANY(${p.add(f.homeBranchIds, 'bigint[]')}), false)`);
  }
  if (f.ageBands) parts.push(ageBands(f.ageBands, p, now));
  if (f.postcodeAreas) parts.push(postcodeAreas(f.postcodeAreas, p));
  if (f.registered) parts.push(registered(f.registered, p, now));
  if (f.interests) parts.push(interests(f.interests, p));
  if (f.activity) parts.push(activity(f.activity, p, now));
  if (f.noActivity) parts.push(noActivity(f.noActivity, p, now));
  if (f.attended) parts.push(attended(f.attended, p, now));
  if (f.consent) parts.push(consent(f.consent, p));
  for (const child of f.and ?? []) parts.push(compileNode(child, p, now));
  if (f.or) parts.push(`(${f.or.map((child) => compileNode(child, p, now)).join(' OR ')})`);
  if (f.not) parts.push(`NOT (${compileNode(f.not, p, now)})`);
  return and(parts);
}

function ageBands(bands: AgeBand[], p: Params, now: Date): string {
  const alternatives = [...new Set(bands)].map((band) => {
    if (band === AgeBand.UNKNOWN) return 'c.birth_year IS NULL';
    const { min, max } = birthYearRange(band, now);
    const bounds: string[] = [];
    if (min !== null) bounds.push(`c.birth_year >= ${p.add(min, 'int')}`);
    if (max !== null) bounds.push(`c.birth_year <= ${p.add(max, 'int')}`);
    return `coalesce(${bounds.join(' AND ')}, false)`;
  });
  return alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' OR ')})`;
}

function postcodeAreas(values: string[], p: Params): string {
  const areas = [...new Set(values.filter((v) => /^[A-Z]+$/.test(v)))];
  const districts = [...new Set(values.filter((v) => !/^[A-Z]+$/.test(v)))];
  const alternatives: string[] = [];
  if (districts.length) {
    alternatives.push(`cp_postcode_outward(c.postcode) = ANY(${p.add(districts, 'text[]')})`);
  }
  if (areas.length) {
    alternatives.push(`cp_postcode_area(c.postcode) = ANY(${p.add(areas, 'text[]')})`);
  }
  return `coalesce(${alternatives.join(' OR ')}, false)`;
}

function registered(period: Period, p: Params, now: Date): string {
  const { from, to } = resolvePeriod(period, now);
  const bounds: string[] = [];
  if (from) bounds.push(`c.registered_at >= ${p.add(from, 'timestamptz')}`);
  if (to) bounds.push(`c.registered_at < ${p.add(to, 'timestamptz')}`);
  return and(bounds);
}

function interests(cond: InterestCondition, p: Params): string {
  const ids = [...new Set(cond.interestIds)];
  const list = p.add(ids, 'bigint[]');
  if (cond.match === 'ALL' && ids.length > 1) {
    return `c.id IN (SELECT ci.customer_id FROM customer_interest ci
      WHERE ci.interest_id = ANY(${list})
      GROUP BY ci.customer_id HAVING count(DISTINCT ci.interest_id) = ${p.add(ids.length, 'int')})`;
  }
  return `c.id IN (SELECT ci.customer_id FROM customer_interest ci WHERE ci.interest_id = ANY(${list}))`;
}

/** Conditions on one ledger entry `a` shared by activity, inactivity and attendance. */
function entryConditions(
  cond: { types?: string[]; subjectIds?: string[]; branchIds?: string[] },
  p: Params,
): string[] {
  const where: string[] = [];
  if (cond.types) where.push(`a.type = ANY(${p.add(cond.types, 'activity_type[]')})`);
  if (cond.branchIds) where.push(`a.branch_id = ANY(${p.add(cond.branchIds, 'bigint[]')})`);
  if (cond.subjectIds) {
    const subjects = p.add(cond.subjectIds, 'bigint[]');
    where.push(`(a.item_id IN (SELECT ii.item_id FROM item_interest ii WHERE ii.interest_id = ANY(${subjects}))
        OR a.event_id IN (SELECT et.event_id FROM event_topic et WHERE et.interest_id = ANY(${subjects})))`);
  }
  return where;
}

function timeConditions(from: Date | null, to: Date | null, p: Params): string[] {
  const where: string[] = [];
  if (from) where.push(`a.occurred_at >= ${p.add(from, 'timestamptz')}`);
  if (to) where.push(`a.occurred_at < ${p.add(to, 'timestamptz')}`);
  return where;
}

/**
 * Customers with at least `atLeast` counted entries meeting `where`. Grouping by customer
 * keeps the set PostgreSQL hashes to one entry per customer rather than one per entry.
 */
function customersWithEntries(where: string[], atLeast: number, p: Params): string {
  const conditions = ['a.customer_id IS NOT NULL', ...where, COUNTED_ENTRY].join('\n      AND ');
  const having = atLeast > 1 ? ` HAVING count(*) >= ${p.add(atLeast, 'int')}` : '';
  return `c.id IN (SELECT a.customer_id FROM activity a
      WHERE ${conditions}
      GROUP BY a.customer_id${having})`;
}

function activity(cond: ActivityCondition, p: Params, now: Date): string {
  const { from, to } = resolvePeriod(cond, now);
  const where = [...entryConditions(cond, p), ...timeConditions(from, to, p)];
  return customersWithEntries(where, cond.atLeast ?? 1, p);
}

function noActivity(cond: NoActivityCondition, p: Params, now: Date): string {
  const since =
    cond.lastDays !== undefined ? new Date(now.getTime() - cond.lastDays * DAY_MS) : cond.since!;
  const where = [...entryConditions(cond, p), ...timeConditions(since, null, p)];
  return `NOT (${customersWithEntries(where, 1, p)})`;
}

function attended(cond: AttendanceCondition, p: Params, now: Date): string {
  const { from, to } = resolvePeriod(cond, now);
  const where = [`a.type = 'EVENT_ATTENDED'`];
  if (cond.eventIds) where.push(`a.event_id = ANY(${p.add(cond.eventIds, 'bigint[]')})`);
  if (cond.topicIds) {
    where.push(
      `a.event_id IN (SELECT et.event_id FROM event_topic et WHERE et.interest_id = ANY(${p.add(cond.topicIds, 'bigint[]')}))`,
    );
  }
  if (cond.branchIds) where.push(`a.branch_id = ANY(${p.add(cond.branchIds, 'bigint[]')})`);
  where.push(...timeConditions(from, to, p));
  return customersWithEntries(where, cond.atLeast ?? 1, p);
}

/** The latest ledger row for the purpose and channel decides, as in the consent rules. */
function consent(cond: ConsentCondition, p: Params): string {
  const given = `c.id IN (SELECT r.customer_id FROM (
        SELECT DISTINCT ON (cr.customer_id) cr.customer_id, cr.granted
          FROM consent_record cr
         WHERE cr.purpose = ${p.add(cond.purpose, 'consent_purpose')}
           AND cr.channel IS NOT DISTINCT FROM ${p.add(cond.channel ?? null, 'consent_channel')}
         ORDER BY cr.customer_id, cr.recorded_at DESC, cr.id DESC) r
      WHERE r.granted)`;
  return cond.granted === false ? `NOT (${given})` : given;
}

/** Compiles a filter into a predicate over `customer c`. */
export function compileSegment(filter: SegmentFilter, opts: CompileOptions): CompiledPredicate {
  const p = new Params(opts.paramOffset ?? 0);
  const sql = compileNode(filter, p, opts.now);
  return { sql, params: p.values };
}
