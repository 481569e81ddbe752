import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import { LibraryEvent } from '../events/event.entity';
import { requireRole } from '../auth/access';
import { type Actor, Role, STAFF } from '../auth/role';
import type { GraphQLContext } from '../graphql/context';

/** Who may write to the ledger: staff, and catalogue front-ends recording what visitors do. */
const RECORDERS: readonly Role[] = [...STAFF, Role.SERVICE];

/** Entries recorded by a staff member name them unless the input already does. */
function withStaff(input: RecordActivityInput, actor: Actor): RecordActivityInput {
  return actor.staffName && !input.staffMember ? { ...input, staffMember: actor.staffName } : input;
}
import { Activity } from './activity.entity';
import { RecordActivityInput, RecordActivityResult } from './activity.types';

@Resolver(() => Activity)
export class ActivityResolver {
  @Mutation(() => RecordActivityResult, {
    description:
      'Records one ledger entry. Invalid input is an error; a repeated sourceKey is DUPLICATE.',
  })
  recordActivity(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RecordActivityInput) input: RecordActivityInput,
  ): Promise<RecordActivityResult> {
    const actor = requireRole(ctx, RECORDERS);
    return ctx.services.activity.recordOne(withStaff(input, actor));
  }

  @Mutation(() => [RecordActivityResult], {
    description: 'Records up to 1,000 entries; one result per input, in order.',
  })
  recordActivities(
    @Ctx() ctx: GraphQLContext,
    @Arg('inputs', () => [RecordActivityInput]) inputs: RecordActivityInput[],
  ): Promise<RecordActivityResult[]> {
    const actor = requireRole(ctx, RECORDERS);
    return ctx.services.activity.recordMany(inputs.map((i) => withStaff(i, actor)));
  }

  @Mutation(() => RecordActivityResult, {
    description: 'Cancels a wrong entry by recording a CORRECTION that names it.',
  })
  async correctActivity(
    @Ctx() ctx: GraphQLContext,
    @Arg('activityId', () => ID) activityId: string,
    @Arg('reason') reason: string,
    @Arg('staffMember', () => String, { nullable: true }) staffMember?: string,
  ): Promise<RecordActivityResult> {
    const actor = requireRole(ctx, STAFF);
    const result = await ctx.services.activity.correct(
      activityId,
      reason,
      staffMember ?? actor.staffName ?? null,
    );
    ctx.audit.push({
      action: 'activity.correct',
      targetType: 'activity',
      targetId: activityId,
      customerId: result.activity?.customerId ?? null,
      reason,
    });
    return result;
  }

  @FieldResolver(() => CatalogueItem, { nullable: true })
  item(@Root() a: Activity, @Ctx() ctx: GraphQLContext) {
    return a.itemId ? ctx.loaders.item.load(a.itemId) : null;
  }

  @FieldResolver(() => LibraryEvent, { nullable: true })
  event(@Root() a: Activity, @Ctx() ctx: GraphQLContext) {
    return a.eventId ? ctx.loaders.event.load(a.eventId) : null;
  }

  @FieldResolver(() => Branch, { nullable: true })
  branch(@Root() a: Activity, @Ctx() ctx: GraphQLContext) {
    return a.branchId ? ctx.loaders.branch.load(a.branchId) : null;
  }
}
