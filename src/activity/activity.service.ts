import type { DataSource, EntityManager } from 'typeorm';
import type { DomainEvents } from '../common/domain-events';
import { outboxInsert } from '../outbox/outbox';
import { DomainError, ErrorCode, type FieldProblem, problemsFromZod } from '../common/errors';
import { assertId } from '../common/ids';
import { ageBandFor } from '../customers/age-band';
import type { Activity } from './activity.entity';
import { ActivityType } from './activity.enums';
import { activityFromRow, type ActivityRow } from './activity.mapper';
import type { RecordActivityInput } from './activity.types';
import { RecordStatus } from './activity.types';
import { activityFieldsSchema, activityRuleProblems } from './activity.validation';
import { deriveSourceKey } from './source-key';

/** One call may carry at most this many entries, so a request stays one short transaction. */
export const MAX_BATCH = 1000;

export interface RecordOutcome {
  status: RecordStatus;
  sourceKey: string | null;
  activity: Activity | null;
  errors: FieldProblem[];
}

interface Resolved {
  index: number;
  customerId: string;
  ageBand: string;
  type: ActivityType;
  occurredAt: Date;
  channel: string;
  branchId: string | null;
  itemId: string | null;
  eventId: string | null;
  staffMember: string | null;
  sourceKey: string;
  details: Record<string, unknown>;
  correctsId: string | null;
}

interface RefTable {
  byId: Map<string, { id: string; extra: Record<string, unknown> }>;
  byExternal: Map<string, { id: string; extra: Record<string, unknown> }>;
}

export class ActivityService {
  constructor(
    private readonly ds: DataSource,
    private readonly events: DomainEvents,
  ) {}

  /** Records one entry; invalid input is an error rather than a REJECTED result. */
  async recordOne(input: RecordActivityInput): Promise<RecordOutcome> {
    const [outcome] = await this.recordMany([input]);
    if (outcome.status === RecordStatus.REJECTED) {
      const notFound = outcome.errors.find((e) => e.rule === 'not_found');
      const code = notFound ? ErrorCode.NOT_FOUND : ErrorCode.BAD_USER_INPUT;
      const summary = outcome.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      throw new DomainError(code, summary, outcome.errors);
    }
    return outcome;
  }

  /**
   * Records up to MAX_BATCH entries with one result each: accepted, duplicate (the sourceKey
   * was seen before) or rejected with every broken rule. Accepted entries are written in one
   * transaction, so either all of them are stored or none.
   */
  async recordMany(inputs: RecordActivityInput[]): Promise<RecordOutcome[]> {
    if (inputs.length > MAX_BATCH) {
      throw DomainError.badInput('inputs', 'max', `must have at most ${MAX_BATCH} entries`);
    }
    const outcomes: RecordOutcome[] = inputs.map((i) => ({
      status: RecordStatus.REJECTED,
      sourceKey: i.sourceKey ?? null,
      activity: null,
      errors: [],
    }));
    const refs = await this.loadRefs(inputs);
    const valid: Resolved[] = [];
    inputs.forEach((input, index) => {
      const r = this.resolve(input, index, refs, outcomes[index].errors);
      if (r) valid.push(r);
    });

    const seen = new Set<string>();
    const fresh: Resolved[] = [];
    for (const r of valid) {
      outcomes[r.index].sourceKey = r.sourceKey;
      if (seen.has(r.sourceKey)) {
        outcomes[r.index].status = RecordStatus.DUPLICATE;
      } else {
        seen.add(r.sourceKey);
        fresh.push(r);
      }
    }
    if (fresh.length) {
      const stored = await this.ds.transaction((tx) => this.insert(tx, fresh));
      for (const r of valid) {
        const row = stored.get(r.sourceKey);
        const o = outcomes[r.index];
        if (row) {
          o.activity = row.activity;
          if (o.status !== RecordStatus.DUPLICATE) {
            o.status = row.inserted ? RecordStatus.ACCEPTED : RecordStatus.DUPLICATE;
          }
        }
      }
    }
    return outcomes;
  }

  /**
   * Inserts entries, skipping sourceKeys already in the ledger, moves the customers'
   * last_active_at on, and writes the background work the new entries need (a refresh of
   * their customers) into the outbox, all in one statement: recording activity is the hot
   * path, and a statement of its own would cost the outbox a round trip per call. The work is
   * asked for the customers of the entries sent; it is written when at least one entry was
   * new, so a request sent again (all duplicates) queues nothing. Returns every key's row.
   */
  private async insert(tx: EntityManager, rows: Resolved[]) {
    const customerIds = [...new Set(rows.map((r) => r.customerId))];
    const messages = this.events.messagesFor('activityRecorded', { customerIds });
    const work = messages.length
      ? outboxInsert(messages, 13, 'EXISTS (SELECT 1 FROM ins)')
      : { sql: 'SELECT 1', params: [] };
    const inserted: ActivityRow[] = await tx.query(
      `WITH ins AS (
         INSERT INTO activity (customer_id, age_band, type, occurred_at, channel, branch_id,
                               item_id, event_id, staff_member, source_key, details, corrects_id)
         SELECT * FROM unnest($1::bigint[], $2::age_band[], $3::activity_type[], $4::timestamptz[],
                              $5::channel[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[],
                              $10::text[], $11::jsonb[], $12::bigint[])
         ON CONFLICT (source_key) DO NOTHING
         RETURNING *),
       touched AS (
         UPDATE customer c SET last_active_at = greatest(c.last_active_at, x.at)
           FROM (SELECT customer_id, max(occurred_at) AS at FROM ins GROUP BY customer_id) x
          WHERE c.id = x.customer_id
            AND (c.last_active_at IS NULL OR c.last_active_at < x.at)
          RETURNING 1),
       queued AS (${work.sql})
       SELECT * FROM ins`,
      [
        rows.map((r) => r.customerId),
        rows.map((r) => r.ageBand),
        rows.map((r) => r.type),
        rows.map((r) => r.occurredAt),
        rows.map((r) => r.channel),
        rows.map((r) => r.branchId),
        rows.map((r) => r.itemId),
        rows.map((r) => r.eventId),
        rows.map((r) => r.staffMember),
        rows.map((r) => r.sourceKey),
        rows.map((r) => JSON.stringify(r.details)),
        rows.map((r) => r.correctsId),
        ...work.params,
      ],
    );
    const out = new Map<string, { activity: Activity; inserted: boolean }>();
    for (const r of inserted)
      out.set(r.source_key, { activity: activityFromRow(r), inserted: true });
    const missing = rows.map((r) => r.sourceKey).filter((k) => !out.has(k));
    if (missing.length) {
      const existing: ActivityRow[] = await tx.query(
        'SELECT * FROM activity WHERE source_key = ANY($1::text[])',
        [missing],
      );
      for (const r of existing)
        out.set(r.source_key, { activity: activityFromRow(r), inserted: false });
    }
    return out;
  }

  /** Validates one input against the rules and the references loaded for the whole batch. */
  private resolve(
    input: RecordActivityInput,
    index: number,
    refs: Record<'customer' | 'item' | 'event' | 'branch' | 'corrects', RefTable>,
    problems: FieldProblem[],
  ): Resolved | null {
    const fields = activityFieldsSchema.safeParse({
      type: input.type,
      occurredAt: input.occurredAt,
      channel: input.channel ?? undefined,
      staffMember: input.staffMember,
      sourceKey: input.sourceKey ?? undefined,
      details: input.details ?? undefined,
    });
    if (!fields.success) problems.push(...problemsFromZod(fields.error));

    const pick = (
      table: RefTable,
      id: string | undefined,
      ext: string | undefined,
      field: string,
      required: boolean,
    ) => {
      if (id != null && ext != null) {
        problems.push({
          field,
          rule: 'one_of',
          message: `give ${field}Id or ${field}ExternalId, not both`,
        });
        return null;
      }
      if (id != null) {
        if (!/^[1-9][0-9]{0,17}$/.test(id)) {
          problems.push({
            field: `${field}Id`,
            rule: 'id',
            message: 'must be an id issued by this API',
          });
          return null;
        }
        const hit = table.byId.get(id);
        if (!hit)
          problems.push({
            field: `${field}Id`,
            rule: 'not_found',
            message: `${field} ${id} was not found`,
          });
        return hit ?? null;
      }
      if (ext != null) {
        const hit = table.byExternal.get(ext);
        if (!hit) {
          problems.push({
            field: `${field}ExternalId`,
            rule: 'not_found',
            message: `${field} ${ext} was not found`,
          });
        }
        return hit ?? null;
      }
      if (required)
        problems.push({ field: `${field}Id`, rule: 'required', message: `a ${field} is required` });
      return null;
    };

    const customer = pick(
      refs.customer,
      input.customerId,
      input.customerExternalId,
      'customer',
      true,
    );
    if (customer && customer.extra.status === 'ERASED') {
      problems.push({
        field: 'customerId',
        rule: 'erased',
        message: 'belongs to an erased customer',
      });
    }
    const item = pick(refs.item, input.itemId, input.itemExternalId, 'item', false);
    const event = pick(refs.event, input.eventId, input.eventExternalId, 'event', false);
    const branch = pick(refs.branch, input.branchId, input.branchExternalId, 'branch', false);
    let correctsId: string | null = null;
    if (input.correctsId != null) {
      const target = pick(refs.corrects, input.correctsId, undefined, 'corrects', false);
      if (target) {
        correctsId = target.id;
        if (customer && target.extra.customer_id !== customer.id) {
          problems.push({
            field: 'correctsId',
            rule: 'same_customer',
            message: "must be one of this customer's entries",
          });
        }
        if (target.extra.type === ActivityType.CORRECTION) {
          problems.push({
            field: 'correctsId',
            rule: 'not_correction',
            message: 'cannot cancel a correction',
          });
        }
        if (target.extra.corrected) {
          problems.push({
            field: 'correctsId',
            rule: 'once',
            message: 'has already been corrected',
          });
        }
      }
    }
    if (!fields.success) return null;
    const f = fields.data;
    problems.push(
      ...activityRuleProblems({
        type: f.type,
        hasItem: item != null || input.itemId != null || input.itemExternalId != null,
        hasEvent: event != null || input.eventId != null || input.eventExternalId != null,
        hasCorrects: input.correctsId != null,
        details: f.details,
      }),
    );
    if (problems.length || !customer) return null;
    const sourceKey =
      f.sourceKey ??
      deriveSourceKey([
        customer.id,
        f.type,
        f.occurredAt,
        item?.id,
        event?.id,
        branch?.id,
        correctsId,
      ]);
    return {
      index,
      customerId: customer.id,
      ageBand: ageBandFor(customer.extra.birth_year as number | null, f.occurredAt),
      type: f.type,
      occurredAt: f.occurredAt,
      channel: f.channel,
      branchId: branch?.id ?? null,
      itemId: item?.id ?? null,
      eventId: event?.id ?? null,
      staffMember: f.staffMember ?? null,
      sourceKey,
      details: f.details,
      correctsId,
    };
  }

  /** One query per referenced table for the whole batch. */
  private async loadRefs(inputs: RecordActivityInput[]) {
    const ids = (get: (i: RecordActivityInput) => string | undefined) => [
      ...new Set(
        inputs.map(get).filter((v): v is string => v != null && /^[1-9][0-9]{0,17}$/.test(v)),
      ),
    ];
    const exts = (get: (i: RecordActivityInput) => string | undefined) => [
      ...new Set(inputs.map(get).filter((v): v is string => v != null)),
    ];
    const table = async (sql: string, idList: string[], extList: string[]): Promise<RefTable> => {
      const t: RefTable = { byId: new Map(), byExternal: new Map() };
      if (!idList.length && !extList.length) return t;
      const rows: Array<{ id: string; external_id?: string } & Record<string, unknown>> =
        await this.ds.query(sql, [idList, extList]);
      for (const r of rows) {
        const ref = { id: String(r.id), extra: r };
        t.byId.set(ref.id, ref);
        if (r.external_id) t.byExternal.set(r.external_id, ref);
      }
      return t;
    };
    const byIdOrExt = (from: string, cols = '') =>
      `SELECT id::text, external_id${cols} FROM ${from} WHERE id = ANY($1::bigint[]) OR external_id = ANY($2::text[])`;
    const [customer, item, event, branch, corrects] = await Promise.all([
      table(
        byIdOrExt('customer', ', birth_year, status'),
        ids((i) => i.customerId),
        exts((i) => i.customerExternalId),
      ),
      table(
        byIdOrExt('catalogue_item'),
        ids((i) => i.itemId),
        exts((i) => i.itemExternalId),
      ),
      table(
        byIdOrExt('event'),
        ids((i) => i.eventId),
        exts((i) => i.eventExternalId),
      ),
      table(
        byIdOrExt('branch'),
        ids((i) => i.branchId),
        exts((i) => i.branchExternalId),
      ),
      table(
        `SELECT a.id::text, a.customer_id::text AS customer_id, a.type,
                EXISTS (SELECT 1 FROM activity c WHERE c.corrects_id = a.id) AS corrected
           FROM activity a WHERE a.id = ANY($1::bigint[]) AND $2::text[] IS NOT NULL`,
        ids((i) => i.correctsId),
        [],
      ),
    ]);
    return { customer, item, event, branch, corrects };
  }

  /** Cancels an entry by recording a CORRECTION that names it; the original stays as it was. */
  async correct(
    activityId: string,
    reason: string,
    staffMember: string | null,
  ): Promise<RecordOutcome> {
    assertId(activityId, 'activityId');
    const rows: ActivityRow[] = await this.ds.query('SELECT * FROM activity WHERE id = $1', [
      activityId,
    ]);
    if (!rows.length) throw DomainError.notFound('Activity', activityId);
    if (!reason.trim())
      throw DomainError.badInput('reason', 'required', 'must say why the entry is wrong');
    if (reason.length > 500)
      throw DomainError.badInput('reason', 'max', 'must be at most 500 characters');
    const original = rows[0];
    if (original.customer_id == null) {
      throw DomainError.badInput(
        'activityId',
        'anonymised',
        'is anonymised and can no longer be corrected',
      );
    }
    return this.recordOne({
      customerId: String(original.customer_id),
      type: ActivityType.CORRECTION,
      occurredAt: new Date(),
      correctsId: activityId,
      staffMember: staffMember ?? undefined,
      sourceKey: `correction:${activityId}`,
      details: { reason: reason.trim() },
    });
  }
}
