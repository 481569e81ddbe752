import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../graphql/pagination';
import { CatalogueItem } from './catalogue-item.entity';
import { Audience, ItemFormat } from './catalogue.enums';

@InputType({ description: 'A new title. Only externalId and title are required.' })
export class CreateItemInput {
  @Field()
  externalId: string;

  @Field()
  title: string;

  @Field(() => [String], { nullable: true })
  authors?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Subject labels; new ones join the taxonomy.',
  })
  subjects?: string[];

  @Field(() => [String], { nullable: true })
  genres?: string[];

  @Field(() => ItemFormat, { nullable: true })
  format?: ItemFormat;

  @Field(() => Audience, { nullable: true })
  audience?: Audience;

  @Field(() => String, { nullable: true })
  language?: string | null;

  @Field(() => Int, { nullable: true })
  publishedYear?: number | null;

  @Field(() => String, { nullable: true })
  isbn?: string | null;

  @Field(() => String, { nullable: true })
  series?: string | null;

  @Field(() => Date, { nullable: true })
  addedAt?: Date;

  @Field(() => GraphQLJSONObject, { nullable: true })
  attributes?: Record<string, unknown>;
}

@InputType({ description: 'Changes to a title; omitted fields stay as they are.' })
export class UpdateItemInput {
  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => [String], { nullable: true })
  authors?: string[];

  @Field(() => [String], { nullable: true })
  subjects?: string[];

  @Field(() => [String], { nullable: true })
  genres?: string[];

  @Field(() => ItemFormat, { nullable: true })
  format?: ItemFormat;

  @Field(() => Audience, { nullable: true })
  audience?: Audience;

  @Field(() => String, { nullable: true })
  language?: string | null;

  @Field(() => Int, { nullable: true })
  publishedYear?: number | null;

  @Field(() => String, { nullable: true })
  isbn?: string | null;

  @Field(() => String, { nullable: true })
  series?: string | null;

  @Field(() => Date, { nullable: true })
  addedAt?: Date;

  @Field(() => GraphQLJSONObject, { nullable: true })
  attributes?: Record<string, unknown>;
}

@InputType()
export class ItemFilterInput {
  @Field(() => String, { nullable: true, description: 'Part of the title or an author name.' })
  search?: string;

  @Field(() => [ItemFormat], { nullable: true })
  formats?: ItemFormat[];

  @Field(() => [Audience], { nullable: true })
  audiences?: Audience[];

  @Field(() => String, { nullable: true })
  language?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Titles linked to this subject, genre or author.',
  })
  interestId?: string;
}

@InputType()
export class HoldingInput {
  @Field(() => Int)
  copies: number;

  @Field(() => Int)
  copiesAvailable: number;
}

@ObjectType()
export class ItemConnection extends Connection(CatalogueItem, 'Item') {}
