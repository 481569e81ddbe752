import { Arg, Ctx, Field, Float, ID, InputType, Mutation, Query, Resolver } from 'type-graphql';
import { accessibleCustomer, auditReads } from '../auth/guard';
import type { GraphQLContext } from '../graphql/context';
import { CustomerInterest } from './customer-interest.entity';
import { Interest } from './interest.entity';
import { InterestKind } from './interest.enums';

@InputType({ description: 'An interest by kind and label; a new label joins the taxonomy.' })
export class DeclareInterestInput {
  @Field(() => InterestKind)
  kind: InterestKind;

  @Field()
  label: string;

  @Field(() => Float, { nullable: true, description: 'Strength from 0 to 1 (default 1).' })
  weight?: number;
}

@Resolver(() => Interest)
export class InterestResolver {
  @Query(() => [Interest], { description: 'The interest taxonomy (at most 500 entries a call).' })
  interests(
    @Ctx() ctx: GraphQLContext,
    @Arg('kind', () => InterestKind, { nullable: true }) kind?: InterestKind,
    @Arg('prefix', () => String, { nullable: true, description: 'Labels starting with this.' })
    prefix?: string,
  ) {
    return ctx.services.interests.list(kind, prefix);
  }

  @Mutation(() => CustomerInterest, {
    description: 'Records that a customer is interested in something.',
  })
  async declareInterest(
    @Ctx() ctx: GraphQLContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => DeclareInterestInput) input: DeclareInterestInput,
  ) {
    const { customer } = await accessibleCustomer(ctx, customerId);
    const result = await ctx.services.interests.declare(customer.id, input);
    auditReads(ctx, [customer], 'interest.declare', null, { kind: input.kind });
    return result;
  }

  @Mutation(() => Boolean, {
    description: 'Removes an interest; false when the customer did not have it.',
  })
  async withdrawInterest(
    @Ctx() ctx: GraphQLContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('interestId', () => ID) interestId: string,
  ) {
    const { customer } = await accessibleCustomer(ctx, customerId);
    const removed = await ctx.services.interests.withdraw(customer.id, interestId);
    auditReads(ctx, [customer], 'interest.withdraw', null, { interestId });
    return removed;
  }
}
