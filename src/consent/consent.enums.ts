import { registerEnumType } from 'type-graphql';

/** What a customer agrees to; each is given or withdrawn on its own. */
export enum ConsentPurpose {
  /** Suggestions tailored to them (from declared interests at least). */
  PERSONALISATION = 'PERSONALISATION',
  /** Keeping their reading and activity history linked to them, and using it for suggestions. */
  HISTORY_RETENTION = 'HISTORY_RETENTION',
  /** Messages about their own loans, holds and bookings. */
  SERVICE_MESSAGES = 'SERVICE_MESSAGES',
  /** News and promotions beyond their own transactions. */
  MARKETING = 'MARKETING',
  /** Using their age band and area in planning statistics. */
  DEMOGRAPHICS_FOR_PLANNING = 'DEMOGRAPHICS_FOR_PLANNING',
}

export enum ConsentChannel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  POST = 'POST',
  APP = 'APP',
}

/** Where the customer gave or withdrew it. */
export enum ConsentSource {
  BRANCH = 'BRANCH',
  WEB = 'WEB',
  APP = 'APP',
  IMPORT = 'IMPORT',
  /** The one-click link in a message. */
  UNSUBSCRIBE_LINK = 'UNSUBSCRIBE_LINK',
}

/** How long activity stays linked to the customer. */
export enum HistoryChoice {
  /** Kept until they change their mind. */
  KEEP = 'KEEP',
  /** Detached after the library's retention period. */
  DEFAULT = 'DEFAULT',
  /** Detached as soon as a loan ends. */
  NEVER = 'NEVER',
}

registerEnumType(ConsentPurpose, { name: 'ConsentPurpose' });
registerEnumType(ConsentChannel, { name: 'ConsentChannel' });
registerEnumType(ConsentSource, { name: 'ConsentSource' });
registerEnumType(HistoryChoice, {
  name: 'HistoryChoice',
  description:
    'How long activity stays linked to the customer: KEEP, DEFAULT (retention period), NEVER.',
});
