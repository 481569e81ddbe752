import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ActivityType, Channel } from '../activity/activity.enums';
import { AgeBand, CustomerKind } from '../customers/customer.enums';
import { CampaignPurpose } from '../marketing/campaigns/campaign.enums';

/** How report rows are grouped in time; periods start in the filter's time zone. */
export enum InsightPeriod {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  YEAR = 'YEAR',
}

/** What a customer-count row counts. */
export enum CustomerMeasure {
  /** Distinct customers with at least one counted activity entry in the period. */
  ACTIVE_CUSTOMERS = 'ACTIVE_CUSTOMERS',
  /** Customers whose registration falls in the period. */
  NEW_REGISTRATIONS = 'NEW_REGISTRATIONS',
}

/** Every report, by name; used to ask for one as CSV. */
export enum InsightReport {
  ACTIVITY = 'ACTIVITY',
  CUSTOMERS = 'CUSTOMERS',
  REACH = 'REACH',
  LAPSED = 'LAPSED',
  COHORTS = 'COHORTS',
  STOCK = 'STOCK',
  DEMAND = 'DEMAND',
  EVENTS = 'EVENTS',
  PC_USE = 'PC_USE',
  RECOMMENDATIONS = 'RECOMMENDATIONS',
  CAMPAIGN_UPLIFT = 'CAMPAIGN_UPLIFT',
  WON_BACK = 'WON_BACK',
}

registerEnumType(InsightPeriod, { name: 'InsightPeriod', description: 'Reporting period length.' });
registerEnumType(CustomerMeasure, { name: 'CustomerMeasure' });
registerEnumType(InsightReport, { name: 'InsightReport', description: 'A manager report.' });

@InputType({ description: 'Filters shared by every report; each report uses the ones it needs.' })
export class InsightFilter {
  @Field(() => Date, {
    nullable: true,
    description: 'Start, included. Default: a year before `to`.',
  })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'End, excluded. Default: now.' })
  to?: Date;

  @Field(() => InsightPeriod, { nullable: true, description: 'Default MONTH.' })
  period?: InsightPeriod;

  @Field(() => Int, {
    nullable: true,
    description:
      'Lapsed and won-back reports: months without activity that make a customer lapsed ' +
      '(default 12).',
  })
  months?: number;

  @Field(() => Int, {
    nullable: true,
    description:
      'Campaign reports: days after a campaign started in which activity counts (1 to 365, ' +
      'default 14).',
  })
  days?: number;

  @Field(() => Int, { nullable: true, description: 'Ranked lists: rows to return (default 20).' })
  limit?: number;

  @Field(() => String, {
    nullable: true,
    description: 'IANA zone periods and hours are read in (default Europe/London).',
  })
  timeZone?: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Suppress cells under this many people; may raise the configured threshold, not lower it.',
  })
  threshold?: number;
}

@ObjectType({ description: 'Counted activity entries for one type, branch, channel and period.' })
export class ActivityUseRow {
  @Field(() => Date)
  period: Date;

  @Field(() => ActivityType)
  type: ActivityType;

  @Field(() => ID, { nullable: true })
  branchId: string | null;

  @Field(() => Channel)
  channel: Channel;

  @Field(() => Int, {
    nullable: true,
    description:
      'Entries, including anonymised ones; corrections and what they cancel are left out.',
  })
  entries: number | null;

  @Field({ description: 'True when the cell describes too few people to show.' })
  suppressed: boolean;
}

@ObjectType({
  description: 'Active customers or new registrations for one period and customer kind.',
})
export class CustomerUseRow {
  @Field(() => Date)
  period: Date;

  @Field(() => CustomerKind, { nullable: true, description: 'Null: every kind together.' })
  kind: CustomerKind | null;

  @Field(() => CustomerMeasure)
  measure: CustomerMeasure;

  @Field(() => Int, {
    nullable: true,
    description: 'Distinct customers. Anonymised entries have no customer, so they are not in it.',
  })
  customers: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({
  description: 'Active customers in one postcode area and age band against its population.',
})
export class ReachRow {
  @Field(() => Int, { description: '1 is the least served; suppressed rows come first, by area.' })
  rank: number;

  @Field({ description: 'Postcode outward code, e.g. LS1.' })
  area: string;

  @Field(() => AgeBand)
  ageBand: AgeBand;

  @Field(() => Int, {
    nullable: true,
    description: 'Residents, from the imported population table.',
  })
  population: number | null;

  @Field(() => Int, { nullable: true })
  activeCustomers: number | null;

  @Field(() => Float, { nullable: true, description: 'activeCustomers / population.' })
  penetrationRate: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({ description: 'Customers with no counted activity for the given number of months.' })
export class LapsedRow {
  @Field(() => ID, { nullable: true })
  homeBranchId: string | null;

  @Field(() => CustomerKind)
  kind: CustomerKind;

  @Field(() => Int, { nullable: true })
  lapsedCustomers: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({ description: 'Share of a registration-month cohort active some months later.' })
export class CohortRow {
  @Field(() => Date, { description: 'Start of the registration month.' })
  cohort: Date;

  @Field(() => Int, { description: '1 to 12: the month after the registration month.' })
  monthsAfter: number;

  @Field(() => Int, { nullable: true })
  cohortSize: number | null;

  @Field(() => Int, { nullable: true })
  activeCustomers: number | null;

  @Field(() => Float, { nullable: true })
  retentionRate: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({ description: 'Stock and demand for one branch and subject.' })
export class StockRow {
  @Field(() => ID)
  branchId: string;

  @Field(() => ID)
  subjectId: string;

  @Field()
  subject: string;

  @Field(() => Int, { description: 'Copies held now.' })
  copies: number;

  @Field(() => Int, { description: 'Copies on the shelf now.' })
  copiesAvailable: number;

  @Field(() => Int, { nullable: true, description: 'Holds placed in the range.' })
  holds: number | null;

  @Field(() => Int, { nullable: true, description: 'Loans in the range.' })
  loans: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'holds / copiesAvailable, with no copies available counted as one.',
  })
  holdsPerAvailableCopy: number | null;

  @Field(() => Float, { nullable: true, description: 'loans / copies; null with no copies.' })
  loansPerCopy: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({ description: 'Event attendance against capacity for one branch and topic.' })
export class EventAttendanceRow {
  @Field(() => ID, { nullable: true })
  branchId: string | null;

  @Field(() => ID)
  topicId: string;

  @Field()
  topic: string;

  @Field(() => Int, { description: 'Events starting in the range.' })
  events: number;

  @Field(() => Int, { description: 'Places at the events that set a capacity.' })
  capacity: number;

  @Field(() => Int, { nullable: true, description: 'EVENT_ATTENDED entries.' })
  attendance: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Attendance at capped events / capacity; null when no event set a capacity.',
  })
  fillRate: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({ description: 'PC sessions starting in one hour of the week.' })
export class PcUseRow {
  @Field(() => Int, { description: 'ISO day of week: 1 Monday to 7 Sunday.' })
  dayOfWeek: number;

  @Field(() => Int, { description: '0 to 23, local to the filter time zone.' })
  hour: number;

  @Field(() => Int, { nullable: true })
  sessions: number | null;

  @Field()
  suppressed: boolean;
}

/** Which list a suggestion was shown on. */
export enum SuggestionListKind {
  /** The customer's own computed list. */
  PERSONAL = 'PERSONAL',
  /** Popular titles shown while their own list was being computed. */
  POPULAR_FALLBACK = 'POPULAR_FALLBACK',
}

registerEnumType(SuggestionListKind, { name: 'SuggestionListKind' });

@ObjectType({
  description:
    'Suggestions shown to customers in one month (Europe/London), by home branch and list, and ' +
    'how many of them the customer went on to open and to borrow within the attribution window.',
})
export class RecommendationOutcomeRow {
  @Field(() => Date, { description: 'First day of the month the suggestions were first shown.' })
  period: Date;

  @Field(() => ID, { nullable: true, description: 'Home branch; null: every branch together.' })
  branchId: string | null;

  @Field(() => SuggestionListKind)
  list: SuggestionListKind;

  @Field(() => Int, { nullable: true, description: 'Distinct customer-title suggestions shown.' })
  shown: number | null;

  @Field(() => Int, { nullable: true, description: 'Of those, opened by the customer.' })
  clicked: number | null;

  @Field(() => Int, { nullable: true, description: 'Of those, borrowed by the customer.' })
  borrowed: number | null;

  @Field(() => Float, { nullable: true, description: 'clicked / shown.' })
  clickThroughRate: number | null;

  @Field(() => Float, { nullable: true, description: 'borrowed / shown.' })
  borrowThroughRate: number | null;

  @Field({ description: 'True when the whole row describes too few people to show.' })
  suppressed: boolean;
}

@ObjectType({
  description:
    'One campaign that started in the range: recipients against its control group, each ' +
    'measured by the share with any activity in the `days` days from when sending started.',
})
export class CampaignUpliftRow {
  @Field(() => ID)
  campaignId: string;

  @Field()
  campaign: string;

  @Field(() => CampaignPurpose)
  purpose: CampaignPurpose;

  @Field(() => Date)
  startedAt: Date;

  @Field(() => Int)
  days: number;

  @Field(() => Int, { nullable: true })
  recipients: number | null;

  @Field(() => Int, { nullable: true })
  recipientsActive: number | null;

  @Field(() => Float, { nullable: true })
  recipientRate: number | null;

  @Field(() => Int, { nullable: true })
  controlMembers: number | null;

  @Field(() => Int, { nullable: true })
  controlActive: number | null;

  @Field(() => Float, { nullable: true })
  controlRate: number | null;

  @Field(() => Float, { nullable: true, description: 'recipientRate − controlRate.' })
  uplift: number | null;

  @Field()
  suppressed: boolean;
}

@ObjectType({
  description:
    'Customers won back by one campaign: recipients who had been active before but not in the ' +
    '`months` months before it started, and who were active within `days` days of it — against ' +
    'the same among its control group.',
})
export class WonBackRow {
  @Field(() => ID)
  campaignId: string;

  @Field()
  campaign: string;

  @Field(() => Date)
  startedAt: Date;

  @Field(() => Int)
  months: number;

  @Field(() => Int)
  days: number;

  @Field(() => Int, { nullable: true, description: 'Lapsed customers the campaign reached.' })
  lapsedRecipients: number | null;

  @Field(() => Int, { nullable: true, description: 'Of them, active again within `days`.' })
  wonBack: number | null;

  @Field(() => Float, { nullable: true })
  wonBackRate: number | null;

  @Field(() => Int, { nullable: true, description: 'Lapsed customers held back.' })
  lapsedControl: number | null;

  @Field(() => Int, { nullable: true })
  controlReturned: number | null;

  @Field(() => Float, { nullable: true })
  controlRate: number | null;

  @Field(() => Float, { nullable: true, description: 'wonBackRate − controlRate.' })
  uplift: number | null;

  @Field()
  suppressed: boolean;
}
