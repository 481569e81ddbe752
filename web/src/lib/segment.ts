/**
 * The segment builder's model: a list of conditions, all or any of which must hold, each of
 * which may be turned into "not". Turned into the API's SegmentFilterInput here, and back from a
 * saved segment's filter when it has that shape. Pure, so it is unit-tested.
 */

/** An interest (subject, genre, author, topic) chosen in a picker; the label is for display. */
export interface Picked {
  id: string;
  label: string;
}

export type Condition =
  | { type: 'kinds'; values: string[] }
  | { type: 'homeBranches'; values: string[] }
  | { type: 'ageBands'; values: string[] }
  | { type: 'postcodeAreas'; text: string }
  | { type: 'statuses'; values: string[] }
  | { type: 'registered'; lastDays: number | null }
  | { type: 'interests'; interests: Picked[]; match: 'ANY' | 'ALL' }
  | {
      type: 'activity';
      types: string[];
      subjects: Picked[];
      lastDays: number | null;
      atLeast: number | null;
    }
  | { type: 'noActivity'; types: string[]; lastDays: number | null }
  | { type: 'attended'; topics: Picked[]; lastDays: number | null; atLeast: number | null }
  | { type: 'consent'; purpose: string; channel: string | null; granted: boolean };

export type ConditionType = Condition['type'];

export interface Row {
  key: number;
  exclude: boolean;
  condition: Condition;
}

export interface Builder {
  combine: 'ALL' | 'ANY';
  rows: Row[];
}

export const CONDITION_LABELS: Record<ConditionType, string> = {
  kinds: 'Kind of customer',
  homeBranches: 'Home branch',
  ageBands: 'Age band',
  postcodeAreas: 'Postcode area',
  statuses: 'Status',
  registered: 'Registered recently',
  interests: 'Interests',
  activity: 'Did something',
  noActivity: 'Has not been active (lapsed)',
  attended: 'Attended events',
  consent: 'Consent',
};

export function emptyCondition(type: ConditionType): Condition {
  switch (type) {
    case 'kinds':
    case 'homeBranches':
    case 'ageBands':
    case 'statuses':
      return { type, values: [] };
    case 'postcodeAreas':
      return { type, text: '' };
    case 'registered':
      return { type, lastDays: 90 };
    case 'interests':
      return { type, interests: [], match: 'ANY' };
    case 'activity':
      return { type, types: ['LOAN'], subjects: [], lastDays: 90, atLeast: 1 };
    case 'noActivity':
      return { type, types: [], lastDays: 365 };
    case 'attended':
      return { type, topics: [], lastDays: 365, atLeast: 1 };
    case 'consent':
      return { type, purpose: 'MARKETING', channel: 'EMAIL', granted: true };
  }
}

type Filter = Record<string, unknown>;

/** One condition as a filter node, or the reason it is not complete yet. */
function conditionNode(c: Condition): Filter | string {
  const need = (ok: boolean, what: string) => (ok ? null : what);
  let missing: string | null = null;
  let node: Filter;
  switch (c.type) {
    case 'kinds':
      missing = need(c.values.length > 0, 'choose at least one kind of customer');
      node = { kinds: c.values };
      break;
    case 'homeBranches':
      missing = need(c.values.length > 0, 'choose at least one branch');
      node = { homeBranchIds: c.values };
      break;
    case 'ageBands':
      missing = need(c.values.length > 0, 'choose at least one age band');
      node = { ageBands: c.values };
      break;
    case 'statuses':
      missing = need(c.values.length > 0, 'choose at least one status');
      node = { statuses: c.values };
      break;
    case 'postcodeAreas': {
      const areas = c.text
        .split(/[\s,]+/)
        .map((a) => a.trim().toUpperCase())
        .filter(Boolean);
      missing = need(areas.length > 0, 'type at least one postcode area, such as LS6');
      node = { postcodeAreas: areas };
      break;
    }
    case 'registered':
      missing = need(Boolean(c.lastDays), 'say within how many days');
      node = { registered: { lastDays: c.lastDays } };
      break;
    case 'interests':
      missing = need(c.interests.length > 0, 'choose at least one interest');
      node = { interests: { interestIds: c.interests.map((i) => i.id), match: c.match } };
      break;
    case 'activity':
      node = {
        activity: {
          ...(c.types.length ? { types: c.types } : {}),
          ...(c.subjects.length ? { subjectIds: c.subjects.map((s) => s.id) } : {}),
          ...(c.lastDays ? { lastDays: c.lastDays } : {}),
          ...(c.atLeast && c.atLeast > 1 ? { atLeast: c.atLeast } : {}),
        },
      };
      break;
    case 'noActivity':
      missing = need(Boolean(c.lastDays), 'say for how many days');
      node = {
        noActivity: { ...(c.types.length ? { types: c.types } : {}), lastDays: c.lastDays },
      };
      break;
    case 'attended':
      node = {
        attended: {
          ...(c.topics.length ? { topicIds: c.topics.map((t) => t.id) } : {}),
          ...(c.lastDays ? { lastDays: c.lastDays } : {}),
          ...(c.atLeast && c.atLeast > 1 ? { atLeast: c.atLeast } : {}),
        },
      };
      break;
    case 'consent':
      node = {
        consent: {
          purpose: c.purpose,
          ...(c.channel ? { channel: c.channel } : {}),
          granted: c.granted,
        },
      };
      break;
  }
  return missing ?? node;
}

/**
 * The filter the API takes, or what is missing. With one condition it is that condition's node;
 * with more, an `and` (all) or `or` (any) of them.
 */
export function toFilter(b: Builder): { filter: Filter | null; problems: string[] } {
  const problems: string[] = [];
  const nodes: Filter[] = [];
  b.rows.forEach((row, i) => {
    const node = conditionNode(row.condition);
    if (typeof node === 'string') problems.push(`Condition ${i + 1}: ${node}`);
    else nodes.push(row.exclude ? { not: node } : node);
  });
  if (problems.length) return { filter: null, problems };
  if (nodes.length === 0) return { filter: null, problems: ['Add a condition to start'] };
  if (nodes.length === 1) return { filter: nodes[0], problems };
  return { filter: b.combine === 'ALL' ? { and: nodes } : { or: nodes }, problems };
}

const picked = (ids: unknown, labels: ReadonlyMap<string, string>): Picked[] =>
  Array.isArray(ids)
    ? ids.map((id) => ({ id: String(id), label: labels.get(String(id)) ?? `#${id}` }))
    : [];
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** A single-condition node back into a condition, or null when it is not one this builder makes. */
function nodeCondition(node: Filter, labels: ReadonlyMap<string, string>): Condition | null {
  const keys = Object.keys(node);
  if (keys.length !== 1) return null;
  const v = node[keys[0]] as Filter;
  switch (keys[0]) {
    case 'kinds':
      return { type: 'kinds', values: strings(v) };
    case 'homeBranchIds':
      return { type: 'homeBranches', values: strings(v) };
    case 'ageBands':
      return { type: 'ageBands', values: strings(v) };
    case 'statuses':
      return { type: 'statuses', values: strings(v) };
    case 'postcodeAreas':
      return { type: 'postcodeAreas', text: strings(v).join(', ') };
    case 'registered':
      return v.from || v.to ? null : { type: 'registered', lastDays: num(v.lastDays) };
    case 'interests':
      return {
        type: 'interests',
        interests: picked(v.interestIds, labels),
        match: v.match === 'ALL' ? 'ALL' : 'ANY',
      };
    case 'activity':
      if (v.from || v.to || v.branchIds) return null;
      return {
        type: 'activity',
        types: strings(v.types),
        subjects: picked(v.subjectIds, labels),
        lastDays: num(v.lastDays),
        atLeast: num(v.atLeast) ?? 1,
      };
    case 'noActivity':
      if (v.since || v.subjectIds || v.branchIds) return null;
      return { type: 'noActivity', types: strings(v.types), lastDays: num(v.lastDays) };
    case 'attended':
      if (v.from || v.to || v.eventIds || v.branchIds) return null;
      return {
        type: 'attended',
        topics: picked(v.topicIds, labels),
        lastDays: num(v.lastDays),
        atLeast: num(v.atLeast) ?? 1,
      };
    case 'consent':
      return {
        type: 'consent',
        purpose: String(v.purpose),
        channel: v.channel ? String(v.channel) : null,
        granted: v.granted !== false,
      };
    default:
      return null;
  }
}

/**
 * A saved filter back into the builder, when it has a shape the builder makes (one level of
 * all/any, each condition optionally negated); null otherwise, and the screen shows it as JSON.
 */
export function fromFilter(
  filter: Filter,
  labels: ReadonlyMap<string, string> = new Map(),
): Builder | null {
  const keys = Object.keys(filter);
  const combine: Builder['combine'] = keys.length === 1 && keys[0] === 'or' ? 'ANY' : 'ALL';
  const nodes =
    keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')
      ? (filter[keys[0]] as Filter[])
      : [filter];
  const rows: Row[] = [];
  for (const [i, n] of nodes.entries()) {
    const negated = Object.keys(n).length === 1 && 'not' in n;
    const condition = nodeCondition(negated ? (n.not as Filter) : n, labels);
    if (!condition) return null;
    rows.push({ key: i + 1, exclude: negated, condition });
  }
  return { combine, rows };
}
