import { registerEnumType } from 'type-graphql';

/** What relationship a person has with the service; borrowing is only one of them. */
export enum CustomerKind {
  BORROWER = 'BORROWER',
  /** Registered, but does not borrow. */
  MEMBER = 'MEMBER',
  VISITOR = 'VISITOR',
  EVENT_ATTENDEE = 'EVENT_ATTENDEE',
  PC_USER = 'PC_USER',
  ONLINE_USER = 'ONLINE_USER',
  GROUP = 'GROUP',
}

export enum CustomerStatus {
  ACTIVE = 'ACTIVE',
  LAPSED = 'LAPSED',
  BLOCKED = 'BLOCKED',
  /** Personal data removed; the row stays as a tombstone so re-imports do not recreate it. */
  ERASED = 'ERASED',
}

/** Age bands derived from birth year; the birth year itself is never exposed. */
export enum AgeBand {
  CHILD_0_4 = 'CHILD_0_4',
  CHILD_5_11 = 'CHILD_5_11',
  TEEN_12_17 = 'TEEN_12_17',
  ADULT_18_24 = 'ADULT_18_24',
  ADULT_25_44 = 'ADULT_25_44',
  ADULT_45_64 = 'ADULT_45_64',
  ADULT_65_PLUS = 'ADULT_65_PLUS',
  UNKNOWN = 'UNKNOWN',
}

export enum AccessibilityNeed {
  LARGE_PRINT = 'LARGE_PRINT',
  AUDIO = 'AUDIO',
  EASY_READ = 'EASY_READ',
  BRAILLE = 'BRAILLE',
  WHEELCHAIR_ACCESS = 'WHEELCHAIR_ACCESS',
  HEARING_LOOP = 'HEARING_LOOP',
  HOME_DELIVERY = 'HOME_DELIVERY',
}

registerEnumType(CustomerKind, {
  name: 'CustomerKind',
  description: 'Relationship with the service.',
});
registerEnumType(CustomerStatus, { name: 'CustomerStatus' });
registerEnumType(AgeBand, { name: 'AgeBand', description: 'Age band derived from birth year.' });
registerEnumType(AccessibilityNeed, { name: 'AccessibilityNeed' });
