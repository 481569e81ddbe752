import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Audience } from '../catalogue/catalogue.enums';
import { Connection } from '../graphql/pagination';
import { LibraryEvent } from './event.entity';

@InputType()
export class CreateEventInput {
  @Field()
  externalId: string;

  @Field()
  title: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true })
  branchId?: string | null;

  @Field()
  startsAt: Date;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => Int, { nullable: true })
  capacity?: number | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Topic labels from the interest taxonomy.',
  })
  topics?: string[];

  @Field(() => Audience, { nullable: true })
  audience?: Audience | null;
}

@InputType()
export class UpdateEventInput {
  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true })
  branchId?: string | null;

  @Field(() => Date, { nullable: true })
  startsAt?: Date;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => Int, { nullable: true })
  capacity?: number | null;

  @Field(() => [String], { nullable: true })
  topics?: string[];

  @Field(() => Audience, { nullable: true })
  audience?: Audience | null;
}

@InputType()
export class EventFilterInput {
  @Field(() => Boolean, { nullable: true, description: 'Only events not yet over (default true).' })
  upcoming?: boolean;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;

  @Field(() => ID, { nullable: true })
  branchId?: string;

  @Field(() => ID, { nullable: true })
  topicId?: string;
}

@ObjectType()
export class EventConnection extends Connection(LibraryEvent, 'Event') {}
