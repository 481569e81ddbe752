import { z } from 'zod';
import type { FieldProblem } from '../common/errors';
import { jsonObject, optionalText, pastInstant } from '../common/validation';
import { ActivityType, Channel } from './activity.enums';

/** Types that are about one catalogue title and must name it. */
export const ITEM_TYPES: ReadonlySet<ActivityType> = new Set([
  ActivityType.LOAN,
  ActivityType.RETURN,
  ActivityType.RENEWAL,
  ActivityType.HOLD_PLACED,
  ActivityType.HOLD_COLLECTED,
  ActivityType.CATALOGUE_VIEW,
  ActivityType.RATING,
  ActivityType.DOWNLOAD,
  ActivityType.RECOMMENDATION_CLICK,
]);

/** Types that are about one event and must name it. */
export const EVENT_TYPES: ReadonlySet<ActivityType> = new Set([
  ActivityType.EVENT_BOOKED,
  ActivityType.EVENT_ATTENDED,
]);

export const activityFieldsSchema = z.object({
  type: z.enum(ActivityType),
  occurredAt: pastInstant,
  channel: z.enum(Channel).default(Channel.IN_BRANCH),
  staffMember: optionalText(100),
  sourceKey: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .optional(),
  details: jsonObject.default({}),
});

export type ActivityFields = z.output<typeof activityFieldsSchema>;

/** What the rules need to know about an entry's references. */
export interface ActivityShape {
  type: ActivityType;
  hasItem: boolean;
  hasEvent: boolean;
  hasCorrects: boolean;
  details: Record<string, unknown>;
}

/**
 * Rules that tie an entry's type to what it must reference: a loan names a title, an event
 * booking names an event, a rating carries a 1-5 value, a correction names the entry it cancels.
 */
export function activityRuleProblems(a: ActivityShape): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (ITEM_TYPES.has(a.type) && !a.hasItem) {
    problems.push({ field: 'item', rule: 'required', message: `is required for ${a.type}` });
  }
  if (EVENT_TYPES.has(a.type) && !a.hasEvent) {
    problems.push({ field: 'event', rule: 'required', message: `is required for ${a.type}` });
  }
  if (a.type === ActivityType.CORRECTION && !a.hasCorrects) {
    problems.push({ field: 'correctsId', rule: 'required', message: 'is required for CORRECTION' });
  }
  if (a.type !== ActivityType.CORRECTION && a.hasCorrects) {
    problems.push({
      field: 'correctsId',
      rule: 'not_allowed',
      message: 'is only allowed on CORRECTION entries',
    });
  }
  if (a.type === ActivityType.RATING) {
    const r = a.details.rating;
    if (typeof r !== 'number' || !Number.isInteger(r) || r < 1 || r > 5) {
      problems.push({
        field: 'details.rating',
        rule: 'range',
        message: 'must be a whole number from 1 to 5 for RATING',
      });
    }
  }
  return problems;
}
