import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ActivityType } from '../../activity/activity.enums';
import { ConsentChannel, ConsentPurpose } from '../../consent/consent.enums';
import { AgeBand, CustomerKind, CustomerStatus } from '../../customers/customer.enums';

export enum InterestMatch {
  ANY = 'ANY',
  ALL = 'ALL',
}
registerEnumType(InterestMatch, {
  name: 'InterestMatch',
  description: 'ANY: at least one of the interests; ALL: every one of them.',
});

const periodDocs = {
  from: 'Start, included.',
  to: 'End, excluded.',
  lastDays:
    'Instead of from/to: the last N days before the segment is evaluated (1 to 3660), so a ' +
    'saved segment keeps meaning "recently" every time it is used.',
};

@InputType({ description: 'A period: from/to, or lastDays — not both.' })
export class PeriodInput {
  @Field(() => Date, { nullable: true, description: periodDocs.from })
  from?: Date;

  @Field(() => Date, { nullable: true, description: periodDocs.to })
  to?: Date;

  @Field(() => Int, { nullable: true, description: periodDocs.lastDays })
  lastDays?: number;
}

@InputType({ description: 'Customers who declared (or were inferred to have) interests.' })
export class InterestConditionInput {
  @Field(() => [ID], { description: 'Interest ids (subjects, genres, authors, event types...).' })
  interestIds: string[];

  @Field(() => InterestMatch, { nullable: true, description: 'Default ANY.' })
  match?: InterestMatch;
}

@InputType({
  description:
    'Customers with at least `atLeast` (default 1) counted ledger entries matching every ' +
    'given field. Corrections, and entries a correction cancels, never count.',
})
export class ActivityConditionInput {
  @Field(() => [ActivityType], { nullable: true, description: 'Any of these types.' })
  types?: ActivityType[];

  @Field(() => [ID], {
    nullable: true,
    description:
      'Interest ids: entries about a title with one of these subjects/genres/authors, or an ' +
      'event with one of these topics.',
  })
  subjectIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'Where it happened.' })
  branchIds?: string[];

  @Field(() => Date, { nullable: true, description: periodDocs.from })
  from?: Date;

  @Field(() => Date, { nullable: true, description: periodDocs.to })
  to?: Date;

  @Field(() => Int, { nullable: true, description: periodDocs.lastDays })
  lastDays?: number;

  @Field(() => Int, { nullable: true, description: 'At least this many entries (default 1).' })
  atLeast?: number;
}

@InputType({
  description:
    'Customers with no counted entry matching the given fields since a moment — lapsed ' +
    'customers. Set exactly one of since or lastDays.',
})
export class NoActivityConditionInput {
  @Field(() => [ActivityType], { nullable: true })
  types?: ActivityType[];

  @Field(() => [ID], { nullable: true })
  subjectIds?: string[];

  @Field(() => [ID], { nullable: true })
  branchIds?: string[];

  @Field(() => Date, { nullable: true })
  since?: Date;

  @Field(() => Int, { nullable: true, description: 'Nothing in the last N days.' })
  lastDays?: number;
}

@InputType({ description: 'Customers who attended events (EVENT_ATTENDED entries).' })
export class AttendanceConditionInput {
  @Field(() => [ID], { nullable: true, description: 'Any of these events.' })
  eventIds?: string[];

  @Field(() => [ID], { nullable: true, description: 'Events with any of these topics.' })
  topicIds?: string[];

  @Field(() => [ID], { nullable: true })
  branchIds?: string[];

  @Field(() => Date, { nullable: true, description: periodDocs.from })
  from?: Date;

  @Field(() => Date, { nullable: true, description: periodDocs.to })
  to?: Date;

  @Field(() => Int, { nullable: true, description: periodDocs.lastDays })
  lastDays?: number;

  @Field(() => Int, { nullable: true, description: 'At least this many attendances (default 1).' })
  atLeast?: number;
}

@InputType({ description: 'Where customers stand on a consent, from the consent ledger.' })
export class ConsentConditionInput {
  @Field(() => ConsentPurpose)
  purpose: ConsentPurpose;

  @Field(() => ConsentChannel, {
    nullable: true,
    description: 'Required for SERVICE_MESSAGES and MARKETING; left out otherwise.',
  })
  channel?: ConsentChannel | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True (default): currently given; false: not given (never, or withdrawn).',
  })
  granted?: boolean;
}

@InputType({
  description:
    'Who is in a segment. Every condition set on one node must hold (AND); `and` lists ' +
    'nodes that must all hold, `or` nodes of which at least one must, `not` a node that must ' +
    'not. At least one condition per node; at most 6 levels and 60 nodes. Erased customers are ' +
    'never included. Saved segments store exactly this shape as JSON (times as ISO 8601).',
})
export class SegmentFilterInput {
  @Field(() => [SegmentFilterInput], { nullable: true })
  and?: SegmentFilterInput[];

  @Field(() => [SegmentFilterInput], { nullable: true })
  or?: SegmentFilterInput[];

  @Field(() => SegmentFilterInput, { nullable: true })
  not?: SegmentFilterInput;

  @Field(() => [CustomerKind], { nullable: true })
  kinds?: CustomerKind[];

  @Field(() => [ID], { nullable: true, description: 'Home branch ids.' })
  homeBranchIds?: string[];

  @Field(() => [AgeBand], {
    nullable: true,
    description: 'Age bands today (UNKNOWN: no birth year).',
  })
  ageBands?: AgeBand[];

  @Field(() => [String], {
    nullable: true,
    description: 'UK postcode areas ("LS") or districts ("LS6").',
  })
  postcodeAreas?: string[];

  @Field(() => [CustomerStatus], { nullable: true })
  statuses?: CustomerStatus[];

  @Field(() => PeriodInput, { nullable: true, description: 'Registered in this period.' })
  registered?: PeriodInput;

  @Field(() => InterestConditionInput, { nullable: true })
  interests?: InterestConditionInput;

  @Field(() => ActivityConditionInput, { nullable: true })
  activity?: ActivityConditionInput;

  @Field(() => NoActivityConditionInput, { nullable: true })
  noActivity?: NoActivityConditionInput;

  @Field(() => AttendanceConditionInput, { nullable: true })
  attended?: AttendanceConditionInput;

  @Field(() => ConsentConditionInput, { nullable: true })
  consent?: ConsentConditionInput;
}

@InputType({ description: 'A segment to save.' })
export class SegmentInput {
  @Field({ description: 'Unique (ignoring case), 1 to 200 characters.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Up to 2000 characters.' })
  description?: string | null;

  @Field(() => SegmentFilterInput)
  filter: SegmentFilterInput;
}

@InputType({ description: 'Changes to a saved segment; omitted fields stay as they are.' })
export class SegmentUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Null clears it.' })
  description?: string | null;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;
}

@ObjectType({
  description:
    'A saved segment: a filter with a name. Its members are worked out afresh each time it is ' +
    'previewed or a campaign using it sends; no member list is stored.',
})
export class Segment {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => GraphQLJSONObject, {
    description: 'The filter, shaped exactly like SegmentFilterInput (times as ISO 8601).',
  })
  filter: Record<string, unknown>;

  @Field({ description: 'Staff member who created it.' })
  createdBy: string;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

@ObjectType({
  description:
    'How many of a segment one channel can reach. Every count is null when fewer than the ' +
    'disclosure threshold (zero included), so small groups cannot be told apart.',
})
export class ChannelReach {
  @Field(() => ConsentChannel)
  channel: ConsentChannel;

  @Field(() => Int, {
    nullable: true,
    description: 'Have an address for it (email for EMAIL, phone for SMS; APP: everyone).',
  })
  withAddress: number | null;

  @Field(() => Int, { nullable: true, description: 'Currently give MARKETING consent for it.' })
  marketingConsent: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Both: a MARKETING campaign on this channel can reach them.',
  })
  reachableForMarketing: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Have an address and have not withdrawn SERVICE_MESSAGES for it: a SERVICE_INFORMATION ' +
      'campaign can reach them.',
  })
  reachableForServiceInformation: number | null;
}

@ObjectType({ description: 'A segment’s size and reach right now, without naming anyone.' })
export class SegmentPreview {
  @Field(() => Int, {
    nullable: true,
    description: 'Customers in the segment; null when fewer than `threshold` (zero included).',
  })
  customers: number | null;

  @Field(() => [ChannelReach], { description: 'EMAIL, SMS and APP, in that order.' })
  channels: ChannelReach[];

  @Field(() => Int, { description: 'Counts below this are withheld.' })
  threshold: number;

  @Field({ description: 'The moment relative periods were measured from.' })
  evaluatedAt: Date;
}
