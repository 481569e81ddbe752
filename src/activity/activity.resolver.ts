import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { Branch } from '../branches/branch.entity';
import { CatalogueItem } from '../catalogue/catalogue-item.entity';
import { LibraryEvent } from '../events/event.entity';
import type { GraphQLContext } from '../graphql/context';
import { Activity } from './activity.entity';
import { RecordActivityInput, RecordActivityResult } from './activity.types';

@Resolver(() => Activity)
export class ActivityResolver {
  @Mutation(() => RecordActivityResult, {
    description: 'Records one ledger entry. Invalid input is an error; a repeated sourceKey is DUPLICATE.',
  })
  recordActivity(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RecordActivityInput) input: RecordActivityInput,
  ): Promise<RecordActivityResult> {
    return ctx.services.activity.recordOne(input);
  }

  @Mutation(() => [RecordActivityResult], {
    description: 'Records up to 1,000 entries; one result per input, in order.',
  })
  recordActivities(
    @Ctx() ctx: GraphQLContext,
    @Arg('inputs', () => [RecordActivityInput]) inputs: RecordActivityInput[],
  ): Promise<RecordActivityResult[]> {
    return ctx.services.activity.recordMany(inputs);
  }

  @Mutation(() => RecordActivityResult, {
    description: 'Cancels a wrong entry by recording a CORRECTION that names it.',
  })
  correctActivity(
    @Ctx() ctx: GraphQLContext,
    @Arg('activityId', () => ID) activityId: string,
    @Arg('reason') reason: string,
    @Arg('staffMember', () => String, { nullable: true }) staffMember?: string,
  ): Promise<RecordActivityResult> {
    return ctx.services.activity.correct(activityId, reason, staffMember ?? null);
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
