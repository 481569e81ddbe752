import { registerEnumType } from 'type-graphql';

/** Every kind of transaction a customer can have with the library service. */
export enum ActivityType {
  LOAN = 'LOAN',
  RETURN = 'RETURN',
  RENEWAL = 'RENEWAL',
  HOLD_PLACED = 'HOLD_PLACED',
  HOLD_COLLECTED = 'HOLD_COLLECTED',
  EVENT_BOOKED = 'EVENT_BOOKED',
  EVENT_ATTENDED = 'EVENT_ATTENDED',
  PC_SESSION = 'PC_SESSION',
  VISIT = 'VISIT',
  ENQUIRY = 'ENQUIRY',
  CATALOGUE_VIEW = 'CATALOGUE_VIEW',
  SEARCH = 'SEARCH',
  RATING = 'RATING',
  DOWNLOAD = 'DOWNLOAD',
  OUTREACH_VISIT = 'OUTREACH_VISIT',
  RECOMMENDATION_CLICK = 'RECOMMENDATION_CLICK',
  /** Cancels an earlier entry (named by `correctsId`); the ledger is never updated in place. */
  CORRECTION = 'CORRECTION',
}

/** How the customer reached the service for this transaction. */
export enum Channel {
  IN_BRANCH = 'IN_BRANCH',
  ONLINE = 'ONLINE',
  APP = 'APP',
  PHONE = 'PHONE',
  OUTREACH = 'OUTREACH',
}

registerEnumType(ActivityType, {
  name: 'ActivityType',
  description: 'Kind of transaction recorded in the activity ledger.',
});
registerEnumType(Channel, {
  name: 'Channel',
  description: 'How the customer reached the service.',
});
