import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../graphql/pagination';
import { Activity } from './activity.entity';
import { ActivityType, Channel } from './activity.enums';

@InputType({
  description:
    'One ledger entry. Name the customer, title, event and branch by id or by externalId. ' +
    'Send the same sourceKey again and the entry is not recorded twice.',
})
export class RecordActivityInput {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => String, { nullable: true })
  customerExternalId?: string;

  @Field(() => ActivityType)
  type: ActivityType;

  @Field()
  occurredAt: Date;

  @Field(() => Channel, { nullable: true })
  channel?: Channel;

  @Field(() => ID, { nullable: true })
  branchId?: string;

  @Field(() => String, { nullable: true })
  branchExternalId?: string;

  @Field(() => ID, { nullable: true })
  itemId?: string;

  @Field(() => String, { nullable: true })
  itemExternalId?: string;

  @Field(() => ID, { nullable: true })
  eventId?: string;

  @Field(() => String, { nullable: true })
  eventExternalId?: string;

  @Field(() => String, { nullable: true })
  staffMember?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Idempotency key; derived from the entry itself when omitted.',
  })
  sourceKey?: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  details?: Record<string, unknown>;

  @Field(() => ID, { nullable: true, description: 'For CORRECTION: the entry it cancels.' })
  correctsId?: string;
}

export enum RecordStatus {
  ACCEPTED = 'ACCEPTED',
  DUPLICATE = 'DUPLICATE',
  REJECTED = 'REJECTED',
}
registerEnumType(RecordStatus, {
  name: 'RecordStatus',
  description: 'What happened to one submitted ledger entry.',
});

@ObjectType({ description: 'A broken rule on one input field.' })
export class FieldError {
  @Field({ description: 'Input field, e.g. "occurredAt" or "details.rating".' })
  field: string;

  @Field({ description: 'Machine-readable rule name, e.g. "required", "not_found", "range".' })
  rule: string;

  @Field()
  message: string;
}

@ObjectType({ description: 'The outcome for one submitted entry, in the order submitted.' })
export class RecordActivityResult {
  @Field(() => RecordStatus)
  status: RecordStatus;

  @Field(() => String, { nullable: true })
  sourceKey: string | null;

  @Field(() => Activity, {
    nullable: true,
    description: 'The entry (the existing one for DUPLICATE).',
  })
  activity: Activity | null;

  @Field(() => [FieldError])
  errors: FieldError[];
}

@ObjectType()
export class ActivityConnection extends Connection(Activity, 'Activity') {}
