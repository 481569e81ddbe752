import type { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { DomainEvents } from '../common/domain-events';
import { DomainError, fromZod, PG_UNIQUE_VIOLATION } from '../common/errors';
import { readerFor } from '../db/entity-reader';
import { assertId, likeContains, stripUndefined } from '../common/ids';
import { decodeCursor, type Page, toPage } from '../graphql/pagination';
import { Customer } from './customer.entity';
import { CustomerKind, CustomerStatus } from './customer.enums';
import { customerPatchSchema, newCustomerSchema, type CustomerPatch } from './customer.validation';

export interface CustomerRefs {
  homeBranchId?: string | null;
  guardianId?: string | null;
}

export interface CustomerFilter {
  kinds?: CustomerKind[] | null;
  statuses?: CustomerStatus[] | null;
  homeBranchId?: string | null;
  interestId?: string | null;
  activeSince?: Date | null;
  /** Matches any part of the name or email, case-insensitively. */
  search?: string | null;
}

export class CustomerService {
  constructor(
    private readonly ds: DataSource,
    private readonly events: DomainEvents,
  ) {}

  async get(id: string): Promise<Customer> {
    const found = await readerFor(this.ds, Customer).one(this.ds, 'id', assertId(id, 'id'));
    if (!found) throw DomainError.notFound('Customer', id);
    return found;
  }

  async getByExternalId(externalId: string): Promise<Customer> {
    const found = await readerFor(this.ds, Customer).one(
      this.ds,
      'external_id',
      externalId,
      'text',
    );
    if (!found) throw DomainError.notFound('Customer with externalId', externalId);
    return found;
  }

  /** Keyset page of customers in id order. */
  async list(
    filter: CustomerFilter,
    first: number,
    after?: string | null,
  ): Promise<Page<Customer>> {
    const cursor = decodeCursor(after, 1);
    const qb = this.ds.getRepository(Customer).createQueryBuilder('c');
    if (filter.kinds?.length) qb.andWhere('c.kind IN (:...kinds)', { kinds: filter.kinds });
    if (filter.statuses?.length) qb.andWhere('c.status IN (:...st)', { st: filter.statuses });
    if (filter.homeBranchId) {
      qb.andWhere('c.home_branch_id = :hb', {
        hb: assertId(filter.homeBranchId, 'filter.homeBranchId'),
      });
    }
    if (filter.interestId) {
      qb.andWhere(
        'EXISTS (SELECT 1 FROM customer_interest ci WHERE ci.customer_id = c.id AND ci.interest_id = :iid)',
        { iid: assertId(filter.interestId, 'filter.interestId') },
      );
    }
    if (filter.activeSince)
      qb.andWhere('c.last_active_at >= :since', { since: filter.activeSince });
    const term = filter.search?.trim();
    if (term) {
      if (term.length > 200)
        throw DomainError.badInput('filter.search', 'max', 'must be at most 200 characters');
      qb.andWhere(
        `(lower(coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) LIKE :term
          OR lower(c.email) LIKE :term OR lower(c.external_id) = :exact)`,
        { term: likeContains(term), exact: term.toLowerCase() },
      );
    }
    if (cursor) qb.andWhere('c.id > :after', { after: String(cursor[0]) });
    const rows = await qb
      .orderBy('c.id', 'ASC')
      .limit(first + 1)
      .getMany();
    return toPage(rows, first, (c) => [c.id]);
  }

  async register(input: unknown, refs: CustomerRefs): Promise<Customer> {
    const parsed = newCustomerSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    return this.ds.transaction(async (tx) => {
      await this.checkRefs(tx, refs, null);
      const repo = tx.getRepository(Customer);
      const entity = repo.create({ ...parsed.data, ...cleanRefs(refs) });
      try {
        const saved = await repo.save(entity);
        return repo.findOneByOrFail({ id: saved.id });
      } catch (err) {
        if ((err as { code?: string }).code === PG_UNIQUE_VIOLATION) {
          throw DomainError.conflict(
            `A customer with externalId ${parsed.data.externalId} already exists`,
            'input.externalId',
          );
        }
        throw err;
      }
    });
  }

  async update(id: string, input: unknown, refs: CustomerRefs): Promise<Customer> {
    const parsed = customerPatchSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const patch: CustomerPatch = stripUndefined(parsed.data);
    const updated = await this.ds.transaction(async (tx) => {
      const repo = tx.getRepository(Customer);
      const current = await repo.findOne({
        where: { id: assertId(id, 'id') },
        lock: { mode: 'pessimistic_write' },
      });
      if (!current) throw DomainError.notFound('Customer', id);
      if (current.status === CustomerStatus.ERASED) {
        throw DomainError.badInput(
          'id',
          'erased',
          'belongs to an erased customer and cannot change',
        );
      }
      await this.checkRefs(tx, refs, current.id);
      await repo.update({ id: current.id }, {
        ...patch,
        ...cleanRefs(refs),
      } as QueryDeepPartialEntity<Customer>);
      await this.events.emit(tx, 'customerChanged', { customerIds: [current.id] });
      return repo.findOneByOrFail({ id: current.id });
    });
    return updated;
  }

  /** Referenced branch and guardian must exist; a customer cannot be their own guardian. */
  private async checkRefs(tx: EntityManager, refs: CustomerRefs, selfId: string | null) {
    if (refs.homeBranchId) {
      const ok = await tx.query('SELECT 1 FROM branch WHERE id = $1', [
        assertId(refs.homeBranchId, 'homeBranchId'),
      ]);
      if (!ok.length) throw DomainError.notFound('Branch', refs.homeBranchId);
    }
    if (refs.guardianId) {
      const gid = assertId(refs.guardianId, 'guardianId');
      if (gid === selfId) {
        throw DomainError.badInput('guardianId', 'not_self', 'must be a different customer');
      }
      const ok = await tx.query(`SELECT 1 FROM customer WHERE id = $1 AND status <> 'ERASED'`, [
        gid,
      ]);
      if (!ok.length) throw DomainError.notFound('Customer', refs.guardianId);
    }
  }
}

function cleanRefs(refs: CustomerRefs): CustomerRefs {
  const out: CustomerRefs = {};
  if (refs.homeBranchId !== undefined) out.homeBranchId = refs.homeBranchId;
  if (refs.guardianId !== undefined) out.guardianId = refs.guardianId;
  return out;
}
