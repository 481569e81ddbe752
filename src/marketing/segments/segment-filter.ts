import { z } from 'zod';
import { ActivityType } from '../../activity/activity.enums';
import { DomainError, ErrorCode, type FieldProblem, problemsFromZod } from '../../common/errors';
import { ConsentChannel, ConsentPurpose } from '../../consent/consent.enums';
import { CHANNELLED_PURPOSES } from '../../consent/consent.rules';
import { AgeBand, CustomerKind, CustomerStatus } from '../../customers/customer.enums';

/**
 * A segment: who a campaign is for, as a tree of conditions. Within one node every condition
 * that is set must hold (AND); `and` adds nodes that must all hold, `or` nodes of which one
 * must, and `not` a node that must not. The same shape is the GraphQL input, the JSON stored
 * for a saved segment, and what `compileSegment` turns into one SQL predicate.
 *
 * Periods are either fixed (`from` included, `to` excluded) or relative (`lastDays` before the
 * moment the segment is evaluated), so a saved "active in the last 90 days" stays true to its
 * name every time a campaign sends.
 */
export interface SegmentFilter {
  and?: SegmentFilter[];
  or?: SegmentFilter[];
  not?: SegmentFilter;
  kinds?: CustomerKind[];
  /** Home branch ids. */
  homeBranchIds?: string[];
  ageBands?: AgeBand[];
  /** UK postcode areas ("LS") or districts ("LS6"), matched against the outward code. */
  postcodeAreas?: string[];
  statuses?: CustomerStatus[];
  registered?: Period;
  interests?: InterestCondition;
  activity?: ActivityCondition;
  noActivity?: NoActivityCondition;
  attended?: AttendanceCondition;
  consent?: ConsentCondition;
}

export interface Period {
  from?: Date;
  to?: Date;
  lastDays?: number;
}

export interface InterestCondition {
  interestIds: string[];
  /** ANY (default): at least one of them; ALL: every one. */
  match?: 'ANY' | 'ALL';
}

export interface ActivityCondition extends Period {
  types?: ActivityType[];
  /** Interests (subjects, genres, authors) of the title or topics of the event concerned. */
  subjectIds?: string[];
  branchIds?: string[];
  /** At least this many matching entries (default 1). */
  atLeast?: number;
}

/** No matching entry since a moment: lapsed customers. */
export interface NoActivityCondition {
  types?: ActivityType[];
  subjectIds?: string[];
  branchIds?: string[];
  since?: Date;
  lastDays?: number;
}

export interface AttendanceCondition extends Period {
  eventIds?: string[];
  /** Event topics (interest ids). */
  topicIds?: string[];
  branchIds?: string[];
  atLeast?: number;
}

export interface ConsentCondition {
  purpose: ConsentPurpose;
  channel?: ConsentChannel | null;
  /** True (default): the consent is currently given; false: it is not. */
  granted?: boolean;
}

/** Bounds that keep one segment's SQL small enough to plan and run quickly. */
export const SEGMENT_LIMITS = {
  maxDepth: 6,
  maxNodes: 60,
  maxListItems: 200,
  maxDays: 3660,
  maxAtLeast: 10_000,
} as const;

const id = z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be an id issued by this API');
const ids = z
  .array(id)
  .min(1, 'must not be empty')
  .max(SEGMENT_LIMITS.maxListItems, `must have at most ${SEGMENT_LIMITS.maxListItems} entries`);
const list = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .min(1, 'must not be empty')
    .max(SEGMENT_LIMITS.maxListItems, `must have at most ${SEGMENT_LIMITS.maxListItems} entries`);
/** Accepts Date objects (GraphQL) and ISO 8601 strings (stored JSON, CLI files). */
const instant = z.preprocess(
  (v) => (typeof v === 'string' ? new Date(v) : v),
  z.date({ error: 'must be an ISO 8601 date and time' }),
);
const days = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(SEGMENT_LIMITS.maxDays, `must be at most ${SEGMENT_LIMITS.maxDays}`);
const atLeast = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(SEGMENT_LIMITS.maxAtLeast, `must be at most ${SEGMENT_LIMITS.maxAtLeast}`);
/** Postcode area (1-2 letters) or district (letters, a digit, and an optional digit or letter). */
const postcodeArea = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(
    z
      .string()
      .regex(
        /^[A-Z]{1,2}([0-9][0-9A-Z]?)?$/,
        'must be a postcode area such as "LS" or district such as "LS6"',
      ),
  );

const periodShape = {
  from: instant.optional(),
  to: instant.optional(),
  lastDays: days.optional(),
};

/** A fixed period, or a relative one, never both; a fixed one must not end before it starts. */
function checkPeriod(v: Period, ctx: z.RefinementCtx) {
  if (v.lastDays !== undefined && (v.from || v.to)) {
    ctx.addIssue({
      code: 'custom',
      path: ['lastDays'],
      message: 'use either lastDays or from/to, not both',
    });
  }
  if (v.from && v.to && !(v.from < v.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
  }
}

const period = z.strictObject(periodShape).superRefine((v, ctx) => {
  checkPeriod(v, ctx);
  if (v.from === undefined && v.to === undefined && v.lastDays === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must set from, to or lastDays' });
  }
});

const activity = z
  .strictObject({
    types: list(z.enum(ActivityType)).optional(),
    subjectIds: ids.optional(),
    branchIds: ids.optional(),
    ...periodShape,
    atLeast: atLeast.optional(),
  })
  .superRefine((v, ctx) => {
    checkPeriod(v, ctx);
    if (v.types?.includes(ActivityType.CORRECTION)) {
      ctx.addIssue({
        code: 'custom',
        path: ['types'],
        message: 'CORRECTION entries only cancel others; they are never counted',
      });
    }
  });

const noActivity = z
  .strictObject({
    types: list(z.enum(ActivityType)).optional(),
    subjectIds: ids.optional(),
    branchIds: ids.optional(),
    since: instant.optional(),
    lastDays: days.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.since === undefined) === (v.lastDays === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['since'],
        message: 'set exactly one of since or lastDays',
      });
    }
  });

const attended = z
  .strictObject({
    eventIds: ids.optional(),
    topicIds: ids.optional(),
    branchIds: ids.optional(),
    ...periodShape,
    atLeast: atLeast.optional(),
  })
  .superRefine(checkPeriod);

const consent = z
  .strictObject({
    purpose: z.enum(ConsentPurpose),
    channel: z.enum(ConsentChannel).nullish(),
    granted: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    const channelled = CHANNELLED_PURPOSES.has(v.purpose);
    if (channelled && !v.channel) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        message: `is required for ${v.purpose}: say which channel`,
      });
    }
    if (!channelled && v.channel) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        message: `must be left out for ${v.purpose}, which is not given per channel`,
      });
    }
  });

const interests = z.strictObject({
  interestIds: ids,
  match: z.enum(['ANY', 'ALL']).optional(),
});

const CONDITION_KEYS = [
  'kinds',
  'homeBranchIds',
  'ageBands',
  'postcodeAreas',
  'statuses',
  'registered',
  'interests',
  'activity',
  'noActivity',
  'attended',
  'consent',
] as const;

const node: z.ZodType<SegmentFilter> = z.lazy(() =>
  z
    .strictObject({
      and: z.array(node).min(1, 'must not be empty').optional(),
      or: z.array(node).min(1, 'must not be empty').optional(),
      not: node.optional(),
      kinds: list(z.enum(CustomerKind)).optional(),
      homeBranchIds: ids.optional(),
      ageBands: list(z.enum(AgeBand)).optional(),
      postcodeAreas: list(postcodeArea).optional(),
      statuses: list(z.enum(CustomerStatus)).optional(),
      registered: period.optional(),
      interests: interests.optional(),
      activity: activity.optional(),
      noActivity: noActivity.optional(),
      attended: attended.optional(),
      consent: consent.optional(),
    })
    .superRefine((v, ctx) => {
      const set = [...CONDITION_KEYS, 'and', 'or', 'not'].filter(
        (k) => v[k as keyof typeof v] !== undefined,
      );
      if (!set.length) {
        ctx.addIssue({
          code: 'custom',
          message: 'must set at least one condition (an empty filter would match everyone)',
        });
      }
    }),
);

/** Drops nulls (GraphQL sends them for fields left out) so the stored JSON stays compact. */
function withoutNulls(value: unknown): unknown {
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(withoutNulls);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

/** Depth and size limits, checked on the parsed tree so problems name the path. */
function shapeProblems(filter: SegmentFilter, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  let nodes = 0;
  const walk = (f: SegmentFilter, path: string, depth: number) => {
    nodes++;
    if (depth > SEGMENT_LIMITS.maxDepth) {
      problems.push({
        field: path,
        rule: 'max_depth',
        message: `filters may nest at most ${SEGMENT_LIMITS.maxDepth} levels deep`,
      });
      return;
    }
    f.and?.forEach((c, i) => walk(c, `${path}.and.${i}`, depth + 1));
    f.or?.forEach((c, i) => walk(c, `${path}.or.${i}`, depth + 1));
    if (f.not) walk(f.not, `${path}.not`, depth + 1);
  };
  walk(filter, field, 1);
  if (nodes > SEGMENT_LIMITS.maxNodes) {
    problems.push({
      field,
      rule: 'max_nodes',
      message: `a filter may have at most ${SEGMENT_LIMITS.maxNodes} nodes (it has ${nodes})`,
    });
  }
  return problems;
}

/**
 * Validates a filter from GraphQL, stored JSON or a CLI file. BAD_USER_INPUT naming every
 * broken rule by its path (`filter.or.1.activity.lastDays`) otherwise.
 */
export function parseSegmentFilter(input: unknown, field = 'filter'): SegmentFilter {
  if (input === null || input === undefined) {
    throw DomainError.badInput(field, 'required', 'is required');
  }
  const parsed = node.safeParse(withoutNulls(input));
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, field);
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      problems,
    );
  }
  const problems = shapeProblems(parsed.data, field);
  if (problems.length) {
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      problems,
    );
  }
  return parsed.data;
}

/** The filter as stored and shown: plain JSON with ISO 8601 times. */
export function filterJson(filter: SegmentFilter): Record<string, unknown> {
  return JSON.parse(JSON.stringify(filter)) as Record<string, unknown>;
}

/** Every id the filter refers to, by what it names, so the service can check they exist. */
export function referencedIds(filter: SegmentFilter): {
  branches: Set<string>;
  interests: Set<string>;
  events: Set<string>;
} {
  const out = {
    branches: new Set<string>(),
    interests: new Set<string>(),
    events: new Set<string>(),
  };
  const add = (set: Set<string>, list?: string[]) => list?.forEach((v) => set.add(v));
  const walk = (f: SegmentFilter) => {
    add(out.branches, f.homeBranchIds);
    add(out.interests, f.interests?.interestIds);
    add(out.interests, f.activity?.subjectIds);
    add(out.branches, f.activity?.branchIds);
    add(out.interests, f.noActivity?.subjectIds);
    add(out.branches, f.noActivity?.branchIds);
    add(out.events, f.attended?.eventIds);
    add(out.interests, f.attended?.topicIds);
    add(out.branches, f.attended?.branchIds);
    f.and?.forEach(walk);
    f.or?.forEach(walk);
    if (f.not) walk(f.not);
  };
  walk(filter);
  return out;
}
