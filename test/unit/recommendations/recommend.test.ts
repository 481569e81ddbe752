import { ActivityType } from '../../../src/activity/activity.enums';
import { Audience, ItemFormat } from '../../../src/catalogue/catalogue.enums';
import { AccessibilityNeed, AgeBand } from '../../../src/customers/customer.enums';
import { InterestKind } from '../../../src/interests/interest.enums';
import {
  buildModel,
  recommendForCustomer,
  renderReason,
  type CatalogueItem,
  type CustomerProfile,
  type ItemRecommendation,
} from '../../../src/recommendations/engine';
import {
  CATALOGUE,
  CUSTOMER_COUNT,
  DAY,
  NOW,
  SHELF,
  adult,
  libraryActivity,
  libraryModel,
  loan,
} from './fixtures';

const model = libraryModel();
const context = { now: NOW };
const itemsOf = (list: ItemRecommendation[]): number[] => list.map((r) => r.itemIndex);
const crimeReader = adult([loan(0, 3)]);

describe('recommendForCustomer', () => {
  it('suggests titles borrowed together with the customer’s history, saying which', () => {
    const list = recommendForCustomer(model, crimeReader, context);
    expect(itemsOf(list).slice(0, 2).sort()).toEqual([1, 4]);
    const reason = list[0].reasons[0];
    expect(reason).toMatchObject({
      kind: 'BORROWED_SIMILAR',
      itemIndex: 0,
      activity: ActivityType.LOAN,
    });
    expect(renderReason(reason, { itemTitle: (i) => (i === 0 ? 'The Hobbit' : undefined) })).toBe(
      'Because you borrowed The Hobbit',
    );
  });

  it('suggests nothing the customer has already borrowed', () => {
    const profile = adult([loan(0), loan(1), loan(4, 2)]);
    const list = recommendForCustomer(model, profile, context, { limit: 20 });
    expect(itemsOf(list)).not.toEqual(expect.arrayContaining([0]));
    for (const seen of [0, 1, 4]) expect(itemsOf(list)).not.toContain(seen);
  });

  it('never suggests a dismissed title', () => {
    const first = recommendForCustomer(model, crimeReader, context)[0].itemIndex;
    const profile = { ...crimeReader, dismissed: [first] };
    const list = recommendForCustomer(model, profile, context, { limit: 20 });
    expect(itemsOf(list)).not.toContain(first);
  });

  it('never suggests adult stock to a child', () => {
    for (const ageBand of [AgeBand.CHILD_0_4, AgeBand.CHILD_5_11]) {
      const child: CustomerProfile = { ageBand, mode: 'FULL', history: [loan(12)] };
      const list = recommendForCustomer(model, child, context, { limit: 25 });
      expect(list.length).toBeGreaterThan(0);
      for (const item of itemsOf(list)) expect(CATALOGUE[item].audience).not.toBe(Audience.ADULT);
    }
  });

  it('gives teenagers no adult stock, even after borrowing adult titles', () => {
    const teen: CustomerProfile = {
      ageBand: AgeBand.TEEN_12_17,
      mode: 'FULL',
      history: [loan(0), loan(6)],
    };
    const list = recommendForCustomer(model, teen, context, { limit: 25 });
    expect(list.length).toBeGreaterThan(0);
    for (const item of itemsOf(list)) expect(CATALOGUE[item].audience).not.toBe(Audience.ADULT);
  });

  it('serves a new customer from declared interests', () => {
    const interests = [{ kind: InterestKind.SUBJECT, label: 'science  FICTION' }];
    const newcomer = adult([], { interests });
    const list = recommendForCustomer(model, newcomer, context, { limit: 5 });
    for (const item of itemsOf(list)) expect(SHELF.scienceFiction).toContain(item);
    const reason = list[0].reasons.find((r) => r.kind === 'INTEREST');
    expect(reason).toMatchObject({
      kind: 'INTEREST',
      declared: true,
      interestLabel: 'science  FICTION',
    });
  });

  it('suggests titles on the topic of an event the customer attended', () => {
    const events = [
      {
        topics: [{ kind: InterestKind.SUBJECT, label: 'Science fiction' }],
        audiences: [],
        startsAt: NOW - 10 * DAY,
      },
    ];
    const profile = adult([], {
      eventHistory: [{ event: 0, type: ActivityType.EVENT_ATTENDED, at: NOW - 10 * DAY }],
    });
    const list = recommendForCustomer(model, profile, { now: NOW, events }, { limit: 3 });
    for (const item of itemsOf(list)) expect(SHELF.scienceFiction).toContain(item);
    expect(list[0].reasons[0]).toMatchObject({ kind: 'ATTENDED_EVENT', eventIndex: 0 });
  });

  it('falls back to popular titles for a customer with nothing to go on', () => {
    const list = recommendForCustomer(model, adult(), context, { limit: 3 });
    expect(list).toHaveLength(3);
    for (const rec of list) {
      expect(['POPULAR', 'POPULAR_AT_BRANCH', 'TRENDING']).toContain(rec.reasons[0].kind);
    }
  });

  it('uses no history in INTERESTS_ONLY mode but still hides borrowed titles', () => {
    const profile = adult([loan(0), loan(1)], {
      mode: 'INTERESTS_ONLY',
      interests: [{ kind: InterestKind.GENRE, label: 'Science fiction' }],
    });
    const list = recommendForCustomer(model, profile, context, { limit: 5 });
    for (const item of itemsOf(list)) expect(SHELF.scienceFiction).toContain(item);
    for (const rec of list) {
      expect(rec.reasons.some((r) => r.kind === 'BORROWED_SIMILAR')).toBe(false);
    }
    const all = recommendForCustomer(model, profile, context, { limit: 25 });
    expect(itemsOf(all)).not.toContain(0);
    expect(itemsOf(all)).not.toContain(1);
  });

  it('gives the same generic popular list in OFF mode whatever the interests', () => {
    const off = (interests: CustomerProfile['interests']): number[] => {
      const profile = adult([], { mode: 'OFF', interests, homeBranch: 1 });
      return itemsOf(recommendForCustomer(model, profile, context));
    };
    expect(off([{ kind: InterestKind.GENRE, label: 'Crime fiction' }])).toEqual(
      off([{ kind: InterestKind.GENRE, label: 'Science fiction' }]),
    );
    const list = recommendForCustomer(model, adult([loan(6)], { mode: 'OFF' }), context);
    expect(itemsOf(list)).not.toContain(6);
    for (const rec of list) expect(['POPULAR', 'TRENDING']).toContain(rec.reasons[0].kind);
  });

  it('keeps titles in other languages away from a customer who reads only Polish', () => {
    const profile = adult([loan(0)], { languages: ['PL'] });
    const list = recommendForCustomer(model, profile, context, { limit: 25 });
    expect(itemsOf(list).sort((a, b) => a - b)).toEqual([...SHELF.polish]);
  });

  it('prefers large print for a customer who needs large print', () => {
    const interests = [{ kind: InterestKind.GENRE, label: 'Crime fiction' }];
    const needs = [AccessibilityNeed.LARGE_PRINT];
    const listFor = (profile: CustomerProfile): number[] =>
      itemsOf(recommendForCustomer(model, profile, context, { limit: 25 }));
    const plain = listFor(adult([], { interests }));
    const adapted = listFor(adult([], { interests, accessibilityNeeds: needs }));
    expect(CATALOGUE[plain[0]].format).toBe(ItemFormat.BOOK);
    expect(CATALOGUE[adapted[0]].format).toBe(ItemFormat.LARGE_PRINT);
    for (const item of SHELF.largePrintCrime) {
      expect(adapted.indexOf(item)).toBeLessThan(plain.indexOf(item));
    }
  });

  it('boosts a title on the shelf at the home branch and says so', () => {
    const base = recommendForCustomer(model, adult([loan(0)], { homeBranch: 0 }), context);
    const target = base[1].itemIndex;
    const boosted = recommendForCustomer(
      model,
      adult([loan(0)], { homeBranch: 0 }),
      {
        now: NOW,
        availableAtHomeBranch: new Set([target]),
      },
      { availabilityBoost: 3 },
    );
    expect(boosted[0].itemIndex).toBe(target);
    expect(boosted[0].reasons.map((r) => r.kind)).toContain('AVAILABLE_AT_BRANCH');
  });

  it('credits popularity to the home branch when that branch drives it', () => {
    // Readers at branch 1 made science-fiction title 11 popular there and nowhere else.
    const list = recommendForCustomer(model, adult([], { homeBranch: 1 }), context, { limit: 25 });
    const eleven = list.find((r) => r.itemIndex === 11);
    expect(eleven?.reasons[0]).toMatchObject({ kind: 'POPULAR_AT_BRANCH', branchIndex: 1 });
  });

  it('returns the same list every time for the same input', () => {
    const first = recommendForCustomer(model, crimeReader, context);
    recommendForCustomer(model, adult([loan(6)]), context);
    expect(recommendForCustomer(model, crimeReader, context)).toEqual(first);
    expect(recommendForCustomer(libraryModel(3), crimeReader, context)).toEqual(first);
  });

  it('explains every suggestion with at least one reason', () => {
    for (const profile of [crimeReader, adult(), adult([], { mode: 'OFF' })]) {
      for (const rec of recommendForCustomer(model, profile, context, { limit: 25 })) {
        expect(rec.reasons.length).toBeGreaterThan(0);
        expect(renderReason(rec.reasons[0])).toMatch(/\w/);
      }
    }
  });

  it('weights the most recent borrowing most', () => {
    // Crime long ago, science fiction last: science fiction should lead.
    const profile = adult([loan(0, 300), loan(6, 1)]);
    const list = recommendForCustomer(model, profile, context, { limit: 2 });
    for (const item of itemsOf(list)) expect(SHELF.scienceFiction).toContain(item);
  });

  it('pushes down titles similar to one the customer rated one star', () => {
    const liked = adult([loan(0, 2)]);
    const disliked = adult([
      loan(0, 2),
      { item: 6, type: ActivityType.RATING, rating: 1, at: NOW - DAY },
    ]);
    const rank = (profile: CustomerProfile): number =>
      itemsOf(recommendForCustomer(model, profile, context, { limit: 25 })).indexOf(7);
    expect(rank(disliked)).toBeGreaterThan(rank(liked));
  });

  it('marks a recently added title as a new arrival', () => {
    const catalogue: CatalogueItem[] = CATALOGUE.map((item, i) =>
      i === 5 ? { ...item, addedAt: NOW - 2 * DAY } : item,
    );
    const fresh = buildModel(libraryActivity(), catalogue, {
      customerCount: CUSTOMER_COUNT,
      now: NOW,
    });
    const list = recommendForCustomer(fresh, adult(), context, {
      limit: 25,
      coldWeights: { newArrival: 5 },
    });
    expect(list[0].itemIndex).toBe(5);
    expect(list[0].reasons[0].kind).toBe('NEW_ARRIVAL');
  });
});

describe('diversity rules', () => {
  const sameAuthor: CatalogueItem[] = CATALOGUE.map((item, i) =>
    SHELF.crime.includes(i as never) ? { ...item, authors: ['Agatha Christie'] } : item,
  );
  const inSeries: CatalogueItem[] = CATALOGUE.map((item, i) =>
    SHELF.crime.includes(i as never) ? { ...item, series: 'Poirot' } : item,
  );
  const build = (catalogue: CatalogueItem[]) =>
    buildModel(libraryActivity(), catalogue, { customerCount: CUSTOMER_COUNT, now: NOW });

  it('suggests at most two titles by one author', () => {
    const list = recommendForCustomer(build(sameAuthor), crimeReader, context, { limit: 8 });
    expect(itemsOf(list).filter((i) => SHELF.crime.includes(i as never))).toHaveLength(2);
    expect(list).toHaveLength(8);
  });

  it('suggests at most one title from a series', () => {
    const list = recommendForCustomer(build(inSeries), crimeReader, context, { limit: 8 });
    expect(itemsOf(list).filter((i) => SHELF.crime.includes(i as never))).toHaveLength(1);
  });

  it('lets a lower variety weight bring in a different kind of title', () => {
    const profile = adult([loan(0, 2), loan(6, 3)]);
    const listWith = (relevanceWeight: number): number[] =>
      itemsOf(recommendForCustomer(model, profile, context, { limit: 4, relevanceWeight }));
    const relevant = listWith(1);
    const varied = listWith(0.3);
    const shelves = (items: number[]): number =>
      new Set(items.map((i) => (SHELF.crime.includes(i as never) ? 'crime' : 'other'))).size;
    expect(shelves(varied)).toBeGreaterThanOrEqual(shelves(relevant));
    expect(shelves(varied)).toBe(2);
  });
});
