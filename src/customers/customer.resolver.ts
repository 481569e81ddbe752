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
import { Activity } from '../activity/activity.entity';
import { assertCustomerAccess, assertHistoryAccess, requireRole } from '../auth/access';
import { auditReads, CUSTOMER_READERS } from '../auth/guard';
import { Role } from '../auth/role';
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
  @Query(() => Customer, {
    description: 'One customer, by id or by externalId (give exactly one).',
  })
  async customer(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('externalId', () => String, { nullable: true }) externalId?: string,
  ): Promise<Customer> {
    if ((id == null) === (externalId == null)) {
      throw DomainError.badInput('id', 'one_of', 'give exactly one of id or externalId');
    }
    const actor = requireRole(ctx, CUSTOMER_READERS);
    const customer =
      id != null
        ? await ctx.services.customers.get(id)
        : await ctx.services.customers.getByExternalId(externalId as string);
    assertCustomerAccess(actor, customer);
    ctx.loaders.customer.prime(customer.id, customer);
    auditReads(ctx, [customer], 'customer.read');
    return customer;
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Query(() => CustomerConnection, {
    description: 'Customers in a stable order, a page at a time.',
  })
  async customers(
    @Ctx() ctx: GraphQLContext,
    @Args() { first, after }: PageArgs,
    @Arg('filter', () => CustomerFilterInput, { nullable: true }) filter?: CustomerFilterInput,
  ): Promise<CustomerConnection> {
    const page = await ctx.services.customers.list(filter ?? {}, pageSize(first), after);
    for (const c of page.nodes) ctx.loaders.customer.prime(c.id, c);
    auditReads(ctx, page.nodes, 'customer.search', null, { filter: Object.keys(filter ?? {}) });
    return connectionFrom(page, (c) => [c.id]);
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => Customer, { description: 'Adds a customer of any kind.' })
  async registerCustomer(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RegisterCustomerInput) input: RegisterCustomerInput,
  ): Promise<Customer> {
    const { homeBranchId, guardianId, ...fields } = input;
    const customer = await ctx.services.customers.register(fields, { homeBranchId, guardianId });
    auditReads(ctx, [customer], 'customer.create', null, { fields: Object.keys(input) });
    return customer;
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => Customer, { description: 'Changes a customer; omitted fields stay as they are.' })
  async updateCustomer(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput,
  ): Promise<Customer> {
    const { homeBranchId, guardianId, ...fields } = input;
    const customer = await ctx.services.customers.update(id, fields, { homeBranchId, guardianId });
    auditReads(ctx, [customer], 'customer.update', null, { fields: Object.keys(input) });
    return customer;
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
  async guardian(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    if (!c.guardianId) return null;
    const guardian = await ctx.loaders.customer.load(c.guardianId);
    if (guardian) assertCustomerAccess(requireRole(ctx, CUSTOMER_READERS), guardian);
    return guardian;
  }

  @FieldResolver(() => [Customer], { description: 'Children this customer is guardian of.' })
  wards(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.wardsOfCustomer.load(c.id);
  }

  @FieldResolver(() => [CustomerInterest], { description: 'Strongest first.' })
  interests(@Root() c: Customer, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.interestsOfCustomer.load(c.id);
  }

  @FieldResolver(() => ActivityConnection, {
    description:
      'Ledger entries, newest first. Staff must give a reason, which is kept in the audit trail; ' +
      'they see nothing for a customer who chose not to keep a history.',
  })
  async activity(
    @Root() c: Customer,
    @Ctx() ctx: GraphQLContext,
    @Args() { first, after }: PageArgs,
    @Arg('types', () => [ActivityType], { nullable: true }) types?: ActivityType[],
    @Arg('since', () => Date, { nullable: true }) since?: Date,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<ActivityConnection> {
    assertHistoryAccess(requireRole(ctx, CUSTOMER_READERS), c, reason);
    auditReads(ctx, [c], 'activity.read', reason);
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

  @FieldResolver(() => ActivitySummary, {
    description: 'Counts are history too: staff give a reason.',
  })
  async activitySummary(
    @Root() c: Customer,
    @Ctx() ctx: GraphQLContext,
    @Arg('reason', () => String, { nullable: true }) reason?: string,
  ): Promise<ActivitySummary> {
    assertHistoryAccess(requireRole(ctx, CUSTOMER_READERS), c, reason);
    auditReads(ctx, [c], 'activity.summary', reason);
    const byType = await ctx.loaders.activityCounts.load(c.id);
    return {
      total: byType.reduce((n, t) => n + t.count, 0),
      lastActiveAt: c.lastActiveAt,
      byType,
    };
  }
}
