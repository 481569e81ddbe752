import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,

  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Activity } from '../activity/activity.entity';
import { ActivityType } from '../activity/activity.enums';
import { ActivityConnection } from '../activity/activity.types';
import { Branch } from '../branches/branch.entity';
import { DomainError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { connectionFrom, decodeCursor, PageArgs, pageSize, toPage } from '../graphql/pagination';
import { CustomerInterest } from '../interests/customer-interest.entity';
import { ageBandFor } from './age-band';
import { Customer } from './customer.entity';
import { AgeBand } from './customer.enums';
import {
  ActivitySummary,
  CustomerConnection,
  CustomerFilterInput,
  RegisterCustomerInput,
  UpdateCustomerInput,
} from './customer.types';

const activityKey = (a: Activity) => [a.occurredAt.toISOString(), a.id];

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { description: 'One customer, by id or by externalId (give exactly one).' })
  customer(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('externalId', () => String, { nullable: true }) externalId?: string,
  ): Promise<Customer> {
    if ((id == null) === (externalId == null)) {
      throw DomainError.badInput('id', 'one_of', 'give exactly one of id or externalId');
    }
    return id != null
      ? ctx.services.customers.get(id)
      : ctx.services.customers.getByExternalId(externalId as string);
  }

  @Query(() => CustomerConnection, { description: 'Customers in a stable order, a page at a time.' })
  async customers(
    @Ctx() ctx: GraphQLContext,
    @Args() { first, after }: PageArgs,
    @Arg('filter', () => CustomerFilterInput, { nullable: true }) filter?: CustomerFilterInput,
  ): Promise<CustomerConnection> {
    const page = await ctx.services.customers.list(filter ?? {}, pageSize(first), after);
    for (const c of page.nodes) ctx.loaders.customer.prime(c.id, c);
    return connectionFrom(page, (c) => [c.id]);
  }

  @Mutation(() => Customer, { description: 'Adds a customer of any kind.' })
  registerCustomer(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RegisterCustomerInput) input: RegisterCustomerInput,
  ): Promise<Customer> {
    const { homeBranchId, guardianId, ...fields } = input;
    return ctx.services.customers.register(fields, { homeBranchId, guardianId });
  }

  @Mutation(() => Customer, { description: 'Changes a customer; omitted fields stay as they are.' })
  updateCustomer(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
  ): Promise<Customer> {
    const { homeBranchId, guardianId, ...fields } = input;
    return ctx.services.customers.update(id, fields, { homeBranchId, guardianId });
  }

  @FieldResolver(() => AgeBand, { description: 'Derived from birth year, which is never exposed.' })
  ageBand(@Root() c: Customer): AgeBand {
    return ageBandFor(c.birthYear);
  }

  @FieldResolver(() => Branch, { nullable: true })
  homeBranch(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return c.homeBranchId ? ctx.loaders.branch.load(c.homeBranchId) : null;
  }

  @FieldResolver(() => Customer, { nullable: true })
  guardian(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return c.guardianId ? ctx.loaders.customer.load(c.guardianId) : null;
  }

  @FieldResolver(() => [Customer], { description: 'Children this customer is guardian of.' })
  wards(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.wardsOfCustomer.load(c.id);
  }

  @FieldResolver(() => [CustomerInterest], { description: 'Strongest first.' })
  interests(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.interestsOfCustomer.load(c.id);
  }

  @FieldResolver(() => ActivityConnection, { description: 'Ledger entries, newest first.' })
  async activity(
    @Root() c: Customer,
    @Ctx() ctx: GraphQLContext,
    @Args() { first, after }: PageArgs,
    @Arg('types', () => [ActivityType], { nullable: true }) types?: ActivityType[],
    @Arg('since', () => Date, { nullable: true }) since?: Date,
  ): Promise<ActivityConnection> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after, 2);
    const rows = await ctx.loaders.activity.load({
      customerId: c.id,
      limit: limit + 1,
      types: types?.length ? [...types].sort() : null,
      since: since ?? null,
      before: cursor ? { occurredAt: String(cursor[0]), id: String(cursor[1]) } : null,
    });
    return connectionFrom(toPage(rows, limit, activityKey), activityKey);
  }

  @FieldResolver(() => ActivitySummary)
  async activitySummary(@Root() c: Customer, @Ctx() ctx: GraphQLContext): Promise<ActivitySummary> {
    const byType = await ctx.loaders.activityCounts.load(c.id);
    return {
      total: byType.reduce((n, t) => n + t.count, 0),
      lastActiveAt: c.lastActiveAt,
      byType,
    };
  }
}

