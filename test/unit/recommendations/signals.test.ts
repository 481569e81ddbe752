import { ActivityType } from '../../../src/activity/activity.enums';
import {
  DEFAULT_ACTIVITY_WEIGHTS,
  activityWeight,
  decayFactor,
  decayedSignal,
  ratingSignal,
} from '../../../src/recommendations/engine';

const DAY = 86_400_000;

describe('activity signals', () => {
  it('weights a loan and an attended event above a catalogue view', () => {
    const view = activityWeight(ActivityType.CATALOGUE_VIEW);
    expect(activityWeight(ActivityType.LOAN)).toBeGreaterThan(view);
    expect(activityWeight(ActivityType.EVENT_ATTENDED)).toBeGreaterThan(view);
    expect(view).toBeGreaterThan(0);
  });

  it('treats a 1-star rating as a negative signal', () => {
    expect(activityWeight(ActivityType.RATING, 1)).toBeLessThan(0);
    expect(activityWeight(ActivityType.RATING, 2)).toBeLessThan(0);
    expect(activityWeight(ActivityType.RATING, 5)).toBeGreaterThan(0);
    expect(ratingSignal(1)).toBeLessThan(ratingSignal(2));
  });

  it('rounds and clamps ratings from free-form details', () => {
    expect(ratingSignal(4.6)).toBe(ratingSignal(5));
    expect(ratingSignal(9)).toBe(ratingSignal(5));
    expect(ratingSignal(-3)).toBe(ratingSignal(1));
    expect(ratingSignal(Number.NaN)).toBe(0);
  });

  it('gives a rating entry without a rating no weight', () => {
    expect(activityWeight(ActivityType.RATING)).toBe(0);
  });

  it('counts nothing for returns, corrections, searches and visits', () => {
    const { RETURN, CORRECTION, SEARCH, VISIT } = ActivityType;
    for (const type of [RETURN, CORRECTION, SEARCH, VISIT]) expect(activityWeight(type)).toBe(0);
  });

  it('accepts a custom weight table', () => {
    const activityWeights = { ...DEFAULT_ACTIVITY_WEIGHTS, [ActivityType.LOAN]: 7 };
    expect(activityWeight(ActivityType.LOAN, undefined, { activityWeights })).toBe(7);
  });

  it('halves a signal after one half-life', () => {
    expect(decayFactor(30 * DAY, 30)).toBeCloseTo(0.5);
    expect(decayFactor(60 * DAY, 30)).toBeCloseTo(0.25);
    const now = 100 * DAY;
    const entry = { type: ActivityType.LOAN, at: now - 30 * DAY };
    expect(decayedSignal(entry, now, 30)).toBeCloseTo(0.5 * activityWeight(ActivityType.LOAN));
  });

  it('does not decay with an infinite half-life or for entries dated in the future', () => {
    expect(decayFactor(1000 * DAY, Infinity)).toBe(1);
    expect(decayFactor(-5 * DAY, 30)).toBe(1);
  });
});
