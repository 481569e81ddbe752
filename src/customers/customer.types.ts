import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ActivityType } from '../activity/activity.enums';
import { Connection } from '../graphql/pagination';
import { Customer } from './customer.entity';
import { AccessibilityNeed, CustomerKind, CustomerStatus } from './customer.enums';

@InputType({ description: 'A new customer. Only externalId and kind are required.' })
export class RegisterCustomerInput {
  @Field()
  externalId: string;

  @Field(() => CustomerKind)
  kind: CustomerKind;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  postcode?: string | null;

  @Field(() => Int, { nullable: true, description: 'Stored, but exposed only as an age band.' })
  birthYear?: number | null;

  @Field(() => ID, { nullable: true })
  homeBranchId?: string | null;

  @Field(() => ID, { nullable: true, description: 'For children: the responsible customer.' })
  guardianId?: string | null;

  @Field(() => String, { nullable: true })
  preferredLanguage?: string | null;

  @Field(() => [AccessibilityNeed], { nullable: true })
  accessibilityNeeds?: AccessibilityNeed[];

  @Field(() => GraphQLJSONObject, { nullable: true })
  attributes?: Record<string, unknown>;

  @Field(() => CustomerStatus, { nullable: true })
  status?: CustomerStatus;

  @Field(() => Date, { nullable: true })
  registeredAt?: Date;
}

@InputType({ description: 'Changes to a customer; omitted fields stay as they are.' })
export class UpdateCustomerInput {
  @Field(() => CustomerKind, { nullable: true })
  kind?: CustomerKind;

  @Field(() => String, { nullable: true })
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => String, { nullable: true })
  postcode?: string | null;

  @Field(() => Int, { nullable: true })
  birthYear?: number | null;

  @Field(() => ID, { nullable: true })
  homeBranchId?: string | null;

  @Field(() => ID, { nullable: true })
  guardianId?: string | null;

  @Field(() => String, { nullable: true })
  preferredLanguage?: string | null;

  @Field(() => [AccessibilityNeed], { nullable: true })
  accessibilityNeeds?: AccessibilityNeed[];

  @Field(() => GraphQLJSONObject, { nullable: true })
  attributes?: Record<string, unknown>;

  @Field(() => CustomerStatus, { nullable: true })
  status?: CustomerStatus;
}

@InputType({ description: 'Narrows a customer list; all conditions must hold.' })
export class CustomerFilterInput {
  @Field(() => [CustomerKind], { nullable: true })
  kinds?: CustomerKind[];

  @Field(() => [CustomerStatus], { nullable: true })
  statuses?: CustomerStatus[];

  @Field(() => ID, { nullable: true })
  homeBranchId?: string;

  @Field(() => ID, { nullable: true, description: 'Customers with this interest.' })
  interestId?: string;

  @Field(() => Date, { nullable: true, description: 'Customers active on or after this time.' })
  activeSince?: Date;

  @Field(() => String, {
    nullable: true,
    description: 'Part of a name or email, or an exact externalId.',
  })
  search?: string;
}

@ObjectType()
export class CustomerConnection extends Connection(Customer, 'Customer') {}

@ObjectType()
export class ActivityTypeCount {
  @Field(() => ActivityType)
  type: ActivityType;

  @Field(() => Int)
  count: number;
}

@ObjectType({ description: 'Counts of live ledger entries (corrected ones left out).' })
export class ActivitySummary {
  @Field(() => Int)
  total: number;

  @Field(() => Date, { nullable: true })
  lastActiveAt: Date | null;

  @Field(() => [ActivityTypeCount])
  byType: ActivityTypeCount[];
}
