import type { DataSource, EntityManager } from 'typeorm';
import { DomainError, fromZod, PG_UNIQUE_VIOLATION } from '../common/errors';
import { assertId, stripUndefined } from '../common/ids';
import { labelKey } from '../common/validation';
import { decodeCursor, type Page, toPage } from '../graphql/pagination';
import { InterestKind } from '../interests/interest.enums';
import { ensureInterests } from '../interests/interest.repository';
import { LibraryEvent } from './event.entity';
import { eventPatchSchema, newEventSchema } from './event.validation';

export interface EventFilter {
  /** Only events that have not ended yet (default true). */
  upcoming?: boolean | null;
  from?: Date | null;
  to?: Date | null;
  branchId?: string | null;
  topicId?: string | null;
}

export class EventService {
  constructor(private readonly ds: DataSource) {}

  async get(id: string): Promise<LibraryEvent> {
    const e = await this.ds.getRepository(LibraryEvent).findOneBy({ id: assertId(id, 'id') });
    if (!e) throw DomainError.notFound('Event', id);
    return e;
  }

  /** Events in start-time order, paged by (startsAt, id). */
  async list(
    filter: EventFilter,
    first: number,
    after?: string | null,
  ): Promise<Page<LibraryEvent>> {
    const cursor = decodeCursor(after, 2);
    const qb = this.ds.getRepository(LibraryEvent).createQueryBuilder('e');
    if (filter.upcoming ?? true) qb.andWhere('coalesce(e.ends_at, e.starts_at) >= now()');
    if (filter.from) qb.andWhere('e.starts_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('e.starts_at < :to', { to: filter.to });
    if (filter.branchId)
      qb.andWhere('e.branch_id = :b', { b: assertId(filter.branchId, 'filter.branchId') });
    if (filter.topicId) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM event_topic t WHERE t.event_id = e.id AND t.interest_id = :tid)',
        { tid: assertId(filter.topicId, 'filter.topicId') },
      );
    }
    if (cursor) {
      qb.andWhere('(e.starts_at, e.id) > (:at::timestamptz, :id::bigint)', {
        at: String(cursor[0]),
        id: String(cursor[1]),
      });
    }
    const rows = await qb
      .orderBy('e.starts_at', 'ASC')
      .addOrderBy('e.id', 'ASC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first, (e) => [e.startsAt.toISOString(), e.id]);
  }

  async create(input: unknown, branchId: string | null): Promise<LibraryEvent> {
    const parsed = newEventSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const { topics, ...columns } = parsed.data;
    return this.ds.transaction(async (tx) => {
      await this.checkBranch(tx, branchId);
      const repo = tx.getRepository(LibraryEvent);
      let saved: LibraryEvent;
      try {
        saved = await repo.save(repo.create({ ...columns, branchId }));
      } catch (err) {
        if ((err as { code?: string }).code === PG_UNIQUE_VIOLATION) {
          throw DomainError.conflict(
            `An event with externalId ${columns.externalId} already exists`,
            'input.externalId',
          );
        }
        throw err;
      }
      await this.setTopics(tx, saved.id, topics);
      return repo.findOneByOrFail({ id: saved.id });
    });
  }

  async update(
    id: string,
    input: unknown,
    branchId: string | null | undefined,
  ): Promise<LibraryEvent> {
    const parsed = eventPatchSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const { topics, ...columns } = stripUndefined(parsed.data);
    return this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(LibraryEvent);
      const current = await repo.findOne({
        where: { id: assertId(id, 'id') },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw DomainError.notFound('Event', id);
      const starts = columns.startsAt ?? current.startsAt;
      const ends = columns.endsAt === undefined ? current.endsAt : columns.endsAt;
      if (ends && ends.getTime() < starts.getTime()) {
        throw DomainError.badInput('input.endsAt', 'custom', 'must not be before startsAt');
      }
      if (branchId !== undefined) await this.checkBranch(tx, branchId);
      const changes = branchId === undefined ? columns : { ...columns, branchId };
      if (Object.keys(changes).length) await repo.update({ id }, changes);
      if (topics) await this.setTopics(tx, id, topics);
      return repo.findOneByOrFail({ id });
    });
  }

  private async checkBranch(tx: EntityManager, branchId: string | null) {
    if (!branchId) return;
    const [b] = await tx.query('SELECT 1 FROM branch WHERE id = $1', [
      assertId(branchId, 'input.branchId'),
    ]);
    if (!b) throw DomainError.notFound('Branch', branchId);
  }

  /** Topics are interest labels; a label not yet in the taxonomy becomes an EVENT_TYPE node. */
  private async setTopics(tx: EntityManager, eventId: string, labels: string[]) {
    const existing: { id: string; key: string }[] = labels.length
      ? await tx.query(
          `SELECT DISTINCT ON (key) id::text, key FROM interest WHERE key = ANY($1::text[])
            ORDER BY key, CASE kind WHEN 'EVENT_TYPE' THEN 0 ELSE 1 END, id`,
          [labels.map(labelKey)],
        )
      : [];
    const known = new Set(existing.map((r) => r.key));
    const created = await ensureInterests(
      tx,
      labels
        .filter((l) => !known.has(labelKey(l)))
        .map((label) => ({ kind: InterestKind.EVENT_TYPE, label })),
    );
    const ids = [...existing.map((r) => r.id), ...created.values()];
    await tx.query('DELETE FROM event_topic WHERE event_id = $1', [eventId]);
    await tx.query(
      'INSERT INTO event_topic (event_id, interest_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING',
      [eventId, ids],
    );
  }
}
