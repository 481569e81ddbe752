import {
  Arg,
  Authorized,
  Ctx,
  Field,
  ID,
  InputType,
  Mutation,
  Query,
  Resolver,
} from 'type-graphql';
import { Role } from '../auth/role';
import type { GraphQLContext } from '../graphql/context';
import { Branch } from './branch.entity';
import { BranchKind } from './branch.enums';

@InputType()
export class CreateBranchInput {
  @Field()
  externalId: string;

  @Field()
  name: string;

  @Field(() => BranchKind)
  kind: BranchKind;

  @Field(() => String, { nullable: true })
  postcode?: string | null;
}

@InputType()
export class UpdateBranchInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => BranchKind, { nullable: true })
  kind?: BranchKind;

  @Field(() => String, { nullable: true })
  postcode?: string | null;
}

@Resolver(() => Branch)
export class BranchResolver {
  @Query(() => [Branch], { description: 'Every service point, by name.' })
  branches(
    @Ctx() ctx: GraphQLContext,
    @Arg('kinds', () => [BranchKind], { nullable: true }) kinds?: BranchKind[],
  ) {
    return ctx.services.branches.list(kinds);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Branch)
  createBranch(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateBranchInput) input: CreateBranchInput,
  ) {
    return ctx.services.branches.create(input);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Branch)
  updateBranch(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateBranchInput) input: UpdateBranchInput,
  ) {
    return ctx.services.branches.update(id, input);
  }
}
