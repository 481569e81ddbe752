import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { DomainError, fromZod, PG_UNIQUE_VIOLATION } from '../common/errors';
import { assertId, stripUndefined } from '../common/ids';
import { externalId, postcode, requiredText } from '../common/validation';
import { Branch } from './branch.entity';
import { BranchKind } from './branch.enums';

const fields = { name: requiredText(200), kind: z.enum(BranchKind), postcode: postcode.nullish() };
export const newBranchSchema = z.object({ externalId, ...fields });
export const branchPatchSchema = z.object(fields).partial();

export class BranchService {
  constructor(private readonly ds: DataSource) {}

  /** Every service point; a library service has tens, not thousands, so no paging. */
  list(kinds?: BranchKind[] | null): Promise<Branch[]> {
    const qb = this.ds
      .getRepository(Branch)
      .createQueryBuilder('b')
      .orderBy('b.name')
      .addOrderBy('b.id');
    if (kinds?.length) qb.where('b.kind IN (:...kinds)', { kinds });
    return qb.getMany();
  }

  async create(input: unknown): Promise<Branch> {
    const parsed = newBranchSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const repo = this.ds.getRepository(Branch);
    try {
      return await repo.save(repo.create(parsed.data));
    } catch (err) {
      if ((err as { code?: string }).code === PG_UNIQUE_VIOLATION) {
        throw DomainError.conflict(
          `A branch with externalId ${parsed.data.externalId} already exists`,
          'input.externalId',
        );
      }
      throw err;
    }
  }

  async update(id: string, input: unknown): Promise<Branch> {
    const parsed = branchPatchSchema.safeParse(input);
    if (!parsed.success) throw fromZod(parsed.error, 'input');
    const repo = this.ds.getRepository(Branch);
    const found = await repo.findOneBy({ id: assertId(id, 'id') });
    if (!found) throw DomainError.notFound('Branch', id);
    const patch = stripUndefined(parsed.data);
    if (Object.keys(patch).length) await repo.update({ id }, patch);
    return repo.findOneByOrFail({ id });
  }
}
