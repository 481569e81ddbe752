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
import { DomainError } from '../common/errors';
import type { GraphQLContext } from '../graphql/context';
import { connectionFrom, PageArgs, pageSize } from '../graphql/pagination';
import { Interest } from '../interests/interest.entity';
import { InterestKind } from '../interests/interest.enums';
import { CatalogueItem } from './catalogue-item.entity';
import {
  CreateItemInput,
  HoldingInput,
  ItemConnection,
  ItemFilterInput,
  UpdateItemInput,
} from './catalogue.types';
import { Holding } from './holding.entity';

@Resolver(() => CatalogueItem)
export class CatalogueResolver {
  @Query(() => CatalogueItem, {
    description: 'One title, by id or by externalId (give exactly one).',
  })
  item(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true }) id?: string,
    @Arg('externalId', () => String, { nullable: true }) externalId?: string,
  ): Promise<CatalogueItem> {
    if ((id == null) === (externalId == null)) {
      throw DomainError.badInput('id', 'one_of', 'give exactly one of id or externalId');
    }
    return id != null
      ? ctx.services.catalogue.get(id)
      : ctx.services.catalogue.getByExternalId(externalId as string);
  }

  @Query(() => ItemConnection, { description: 'Titles, searchable by title or author.' })
  async items(
    @Ctx() ctx: GraphQLContext,
    @Args() { first, after }: PageArgs,
    @Arg('filter', () => ItemFilterInput, { nullable: true }) filter?: ItemFilterInput,
  ): Promise<ItemConnection> {
    const page = await ctx.services.catalogue.list(filter ?? {}, pageSize(first), after);
    for (const i of page.nodes) ctx.loaders.item.prime(i.id, i);
    return connectionFrom(page, (i) => [i.id]);
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => CatalogueItem)
  createItem(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateItemInput) input: CreateItemInput,
  ) {
    return ctx.services.catalogue.create(input);
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => CatalogueItem)
  updateItem(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateItemInput) input: UpdateItemInput,
  ) {
    return ctx.services.catalogue.update(id, input);
  }

  @Authorized(Role.FRONT_LINE_STAFF, Role.ADMIN)
  @Mutation(() => Holding, {
    description: 'Sets how many copies a branch owns and has on the shelf.',
  })
  setHolding(
    @Ctx() ctx: GraphQLContext,
    @Arg('itemId', () => ID) itemId: string,
    @Arg('branchId', () => ID) branchId: string,
    @Arg('input', () => HoldingInput) input: HoldingInput,
  ) {
    return ctx.services.catalogue.setHolding(itemId, branchId, input);
  }

  @FieldResolver(() => [Holding])
  holdings(@Root() i: CatalogueItem, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.holdingsOfItem.load(i.id);
  }

  @FieldResolver(() => [Interest])
  async subjects(@Root() i: CatalogueItem, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.interestsOfItem.load(i.id)).filter(
      (x) => x.kind === InterestKind.SUBJECT,
    );
  }

  @FieldResolver(() => [Interest])
  async genres(@Root() i: CatalogueItem, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.interestsOfItem.load(i.id)).filter(
      (x) => x.kind === InterestKind.GENRE,
    );
  }
}

@Resolver(() => Holding)
export class HoldingResolver {
  @FieldResolver(() => Branch)
  branch(@Root() h: Holding, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.branch.load(h.branchId);
  }
}
