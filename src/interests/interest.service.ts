import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { DomainEvents } from '../common/domain-events';
import { DomainError, fromZod } from '../common/errors';
import { assertId } from '../common/ids';
import { label } from '../common/validation';
import { CustomerInterest } from './customer-interest.entity';
import { Interest } from './interest.entity';
import { InterestKind } from './interest.enums';
import { ensureInterests, interestIdOf } from './interest.repository';

export const declareSchema = z.object({
  kind: z.enum(InterestKind),
  label,
  weight: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').default(1),
});

export class InterestService {
  constructor(
    private readonly ds: DataSource,
    private readonly events: DomainEvents,
  ) {}

  /** The taxonomy, optionally of one kind or matching a label prefix. */
  list(kind?: InterestKind | null, prefix?: string | null, limit = 500): Promise<Interest[]> {
    const qb = this.ds
      .getRepository(Interest)
      .createQueryBuilder('i')
      .orderBy('i.kind')
      .addOrderBy('i.label');
    if (kind) qb.andWhere('i.kind = :kind', { kind });
    if (prefix?.trim()) {
      qb.andWhere("i.key LIKE :p ESCAPE '\\'", {
        p: `${prefix
          .trim()
          .toLowerCase()
          .replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    return qb.limit(limit).getMany();
  }

  /**
   * Records that a customer is interested in something, creating the taxonomy node when new.
   * Declaring again updates the weight; a declared interest replaces an inferred one.
   */
  async declare(
    customerId: string,
    input: unknown,
  ): Promise<CustomerInterest & { interest: Interest }> {
    const parsed = declareSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    assertId(customerId, 'customerId');
    const result = await this.ds.transaction(async (tx) => {
      const [c] = await tx.query('SELECT status FROM customer WHERE id = $1', [customerId]);
      if (!c) throw DomainError.notFound('Customer', customerId);
      if (c.status === 'ERASED')
        throw DomainError.badInput('customerId', 'erased', 'belongs to an erased customer');
      const ids = await ensureInterests(tx, [parsed.data]);
      const interestId = interestIdOf(ids, parsed.data);
      await tx.query(
        `INSERT INTO customer_interest (customer_id, interest_id, weight, source, declared_at)
         VALUES ($1, $2, $3, 'DECLARED', now())
         ON CONFLICT (customer_id, interest_id) DO UPDATE
           SET weight = excluded.weight, source = 'DECLARED', declared_at = now()`,
        [customerId, interestId, parsed.data.weight],
      );
      await this.events.emit(tx, 'interestsChanged', { customerIds: [customerId] });
      return tx.getRepository(CustomerInterest).findOneOrFail({
        where: { customerId, interestId },
        relations: { interest: true },
      });
    });
    return result as CustomerInterest & { interest: Interest };
  }

  /** Removes an interest from a customer; true when there was one to remove. */
  async withdraw(customerId: string, interestId: string): Promise<boolean> {
    assertId(customerId, 'customerId');
    assertId(interestId, 'interestId');
    return this.ds.transaction(async (tx) => {
      const [c] = await tx.query('SELECT 1 FROM customer WHERE id = $1', [customerId]);
      if (!c) throw DomainError.notFound('Customer', customerId);
      const res = await tx.getRepository(CustomerInterest).delete({ customerId, interestId });
      const removed = (res.affected ?? 0) > 0;
      if (removed) await this.events.emit(tx, 'interestsChanged', { customerIds: [customerId] });
      return removed;
    });
  }
}
