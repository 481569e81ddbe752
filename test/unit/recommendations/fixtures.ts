import { ActivityType } from '../../../src/activity/activity.enums';
import { Audience, ItemFormat } from '../../../src/catalogue/catalogue.enums';
import { AgeBand } from '../../../src/customers/customer.enums';
import {
  buildModel,
  type CatalogueItem,
  type CustomerProfile,
  type HistoryEntry,
  type ItemActivity,
  type RecommendationModel,
} from '../../../src/recommendations/engine';

/*
 * A tiny synthetic library, made up for the tests: a few shelves of titles and customers whose
 * borrowing stays mostly on one shelf, so who-borrowed-what-together is easy to predict.
 */

export const DAY = 86_400_000;
export const NOW = Date.UTC(2025, 5, 1);

/** Index ranges of each shelf in `CATALOGUE`. */
export const SHELF = {
  crime: [0, 1, 2, 3, 4, 5],
  scienceFiction: [6, 7, 8, 9, 10, 11],
  children: [12, 13, 14, 15],
  youngAdult: [16, 17, 18, 19],
  polish: [20, 21],
  largePrintCrime: [22, 23],
  audiobookCrime: [24],
} as const;

/** `count` titles sharing a template, each by its own author. */
function shelf(
  count: number,
  template: Omit<CatalogueItem, 'authors'>,
  author: string,
): CatalogueItem[] {
  return Array.from({ length: count }, (_, n) => ({ ...template, authors: [`${author} ${n}`] }));
}

const englishBook = { format: ItemFormat.BOOK, audience: Audience.ADULT, language: 'en' };
const crime = { genres: ['Crime fiction'] };

/** 25 titles; position is the item index. */
export const CATALOGUE: CatalogueItem[] = [
  ...shelf(6, { ...englishBook, ...crime }, 'Crime Writer'),
  ...shelf(6, { ...englishBook, genres: ['Science fiction'] }, 'SF Writer'),
  ...shelf(
    4,
    { ...englishBook, audience: Audience.CHILDREN, subjects: ['Picture books'] },
    'Artist',
  ),
  ...shelf(4, { ...englishBook, audience: Audience.YOUNG_ADULT, genres: ['Fantasy'] }, 'YA Writer'),
  ...shelf(2, { ...englishBook, ...crime, language: 'pl' }, 'Polish Writer'),
  ...shelf(2, { ...englishBook, ...crime, format: ItemFormat.LARGE_PRINT }, 'Large Print Writer'),
  ...shelf(1, { ...englishBook, ...crime, format: ItemFormat.AUDIOBOOK }, 'Audio Writer'),
];

/**
 * Forty readers: 0–19 read crime (each two or three neighbouring crime titles; 0–4 also
 * large print), 20–35 read science fiction, 36–39 read children's and young-adult books. Everyone
 * borrows at branch 0 except readers 30–35, who use branch 1.
 */
export function libraryActivity(): ItemActivity[] {
  const activities: ItemActivity[] = [];
  const loan = (customer: number, item: number, daysAgo: number, branch = 0): void => {
    activities.push({ customer, item, type: ActivityType.LOAN, at: NOW - daysAgo * DAY, branch });
  };
  for (let c = 0; c < 20; c++) {
    const crime = SHELF.crime.slice(0, 5);
    loan(c, crime[c % 5], 40);
    loan(c, crime[(c + 1) % 5], 30);
    if (c % 2 === 0) loan(c, crime[(c + 2) % 5], 20);
  }
  for (let c = 20; c < 36; c++) {
    const branch = c >= 30 ? 1 : 0;
    const sf = SHELF.scienceFiction.slice(0, 5);
    loan(c, sf[c % 5], 40, branch);
    loan(c, sf[(c + 1) % 5], 10, branch);
    if (c >= 30) loan(c, SHELF.scienceFiction[5], 5, branch);
  }
  // A few crime readers also borrow the large-print editions.
  for (const c of [0, 1, 2]) loan(c, SHELF.largePrintCrime[0], 50);
  for (const c of [3, 4]) loan(c, SHELF.largePrintCrime[1], 50);
  for (let c = 36; c < 40; c++) {
    loan(c, SHELF.children[c % 4], 15);
    loan(c, SHELF.youngAdult[c % 4], 15);
  }
  return activities;
}

export const CUSTOMER_COUNT = 40;

/** The model built from `libraryActivity`, computed in `shardCount` neighbour shards. */
export function libraryModel(shardCount = 1): RecommendationModel {
  return buildModel(libraryActivity(), CATALOGUE, {
    customerCount: CUSTOMER_COUNT,
    now: NOW,
    shardCount,
    neighbours: { k: 10 },
  });
}

/** A loan in a profile's history, `daysAgo` days before NOW. */
export function loan(item: number, daysAgo = 1): HistoryEntry {
  return { item, type: ActivityType.LOAN, at: NOW - daysAgo * DAY };
}

/** An adult customer in FULL mode with the given history, plus any overrides. */
export function adult(
  history: HistoryEntry[] = [],
  extra: Partial<CustomerProfile> = {},
): CustomerProfile {
  return { ageBand: AgeBand.ADULT_25_44, mode: 'FULL', history, ...extra };
}
