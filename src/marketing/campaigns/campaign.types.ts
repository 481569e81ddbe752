import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConsentChannel } from '../../consent/consent.enums';
import { SegmentFilterInput } from '../segments/segment.types';
import { CampaignPurpose, CampaignStatus, SuppressionReason } from './campaign.enums';

const TEMPLATE_HELP =
  'Plain text with fields in double braces: {{firstName}}, {{lastName}}, {{homeBranch}}, ' +
  '{{recommendedTitles}} (three "Title by Author" lines from the customer’s current ' +
  'suggestions; {{recommendedTitles:5}} for five, at most 10) and {{topRecommendation}}. ' +
  '{{firstName|reader}} prints "reader" when there is no first name. http(s) links become ' +
  'tracked links; only these links can be redirected to.';

@InputType({ description: `A message template. ${TEMPLATE_HELP}` })
export class MessageTemplateInput {
  @Field({ description: 'Email subject, one line, up to 200 characters (no recommendedTitles).' })
  subject: string;

  @Field({ description: 'Email body, up to 20,000 characters.' })
  body: string;

  @Field(() => String, {
    nullable: true,
    description: 'Text for SMS and app notifications, up to 480 characters; required for them.',
  })
  shortBody?: string | null;
}

@InputType({ description: 'Changes to a template; omitted texts stay as they are.' })
export class MessageTemplateUpdateInput {
  @Field(() => String, { nullable: true })
  subject?: string | null;

  @Field(() => String, { nullable: true })
  body?: string | null;

  @Field(() => String, { nullable: true, description: 'Null removes it.' })
  shortBody?: string | null;
}

@InputType({
  description:
    'A new campaign (saved as DRAFT). The audience is a saved segment (segmentId) or an inline ' +
    'filter, not both. Every broken rule comes back at once as BAD_USER_INPUT problems.',
})
export class CampaignInput {
  @Field({ description: '1 to 200 characters.' })
  name: string;

  @Field(() => CampaignPurpose)
  purpose: CampaignPurpose;

  @Field(() => [ConsentChannel], {
    description:
      'EMAIL, SMS and/or APP in order of preference: each customer gets one message, on the ' +
      'first channel the purpose allows and they have an address for. POST is not sent.',
  })
  channels: ConsentChannel[];

  @Field(() => ID, { nullable: true, description: 'A saved segment, re-evaluated at send time.' })
  segmentId?: string | null;

  @Field(() => SegmentFilterInput, { nullable: true, description: 'An inline audience.' })
  filter?: SegmentFilterInput | null;

  @Field(() => MessageTemplateInput)
  template: MessageTemplateInput;

  @Field(() => Int, {
    nullable: true,
    description:
      'Percent (0 to 50, default 0) of eligible customers held back, chosen by a hash of the ' +
      'campaign and customer ids, to measure uplift against.',
  })
  controlPercent?: number | null;
}

@InputType({ description: 'Changes to a DRAFT campaign; omitted fields stay as they are.' })
export class CampaignUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => CampaignPurpose, { nullable: true })
  purpose?: CampaignPurpose | null;

  @Field(() => [ConsentChannel], { nullable: true })
  channels?: ConsentChannel[] | null;

  @Field(() => ID, {
    nullable: true,
    description: 'Setting segmentId or filter replaces the audience.',
  })
  segmentId?: string | null;

  @Field(() => SegmentFilterInput, { nullable: true })
  filter?: SegmentFilterInput | null;

  @Field(() => MessageTemplateUpdateInput, { nullable: true })
  template?: MessageTemplateUpdateInput | null;

  @Field(() => Int, { nullable: true })
  controlPercent?: number | null;
}

@ObjectType({ description: 'A campaign’s message template.' })
export class MessageTemplate {
  @Field()
  subject: string;

  @Field()
  body: string;

  @Field(() => String, { nullable: true })
  shortBody: string | null;
}

@ObjectType({
  description:
    'A campaign: who it is for, what it says, on which channels, and why (purpose). ' +
    'DRAFT → SCHEDULED → SENDING → SENT, or CANCELLED.',
})
export class Campaign {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => CampaignPurpose)
  purpose: CampaignPurpose;

  @Field(() => CampaignStatus)
  status: CampaignStatus;

  @Field(() => [ConsentChannel], { description: 'In order of preference.' })
  channels: ConsentChannel[];

  segmentId: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The inline audience filter, when there is no saved segment.',
  })
  filter: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The filter actually used when sending started (saved segments included).',
  })
  sentFilter: Record<string, unknown> | null;

  subject: string;
  body: string;
  shortBody: string | null;

  @Field(() => [String], { description: 'The links in the template, the only redirect targets.' })
  links: string[];

  @Field(() => Int)
  controlPercent: number;

  @Field(() => Date, { nullable: true })
  scheduledAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When sending started.' })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the last message was settled.' })
  finishedAt: Date | null;

  @Field(() => Date, { nullable: true })
  cancelledAt: Date | null;

  @Field({ description: 'Staff member who created it.' })
  createdBy: string;

  @Field()
  createdAt: Date;

  @Field()
  updatedAt: Date;
}

@ObjectType({ description: 'Customers not sent the campaign for one reason.' })
export class SuppressionCount {
  @Field(() => SuppressionReason)
  reason: SuppressionReason;

  @Field(() => Int, { nullable: true, description: 'Null when withheld (1 to threshold − 1).' })
  count: number | null;
}

@ObjectType({
  description:
    'Recipients against the control group: the share of each with any activity in the ledger ' +
    'in the `days` days from when sending started. Counts of 1 to threshold − 1 people, and ' +
    'rates built on them, are null.',
})
export class CampaignUplift {
  @Field(() => Int)
  days: number;

  @Field(() => Date, { nullable: true })
  windowStart: Date | null;

  @Field(() => Date, { nullable: true })
  windowEnd: Date | null;

  @Field({ description: 'The window has ended, so the figures are final.' })
  complete: boolean;

  @Field(() => Int, { nullable: true, description: 'Customers sent the message (SENT).' })
  recipients: number | null;

  @Field(() => Int, { nullable: true })
  recipientsActive: number | null;

  @Field(() => Float, { nullable: true })
  recipientRate: number | null;

  @Field(() => Int, { nullable: true, description: 'Customers held back (CONTROL).' })
  controlMembers: number | null;

  @Field(() => Int, { nullable: true })
  controlActive: number | null;

  @Field(() => Float, { nullable: true })
  controlRate: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'recipientRate − controlRate (0.05 = five percentage points more).',
  })
  uplift: number | null;
}

@ObjectType({
  description:
    'What a campaign did. Counts of 1 to threshold − 1 customers are null, as in the insights ' +
    'reports.',
})
export class CampaignResults {
  @Field(() => Int, { nullable: true, description: 'Everyone in the audience.' })
  targeted: number | null;

  @Field(() => Int, { nullable: true, description: 'Held back on purpose.' })
  controlGroup: number | null;

  @Field(() => Int, { nullable: true, description: 'Not settled yet (waiting or being sent).' })
  inProgress: number | null;

  @Field(() => Int, { nullable: true })
  sent: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Handed over when a worker stopped, answer unknown: delivered at most once.',
  })
  unconfirmed: number | null;

  @Field(() => Int, { nullable: true, description: 'Refused for good, or every retry failed.' })
  failed: number | null;

  @Field(() => Int, { nullable: true })
  suppressed: number | null;

  @Field(() => [SuppressionCount], { description: 'Every reason, in a fixed order.' })
  suppressedByReason: SuppressionCount[];

  @Field(() => Int, { nullable: true, description: 'Emails whose pixel loaded at least once.' })
  opened: number | null;

  @Field(() => Int, { nullable: true, description: 'Messages with at least one link followed.' })
  clicked: number | null;

  @Field(() => CampaignUplift)
  uplift: CampaignUplift;
}

@ObjectType({
  description:
    'A message as a customer would see it, rendered for an invented customer with sample titles.',
})
export class MessagePreview {
  @Field(() => ConsentChannel)
  channel: ConsentChannel;

  @Field(() => String, { nullable: true, description: 'Email only.' })
  subject: string | null;

  @Field({ description: 'The plain text (email) or the SMS / app text.' })
  text: string;

  @Field(() => String, { nullable: true, description: 'Email only.' })
  html: string | null;

  @Field()
  note: string;
}
