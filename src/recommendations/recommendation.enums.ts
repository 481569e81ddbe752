import { registerEnumType } from 'type-graphql';

/** How much of a customer's data personalisation may use. */
export enum RecommendationMode {
  /** History and declared interests. */
  FULL = 'FULL',
  /** Declared interests only; history is used just to avoid suggesting what they have had. */
  INTERESTS_ONLY = 'INTERESTS_ONLY',
  /** Generic popular lists only; nothing is computed or cached about the customer. */
  OFF = 'OFF',
}

export enum ModelStatus {
  BUILDING = 'BUILDING',
  READY = 'READY',
  FAILED = 'FAILED',
}

registerEnumType(RecommendationMode, {
  name: 'RecommendationMode',
  description: 'How much of their data a customer lets personalisation use.',
});
