import {
  Arg,
  Args,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../auth/role';
import { Branch } from '../branches/branch.entity';
import type { GraphQLContext } from '../graphql/context';
import { connectionFrom, PageArgs, pageSize } from '../graphql/pagination';
import { Interest } from '../interests/interest.entity';
import { LibraryEvent } from './event.entity';
import {
  CreateEventInput,
  EventConnection,
  EventFilterInput,
  UpdateEventInput,
} from './event.types';

@Resolver(() => LibraryEvent)
export class EventResolver {
  @Query(() => LibraryEvent)
  event(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.services.libraryEvents.get(id);
  }

  @Query(() => EventConnection, {
    description: 'Events in start-time order; upcoming only by default.',
  })
  async events(
    @Ctx() ctx: GraphQLContext,
    @Args() { first, after }: PageArgs,
    @Arg('filter', () => EventFilterInput, { nullable: true }) filter?: EventFilterInput,
  ): Promise<EventConnection> {
    const page = await ctx.services.libraryEvents.list(filter ?? {}, pageSize(first), after);
    return connectionFrom(page, (e) => [e.startsAt.toISOString(), e.id]);
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => LibraryEvent)
  createEvent(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateEventInput) input: CreateEventInput,
  ) {
    const { branchId, ...fields } = input;
    return ctx.services.libraryEvents.create(fields, branchId ?? null);
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => LibraryEvent)
  updateEvent(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateEventInput) input: UpdateEventInput,
  ) {
    const { branchId, ...fields } = input;
    return ctx.services.libraryEvents.update(id, fields, branchId);
  }

  @FieldResolver(() => Branch, { nullable: true })
  branch(@Root() e: LibraryEvent, @Ctx() ctx: GraphQLContext) {
    return e.branchId ? ctx.loaders.branch.load(e.branchId) : null;
  }

  @FieldResolver(() => [Interest])
  topics(@Root() e: LibraryEvent, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.topicsOfEvent.load(e.id);
  }
}
