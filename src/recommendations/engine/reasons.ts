import { ActivityType } from '../../activity/activity.enums';
import { Audience } from '../../catalogue/catalogue.enums';
import type { Reason } from './types';

/**
 * Display names the caller looks up for the indices inside reasons. Any lookup may return
 * undefined (a withdrawn title, a renamed branch); the sentence then falls back to a generic form.
 */
export interface ReasonNames {
  itemTitle?: (itemIndex: number) => string | undefined;
  branchName?: (branchIndex: number) => string | undefined;
  eventTitle?: (eventIndex: number) => string | undefined;
}

const AUDIENCE_PHRASES: Readonly<Record<Audience, string>> = {
  [Audience.ADULT]: 'adult readers',
  [Audience.YOUNG_ADULT]: 'young adults',
  [Audience.CHILDREN]: 'children',
};

/** The past-tense verb for how the customer used a title, as a reason sentence words it. */
export function activityVerb(activity: ActivityType): string {
  switch (activity) {
    case ActivityType.HOLD_PLACED:
      return 'reserved';
    case ActivityType.DOWNLOAD:
      return 'downloaded';
    case ActivityType.RATING:
      return 'rated';
    case ActivityType.CATALOGUE_VIEW:
    case ActivityType.RECOMMENDATION_CLICK:
    case ActivityType.ENQUIRY:
      return 'looked at';
    default:
      return 'borrowed';
  }
}

/**
 * One English sentence for a reason, e.g. "Because you borrowed The Hobbit",
 * "Matches your interest in crime fiction", "Popular at Central Library", "Trending now".
 */
export function renderReason(reason: Reason, names: ReasonNames = {}): string {
  switch (reason.kind) {
    case 'BORROWED_SIMILAR': {
      const title = names.itemTitle?.(reason.itemIndex);
      const verb = activityVerb(reason.activity);
      return title ? `Because you ${verb} ${title}` : `Similar to a title you ${verb}`;
    }
    case 'INTEREST':
      return reason.declared
        ? `Matches your interest in ${reason.interestLabel}`
        : `Because you often choose ${reason.interestLabel}`;
    case 'ATTENDED_EVENT': {
      const title = names.eventTitle?.(reason.eventIndex);
      if (title) return `Because you attended ${title}`;
      return reason.interestLabel
        ? `Because you attended an event about ${reason.interestLabel}`
        : 'Because of an event you attended';
    }
    case 'POPULAR':
      return 'Popular with library members';
    case 'POPULAR_AT_BRANCH': {
      const branch = names.branchName?.(reason.branchIndex);
      return branch ? `Popular at ${branch}` : 'Popular at your library';
    }
    case 'POPULAR_WITH_AUDIENCE':
      return `Popular with ${AUDIENCE_PHRASES[reason.audience]}`;
    case 'TRENDING':
      return 'Trending now';
    case 'NEW_ARRIVAL':
      return 'New arrival';
    case 'AVAILABLE_AT_BRANCH': {
      const branch = names.branchName?.(reason.branchIndex);
      return branch ? `On the shelf at ${branch}` : 'On the shelf at your library';
    }
    case 'AT_YOUR_BRANCH': {
      const branch = names.branchName?.(reason.branchIndex);
      return branch ? `On at ${branch}` : 'On at your library';
    }
  }
}

/** All of a suggestion's reasons as sentences, most important first. */
export function renderReasons(reasons: readonly Reason[], names: ReasonNames = {}): string[] {
  return reasons.map((reason) => renderReason(reason, names));
}
