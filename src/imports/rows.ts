import { z, type ZodError } from 'zod';
import { activityFieldsSchema, activityRuleProblems } from '../activity/activity.validation';
import { ActivityType, Channel } from '../activity/activity.enums';
import { deriveSourceKey } from '../activity/source-key';
import { BranchKind } from '../branches/branch.enums';
import { Audience, ItemFormat } from '../catalogue/catalogue.enums';
import { holdingSchema, newItemSchema } from '../catalogue/catalogue.validation';
import { problemsFromZod, type FieldProblem } from '../common/errors';
import {
  externalId,
  label,
  labelKey,
  parseIsoInstant,
  postcode,
  requiredText,
} from '../common/validation';
import { AccessibilityNeed, CustomerKind, CustomerStatus } from '../customers/customer.enums';
import { newCustomerSchema } from '../customers/customer.validation';
import { newEventSchema } from '../events/event.validation';
import { ConsentSource } from '../consent/consent.enums';
import { type ConsentInput, consentInputSchema } from '../consent/consent.rules';
import { InterestKind } from '../interests/interest.enums';
import type { CsvHeader, CsvRecord, RowResult } from './import.types';

/*
 * Pure mapping from CSV records to validated rows. Every rule comes from the shared schemas the
 * GraphQL API uses; this module only turns cells into typed values and names each problem after
 * the CSV column it came from. No I/O happens here: references to other records (branches,
 * customers, items, events) are checked by the loaders against the database.
 */

/** A taxonomy node named by a row: the label as first written and its folded key. */
export interface InterestRef {
  kind: InterestKind;
  label: string;
  key: string;
}

export interface BranchRow {
  externalId: string;
  name: string;
  kind: BranchKind;
  postcode: string | null;
}

export interface HoldingRef {
  branch: string;
  copies: number;
  copiesAvailable: number;
}

/** A title. Null `format`, `audience` or `addedAt`: a new title gets the default, an existing
 * one keeps what it has. */
export interface ItemRow {
  externalId: string;
  title: string;
  authors: string[];
  interests: InterestRef[];
  format: ItemFormat | null;
  audience: Audience | null;
  language: string | null;
  publishedYear: number | null;
  isbn: string | null;
  series: string | null;
  addedAt: Date | null;
  attributes: Record<string, unknown>;
  holdings: HoldingRef[];
}

/** A customer. Null `kind`, `status` or `registeredAt`: a new customer gets the default (MEMBER,
 * ACTIVE, now), an existing one keeps what it has. */
export interface CustomerRow {
  externalId: string;
  kind: CustomerKind | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  postcode: string | null;
  birthYear: number | null;
  homeBranch: string | null;
  registeredAt: Date | null;
  guardian: string | null;
  preferredLanguage: string | null;
  accessibilityNeeds: AccessibilityNeed[];
  status: CustomerStatus | null;
  attributes: Record<string, unknown>;
}

export interface InterestRow {
  customerExternalId: string;
  interest: InterestRef;
}

/** One consent decision from the old system, to append to the ledger as it was made. */
export interface ConsentRow {
  customerExternalId: string;
  consent: ConsentInput;
  recordedAt: Date;
}

/** An event topic; a null kind means "whichever interests already carry this label". */
export interface TopicRef {
  kind: InterestKind | null;
  label: string;
  key: string;
}

export interface EventRow {
  externalId: string;
  title: string;
  description: string | null;
  branch: string | null;
  startsAt: Date;
  endsAt: Date | null;
  capacity: number | null;
  topics: TopicRef[];
  audience: Audience | null;
}

export interface ActivityRow {
  customerExternalId: string;
  type: ActivityType;
  occurredAt: Date;
  itemExternalId: string | null;
  eventExternalId: string | null;
  branchExternalId: string | null;
  channel: Channel;
  staffMember: string | null;
  sourceKey: string;
  correctsSourceKey: string | null;
  details: Record<string, unknown>;
}

/** Separates the entries of a list inside one cell. */
export const LIST_SEPARATOR = '|';

/** Reads one record's cells by column name and collects problems named after the columns. */
class RowReader {
  readonly problems: FieldProblem[] = [];
  private readonly flagged = new Set<string>();

  constructor(
    private readonly header: CsvHeader,
    private readonly record: CsvRecord,
  ) {
    const expected = header.columns.length;
    if (record.cells.length !== expected) {
      this.fail('row', 'columns', `has ${record.cells.length} fields; the header has ${expected}`);
    }
  }

  /** The trimmed cell, or null when it is empty or the column is absent. */
  text(column: string): string | null {
    const i = this.header.position.get(column);
    if (i === undefined) return null;
    const v = this.record.cells[i]?.trim();
    return v ? v : null;
  }

  required(column: string): string | null {
    const v = this.text(column);
    if (v === null) this.fail(column, 'required', 'is required');
    return v;
  }

  /** An enum value; spelling is forgiving ("large print" reads as LARGE_PRINT). */
  choice(column: string): string | null {
    const v = this.text(column);
    return v === null ? null : enumSpelling(v);
  }

  integer(column: string): number | null {
    const v = this.text(column);
    if (v === null) return null;
    if (!/^[+-]?\d+$/.test(v)) {
      this.fail(column, 'integer', 'must be a whole number');
      return null;
    }
    return Number(v);
  }

  number(column: string): number | null {
    const v = this.text(column);
    if (v === null) return null;
    const n = Number(v);
    if (!Number.isFinite(n)) {
      this.fail(column, 'number', 'must be a number');
      return null;
    }
    return n;
  }

  instant(column: string): Date | null {
    const v = this.text(column);
    if (v === null) return null;
    const d = parseIsoInstant(v);
    if (!d) {
      this.fail(column, 'date', 'must be an ISO 8601 date or time, e.g. 2024-05-01T14:30:00Z');
    }
    return d;
  }

  list(column: string): string[] {
    const v = this.text(column);
    if (v === null) return [];
    return v
      .split(LIST_SEPARATOR)
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }

  /** An external id of another record, checked for shape only. */
  reference(column: string): string | null {
    const v = this.text(column);
    if (v === null) return null;
    const parsed = externalId.safeParse(v);
    if (!parsed.success) {
      this.adopt(problemsFromZod(parsed.error, column));
      return null;
    }
    return parsed.data;
  }

  /** Non-empty cells of columns the kind does not define, under their header names. */
  extras(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const { name, index } of this.header.extras) {
      const v = this.record.cells[index]?.trim();
      if (v) out[name] = v;
    }
    return out;
  }

  fail(field: string, rule: string, message: string): void {
    this.problems.push({ field, rule, message });
    this.flagged.add(field);
  }

  /** Adds problems, skipping fields that already have one (a cell that did not parse). */
  adopt(problems: FieldProblem[]): void {
    for (const p of problems) {
      if (this.flagged.has(p.field)) continue;
      this.problems.push(p);
    }
    for (const p of problems) this.flagged.add(p.field);
  }

  /** Adds schema problems, renaming model fields to the CSV columns they came from. */
  adoptZod(error: ZodError, columns: Readonly<Record<string, string>>): void {
    this.adopt(problemsFromZod(error).map((p) => ({ ...p, field: renameField(p.field, columns) })));
  }

  result<T>(value: () => T): RowResult<T> {
    if (this.problems.length) return { ok: false, problems: this.problems };
    return { ok: true, value: value() };
  }
}

/** Enum values are matched whatever their case, with spaces or hyphens for underscores. */
function enumSpelling(text: string): string {
  return text
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

function renameField(field: string, columns: Readonly<Record<string, string>>): string {
  if (columns[field]) return columns[field];
  const [head, ...rest] = field.split('.');
  const column = columns[head] ?? head;
  return rest.length ? `${column}[${Number(rest[0]) + 1}]` : column;
}

function interestRefs(kind: InterestKind, labels: readonly string[]): InterestRef[] {
  return labels.map((l) => ({ kind, label: l, key: labelKey(l) }));
}

const BRANCH_COLUMNS = { externalId: 'external_id' };

/** There is no branch schema elsewhere yet, so the row is checked with the shared blocks. */
const branchSchema = z.object({
  externalId,
  name: requiredText(200),
  kind: z.enum(BranchKind),
  postcode: postcode.nullish(),
});

/** Maps a row of a branches file. */
export function branchRow(record: CsvRecord, header: CsvHeader): RowResult<BranchRow> {
  const r = new RowReader(header, record);
  const input = {
    externalId: r.required('external_id'),
    name: r.required('name'),
    kind: r.required('kind') && r.choice('kind'),
    postcode: r.text('postcode'),
  };
  const parsed = branchSchema.safeParse(input);
  if (!parsed.success) r.adoptZod(parsed.error, BRANCH_COLUMNS);
  return r.result(() => {
    const v = parsed.data!;
    return { externalId: v.externalId, name: v.name, kind: v.kind, postcode: v.postcode ?? null };
  });
}

const ITEM_COLUMNS = {
  externalId: 'external_id',
  publishedYear: 'published_year',
  addedAt: 'added_at',
};

/** Maps a row of an items file; `holdings` is `BRANCH:copies:available|...`. */
export function itemRow(record: CsvRecord, header: CsvHeader): RowResult<ItemRow> {
  const r = new RowReader(header, record);
  const format = r.choice('format');
  const audience = r.choice('audience');
  const addedAt = r.instant('added_at');
  const input = {
    externalId: r.required('external_id') ?? '',
    title: r.required('title') ?? '',
    authors: r.list('authors'),
    subjects: r.list('subjects'),
    genres: r.list('genres'),
    format: format ?? undefined,
    audience: audience ?? undefined,
    language: r.text('language'),
    publishedYear: r.integer('published_year'),
    isbn: r.text('isbn'),
    series: r.text('series'),
    addedAt: addedAt ?? undefined,
    attributes: r.extras(),
  };
  const holdings = holdingRefs(r, r.text('holdings'));
  const parsed = newItemSchema.safeParse(input);
  if (!parsed.success) r.adoptZod(parsed.error, ITEM_COLUMNS);
  return r.result(() => {
    const v = parsed.data!;
    return {
      externalId: v.externalId,
      title: v.title,
      authors: v.authors,
      interests: [
        ...interestRefs(InterestKind.SUBJECT, v.subjects),
        ...interestRefs(InterestKind.GENRE, v.genres),
        ...interestRefs(InterestKind.AUTHOR, v.authors),
      ],
      format: format === null ? null : v.format,
      audience: audience === null ? null : v.audience,
      language: v.language ?? null,
      publishedYear: v.publishedYear ?? null,
      isbn: v.isbn ?? null,
      series: v.series ?? null,
      addedAt: v.addedAt ?? null,
      attributes: v.attributes,
      holdings,
    };
  });
}

function holdingRefs(r: RowReader, cell: string | null): HoldingRef[] {
  if (cell === null) return [];
  const out: HoldingRef[] = [];
  const seen = new Set<string>();
  const entries = cell
    .split(LIST_SEPARATOR)
    .map((s) => s.trim())
    .filter(Boolean);
  for (const [n, entry] of entries.entries()) {
    const where = `entry ${n + 1} "${entry}"`;
    // Branch ids may themselves contain ':', so the two counts are taken from the right.
    const parts = entry.split(':');
    const [copiesText, availableText] = parts.slice(-2);
    const branch = parts.slice(0, -2).join(':').trim();
    const counted = /^\d+$/.test(copiesText?.trim()) && /^\d+$/.test(availableText?.trim());
    if (parts.length < 3 || !counted) {
      r.fail('holdings', 'format', `${where} must be BRANCH:copies:available`);
      continue;
    }
    const id = externalId.safeParse(branch);
    const counts = holdingSchema.safeParse({
      copies: Number(copiesText),
      copiesAvailable: Number(availableText),
    });
    if (!id.success) {
      r.fail('holdings', 'format', `${where}: branch ${id.error.issues[0].message}`);
    } else if (!counts.success) {
      const issue = counts.error.issues[0];
      const field = issue.path[0] === 'copiesAvailable' ? 'available' : 'copies';
      r.fail('holdings', issue.code, `${where}: ${field} ${issue.message}`);
    } else if (seen.has(id.data)) {
      r.fail('holdings', 'duplicate', `${where}: branch ${id.data} is listed twice`);
    } else {
      seen.add(id.data);
      out.push({ branch: id.data, ...counts.data });
    }
  }
  return out;
}

const CUSTOMER_COLUMNS = {
  externalId: 'external_id',
  firstName: 'first_name',
  lastName: 'last_name',
  birthYear: 'birth_year',
  registeredAt: 'registered_at',
  preferredLanguage: 'preferred_language',
  accessibilityNeeds: 'accessibility_needs',
};

/** Maps a row of a customers file; `home_branch` and `guardian` are external ids. */
export function customerRow(record: CsvRecord, header: CsvHeader): RowResult<CustomerRow> {
  const r = new RowReader(header, record);
  const kind = r.choice('kind');
  const status = r.choice('status');
  const registeredAt = r.instant('registered_at');
  const input = {
    externalId: r.required('external_id') ?? '',
    // The file format requires only external_id but the model needs a kind; a new customer
    // without one is recorded as a MEMBER (registered, not known to borrow), and an existing
    // customer keeps the kind already stored.
    kind: kind ?? CustomerKind.MEMBER,
    firstName: r.text('first_name'),
    lastName: r.text('last_name'),
    email: r.text('email'),
    phone: r.text('phone'),
    postcode: r.text('postcode'),
    birthYear: r.integer('birth_year'),
    preferredLanguage: r.text('preferred_language'),
    accessibilityNeeds: r.list('accessibility_needs').map(enumSpelling),
    attributes: r.extras(),
    status: status ?? undefined,
    registeredAt: registeredAt ?? undefined,
  };
  const homeBranch = r.reference('home_branch');
  const guardian = r.reference('guardian');
  const parsed = newCustomerSchema.safeParse(input);
  if (!parsed.success) r.adoptZod(parsed.error, CUSTOMER_COLUMNS);
  if (guardian !== null && guardian === input.externalId) {
    r.fail('guardian', 'self', 'must not be the customer themself');
  }
  return r.result(() => {
    const v = parsed.data!;
    return {
      externalId: v.externalId,
      kind: kind === null ? null : v.kind,
      firstName: v.firstName,
      lastName: v.lastName,
      email: v.email ?? null,
      phone: v.phone ?? null,
      postcode: v.postcode ?? null,
      birthYear: v.birthYear ?? null,
      homeBranch,
      registeredAt: v.registeredAt ?? null,
      guardian,
      preferredLanguage: v.preferredLanguage ?? null,
      accessibilityNeeds: [...new Set(v.accessibilityNeeds)],
      status: status === null ? null : v.status,
      attributes: v.attributes,
    };
  });
}

const interestKindSchema = z.enum(InterestKind);

/** Maps a row of a declared-interests file (`kind` is subject, genre, author, ...). */
export function interestRow(record: CsvRecord, header: CsvHeader): RowResult<InterestRow> {
  const r = new RowReader(header, record);
  const customer = r.required('customer_external_id');
  const customerId = customer === null ? null : r.reference('customer_external_id');
  const kindText = r.required('kind') && r.choice('kind');
  const value = r.required('value');
  const kind = kindText === null ? null : interestKindSchema.safeParse(kindText);
  if (kind && !kind.success) r.adoptZod(kind.error, { input: 'kind' });
  const text = value === null ? null : label.safeParse(value);
  if (text && !text.success) r.adoptZod(text.error, { input: 'value' });
  return r.result(() => ({
    customerExternalId: customerId!,
    interest: interestRefs(kind!.data!, [text!.data!])[0],
  }));
}

const CONSENT_COLUMNS = { wordingVersion: 'wording_version' };
const GRANTED = new Map<string, boolean>([
  ...['TRUE', 'YES', 'Y', '1', 'GIVEN', 'GRANTED'].map((k) => [k, true] as const),
  ...['FALSE', 'NO', 'N', '0', 'WITHDRAWN', 'REFUSED'].map((k) => [k, false] as const),
]);

/**
 * Maps a row of a consents file: who, which purpose (and channel, for SERVICE_MESSAGES and
 * MARKETING), given or withdrawn, when, where (IMPORT unless the old system knew better) and
 * which wording they saw. The same rules as the API apply.
 */
export function consentRow(record: CsvRecord, header: CsvHeader): RowResult<ConsentRow> {
  const r = new RowReader(header, record);
  const customer = r.required('customer_external_id') ? r.reference('customer_external_id') : null;
  const recordedAt = r.required('recorded_at') ? r.instant('recorded_at') : null;
  const grantedText = r.required('granted') && r.choice('granted');
  const granted = grantedText === null ? undefined : GRANTED.get(grantedText);
  if (grantedText !== null && granted === undefined) {
    r.fail('granted', 'boolean', 'must be true or false (yes/no, given/withdrawn, 1/0)');
  }
  if (recordedAt && recordedAt.getTime() > Date.now() + 60_000) {
    r.fail('recorded_at', 'not_future', 'must not be in the future');
  }
  const parsed = consentInputSchema.safeParse({
    purpose: r.required('purpose') && r.choice('purpose'),
    channel: r.choice('channel'),
    granted: granted ?? false,
    source: r.choice('source') ?? ConsentSource.IMPORT,
    wordingVersion: r.text('wording_version') ?? 'import',
  });
  if (!parsed.success) r.adoptZod(parsed.error, CONSENT_COLUMNS);
  return r.result(() => ({
    customerExternalId: customer!,
    consent: { ...parsed.data!, channel: parsed.data!.channel ?? null },
    recordedAt: recordedAt!,
  }));
}

const EVENT_COLUMNS = {
  externalId: 'external_id',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
};

const TOPIC_KINDS = new Map(Object.values(InterestKind).map((k) => [k.toLowerCase(), k]));

/**
 * Maps a row of an events file. A topic may name its interest kind, as in `event_type:Storytime`
 * or `genre:Crime`; a bare label is left for the loader to match against the taxonomy.
 */
export function eventRow(record: CsvRecord, header: CsvHeader): RowResult<EventRow> {
  const r = new RowReader(header, record);
  const startsAt = r.required('starts_at') && r.instant('starts_at');
  const audience = r.choice('audience');
  const topics = r.list('topics').map((t) => {
    const colon = t.indexOf(':');
    const kind = colon > 0 ? TOPIC_KINDS.get(t.slice(0, colon).trim().toLowerCase()) : undefined;
    return kind ? { kind, label: t.slice(colon + 1).trim() } : { kind: null, label: t };
  });
  const input = {
    externalId: r.required('external_id') ?? '',
    title: r.required('title') ?? '',
    description: r.text('description'),
    startsAt: startsAt ?? undefined,
    endsAt: r.instant('ends_at'),
    capacity: r.integer('capacity'),
    topics: topics.map((t) => t.label),
    audience,
  };
  const branch = r.reference('branch');
  const parsed = newEventSchema.safeParse(input);
  if (!parsed.success) r.adoptZod(parsed.error, EVENT_COLUMNS);
  return r.result(() => {
    const v = parsed.data!;
    return {
      externalId: v.externalId,
      title: v.title,
      description: v.description,
      branch,
      startsAt: v.startsAt,
      endsAt: v.endsAt ?? null,
      capacity: v.capacity ?? null,
      topics: topics.map((t, i) => ({
        kind: t.kind,
        label: v.topics[i],
        key: labelKey(v.topics[i]),
      })),
      audience: v.audience ?? null,
    };
  });
}

/** Columns of an activity file that map to fields rather than to `details`. */
const ACTIVITY_COLUMNS = {
  type: 'type',
  occurredAt: 'occurred_at',
  channel: 'channel',
  staffMember: 'staff_member',
  sourceKey: 'source_key',
  details: 'details',
  'details.rating': 'rating',
  item: 'item_external_id',
  event: 'event_external_id',
  correctsId: 'corrects_source_key',
};

/**
 * Maps a row of an activity file. `rating` and `session_minutes` become numbers in `details`,
 * `search_terms` text there, and any other extra column is kept in `details` as written. A row
 * without `source_key` gets one derived from what it records, so re-sending it is harmless.
 */
export function activityRow(record: CsvRecord, header: CsvHeader): RowResult<ActivityRow> {
  const r = new RowReader(header, record);
  const customer = r.required('customer_external_id') && r.reference('customer_external_id');
  const type = r.required('type') && r.choice('type');
  const occurredAt = r.required('occurred_at') && r.instant('occurred_at');
  const item = r.reference('item_external_id');
  const event = r.reference('event_external_id');
  const branch = r.reference('branch');
  const corrects = r.text('corrects_source_key');
  const details: Record<string, unknown> = r.extras();
  const rating = r.number('rating');
  if (rating !== null) details.rating = rating;
  const minutes = r.number('session_minutes');
  if (minutes !== null) {
    if (minutes < 0) r.fail('session_minutes', 'range', 'must not be negative');
    details.sessionMinutes = minutes;
  }
  const terms = r.text('search_terms');
  if (terms !== null) details.searchTerms = terms;
  const input = {
    type: type ?? undefined,
    occurredAt: occurredAt ?? undefined,
    channel: r.choice('channel') ?? undefined,
    staffMember: r.text('staff_member'),
    sourceKey: r.text('source_key') ?? undefined,
    details,
  };
  const parsed = activityFieldsSchema.safeParse(input);
  if (!parsed.success) {
    r.adoptZod(parsed.error, ACTIVITY_COLUMNS);
  } else {
    const rules = activityRuleProblems({
      type: parsed.data.type,
      hasItem: item !== null,
      hasEvent: event !== null,
      hasCorrects: corrects !== null,
      details: parsed.data.details,
    });
    r.adopt(rules.map((p) => ({ ...p, field: renameField(p.field, ACTIVITY_COLUMNS) })));
  }
  return r.result(() => {
    const v = parsed.data!;
    return {
      customerExternalId: customer!,
      type: v.type,
      occurredAt: v.occurredAt,
      itemExternalId: item,
      eventExternalId: event,
      branchExternalId: branch,
      channel: v.channel,
      staffMember: v.staffMember,
      sourceKey:
        v.sourceKey ?? deriveSourceKey([customer, v.type, v.occurredAt, item, event, branch]),
      correctsSourceKey: corrects,
      details: v.details,
    };
  });
}
