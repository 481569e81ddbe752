import { ActivityType } from '../../../src/activity/activity.enums';
import { Audience } from '../../../src/catalogue/catalogue.enums';
import { InterestKind } from '../../../src/interests/interest.enums';
import { renderReason, renderReasons, type Reason } from '../../../src/recommendations/engine';

const names = {
  itemTitle: (i: number): string | undefined => (i === 7 ? 'The Hobbit' : undefined),
  branchName: (i: number): string | undefined => (i === 2 ? 'Central Library' : undefined),
  eventTitle: (i: number): string | undefined => (i === 4 ? 'Coding Club' : undefined),
};

describe('reason sentences', () => {
  const borrowed = (activity: ActivityType): Reason => ({
    kind: 'BORROWED_SIMILAR',
    itemIndex: 7,
    activity,
    share: 1,
  });
  const crime = (declared: boolean): Reason => ({
    kind: 'INTEREST',
    interestKind: InterestKind.GENRE,
    interestLabel: 'crime fiction',
    declared,
    share: 1,
  });

  it.each<[Reason, string]>([
    [borrowed(ActivityType.LOAN), 'Because you borrowed The Hobbit'],
    [borrowed(ActivityType.DOWNLOAD), 'Because you downloaded The Hobbit'],
    [borrowed(ActivityType.CATALOGUE_VIEW), 'Because you looked at The Hobbit'],
    [crime(true), 'Matches your interest in crime fiction'],
    [crime(false), 'Because you often choose crime fiction'],
    [{ kind: 'POPULAR_AT_BRANCH', branchIndex: 2, share: 1 }, 'Popular at Central Library'],
    [
      { kind: 'POPULAR_WITH_AUDIENCE', audience: Audience.YOUNG_ADULT, share: 1 },
      'Popular with young adults',
    ],
    [{ kind: 'POPULAR', share: 1 }, 'Popular with library members'],
    [{ kind: 'TRENDING', share: 1 }, 'Trending now'],
    [{ kind: 'NEW_ARRIVAL', share: 1 }, 'New arrival'],
    [{ kind: 'ATTENDED_EVENT', eventIndex: 4, share: 1 }, 'Because you attended Coding Club'],
    [
      { kind: 'AVAILABLE_AT_BRANCH', branchIndex: 2, share: 0.1 },
      'On the shelf at Central Library',
    ],
    [{ kind: 'AT_YOUR_BRANCH', branchIndex: 2, share: 0.1 }, 'On at Central Library'],
  ])('renders %j', (reason, sentence) => {
    expect(renderReason(reason, names)).toBe(sentence);
  });

  it('falls back to a generic sentence when a name is unknown', () => {
    expect(
      renderReasons([
        { kind: 'BORROWED_SIMILAR', itemIndex: 99, activity: ActivityType.LOAN, share: 1 },
        { kind: 'POPULAR_AT_BRANCH', branchIndex: 99, share: 1 },
        { kind: 'ATTENDED_EVENT', eventIndex: 99, interestLabel: 'robotics', share: 1 },
      ]),
    ).toEqual([
      'Similar to a title you borrowed',
      'Popular at your library',
      'Because you attended an event about robotics',
    ]);
  });
});
