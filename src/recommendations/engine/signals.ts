import { ActivityType } from '../../activity/activity.enums';

/** How much one ledger entry of each type says about a customer's taste, before decay. */
export type ActivityWeights = Readonly<Record<ActivityType, number>>;

/** Signal of a RATING entry for ratings 1 to 5 (index 0 is one star). */
export type RatingSignals = readonly [number, number, number, number, number];

/** Options shared by everything that turns ledger entries into signal strengths. */
export interface SignalOptions {
  activityWeights?: ActivityWeights;
  ratingSignals?: RatingSignals;
}

/**
 * Default weight per activity type. A loan, download or attended event is a deliberate choice;
 * a catalogue view is a glance. Types that are not about a title (visits, PC sessions,
 * searches) and bookkeeping types (returns, corrections) carry nothing.
 */
export const DEFAULT_ACTIVITY_WEIGHTS: ActivityWeights = {
  [ActivityType.LOAN]: 1,
  // The loan has already been counted; a return only closes it.
  [ActivityType.RETURN]: 0,
  // Keeping a title longer is mild extra enthusiasm, not a second loan.
  [ActivityType.RENEWAL]: 0.3,
  // Asking for a specific title, often before a copy is free, is nearly as strong as a loan.
  [ActivityType.HOLD_PLACED]: 0.8,
  // Collection is usually followed by a LOAN entry, which carries the weight.
  [ActivityType.HOLD_COLLECTED]: 0.2,
  [ActivityType.EVENT_BOOKED]: 0.6,
  [ActivityType.EVENT_ATTENDED]: 1,
  [ActivityType.PC_SESSION]: 0,
  [ActivityType.VISIT]: 0,
  [ActivityType.ENQUIRY]: 0.3,
  [ActivityType.CATALOGUE_VIEW]: 0.15,
  [ActivityType.SEARCH]: 0,
  // Scaled by the rating itself; see DEFAULT_RATING_SIGNALS.
  [ActivityType.RATING]: 1,
  [ActivityType.DOWNLOAD]: 0.9,
  [ActivityType.OUTREACH_VISIT]: 0,
  [ActivityType.RECOMMENDATION_CLICK]: 0.25,
  [ActivityType.CORRECTION]: 0,
};

/**
 * Default signal of a rating, one to five stars. One and two stars are negative: they take half
 * or a quarter off the loan that usually comes with them, and a low rating with no loan (a title
 * only looked at) pushes similar titles down. The values are deliberately mild: on MovieLens,
 * stronger rating signals cost recall, because people go on to use titles like ones they rated
 * low.
 */
export const DEFAULT_RATING_SIGNALS: RatingSignals = [-0.5, -0.25, 0, 0.1, 0.2];

/**
 * The signal of a rating of 1–5 stars; fractional ratings are rounded and out-of-range ones
 * clamped, because the ledger's `details` are free-form JSON.
 */
export function ratingSignal(
  rating: number,
  signals: RatingSignals = DEFAULT_RATING_SIGNALS,
): number {
  if (!Number.isFinite(rating)) return 0;
  const stars = Math.min(5, Math.max(1, Math.round(rating)));
  return signals[stars - 1];
}

/**
 * The undecayed signal of one ledger entry: the weight of its type, and for a RATING entry that
 * weight times the rating's signal. A RATING entry with no rating carries nothing.
 */
export function activityWeight(
  type: ActivityType,
  rating?: number,
  options: SignalOptions = {},
): number {
  const weight = (options.activityWeights ?? DEFAULT_ACTIVITY_WEIGHTS)[type] ?? 0;
  if (type !== ActivityType.RATING) return weight;
  if (rating === undefined) return 0;
  return weight * ratingSignal(rating, options.ratingSignals);
}

const MS_PER_DAY = 86_400_000;

/**
 * Exponential decay by age: 1 for something that happens now, ½ after one half-life.
 * A non-finite or non-positive half-life means no decay; entries dated in the future (clock
 * skew between branches) count as happening now.
 */
export function decayFactor(ageMs: number, halfLifeDays: number): number {
  if (!Number.isFinite(halfLifeDays) || halfLifeDays <= 0 || ageMs <= 0) return 1;
  return Math.pow(0.5, ageMs / (halfLifeDays * MS_PER_DAY));
}

/** `activityWeight` decayed by the entry's age at `now`. */
export function decayedSignal(
  entry: { type: ActivityType; at: number; rating?: number },
  now: number,
  halfLifeDays: number,
  options: SignalOptions = {},
): number {
  const weight = activityWeight(entry.type, entry.rating, options);
  return weight === 0 ? 0 : weight * decayFactor(now - entry.at, halfLifeDays);
}

/** Milliseconds in `days` days. */
export function daysToMs(days: number): number {
  return days * MS_PER_DAY;
}
