/**
 * Seeded generator of a realistic demo library: branches, a catalogue, customers with declared
 * interests, events and an activity ledger, shaped as the rows of the CSV import files.
 *
 * Everything here is pure: the same options give the same rows, and nothing reads the clock, the
 * file system or the network. Activity rows are produced lazily, one customer at a time, so a
 * ledger of millions of rows never has to fit in memory.
 */
import { Faker, en, en_GB, pl, ro } from '@faker-js/faker';
import { ActivityType, Channel } from '../activity/activity.enums';
import { BranchKind } from '../branches/branch.enums';
import { Audience, ItemFormat } from '../catalogue/catalogue.enums';
import { AccessibilityNeed, CustomerKind, CustomerStatus } from '../customers/customer.enums';
import { ConsentChannel, ConsentPurpose, ConsentSource } from '../consent/consent.enums';
import { InterestKind } from '../interests/interest.enums';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** Sizes, seed and "now" of a generated library. */
export interface DemoOptions {
  /** Seed for every random choice; the same seed and options give identical rows. */
  seed: number;
  /** Service points; at least 4: a building, a mobile library, online and home delivery. */
  branches: number;
  customers: number;
  /** Titles in the catalogue. */
  items: number;
  events: number;
  /** Rows in the activity ledger; produced lazily, so millions are fine. */
  activities: number;
  /**
   * "Now" for the library: activity ends here, events are split into past and upcoming around it.
   * The default is a fixed date so output is reproducible; pass today's date for a living demo.
   */
  referenceDate: Date;
}

/** Defaults: the size of the `npm run demo` library. */
export const DEFAULT_DEMO_OPTIONS: Readonly<DemoOptions> = Object.freeze({
  seed: 1,
  branches: 12,
  customers: 4_000,
  items: 6_000,
  events: 600,
  activities: 250_000,
  referenceDate: new Date('2026-01-01T00:00:00.000Z'),
});

/** One row of `branches.csv`. */
export interface BranchRow {
  externalId: string;
  name: string;
  kind: BranchKind;
  /** Absent for the online service, which has no address. */
  postcode?: string;
}

/** Copies of a title at one branch; digital titles count licences at the online branch. */
export interface Holding {
  branch: string;
  copies: number;
  available: number;
}

/** One row of `items.csv`. */
export interface ItemRow {
  externalId: string;
  title: string;
  authors: string[];
  subjects: string[];
  genres: string[];
  format: ItemFormat;
  audience: Audience;
  /** ISO 639-1 code, e.g. `en`, `pl`, `cy`. */
  language: string;
  publishedYear?: number;
  /** ISBN-13 (digits only) for books, large print, e-books and audiobooks. */
  isbn?: string;
  series?: string;
  /** ISO 8601 UTC. */
  addedAt: string;
  holdings: Holding[];
}

/** One row of `customers.csv`; anonymous visitors and PC users fill only the id and kind. */
export interface CustomerRow {
  externalId: string;
  kind: CustomerKind;
  firstName?: string;
  /** For a GROUP, the group's name. */
  lastName?: string;
  email?: string;
  phone?: string;
  postcode?: string;
  birthYear?: number;
  homeBranch?: string;
  /** ISO 8601 UTC. */
  registeredAt?: string;
  /** External id of the guardian, always a customer earlier in the list. */
  guardian?: string;
  preferredLanguage?: string;
  accessibilityNeeds: AccessibilityNeed[];
  status?: CustomerStatus;
}

/** Interest kinds as written in `interests.csv` (lower case; SERVICE is not generated). */
export type DemoInterestKind = Exclude<Lowercase<`${InterestKind}`>, 'service'>;

/** One row of `interests.csv`: a declared interest whose value matches item and event labels. */
export interface InterestRow {
  customerExternalId: string;
  kind: DemoInterestKind;
  value: string;
}

/** One row of `consents.csv`: a decision in the consent ledger, as the old system recorded it. */
export interface ConsentRow {
  customerExternalId: string;
  purpose: ConsentPurpose;
  channel?: ConsentChannel;
  granted: boolean;
  /** ISO 8601 UTC. */
  recordedAt: string;
  source: ConsentSource;
  wordingVersion: string;
}

/** One row of `events.csv`. */
export interface EventRow {
  externalId: string;
  title: string;
  description: string;
  branch: string;
  /** ISO 8601 UTC. */
  startsAt: string;
  endsAt: string;
  capacity: number;
  /**
   * Interest labels: the event type first, written with its kind (`event_type:Storytime`) so an
   * importer files it as an event type even if no customer has declared it yet; then bare
   * subjects, genres or an author name, which match the labels on items.
   */
  topics: string[];
  audience: Audience;
}

/** One row of `activity.csv`. */
export interface ActivityRow {
  customerExternalId: string;
  type: ActivityType;
  /** ISO 8601 UTC, never after the reference date nor before the customer registered. */
  occurredAt: string;
  itemExternalId?: string;
  eventExternalId?: string;
  branch?: string;
  channel: Channel;
  /** Unique within one generated ledger: `demo-<n>`. */
  sourceKey: string;
  /** 1–5, on RATING rows only. */
  rating?: number;
  /** On PC_SESSION rows only. */
  sessionMinutes?: number;
  /** On SEARCH rows only. */
  searchTerms?: string;
}

/** A generated library: small tables in memory, the activity ledger as a lazy sequence. */
export interface DemoLibrary {
  options: DemoOptions;
  branches: BranchRow[];
  items: ItemRow[];
  customers: CustomerRow[];
  interests: InterestRow[];
  consents: ConsentRow[];
  events: EventRow[];
  /**
   * A fresh pass over the activity ledger, exactly `options.activities` rows. Each call starts
   * again and yields the same rows. Rows are grouped by customer and in time order within one;
   * only a customer with thousands of rows, lived in slices, may see a return after rows of the
   * next slice.
   */
  activities(): Generator<ActivityRow, void, undefined>;
}

/** Thrown for an option the generator cannot honour; `option` names it. */
export class DemoOptionsError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = 'DemoOptionsError';
  }
}

// ---------------------------------------------------------------------------------------------
// Options and entry point
// ---------------------------------------------------------------------------------------------

const COUNT_OPTIONS = ['branches', 'customers', 'items', 'events', 'activities'] as const;
const MIN_BRANCHES = 4;

/**
 * Fills defaults and checks every option.
 *
 * @throws DemoOptionsError naming the first option that is out of range.
 */
export function resolveDemoOptions(overrides: Partial<DemoOptions> = {}): DemoOptions {
  const given = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<DemoOptions>;
  const merged = { ...DEFAULT_DEMO_OPTIONS, ...given };
  const options: DemoOptions = { ...merged, referenceDate: new Date(merged.referenceDate) };
  if (!Number.isSafeInteger(options.seed)) {
    throw new DemoOptionsError('seed', `seed must be a whole number, got ${options.seed}`);
  }
  for (const name of COUNT_OPTIONS) {
    const value = options[name];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new DemoOptionsError(name, `${name} must be a whole number, 0 or more, got ${value}`);
    }
  }
  if (options.branches < MIN_BRANCHES) {
    throw new DemoOptionsError(
      'branches',
      `branches must be at least ${MIN_BRANCHES} (a building, a mobile library, the online ` +
        `service and home delivery), got ${options.branches}`,
    );
  }
  if (Number.isNaN(options.referenceDate.getTime())) {
    throw new DemoOptionsError('referenceDate', 'referenceDate must be a valid date');
  }
  if (options.activities > 0 && options.customers === 0) {
    throw new DemoOptionsError(
      'activities',
      'activities need customers to belong to; pass customers > 0 or activities 0',
    );
  }
  return options;
}

/**
 * Generates a demo library. Branches, items, customers, interests and events are built at once
 * (they are small); activity rows are produced on demand by `activities()`.
 *
 * @throws DemoOptionsError when an option is out of range.
 */
export function generateDemoLibrary(overrides: Partial<DemoOptions> = {}): DemoLibrary {
  const options = resolveDemoOptions(overrides);
  const time = referenceTime(options.referenceDate);
  const branches = buildBranches(options);
  const catalogue = buildCatalogue(options, time, branches);
  const events = buildEvents(options, time, branches, catalogue);
  const people = buildCustomers(options, time, branches, catalogue, events);
  const model: LibraryModel = { options, time, branches, catalogue, events, people };
  return {
    options,
    branches: branches.all.map((branch) => branch.row),
    items: catalogue.items.map((item) => item.row),
    customers: people.customers.map((customer) => customer.row),
    interests: people.interests,
    consents: buildConsents(options, time, people.customers),
    events: events.all.map((event) => event.row),
    activities: () => streamActivities(model),
  };
}

// ---------------------------------------------------------------------------------------------
// Consents
// ---------------------------------------------------------------------------------------------

/** Wording shown at registration in the demo library's forms. */
const REGISTRATION_WORDING = 'registration-2024';

/**
 * What registered customers agreed to when they joined, and a few changes of mind since: most
 * want messages about their own loans, under half want marketing, most let suggestions use
 * their interests and about half their history too. Children's choices are made by their
 * guardian and never include marketing. Anonymous visitors and card-less PC users were never
 * asked, so they have no rows.
 */
function buildConsents(
  options: DemoOptions,
  time: ReferenceTime,
  customers: readonly CustomerModel[],
): ConsentRow[] {
  const rng = new Random(mixSeed(options.seed, STREAM.consents));
  const rows: ConsentRow[] = [];
  for (const c of customers) {
    const { row } = c;
    if (!row.email && !row.phone && !row.guardian) continue;
    const joined = row.registeredAt ? Date.parse(row.registeredAt) : time.windowStart;
    const source = c.kind === CustomerKind.ONLINE_USER ? ConsentSource.WEB : ConsentSource.BRANCH;
    const add = (purpose: ConsentPurpose, granted: boolean, channel?: ConsentChannel) =>
      rows.push({
        customerExternalId: row.externalId,
        purpose,
        channel,
        granted,
        recordedAt: isoSeconds(joined),
        source,
        wordingVersion: REGISTRATION_WORDING,
      });
    const child = row.guardian !== undefined;
    const personal = rng.chance(child ? 0.8 : 0.9);
    add(ConsentPurpose.PERSONALISATION, personal);
    if (personal) add(ConsentPurpose.HISTORY_RETENTION, rng.chance(child ? 0.4 : 0.6));
    add(ConsentPurpose.DEMOGRAPHICS_FOR_PLANNING, rng.chance(0.7));
    if (child) continue;
    if (row.email) add(ConsentPurpose.SERVICE_MESSAGES, rng.chance(0.95), ConsentChannel.EMAIL);
    if (row.phone) add(ConsentPurpose.SERVICE_MESSAGES, rng.chance(0.7), ConsentChannel.SMS);
    const emailMarketing = row.email !== undefined && rng.chance(0.45);
    if (row.email) add(ConsentPurpose.MARKETING, emailMarketing, ConsentChannel.EMAIL);
    if (row.phone) add(ConsentPurpose.MARKETING, rng.chance(0.15), ConsentChannel.SMS);
    add(ConsentPurpose.MARKETING, rng.chance(0.1), ConsentChannel.APP);
    // Some later think better of the newsletter and withdraw online.
    if (emailMarketing && rng.chance(0.08)) {
      rows.push({
        customerExternalId: row.externalId,
        purpose: ConsentPurpose.MARKETING,
        channel: ConsentChannel.EMAIL,
        granted: false,
        recordedAt: isoSeconds(joined + rng.next() * Math.max(0, time.now - joined)),
        source: ConsentSource.WEB,
        wordingVersion: 'preferences-2025',
      });
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Randomness
// ---------------------------------------------------------------------------------------------

/** A list of choices with relative weights. */
type Weighted<T> = readonly (readonly [T, number])[];

/** The 32-bit finaliser of MurmurHash3: spreads every input bit over the output. */
function fmix32(value: number): number {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derives an independent stream seed from the user's seed and a purpose, so tables don't shift
 * when another table's size changes. */
function mixSeed(...parts: number[]): number {
  let hash = 0x2545f491;
  for (const part of parts) {
    hash = fmix32(hash ^ (part >>> 0));
    hash = fmix32(hash ^ (Math.floor(part / 0x1_0000_0000) >>> 0));
  }
  return hash;
}

// Stream purposes for mixSeed; changing one changes that table's output.
const STREAM = {
  branches: 1,
  items: 2,
  authors: 3,
  events: 4,
  customers: 5,
  activity: 6,
  names: 7,
  consents: 8,
} as const;

/**
 * Seedable PRNG: a Weyl sequence passed through fmix32. Fast, 32 bits of state, and good enough
 * for synthetic data; Math.random cannot be seeded.
 */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return fmix32(this.state) / 0x1_0000_0000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)];
  }

  weighted<T>(choices: Weighted<T>): T {
    let total = 0;
    for (const [, weight] of choices) total += weight;
    let target = this.next() * total;
    for (const [value, weight] of choices) {
      target -= weight;
      if (target < 0) return value;
    }
    return choices[choices.length - 1][0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  shuffle<T>(values: readonly T[]): T[] {
    const copy = [...values];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  }

  /** Up to `count` distinct values, weighted, in the order drawn. */
  distinct<T>(choices: Weighted<T>, count: number): T[] {
    const left = [...choices];
    const chosen: T[] = [];
    while (chosen.length < count && left.length > 0) {
      const value = this.weighted(left);
      chosen.push(value);
      left.splice(
        left.findIndex(([candidate]) => candidate === value),
        1,
      );
    }
    return chosen;
  }
}

/** Samples ids in proportion to their weights in O(log n): cumulative sums plus bisection. */
class WeightedIndex {
  private constructor(
    private readonly ids: Int32Array,
    private readonly cumulative: Float64Array,
  ) {}

  static of(ids: readonly number[], weights: readonly number[]): WeightedIndex {
    const cumulative = new Float64Array(ids.length);
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      total += weights[i];
      cumulative[i] = total;
    }
    return new WeightedIndex(Int32Array.from(ids), cumulative);
  }

  get size(): number {
    return this.ids.length;
  }

  sample(rng: Random): number {
    const target = rng.next() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return this.ids[low];
  }
}

/** Zipf-like weight for a 0-based rank: a few titles and authors take most of the use. */
function powerLaw(rank: number, exponent: number, offset = 1): number {
  return 1 / Math.pow(rank + offset, exponent);
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const YEAR_MS = 365.25 * DAY_MS;
/** How far back the ledger reaches. */
const ACTIVITY_WINDOW_MS = 730 * DAY_MS;
/** How far ahead upcoming events are scheduled. */
const UPCOMING_WINDOW_MS = 90 * DAY_MS;
/** Titles added this recently form the "new arrivals" shelf. */
const NEW_ARRIVAL_MS = 60 * DAY_MS;

interface ReferenceTime {
  /** Reference instant in epoch milliseconds. */
  now: number;
  year: number;
  /** Earliest instant of the activity ledger. */
  windowStart: number;
}

function referenceTime(date: Date): ReferenceTime {
  // Whole seconds, so every generated timestamp prints without milliseconds.
  const now = Math.floor(date.getTime() / 1000) * 1000;
  return { now, year: date.getUTCFullYear(), windowStart: now - ACTIVITY_WINDOW_MS };
}

/** ISO 8601 UTC to the second, e.g. `2025-03-04T10:15:00Z`. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

/** Moves `at` to a random time of day within [fromHour, toHour) on the same UTC day, unless that
 * would leave [earliest, latest]; opening hours matter more to reports than exact instants. */
function timeOfDay(
  rng: Random,
  at: number,
  fromHour: number,
  toHour: number,
  earliest: number,
  latest: number,
): number {
  const day = Math.floor(at / DAY_MS) * DAY_MS;
  const moved = day + Math.floor((fromHour + rng.next() * (toHour - fromHour)) * 3600) * 1000;
  const result = moved >= earliest && moved <= latest ? moved : at;
  return Math.floor(result / 1000) * 1000;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary
// ---------------------------------------------------------------------------------------------

const ADULT_GENRES: Weighted<string> = [
  ['Crime', 10],
  ['Thriller', 8],
  ['Romance', 6],
  ['Historical fiction', 6],
  ['Literary fiction', 6],
  ['Fantasy', 5],
  ['Science fiction', 4],
  ['Family saga', 3],
  ['Horror', 2],
  ['Humour', 2],
  ['Graphic novels', 2],
  ['Short stories', 1],
  ['Poetry', 1],
];
const ADULT_SUBJECTS: Weighted<string> = [
  ['History', 6],
  ['Biography', 6],
  ['Cookery', 5],
  ['Gardening', 4],
  ['Travel', 4],
  ['Health and wellbeing', 4],
  ['Computing', 3],
  ['Nature', 3],
  ['Sport', 3],
  ['Crafts', 3],
  ['Science', 3],
  ['Self-help', 3],
  ['Local history', 2],
  ['Family history', 2],
  ['Business and careers', 2],
  ['Art and design', 2],
  ['Music', 2],
  ['Parenting', 2],
  ['Languages', 2],
  ['Politics', 2],
  ['Psychology', 2],
  ['Religion', 1],
  ['Film', 1],
  ['Games and puzzles', 1],
];
const YA_GENRES: Weighted<string> = [
  ['Fantasy', 6],
  ['Romance', 4],
  ['Coming of age', 4],
  ['Graphic novels', 4],
  ['Dystopian', 3],
  ['Thriller', 3],
  ['Horror', 2],
  ['Science fiction', 2],
];
const YA_SUBJECTS: Weighted<string> = [
  ['Mental health', 2],
  ['Computing', 2],
  ['Sport', 2],
  ['Music', 1],
  ['Science', 1],
  ['Business and careers', 1],
];
const CHILDREN_GENRES: Weighted<string> = [
  ['Picture books', 8],
  ['Early readers', 5],
  ['Adventure', 5],
  ['Animal stories', 4],
  ['Funny stories', 4],
  ['Fairy tales', 3],
  ['Fantasy', 3],
  ['Mystery', 2],
  ['Graphic novels', 2],
];
const CHILDREN_SUBJECTS: Weighted<string> = [
  ['Animals', 4],
  ['Dinosaurs', 3],
  ['Space', 3],
  ['Science', 2],
  ['History', 2],
  ['Nature', 2],
  ['Sport', 2],
  ['Computing', 1],
];
const FILM_GENRES: Weighted<string> = [
  ['Drama', 4],
  ['Comedy', 4],
  ['Action', 3],
  ['Crime', 3],
  ['Documentary', 2],
  ['Romance', 2],
  ['Science fiction', 2],
];
const CHILDREN_FILM_GENRES: Weighted<string> = [
  ['Animation', 4],
  ['Adventure', 2],
  ['Fairy tales', 1],
];
const MUSIC_GENRES: Weighted<string> = [
  ['Rock and pop', 4],
  ['Classical', 3],
  ['Jazz', 2],
  ['Folk', 2],
  ['World music', 1],
  ['Soundtracks', 1],
];

const FORMATS: Weighted<ItemFormat> = [
  [ItemFormat.BOOK, 62],
  [ItemFormat.EBOOK, 12],
  [ItemFormat.AUDIOBOOK, 8],
  [ItemFormat.LARGE_PRINT, 5],
  [ItemFormat.DVD, 5],
  [ItemFormat.MUSIC, 3],
  [ItemFormat.MAGAZINE, 3],
  [ItemFormat.OTHER, 2],
];
const DIGITAL_FORMATS: ReadonlySet<ItemFormat> = new Set([ItemFormat.EBOOK, ItemFormat.AUDIOBOOK]);
const WRITTEN_FORMATS: ReadonlySet<ItemFormat> = new Set([
  ItemFormat.BOOK,
  ItemFormat.EBOOK,
  ItemFormat.AUDIOBOOK,
  ItemFormat.LARGE_PRINT,
]);
const BOOK_AUDIENCES: Weighted<Audience> = [
  [Audience.ADULT, 60],
  [Audience.CHILDREN, 28],
  [Audience.YOUNG_ADULT, 12],
];
/** Share of each audience's authors who write fiction rather than non-fiction. */
const FICTION_SHARE: Record<Audience, number> = {
  [Audience.ADULT]: 0.55,
  [Audience.YOUNG_ADULT]: 0.85,
  [Audience.CHILDREN]: 0.75,
};

/** Item languages by share of the printed stock; the rest of the stock is English. */
const BOOK_LANGUAGES: Weighted<string> = [
  ['en', 900],
  ['pl', 30],
  ['cy', 25],
  ['ur', 18],
  ['ar', 12],
  ['ro', 10],
];
/** Preferred languages of registered customers. */
const CUSTOMER_LANGUAGES: Weighted<string> = [
  ['en', 880],
  ['pl', 35],
  ['cy', 25],
  ['ur', 30],
  ['ar', 15],
  ['ro', 15],
];

const TITLE_ADJECTIVES = [
  'Silent',
  'Hidden',
  'Broken',
  'Golden',
  'Last',
  'Lost',
  'Burning',
  'Quiet',
  'Distant',
  'Forgotten',
  'Winter',
  'Summer',
  'Bright',
  'Dark',
  'Secret',
  'Wild',
  'Crimson',
  'Paper',
  'Glass',
  'Salt',
  'Iron',
  'Hollow',
  'Northern',
  'Midnight',
];
const TITLE_NOUNS = [
  'House',
  'River',
  'Garden',
  'Harbour',
  'Letter',
  'Island',
  'Promise',
  'Shadow',
  'Orchard',
  'Station',
  'Lighthouse',
  'Bridge',
  'Daughter',
  'Stranger',
  'Map',
  'Storm',
  'Field',
  'Tide',
  'Clockmaker',
  'Keeper',
  'Hour',
  'Road',
  'Song',
  'Inheritance',
];
const TITLE_PLACES = [
  'Ravenscar',
  'Millbrook',
  'Kettlewell',
  'Saltmarsh',
  'Blackwater',
  'Thornbury',
  'the Moor',
  'the Valley',
  'Copper Lane',
  'Fenwick',
  'the Old Mill',
  'Gallows Hill',
  'Linden Square',
];
const TITLE_NAMES = ['Ada', 'Nell', 'Tom', 'Elsie', 'Jonah', 'Rosa', 'Kit', 'Amira', 'Cal'];
/** Nouns that give a title its genre's flavour. */
const GENRE_NOUNS: Record<string, readonly string[]> = {
  Crime: ['Murder', 'Alibi', 'Witness', 'Verdict', 'Confession', 'Body'],
  Thriller: ['Target', 'Protocol', 'Cipher', 'Hunt', 'Signal', 'Agent'],
  Mystery: ['Clue', 'Puzzle', 'Riddle', 'Case'],
  Romance: ['Kiss', 'Wedding', 'Summer', 'Heart', 'Love Letter', 'Proposal'],
  Fantasy: ['Crown', 'Dragon', 'Throne', 'Spell', 'Blade', 'Realm'],
  'Science fiction': ['Star', 'Colony', 'Orbit', 'Machine', 'Frontier', 'Signal'],
  Horror: ['Haunting', 'Whisper', 'Bones', 'Curse', 'Cellar'],
  Dystopian: ['Wall', 'Ration', 'Sector', 'Uprising'],
  'Historical fiction': ['Empire', 'Mill Girl', 'Soldier', 'Queen', 'Weaver'],
  'Family saga': ['Sisters', 'Inheritance', 'Mill', 'Homecoming'],
};
const SERIES_NOUNS: Record<string, string> = {
  Crime: 'Mysteries',
  Mystery: 'Mysteries',
  Thriller: 'Files',
  Fantasy: 'Chronicles',
  'Science fiction': 'Sequence',
  Romance: 'Novels',
  'Family saga': 'Saga',
  'Historical fiction': 'Saga',
};
const SUBJECT_TOPICS: Record<string, readonly string[]> = {
  History: ['the Tudors', 'the Industrial Revolution', 'Ancient Rome', 'the Cold War', 'Vikings'],
  'Local history': ['Our Canals', 'the Old Mills', 'Lost Railways', 'Market Streets'],
  'Family history': ['Tracing Your Ancestors', 'Parish Records', 'Census Research'],
  Biography: ['a Life in Letters', 'a Working Life', 'a Life on Stage'],
  Cookery: ['Baking', 'Vegetarian Cooking', 'Curries', 'Soups', 'Bread', 'One-Pot Meals'],
  Gardening: ['Vegetable Growing', 'Houseplants', 'Roses', 'Small Gardens', 'Allotments'],
  Travel: ['Scotland', 'the Lake District', 'Italy', 'Japan', 'Coastal Walks'],
  'Health and wellbeing': ['Sleep', 'Running', 'Yoga', 'Healthy Eating', 'Stress'],
  Computing: ['Python', 'Spreadsheets', 'Web Design', 'Online Safety', 'Smartphones'],
  'Business and careers': ['Starting a Business', 'Job Interviews', 'Bookkeeping', 'Marketing'],
  'Art and design': ['Watercolour', 'Drawing', 'Photography', 'Modern Art'],
  Music: ['Guitar', 'the Piano', 'Music Theory', 'Jazz'],
  Nature: ['Birds', 'Trees', 'Wild Flowers', 'Moths', 'the Seashore'],
  Sport: ['Football', 'Cricket', 'Cycling', 'Climbing'],
  Crafts: ['Knitting', 'Crochet', 'Sewing', 'Woodwork', 'Pottery'],
  Parenting: ['the First Year', 'Toddlers', 'Teenagers'],
  Languages: ['Spanish', 'French', 'Polish', 'Welsh', 'English Grammar'],
  Science: ['the Universe', 'Evolution', 'the Brain', 'Climate', 'Chemistry'],
  Politics: ['Democracy', 'Power', 'Local Government', 'Elections'],
  'Self-help': ['Confidence', 'Habits', 'Decluttering', 'Mindfulness'],
  Psychology: ['the Mind', 'Memory', 'Happiness'],
  Religion: ['World Faiths', 'Pilgrimage', 'Festivals'],
  Film: ['Silent Cinema', 'Film Noir', 'British Cinema'],
  'Games and puzzles': ['Chess', 'Crosswords', 'Sudoku', 'Bridge'],
  'Mental health': ['Anxiety', 'Friendship', 'Exam Stress'],
  Animals: ['Sharks', 'Penguins', 'Big Cats', 'Minibeasts'],
  Dinosaurs: ['Dinosaurs', 'Fossils'],
  Space: ['the Planets', 'Rockets', 'the Moon'],
};
const CHILD_NAMES = ['Milo', 'Priya', 'Otis', 'Zara', 'Finn', 'Nia', 'Alfie', 'Maya', 'Leo'];
const CHILD_ANIMALS = [
  'Fox',
  'Bear',
  'Owl',
  'Hedgehog',
  'Tiger',
  'Penguin',
  'Elephant',
  'Rabbit',
  'Dragon',
  'Mouse',
  'Badger',
  'Octopus',
];
const CHILD_ADJECTIVES = [
  'Little',
  'Hungry',
  'Sleepy',
  'Brave',
  'Grumpy',
  'Tiny',
  'Enormous',
  'Noisy',
  'Curious',
  'Magic',
];
const CHILD_WISHES = ['Fly', 'Dance', 'Sing', 'Swim', 'Sleep', 'Share', 'Be Tall'];
const CHILD_THINGS = ['Hat', 'Sock', 'Kite', 'Teddy', 'Boot', 'Balloon'];
const YA_NOUNS = ['Silence', 'Fire', 'Sky', 'Lies', 'Stars', 'Storm', 'Truth', 'Edge'];
const YA_ADJECTIVES = ['Reckless', 'Electric', 'Invisible', 'Fearless', 'Restless', 'Untamed'];
const DETECTIVE_NAMES = ['Hale', 'Marsh', 'Okafor', 'Quinn', 'Thorne', 'Rowe', 'Kaur', 'Bell'];

/** Short, grammatical title parts per language; the titles are made up, the words are real. */
const POLISH_HEADS = ['Tajemnica', 'Cisza', 'Światło', 'Koniec', 'Zapach', 'Pieśń', 'Dzieci'];
const POLISH_GENITIVES = ['domu', 'rzeki', 'lasu', 'miasta', 'nocy', 'morza', 'ogrodu', 'zimy'];
const WELSH_HEADS = ['Cân', 'Calon', 'Cyfrinach', 'Straeon', 'Plant', 'Dirgelwch'];
const WELSH_NOUNS = ['Môr', 'Mynydd', 'Cwm', 'Castell', 'Pentref', 'Llyn'];
const ROMANIAN_NOUNS = [
  'Casa',
  'Marea',
  'Pădurea',
  'Noaptea',
  'Vântul',
  'Râul',
  'Steaua',
  'Iarna',
  'Vara',
  'Inima',
];
const URDU_NOUNS = ['گھر', 'دریا', 'رات', 'چاند', 'سمندر', 'خواب', 'دل', 'بارش', 'شہر', 'ستارہ'];
const ARABIC_NOUNS = [
  'البيت',
  'البحر',
  'الليل',
  'القمر',
  'النهر',
  'المدينة',
  'الحلم',
  'القلب',
  'المطر',
  'النجوم',
];

/** Romanised names for languages whose faker locales write names in another script. */
const ROMANISED_NAMES: Record<string, { female: string[]; male: string[]; last: string[] }> = {
  ur: {
    female: ['Ayesha', 'Fatima', 'Zainab', 'Maryam', 'Sana', 'Nadia', 'Hina', 'Amina', 'Rubina'],
    male: ['Imran', 'Asif', 'Bilal', 'Tariq', 'Usman', 'Zahid', 'Kashif', 'Faisal', 'Hamza'],
    last: ['Khan', 'Hussain', 'Ahmed', 'Iqbal', 'Akhtar', 'Malik', 'Butt', 'Rashid', 'Mahmood'],
  },
  ar: {
    female: ['Layla', 'Noor', 'Huda', 'Rania', 'Salma', 'Yasmin', 'Mariam'],
    male: ['Omar', 'Khalid', 'Yusuf', 'Karim', 'Samir', 'Tarek', 'Hassan'],
    last: ['Haddad', 'Nasser', 'Saleh', 'Mansour', 'Hamdan', 'Abdullah', 'Darwish'],
  },
};

interface EventTypeSpec {
  name: string;
  audience: Audience;
  weight: number;
  capacity: readonly [number, number];
  minutes: number;
  /** Usual start times, in UTC hours. */
  startHours: readonly number[];
  /** Interest labels that may join the event type in `topics`. */
  subjects: readonly string[];
  /** Whether the event type is also run online. */
  online: boolean;
  description: string;
}

const EVENT_TYPES: readonly EventTypeSpec[] = [
  {
    name: 'Storytime',
    audience: Audience.CHILDREN,
    weight: 8,
    capacity: [15, 30],
    minutes: 30,
    startHours: [10, 10.5, 14],
    subjects: [],
    online: false,
    description: 'Stories, songs and rhymes for under-fives and their grown-ups',
  },
  {
    name: 'Rhyme time',
    audience: Audience.CHILDREN,
    weight: 5,
    capacity: [15, 25],
    minutes: 30,
    startHours: [10, 11],
    subjects: ['Early readers'],
    online: false,
    description: 'Songs and rhymes for babies and toddlers',
  },
  {
    name: 'Baby bounce',
    audience: Audience.CHILDREN,
    weight: 3,
    capacity: [12, 20],
    minutes: 30,
    startHours: [10, 11],
    subjects: [],
    online: false,
    description: 'Bouncing rhymes for babies up to eighteen months',
  },
  {
    name: 'Lego club',
    audience: Audience.CHILDREN,
    weight: 4,
    capacity: [10, 20],
    minutes: 60,
    startHours: [10, 15.5],
    subjects: ['Science'],
    online: false,
    description: 'Build, share and show off; bricks provided',
  },
  {
    name: 'Craft session',
    audience: Audience.CHILDREN,
    weight: 3,
    capacity: [12, 24],
    minutes: 60,
    startHours: [10.5, 14],
    subjects: ['Animals', 'Space', 'Dinosaurs'],
    online: false,
    description: 'Make something to take home; all materials provided',
  },
  {
    name: 'Coding club',
    audience: Audience.YOUNG_ADULT,
    weight: 4,
    capacity: [8, 16],
    minutes: 90,
    startHours: [16, 17],
    subjects: ['Computing'],
    online: false,
    description: 'Learn to code games and websites with volunteer mentors',
  },
  {
    name: 'Homework club',
    audience: Audience.YOUNG_ADULT,
    weight: 3,
    capacity: [10, 20],
    minutes: 90,
    startHours: [15.5, 16],
    subjects: ['Science', 'Mental health'],
    online: false,
    description: 'A quiet space, computers and help with homework',
  },
  {
    name: 'Teen book club',
    audience: Audience.YOUNG_ADULT,
    weight: 2,
    capacity: [8, 15],
    minutes: 60,
    startHours: [16.5],
    subjects: [],
    online: true,
    description: 'Talk about this month\u2019s read, with snacks',
  },
  {
    name: 'Author talk',
    audience: Audience.ADULT,
    weight: 5,
    capacity: [30, 80],
    minutes: 60,
    startHours: [18.5, 19],
    subjects: [],
    online: true,
    description: 'An evening with a writer, followed by questions and a signing',
  },
  {
    name: 'Book club',
    audience: Audience.ADULT,
    weight: 6,
    capacity: [8, 16],
    minutes: 90,
    startHours: [10.5, 18, 19],
    subjects: [],
    online: true,
    description: 'A friendly monthly reading group; new members welcome',
  },
  {
    name: 'Digital help',
    audience: Audience.ADULT,
    weight: 6,
    capacity: [4, 8],
    minutes: 60,
    startHours: [10, 14],
    subjects: ['Computing'],
    online: true,
    description: 'One-to-one help with phones, tablets, email and online forms',
  },
  {
    name: 'Job club',
    audience: Audience.ADULT,
    weight: 3,
    capacity: [6, 12],
    minutes: 120,
    startHours: [10, 13],
    subjects: ['Business and careers'],
    online: false,
    description: 'CVs, applications and interview practice',
  },
  {
    name: 'Family history workshop',
    audience: Audience.ADULT,
    weight: 2,
    capacity: [10, 20],
    minutes: 120,
    startHours: [10, 14],
    subjects: ['Family history', 'Local history'],
    online: false,
    description: 'Start tracing your family using census and parish records',
  },
  {
    name: 'Local history talk',
    audience: Audience.ADULT,
    weight: 2,
    capacity: [30, 60],
    minutes: 60,
    startHours: [14, 18.5],
    subjects: ['Local history', 'History'],
    online: true,
    description: 'Photographs and stories from the local archive',
  },
  {
    name: 'Knit and natter',
    audience: Audience.ADULT,
    weight: 4,
    capacity: [10, 20],
    minutes: 120,
    startHours: [10, 13.5],
    subjects: ['Crafts'],
    online: false,
    description: 'Bring your needles and a project; tea provided',
  },
  {
    name: 'English conversation',
    audience: Audience.ADULT,
    weight: 3,
    capacity: [8, 15],
    minutes: 90,
    startHours: [10, 18],
    subjects: ['Languages'],
    online: false,
    description: 'Practise everyday English in a relaxed group',
  },
  {
    name: 'Film screening',
    audience: Audience.ADULT,
    weight: 2,
    capacity: [30, 60],
    minutes: 120,
    startHours: [18],
    subjects: ['Film'],
    online: false,
    description: 'A classic film on the big screen, with a short introduction',
  },
  {
    name: 'Chess club',
    audience: Audience.ADULT,
    weight: 2,
    capacity: [10, 24],
    minutes: 120,
    startHours: [17, 18],
    subjects: ['Games and puzzles'],
    online: false,
    description: 'Casual games for all levels; boards provided',
  },
];
const STORYTIME_THEMES: readonly (readonly [string, string])[] = [
  ['Under the Sea', 'Animals'],
  ['Dinosaur Day', 'Dinosaurs'],
  ['Space Adventures', 'Space'],
  ['Jungle Friends', 'Animals'],
  ['Fairy Tale Favourites', 'Fairy tales'],
  ['Bedtime Stories', 'Picture books'],
];

// ---------------------------------------------------------------------------------------------
// Branches
// ---------------------------------------------------------------------------------------------

const BUILDING_NAMES = [
  'Northgate',
  'Riverside',
  'Hillcrest',
  'Millbrook',
  'Eastfield',
  'Westwood',
  'Oakfield',
  'Brookside',
  'Kingsmead',
  'Ashby Lane',
  'Fernhill',
  'Southbank',
  'Highfield',
  'Moorside',
  'Greenbank',
  'Church Hill',
  'Lakeside',
  'Stonegate',
  'Willow Park',
  'Marsh End',
];
/** Postcode districts served by buildings; the central library sits in the first. */
const CITY_DISTRICTS = [
  'LS1',
  'LS6',
  'LS7',
  'LS8',
  'LS9',
  'LS11',
  'LS12',
  'LS13',
  'LS14',
  'LS15',
  'LS16',
  'LS17',
  'LS18',
  'LS19',
  'LS20',
  'LS25',
  'LS26',
  'LS27',
  'LS28',
];
/** Villages reached by the mobile libraries. */
const RURAL_DISTRICTS = ['LS21', 'LS22', 'LS23', 'LS24', 'LS29'];
/** Customers who live outside the authority but still use it. */
const OUTSIDE_DISTRICTS = ['BD1', 'BD3', 'WF1', 'WF3', 'HG1'];
/** Letters allowed in the last two characters of a UK postcode. */
const POSTCODE_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

interface BranchModel {
  index: number;
  row: BranchRow;
  kind: BranchKind;
  district: string;
  /** Name without "Library", used in group and event names. */
  place: string;
  /** How many customers call it home, relatively. */
  popularity: number;
}

interface BranchSet {
  all: BranchModel[];
  buildings: BranchModel[];
  mobiles: BranchModel[];
  online: BranchModel;
  outreach: BranchModel;
  central: BranchModel;
  /** Buildings weighted by size, for "some other branch". */
  buildingChoice: Weighted<BranchModel>;
}

function postcode(rng: Random, district: string): string {
  const letter = () => POSTCODE_LETTERS[rng.int(POSTCODE_LETTERS.length)];
  return `${district} ${rng.int(10)}${letter()}${letter()}`;
}

function isPhysical(branch: BranchModel): boolean {
  return branch.kind === BranchKind.BUILDING || branch.kind === BranchKind.MOBILE;
}

function slugId(text: string): string {
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

function buildBranches(options: DemoOptions): BranchSet {
  const rng = new Random(mixSeed(options.seed, STREAM.branches));
  const mobileCount = options.branches >= 10 ? 2 : 1;
  const buildingCount = options.branches - mobileCount - 2;
  const names = rng.shuffle(BUILDING_NAMES);
  const districts = [CITY_DISTRICTS[0], ...rng.shuffle(CITY_DISTRICTS.slice(1))];
  const all: BranchModel[] = [];
  const add = (
    name: string,
    id: string,
    kind: BranchKind,
    district: string,
    popularity: number,
  ): BranchModel => {
    const hasAddress = kind !== BranchKind.ONLINE;
    const row: BranchRow = {
      externalId: id,
      name,
      kind,
      postcode: hasAddress ? postcode(rng, district) : undefined,
    };
    const place = name.replace(/ Library$/, '');
    const branch: BranchModel = { index: all.length, row, kind, district, place, popularity };
    all.push(branch);
    return branch;
  };

  const central = add('Central Library', 'BR-CENTRAL', BranchKind.BUILDING, districts[0], 3);
  for (let i = 1; i < buildingCount; i++) {
    // Past the list of names, reuse them with a number rather than invent odd ones.
    const base = names[(i - 1) % names.length];
    const round = Math.floor((i - 1) / names.length);
    const place = round === 0 ? base : `${base} ${round + 1}`;
    const district = districts[1 + ((i - 1) % (districts.length - 1))];
    add(`${place} Library`, `BR-${slugId(place)}`, BranchKind.BUILDING, district, 0.6 + rng.next());
  }
  for (let i = 1; i <= mobileCount; i++) {
    add(`Mobile Library ${i}`, `BR-MOBILE-${i}`, BranchKind.MOBILE, central.district, 0.25);
  }
  const online = add('Libraries Online', 'BR-ONLINE', BranchKind.ONLINE, '', 0);
  const outreach = add(
    'Home Library Service',
    'BR-HOME-SERVICE',
    BranchKind.OUTREACH,
    central.district,
    0,
  );

  const buildings = all.filter((branch) => branch.kind === BranchKind.BUILDING);
  const mobiles = all.filter((branch) => branch.kind === BranchKind.MOBILE);
  return {
    all,
    buildings,
    mobiles,
    online,
    outreach,
    central,
    buildingChoice: buildings.map((branch) => [branch, branch.popularity] as const),
  };
}

// ---------------------------------------------------------------------------------------------
// Catalogue
// ---------------------------------------------------------------------------------------------

/** Which stock a reader may be offered: CHILD (under 12), TEEN (12–17) or ADULT. */
type Pool = 'C' | 'T' | 'A';
/** Physical stock is lent in branches; digital stock is downloaded. */
type Medium = 'P' | 'D';

/** The audience whose events each pool of readers goes to. */
const POOL_AUDIENCE: Record<Pool, Audience> = {
  C: Audience.CHILDREN,
  T: Audience.YOUNG_ADULT,
  A: Audience.ADULT,
};
const POOLS_FOR_AUDIENCE: Record<Audience, readonly Pool[]> = {
  [Audience.CHILDREN]: ['C', 'T'],
  [Audience.YOUNG_ADULT]: ['T', 'A'],
  [Audience.ADULT]: ['A'],
};

interface AuthorModel {
  id: number;
  name: string;
  fiction: boolean;
  /** Genres (fiction) or subjects (non-fiction) the author mostly writes in. */
  labels: string[];
  series?: string;
}

interface ItemModel {
  row: ItemRow;
  addedAt: number;
  medium: Medium;
  /** Taste keys: `g:<genre>` and `s:<subject>`. */
  labels: string[];
  authorIds: number[];
  /** Branch indices holding physical copies. */
  holdingBranches: number[];
}

interface Catalogue {
  items: ItemModel[];
  authors: AuthorModel[];
  /** Popularity-weighted samplers, keyed `<pool>|<medium>|<facet>`; facet `*` is "anything". */
  index: Map<string, WeightedIndex>;
}

function catalogueKey(pool: Pool, medium: Medium, facet: string): string {
  return `${pool}|${medium}|${facet}`;
}

/** ISBN-13 check digit: weights alternate 1 and 3 over the first twelve digits. */
export function isbn13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fictionTitle(rng: Random, genre: string): string {
  const flavour = GENRE_NOUNS[genre] ?? [];
  const noun = flavour.length > 0 && rng.chance(0.6) ? rng.pick(flavour) : rng.pick(TITLE_NOUNS);
  switch (rng.int(7)) {
    case 0:
      return `The ${rng.pick(TITLE_ADJECTIVES)} ${noun}`;
    case 1:
      return `${noun} at ${capitalise(rng.pick(TITLE_PLACES))}`;
    case 2:
      return `The ${noun} of ${rng.pick(TITLE_PLACES)}`;
    case 3:
      return `A ${noun} in ${rng.pick(TITLE_PLACES)}`;
    case 4:
      return `${rng.pick(TITLE_NAMES)}'s ${noun}`;
    case 5:
      return `${rng.pick(['Before', 'After', 'Beyond'])} the ${noun}`;
    default:
      return `The ${rng.pick(TITLE_ADJECTIVES)} ${rng.pick(TITLE_NOUNS)}`;
  }
}

function nonFictionTitle(rng: Random, subject: string, authorName: string): string {
  if (subject === 'Biography' && rng.chance(0.6)) {
    return rng.chance(0.5)
      ? `${authorName}: My Story`
      : `The Life of ${rng.pick(TITLE_NAMES)} ${rng.pick(DETECTIVE_NAMES)}`;
  }
  const topic = rng.pick(SUBJECT_TOPICS[subject] ?? [subject]);
  switch (rng.int(7)) {
    case 0:
      return `${capitalise(topic)}: A Beginner's Guide`;
    case 1:
      return `The Complete Guide to ${topic}`;
    case 2:
      return `A Short History of ${topic}`;
    case 3:
      return `${capitalise(topic)} Made Simple`;
    case 4:
      return `Discovering ${topic}`;
    case 5:
      return `The ${rng.pick(['Big', 'Little', 'Essential', 'Illustrated'])} Book of ${topic}`;
    default:
      return `Everything You Need to Know About ${topic}`;
  }
}

function childrenTitle(rng: Random, fiction: boolean, label: string): string {
  if (!fiction) {
    const topic = rng.pick(SUBJECT_TOPICS[label] ?? [label]);
    return rng.pick([
      `My First Book of ${topic}`,
      `${capitalise(topic)} for Kids`,
      `All About ${topic}`,
    ]);
  }
  const animal = rng.pick(CHILD_ANIMALS);
  switch (rng.int(5)) {
    case 0:
      return `${rng.pick(CHILD_NAMES)} and the ${rng.pick(CHILD_ADJECTIVES)} ${animal}`;
    case 1:
      return `The ${rng.pick(CHILD_ADJECTIVES)} ${animal}`;
    case 2:
      return `Where Is ${rng.pick(CHILD_NAMES)}'s ${rng.pick(CHILD_THINGS)}?`;
    case 3:
      return `The ${animal} Who Wanted to ${rng.pick(CHILD_WISHES)}`;
    default:
      return `${rng.pick(CHILD_NAMES)} Saves the Day`;
  }
}

function youngAdultTitle(rng: Random): string {
  switch (rng.int(4)) {
    case 0:
      return `The ${rng.pick(YA_NOUNS)} Between Us`;
    case 1:
      return `${rng.pick(YA_ADJECTIVES)} Hearts`;
    case 2:
      return `We Were ${rng.pick(YA_ADJECTIVES)}`;
    default:
      return `The ${rng.pick(YA_NOUNS)} Trials`;
  }
}

/** A title in a language other than English, from a handful of grammatical patterns. */
function foreignTitle(rng: Random, language: string): string {
  const two = (words: readonly string[]): [string, string] => {
    const first = rng.pick(words);
    let second = rng.pick(words);
    while (second === first) second = rng.pick(words);
    return [first, second];
  };
  switch (language) {
    case 'pl':
      return `${rng.pick(POLISH_HEADS)} ${rng.pick(POLISH_GENITIVES)}`;
    case 'cy':
      return `${rng.pick(WELSH_HEADS)} y ${rng.pick(WELSH_NOUNS)}`;
    case 'ro': {
      const [first, second] = two(ROMANIAN_NOUNS);
      return `${first} și ${second.toLowerCase()}`;
    }
    case 'ur': {
      const [first, second] = two(URDU_NOUNS);
      return `${first} اور ${second}`;
    }
    case 'ar': {
      const [first, second] = two(ARABIC_NOUNS);
      return `${first} و${second}`;
    }
    default:
      return fictionTitle(rng, 'Literary fiction');
  }
}

function seriesName(rng: Random, genre: string, surname: string): string {
  if ((genre === 'Crime' || genre === 'Mystery') && rng.chance(0.5)) {
    return `Inspector ${rng.pick(DETECTIVE_NAMES)}`;
  }
  const noun = SERIES_NOUNS[genre] ?? 'Novels';
  return rng.chance(0.5)
    ? `The ${rng.pick(TITLE_PLACES).replace(/^the /, '')} ${noun}`
    : `The ${surname} ${noun}`;
}

/** Fictional people's names in the given language; romanised where faker uses another script. */
class NameSource {
  private readonly fakers = new Map<string, Faker>();

  constructor(private readonly seed: number) {}

  person(rng: Random, language: string, sex = rng.chance(0.5) ? 'female' : 'male') {
    const female = sex === 'female';
    const romanised = ROMANISED_NAMES[language];
    if (romanised) {
      return {
        first: rng.pick(female ? romanised.female : romanised.male),
        last: rng.pick(romanised.last),
      };
    }
    const faker = this.faker(language);
    const fakerSex = female ? 'female' : 'male';
    return { first: faker.person.firstName(fakerSex), last: faker.person.lastName(fakerSex) };
  }

  private faker(language: string): Faker {
    let faker = this.fakers.get(language);
    if (!faker) {
      const locale = language === 'pl' ? [pl, en] : language === 'ro' ? [ro, en] : [en_GB, en];
      faker = new Faker({ locale });
      faker.seed(mixSeed(this.seed, STREAM.names, this.fakers.size));
      this.fakers.set(language, faker);
    }
    return faker;
  }
}

function buildCatalogue(options: DemoOptions, time: ReferenceTime, branches: BranchSet): Catalogue {
  const rng = new Random(mixSeed(options.seed, STREAM.items));
  const names = new NameSource(mixSeed(options.seed, STREAM.authors));
  const authors: AuthorModel[] = [];
  // Authors are drawn per audience and language with power-law productivity: pools are sized so
  // an average author has about four titles, and the first few in each pool write far more.
  const authorPools = new Map<string, { ids: number[]; choice: WeightedIndex }>();
  const authorPool = (audience: Audience, language: string) => {
    const key = `${audience}|${language}`;
    let pool = authorPools.get(key);
    if (!pool) {
      const audienceShare = BOOK_AUDIENCES.find(([value]) => value === audience)?.[1] ?? 1;
      const languageShare = BOOK_LANGUAGES.find(([value]) => value === language)?.[1] ?? 1;
      const expected = (options.items * 0.87 * audienceShare * languageShare) / (100 * 995);
      const size = Math.max(3, Math.round(expected / 4));
      const ids: number[] = [];
      for (let i = 0; i < size; i++) {
        // The other-language shelves are mostly novels and picture books.
        const fiction = rng.chance(language === 'en' ? FICTION_SHARE[audience] : 0.85);
        const labelList = labelsFor(audience, fiction);
        const person = names.person(rng, language);
        const author: AuthorModel = {
          id: authors.length,
          name: `${person.first} ${person.last}`,
          fiction,
          labels: rng.distinct(labelList, rng.chance(0.3) ? 2 : 1),
        };
        if (fiction && rng.chance(0.35)) {
          author.series = seriesName(rng, author.labels[0], person.last);
        }
        authors.push(author);
        ids.push(author.id);
      }
      pool = {
        ids,
        choice: WeightedIndex.of(
          ids,
          ids.map((_, rank) => powerLaw(rank, 1.05)),
        ),
      };
      authorPools.set(key, pool);
    }
    return pool;
  };
  const directors = peoplePool(rng, names, Math.max(3, Math.round(options.items / 120)));
  const performers = peoplePool(rng, names, Math.max(3, Math.round(options.items / 150)), true);
  const isbnOffset = rng.int(100_000_000);

  const drafts: ItemModel[] = [];
  for (let i = 0; i < options.items; i++) {
    const format = rng.weighted(FORMATS);
    const item = WRITTEN_FORMATS.has(format)
      ? writtenItem(rng, time, format, authors, authorPool)
      : format === ItemFormat.DVD
        ? filmItem(rng, time, directors)
        : format === ItemFormat.MUSIC
          ? musicItem(rng, time, performers)
          : format === ItemFormat.MAGAZINE
            ? magazineItem(rng, time)
            : otherItem(rng, time);
    if (WRITTEN_FORMATS.has(format)) {
      // Scrambling the index with a multiplier coprime to 10 keeps ISBNs unique but unordered.
      const first12 = `9781${String((i * 7919 + isbnOffset) % 100_000_000).padStart(8, '0')}`;
      item.row.isbn = `${first12}${isbn13CheckDigit(first12)}`;
    }
    drafts.push(item);
  }

  // Accession order: external ids rise with the date a title was added, so the newest titles
  // form the tail of the file.
  drafts.sort((a, b) => a.addedAt - b.addedAt);
  const width = Math.max(6, String(options.items).length);
  const ranks = rng.shuffle(drafts.map((_, index) => index));
  const branchIndex = new Map(branches.all.map((branch) => [branch.row.externalId, branch.index]));
  const popularity = drafts.map((item, index) => {
    const isNew = item.addedAt >= time.now - NEW_ARRIVAL_MS;
    return powerLaw(ranks[index], 0.85, 15) * (isNew ? 3 : 1);
  });
  drafts.forEach((item, index) => {
    item.row.externalId = `IT-${String(index + 1).padStart(width, '0')}`;
    const percentile = ranks[index] / Math.max(1, drafts.length);
    item.row.holdings = holdingsFor(rng, item, percentile, branches);
    const held = item.row.holdings.map((holding) => branchIndex.get(holding.branch) ?? 0);
    item.holdingBranches = item.medium === 'P' ? held : [];
  });
  return { items: drafts, authors, index: indexCatalogue(drafts, popularity) };
}

function peoplePool(rng: Random, names: NameSource, size: number, bands = false) {
  const people: string[] = [];
  for (let i = 0; i < size; i++) {
    if (bands && rng.chance(0.5)) {
      people.push(`The ${rng.pick(TITLE_ADJECTIVES)} ${rng.pick(CHILD_ANIMALS)}s`);
    } else {
      const person = names.person(rng, 'en');
      people.push(`${person.first} ${person.last}`);
    }
  }
  const ids = people.map((_, index) => index);
  return {
    people,
    choice: WeightedIndex.of(
      ids,
      ids.map((rank) => powerLaw(rank, 1)),
    ),
  };
}

function labelsFor(audience: Audience, fiction: boolean): Weighted<string> {
  switch (audience) {
    case Audience.CHILDREN:
      return fiction ? CHILDREN_GENRES : CHILDREN_SUBJECTS;
    case Audience.YOUNG_ADULT:
      return fiction ? YA_GENRES : YA_SUBJECTS;
    default:
      return fiction ? ADULT_GENRES : ADULT_SUBJECTS;
  }
}

/** Publication year and accession date; a few percent are new arrivals from the last weeks. */
function dates(
  rng: Random,
  time: ReferenceTime,
  earliestYear: number,
): { publishedYear: number; addedAt: number } {
  if (rng.chance(0.04)) {
    const addedAt = time.now - rng.int(NEW_ARRIVAL_MS / 1000) * 1000;
    return { publishedYear: new Date(addedAt).getUTCFullYear() - rng.int(2), addedAt };
  }
  // Stock ages roughly exponentially (mean ten years): weeding removes old titles.
  const age = Math.min(time.year - 1 - earliestYear, Math.floor(-Math.log(1 - rng.next()) * 10));
  const publishedYear = time.year - 1 - Math.max(0, age);
  const latest = time.now - NEW_ARRIVAL_MS;
  const earliest = Math.max(Date.UTC(publishedYear, 0, 1), time.now - 15 * YEAR_MS);
  if (earliest >= latest) {
    return { publishedYear, addedAt: time.now - rng.int(NEW_ARRIVAL_MS / 1000) * 1000 };
  }
  // Most titles are bought soon after publication; older ones arrived when the catalogue began.
  const addedAt = earliest + (latest - earliest) * Math.pow(rng.next(), 2);
  return { publishedYear, addedAt: Math.floor(addedAt / 1000) * 1000 };
}

function newItem(
  rng: Random,
  time: ReferenceTime,
  fields: Omit<ItemRow, 'externalId' | 'addedAt' | 'holdings' | 'publishedYear'>,
  earliestYear: number,
  authorIds: number[] = [],
): ItemModel {
  const { publishedYear, addedAt } = dates(rng, time, earliestYear);
  return {
    row: {
      externalId: '',
      ...fields,
      publishedYear,
      addedAt: isoSeconds(addedAt),
      holdings: [],
    },
    addedAt,
    medium: DIGITAL_FORMATS.has(fields.format) ? 'D' : 'P',
    labels: [...fields.genres.map((g) => `g:${g}`), ...fields.subjects.map((s) => `s:${s}`)],
    authorIds,
    holdingBranches: [],
  };
}

function writtenItem(
  rng: Random,
  time: ReferenceTime,
  format: ItemFormat,
  authors: AuthorModel[],
  authorPool: (audience: Audience, language: string) => { ids: number[]; choice: WeightedIndex },
): ItemModel {
  const audience =
    format === ItemFormat.LARGE_PRINT ? Audience.ADULT : rng.weighted(BOOK_AUDIENCES);
  // Other-language stock is mostly printed books for adults and dual-language picture books.
  const language =
    (format === ItemFormat.BOOK || format === ItemFormat.EBOOK) && audience !== Audience.YOUNG_ADULT
      ? rng.weighted(BOOK_LANGUAGES)
      : 'en';
  const author = authors[authorPool(audience, language).choice.sample(rng)];
  const ownLabel = rng.chance(0.85)
    ? rng.pick(author.labels)
    : rng.weighted(labelsFor(audience, author.fiction));
  const genres: string[] = [];
  const subjects: string[] = [];
  (author.fiction ? genres : subjects).push(ownLabel);
  if (rng.chance(0.2)) {
    const extra = rng.weighted(labelsFor(audience, author.fiction));
    if (extra !== ownLabel) (author.fiction ? genres : subjects).push(extra);
  }
  if (audience === Audience.CHILDREN && author.fiction && rng.chance(0.3)) {
    subjects.push(rng.weighted(CHILDREN_SUBJECTS));
  }
  const authorIds = [author.id];
  if (!author.fiction && rng.chance(0.08)) {
    const coAuthor = authors[authorPool(audience, language).choice.sample(rng)];
    if (coAuthor.id !== author.id) authorIds.push(coAuthor.id);
  }
  const title =
    language !== 'en'
      ? foreignTitle(rng, language)
      : audience === Audience.CHILDREN
        ? childrenTitle(rng, author.fiction, ownLabel)
        : audience === Audience.YOUNG_ADULT && author.fiction
          ? youngAdultTitle(rng)
          : author.fiction
            ? fictionTitle(rng, ownLabel)
            : nonFictionTitle(rng, ownLabel, author.name);
  const inSeries = author.series !== undefined && rng.chance(0.6);
  return newItem(
    rng,
    time,
    {
      title,
      authors: authorIds.map((id) => authors[id].name),
      subjects,
      genres,
      format,
      audience,
      language,
      series: inSeries ? author.series : undefined,
    },
    DIGITAL_FORMATS.has(format) ? 2005 : 1950,
    authorIds,
  );
}

type PeoplePool = ReturnType<typeof peoplePool>;

function filmItem(rng: Random, time: ReferenceTime, directors: PeoplePool): ItemModel {
  const children = rng.chance(0.22);
  const genre = rng.weighted(children ? CHILDREN_FILM_GENRES : FILM_GENRES);
  const documentary = genre === 'Documentary';
  const subject = documentary ? rng.weighted(ADULT_SUBJECTS) : undefined;
  const title = documentary
    ? `${capitalise(rng.pick(SUBJECT_TOPICS[subject ?? ''] ?? ['Life']))}: The Documentary`
    : children
      ? childrenTitle(rng, true, genre)
      : fictionTitle(rng, genre);
  return newItem(
    rng,
    time,
    {
      title,
      authors: [directors.people[directors.choice.sample(rng)]],
      subjects: subject ? [subject] : [],
      genres: [genre],
      format: ItemFormat.DVD,
      audience: children
        ? Audience.CHILDREN
        : rng.chance(0.08)
          ? Audience.YOUNG_ADULT
          : Audience.ADULT,
      language: 'en',
    },
    1995,
  );
}

function musicItem(rng: Random, time: ReferenceTime, performers: PeoplePool): ItemModel {
  const children = rng.chance(0.05);
  const genre = children ? 'Songs and rhymes' : rng.weighted(MUSIC_GENRES);
  const title = rng.pick([
    `${rng.pick(TITLE_ADJECTIVES)} ${rng.pick(TITLE_NOUNS)}`,
    `Songs from ${capitalise(rng.pick(TITLE_PLACES))}`,
    `Live at ${capitalise(rng.pick(TITLE_PLACES))}`,
    `${genre}: The Collection`,
  ]);
  return newItem(
    rng,
    time,
    {
      title,
      authors: [performers.people[performers.choice.sample(rng)]],
      subjects: [],
      genres: [genre],
      format: ItemFormat.MUSIC,
      audience: children ? Audience.CHILDREN : Audience.ADULT,
      language: 'en',
    },
    1970,
  );
}

const MAGAZINES: readonly (readonly [string, string, Audience])[] = [
  ['Grow Your Own Monthly', 'Gardening', Audience.ADULT],
  ['The Home Cook', 'Cookery', Audience.ADULT],
  ['Byte Sized', 'Computing', Audience.ADULT],
  ['Stitch Circle', 'Crafts', Audience.ADULT],
  ['Past Times Quarterly', 'History', Audience.ADULT],
  ['Wild Places', 'Nature', Audience.ADULT],
  ['Pedal and Path', 'Sport', Audience.ADULT],
  ['Roots and Records', 'Family history', Audience.ADULT],
  ['Young Explorer', 'Animals', Audience.CHILDREN],
  ['Level Up', 'Computing', Audience.YOUNG_ADULT],
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function magazineItem(rng: Random, time: ReferenceTime): ItemModel {
  const [name, subject, audience] = rng.pick(MAGAZINES);
  // Libraries keep about two years of back issues.
  const addedAt = Math.floor((time.now - rng.next() * ACTIVITY_WINDOW_MS) / 1000) * 1000;
  const issued = new Date(addedAt);
  const item = newItem(
    rng,
    time,
    {
      title: `${name}, ${MONTHS[issued.getUTCMonth()]} ${issued.getUTCFullYear()}`,
      authors: [],
      subjects: [subject],
      genres: [],
      format: ItemFormat.MAGAZINE,
      audience,
      language: 'en',
      series: name,
    },
    time.year,
  );
  item.addedAt = addedAt;
  item.row.addedAt = isoSeconds(addedAt);
  item.row.publishedYear = issued.getUTCFullYear();
  return item;
}

const OTHER_ITEMS: readonly (readonly [string, string, Audience])[] = [
  ['Telescope kit', 'Science', Audience.ADULT],
  ['Birdwatching backpack', 'Nature', Audience.ADULT],
  ['Ukulele starter kit', 'Music', Audience.ADULT],
  ['Board game bundle', 'Games and puzzles', Audience.ADULT],
  ['Story sack', 'Animals', Audience.CHILDREN],
  ['Sensory bag', 'Animals', Audience.CHILDREN],
  ['Robot coding kit', 'Computing', Audience.YOUNG_ADULT],
];

function otherItem(rng: Random, time: ReferenceTime): ItemModel {
  const [name, subject, audience] = rng.pick(OTHER_ITEMS);
  return newItem(
    rng,
    time,
    {
      title: `${name} ${rng.between(1, 12)}`,
      authors: [],
      subjects: [subject],
      genres: [],
      format: ItemFormat.OTHER,
      audience,
      language: 'en',
    },
    time.year - 8,
  );
}

/** Copies per branch: popular titles are everywhere and have more copies, most copies are in. */
function holdingsFor(
  rng: Random,
  item: ItemModel,
  percentile: number,
  branches: BranchSet,
): Holding[] {
  const onLoanShare = 0.15 + 0.45 * (1 - percentile);
  const holding = (branch: BranchModel, copies: number): Holding => {
    let available = copies;
    for (let i = 0; i < copies; i++) if (rng.chance(onLoanShare)) available--;
    return { branch: branch.row.externalId, copies, available };
  };
  const extraCopies = () =>
    percentile < 0.03 ? rng.between(1, 4) : percentile < 0.2 ? rng.int(2) : 0;
  if (item.medium === 'D') return [holding(branches.online, 1 + extraCopies())];

  const format = item.row.format;
  const narrow = format === ItemFormat.OTHER || format === ItemFormat.LARGE_PRINT;
  const reach = narrow ? 0.15 : 0.1 + 0.7 * Math.pow(1 - percentile, 2);
  const held: Holding[] = [];
  for (const branch of branches.buildings) {
    const chance = branch === branches.central ? 0.85 : reach;
    if (!rng.chance(chance)) continue;
    held.push(holding(branch, 1 + (branch === branches.central ? extraCopies() : 0)));
  }
  const mobileFriendly =
    item.row.audience === Audience.CHILDREN || format === ItemFormat.LARGE_PRINT;
  for (const branch of branches.mobiles) {
    const chance = mobileFriendly ? 0.3 : percentile < 0.1 ? 0.2 : 0.03;
    if (rng.chance(chance)) held.push(holding(branch, 1));
  }
  if (held.length === 0) held.push(holding(branches.central, 1));
  return held;
}

/** Builds the popularity-weighted samplers readers draw from. */
function indexCatalogue(
  items: readonly ItemModel[],
  popularity: readonly number[],
): Map<string, WeightedIndex> {
  const lists = new Map<string, { ids: number[]; weights: number[] }>();
  const add = (key: string, id: number) => {
    let list = lists.get(key);
    if (!list) {
      list = { ids: [], weights: [] };
      lists.set(key, list);
    }
    list.ids.push(id);
    list.weights.push(popularity[id]);
  };
  items.forEach((item, id) => {
    for (const pool of POOLS_FOR_AUDIENCE[item.row.audience]) {
      const facets = [
        '*',
        ...item.labels,
        ...item.authorIds.map((author) => `a:${author}`),
        `f:${item.row.format}`,
      ];
      if (item.row.language !== 'en') facets.push(`l:${item.row.language}`);
      for (const facet of facets) add(catalogueKey(pool, item.medium, facet), id);
    }
  });
  const index = new Map<string, WeightedIndex>();
  for (const [key, list] of lists) index.set(key, WeightedIndex.of(list.ids, list.weights));
  return index;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/** Marks a topic as an event type in `events.csv`; other topics are bare labels. */
export const EVENT_TYPE_PREFIX = 'event_type:';

interface EventModel {
  row: EventRow;
  start: number;
  end: number;
  branch: number;
  audience: Audience;
  capacity: number;
  online: boolean;
}

interface EventSet {
  /** Sorted by start. */
  all: EventModel[];
  /** Event indices per topic label, sorted by start. */
  byTopic: Map<string, number[]>;
  /** Every event index, sorted by start. */
  everything: number[];
}

function buildEvents(
  options: DemoOptions,
  time: ReferenceTime,
  branches: BranchSet,
  catalogue: Catalogue,
): EventSet {
  const rng = new Random(mixSeed(options.seed, STREAM.events));
  const typeChoice: Weighted<EventTypeSpec> = EVENT_TYPES.map(
    (type) => [type, type.weight] as const,
  );
  const adultStock = catalogue.index.get(catalogueKey('A', 'P', '*'));
  const drafts: EventModel[] = [];
  for (let i = 0; i < options.events; i++) {
    const type = rng.weighted(typeChoice);
    const online = type.online && rng.chance(0.2);
    const branch = online ? branches.online : rng.weighted(branches.buildingChoice);
    // About four in five events are in the past; the rest fill the coming weeks.
    const day = rng.chance(0.8)
      ? time.now - (1 + rng.int(ACTIVITY_WINDOW_MS / DAY_MS - 1)) * DAY_MS
      : time.now + rng.int(UPCOMING_WINDOW_MS / DAY_MS) * DAY_MS;
    const start = Math.floor(day / DAY_MS) * DAY_MS + rng.pick(type.startHours) * HOUR_MS;
    const topics = [`${EVENT_TYPE_PREFIX}${type.name}`];
    let title = type.name;
    if (type.name === 'Storytime') {
      const [theme, topic] = rng.pick(STORYTIME_THEMES);
      title = `Storytime: ${theme}`;
      topics.push(topic);
    } else if (type.name === 'Author talk' && adultStock) {
      // Speakers come from the catalogue, so an author interest can lead to their talk.
      const book = speakerTitle(rng, catalogue, adultStock);
      if (book) {
        const author = catalogue.authors[book.authorIds[0]];
        title = `Meet the author: ${author.name}`;
        topics.push(author.name, ...book.row.genres.slice(0, 1), ...book.row.subjects.slice(0, 1));
      }
    } else if (type.name === 'Book club' || type.name === 'Teen book club') {
      const genre = rng.weighted(type.audience === Audience.ADULT ? ADULT_GENRES : YA_GENRES);
      title = `${type.name}: ${genre}`;
      topics.push(genre);
    } else if (type.subjects.length > 0) {
      topics.push(rng.pick(type.subjects));
    }
    const capacity = online ? 100 : rng.between(type.capacity[0], type.capacity[1]);
    const where = online ? 'Online' : `At ${branch.row.name}`;
    drafts.push({
      row: {
        externalId: '',
        title: online ? `${title} (online)` : title,
        description: `${type.description}. ${where}; free, booking recommended.`,
        branch: branch.row.externalId,
        startsAt: isoSeconds(start),
        endsAt: isoSeconds(start + type.minutes * MINUTE_MS),
        capacity,
        topics,
        audience: type.audience,
      },
      start,
      end: start + type.minutes * MINUTE_MS,
      branch: branch.index,
      audience: type.audience,
      capacity,
      online,
    });
  }
  drafts.sort((a, b) => a.start - b.start);
  const width = Math.max(5, String(options.events).length);
  const byTopic = new Map<string, number[]>();
  drafts.forEach((event, index) => {
    event.row.externalId = `EV-${String(index + 1).padStart(width, '0')}`;
    for (const topic of event.row.topics) {
      const label = topic.startsWith(EVENT_TYPE_PREFIX)
        ? topic.slice(EVENT_TYPE_PREFIX.length)
        : topic;
      const list = byTopic.get(label) ?? [];
      list.push(index);
      byTopic.set(label, list);
    }
  });
  return { all: drafts, byTopic, everything: drafts.map((_, index) => index) };
}

/** A popular written title whose author can give a talk; films and kits have no author. */
function speakerTitle(
  rng: Random,
  catalogue: Catalogue,
  stock: WeightedIndex,
): ItemModel | undefined {
  for (let attempt = 0; attempt < 10; attempt++) {
    const item = catalogue.items[stock.sample(rng)];
    if (item.authorIds.length > 0) return item;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Customers and declared interests
// ---------------------------------------------------------------------------------------------

const CUSTOMER_KINDS: Weighted<CustomerKind> = [
  [CustomerKind.BORROWER, 44],
  [CustomerKind.VISITOR, 15],
  [CustomerKind.PC_USER, 12],
  [CustomerKind.ONLINE_USER, 11],
  [CustomerKind.EVENT_ATTENDEE, 9],
  [CustomerKind.MEMBER, 7],
  [CustomerKind.GROUP, 2],
];
/** Relative share of the ledger each kind generates, before individual variation. */
const KIND_ACTIVITY: Record<CustomerKind, number> = {
  [CustomerKind.BORROWER]: 1,
  [CustomerKind.MEMBER]: 0.25,
  [CustomerKind.VISITOR]: 0.12,
  [CustomerKind.EVENT_ATTENDEE]: 0.2,
  [CustomerKind.PC_USER]: 0.45,
  [CustomerKind.ONLINE_USER]: 0.6,
  [CustomerKind.GROUP]: 1.2,
};
const ADULT_AGES: Weighted<readonly [number, number]> = [
  [[18, 24], 10],
  [[25, 44], 33],
  [[45, 64], 30],
  [[65, 79], 20],
  [[80, 95], 7],
];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const PSEUDONYM_WORDS = [
  ['QUIET', 'SWIFT', 'BLUE', 'LUCKY', 'CLEVER', 'SUNNY', 'MIDNIGHT', 'COPPER', 'MISTY', 'BOLD'],
  ['OTTER', 'FALCON', 'MAPLE', 'COMET', 'BADGER', 'HERON', 'PIXEL', 'RIVER', 'LYNX', 'ROBIN'],
] as const;
/** Ofcom keeps these ranges for drama, so generated numbers never ring a real phone. */
const DRAMA_NUMBER_PREFIXES = ['07700 900', '0113 496 0', '0114 496 0', '0161 496 0'];

/** Overrides that guarantee every kind and situation appears even in a tiny library. */
interface Profile {
  kind: CustomerKind;
  homeDelivery?: boolean;
  withChildren?: boolean;
  status?: CustomerStatus;
}
const SHOWCASE: readonly Profile[] = [
  { kind: CustomerKind.BORROWER, withChildren: true },
  { kind: CustomerKind.BORROWER, homeDelivery: true },
  { kind: CustomerKind.MEMBER },
  { kind: CustomerKind.VISITOR },
  { kind: CustomerKind.EVENT_ATTENDEE },
  { kind: CustomerKind.PC_USER },
  { kind: CustomerKind.ONLINE_USER },
  { kind: CustomerKind.GROUP },
  { kind: CustomerKind.BORROWER, status: CustomerStatus.LAPSED },
  { kind: CustomerKind.MEMBER, status: CustomerStatus.BLOCKED },
];

interface CustomerModel {
  row: CustomerRow;
  kind: CustomerKind;
  /** Age at the reference date, when known. */
  age?: number;
  pool: Pool;
  /** Branch used for in-person activity: the home branch, or a local one for the anonymous. */
  home: BranchModel;
  /** Activity happens within [windowStart, windowEnd]. */
  windowStart: number;
  windowEnd: number;
  /** Taste keys (`g:`/`s:`) with weights; the latent preferences behind borrowing. */
  tastes: Weighted<string>;
  favouriteAuthors: number[];
  formatPreference?: ItemFormat;
  language: string;
  eventTopics: string[];
  /** Share of item use that is digital. */
  digitalShare: number;
  usesComputers: boolean;
  hasWards: boolean;
  homeDelivery: boolean;
  /** Relative share of the ledger. */
  activityWeight: number;
}

interface People {
  customers: CustomerModel[];
  interests: InterestRow[];
}

/** Labels as taste keys (`g:` genre, `s:` subject), weighted by how common the taste is. */
function tasteKeys(...groups: (readonly [Weighted<string>, string, number])[]): Weighted<string> {
  const merged = new Map<string, number>();
  for (const [labels, prefix, scale] of groups) {
    for (const [label, weight] of labels) {
      const key = `${prefix}${label}`;
      merged.set(key, (merged.get(key) ?? 0) + weight * scale);
    }
  }
  return [...merged];
}
const ADULT_GENRE_TASTES = tasteKeys([ADULT_GENRES, 'g:', 1]);
const ADULT_SUBJECT_TASTES = tasteKeys([ADULT_SUBJECTS, 's:', 1]);
const CHILD_TASTES = tasteKeys([CHILDREN_GENRES, 'g:', 1], [CHILDREN_SUBJECTS, 's:', 0.6]);
const TEEN_TASTES = tasteKeys(
  [YA_GENRES, 'g:', 1],
  [YA_SUBJECTS, 's:', 0.5],
  [CHILDREN_GENRES, 'g:', 0.2],
);

const MINOR_AGE = 18;
const TEEN_AGE = 12;

function buildCustomers(
  options: DemoOptions,
  time: ReferenceTime,
  branches: BranchSet,
  catalogue: Catalogue,
  events: EventSet,
): People {
  const rng = new Random(mixSeed(options.seed, STREAM.customers));
  const names = new NameSource(mixSeed(options.seed, STREAM.customers, 1));
  const builder = new CustomerBuilder(options, time, branches, catalogue, events, rng, names);
  const customers: CustomerModel[] = [];
  let primaries = 0;
  while (customers.length < options.customers) {
    const profile = SHOWCASE[primaries] ?? { kind: rng.weighted(CUSTOMER_KINDS) };
    primaries++;
    const adult = builder.primary(customers.length, profile);
    customers.push(adult);
    // Households: parents of the right age who left contact details register their children.
    const parentAge = adult.age !== undefined && adult.age >= 24 && adult.age <= 58;
    const parentKind = adult.kind === CustomerKind.BORROWER || adult.kind === CustomerKind.MEMBER;
    const parent = parentAge && parentKind && adult.row.email !== undefined;
    if (profile.withChildren || (parent && rng.chance(0.28))) {
      const count = profile.withChildren
        ? 2
        : rng.weighted([
            [1, 5],
            [2, 4],
            [3, 1],
          ] as const);
      for (let i = 0; i < count && customers.length < options.customers; i++) {
        customers.push(builder.child(customers.length, adult));
        adult.hasWards = true;
      }
    }
  }
  return { customers, interests: builder.interests };
}

/** Builds one customer at a time; keeps the random streams and id widths in one place. */
class CustomerBuilder {
  readonly interests: InterestRow[] = [];
  private readonly width: number;
  /** Labels the library actually uses, per kind; declared interests are limited to these. */
  private readonly known: Record<DemoInterestKind, Set<string>>;
  /** Tastes worth having: genres and subjects each pool's stock really has. */
  private readonly tasteChoices: {
    child: Weighted<string>;
    teen: Weighted<string>;
    adultGenres: Weighted<string>;
    adultSubjects: Weighted<string>;
    films: Weighted<string>;
    music: Weighted<string>;
  };
  /** Event types that are on the programme, by the audience they are for. */
  private readonly eventTypeChoices: Record<Audience, Weighted<string>>;

  constructor(
    options: DemoOptions,
    private readonly time: ReferenceTime,
    private readonly branches: BranchSet,
    private readonly catalogue: Catalogue,
    events: EventSet,
    private readonly rng: Random,
    private readonly names: NameSource,
  ) {
    this.width = Math.max(6, String(options.customers).length);
    const items = catalogue.items.map((item) => item.row);
    this.known = {
      subject: new Set(items.flatMap((item) => item.subjects)),
      genre: new Set(items.flatMap((item) => item.genres)),
      author: new Set(catalogue.authors.map((author) => author.name)),
      format: new Set(items.map((item) => item.format)),
      language: new Set(items.map((item) => item.language)),
      event_type: new Set(
        EVENT_TYPES.map((type) => type.name).filter((name) => events.byTopic.has(name)),
      ),
    };
    const stocked = (pool: Pool, choices: Weighted<string>) =>
      choices.filter(([taste]) =>
        (['P', 'D'] as const).some((medium) =>
          catalogue.index.has(catalogueKey(pool, medium, taste)),
        ),
      );
    this.tasteChoices = {
      child: stocked('C', CHILD_TASTES),
      teen: stocked('T', TEEN_TASTES),
      adultGenres: stocked('A', ADULT_GENRE_TASTES),
      adultSubjects: stocked('A', ADULT_SUBJECT_TASTES),
      films: stocked('A', tasteKeys([FILM_GENRES, 'g:', 1])),
      music: stocked('A', tasteKeys([MUSIC_GENRES, 'g:', 1])),
    };
    const programme = (audience: Audience): Weighted<string> =>
      EVENT_TYPES.filter((type) => type.audience === audience)
        .filter((type) => this.known.event_type.has(type.name))
        .map((type) => [type.name, type.weight] as const);
    this.eventTypeChoices = {
      [Audience.CHILDREN]: programme(Audience.CHILDREN),
      [Audience.YOUNG_ADULT]: programme(Audience.YOUNG_ADULT),
      [Audience.ADULT]: programme(Audience.ADULT),
    };
  }

  primary(position: number, profile: Profile): CustomerModel {
    const { rng, time, branches } = this;
    const kind = profile.kind;
    const id = this.id(position);
    const anonymous =
      kind === CustomerKind.PC_USER ||
      (kind === CustomerKind.VISITOR && rng.chance(0.85)) ||
      (kind === CustomerKind.EVENT_ATTENDEE && rng.chance(0.35));
    const local = rng.weighted(branches.buildingChoice);
    if (anonymous) {
      // PC users are known only by the pseudonym on their session ticket; the number keeps
      // pseudonyms unique.
      const externalId = kind === CustomerKind.PC_USER ? this.pseudonym(position) : id;
      const model = this.model(
        { externalId, kind, accessibilityNeeds: [] },
        kind,
        local,
        time.windowStart,
        time.now,
      );
      model.pool = 'A';
      model.eventTopics = this.eventTopics('A', kind === CustomerKind.EVENT_ATTENDEE ? 2 : 0);
      model.usesComputers = kind === CustomerKind.PC_USER;
      model.activityWeight = this.activityWeight(model);
      return model;
    }

    const group = kind === CustomerKind.GROUP;
    const school = group && rng.chance(0.4);
    const age = group ? undefined : rng.between(...rng.weighted(ADULT_AGES));
    const language = group ? 'en' : rng.weighted(CUSTOMER_LANGUAGES);
    const homeDelivery =
      profile.homeDelivery === true ||
      (kind === CustomerKind.BORROWER && rng.chance(age !== undefined && age >= 70 ? 0.06 : 0.004));
    const onMobile = !homeDelivery && kind !== CustomerKind.ONLINE_USER && rng.chance(0.06);
    const home = homeDelivery
      ? branches.outreach
      : kind === CustomerKind.ONLINE_USER
        ? branches.online
        : onMobile && branches.mobiles.length > 0
          ? rng.pick(branches.mobiles)
          : rng.weighted(branches.buildingChoice);
    const inPerson = isPhysical(home) ? home : local;

    let first: string | undefined;
    let last: string;
    if (school) {
      last = rng.chance(0.5)
        ? `${inPerson.place} Primary School, Year ${rng.between(1, 6)}`
        : `${inPerson.place} Nursery`;
    } else if (group) {
      last = `${rng.pick(WEEKDAYS)} Reading Group, ${inPerson.place}`;
    } else {
      const person = this.names.person(rng, language);
      first = person.first;
      last = person.last;
    }
    const needs = this.accessibilityNeeds(age, homeDelivery, kind);
    const status = profile.status ?? this.status(kind);
    const registration = this.registration(age, status);
    const hasContact = kind !== CustomerKind.EVENT_ATTENDEE || rng.chance(0.9);
    const row: CustomerRow = {
      externalId: id,
      kind,
      firstName: first,
      lastName: last,
      email:
        hasContact && (group || rng.chance(0.88)) ? this.email(first, last, position) : undefined,
      phone: rng.chance(group ? 0.8 : 0.55) ? this.phone() : undefined,
      postcode:
        kind === CustomerKind.ONLINE_USER && rng.chance(0.2) ? undefined : this.postcode(home),
      birthYear:
        age !== undefined && (kind === CustomerKind.BORROWER || rng.chance(0.7))
          ? time.year - age
          : undefined,
      homeBranch: home.row.externalId,
      registeredAt: isoSeconds(registration.registeredAt),
      guardian: undefined,
      preferredLanguage: language !== 'en' || rng.chance(0.7) ? language : undefined,
      accessibilityNeeds: needs,
      status,
    };
    const model = this.model(row, kind, inPerson, registration.windowStart, registration.windowEnd);
    model.age = age;
    model.pool = school ? 'C' : 'A';
    model.language = language;
    model.homeDelivery = homeDelivery;
    model.formatPreference = this.formatPreference(needs, kind);
    model.digitalShare = this.digitalShare(kind, model.formatPreference);
    model.usesComputers = rng.chance(kind === CustomerKind.MEMBER ? 0.4 : 0.15);
    model.tastes = this.tastes(model.pool, rng.between(2, 4), kind === CustomerKind.GROUP);
    model.favouriteAuthors = this.favouriteAuthors(model, rng.int(4));
    model.eventTopics = this.eventTopics(
      model.pool,
      kind === CustomerKind.EVENT_ATTENDEE || group ? rng.between(1, 3) : rng.int(3),
    );
    model.activityWeight = this.activityWeight(model);
    this.declareInterests(model);
    return model;
  }

  child(position: number, guardian: CustomerModel): CustomerModel {
    const { rng, time } = this;
    const oldest = Math.min(MINOR_AGE - 1, (guardian.age ?? 40) - 20);
    // At least one: a child "born this year" could postdate an early-January reference date.
    const age = rng.between(1, Math.max(1, oldest));
    const birthYear = time.year - age;
    // A child joins after birth and no earlier than their guardian's own registration.
    const born = Date.UTC(birthYear, 0, 1) + rng.int(180) * DAY_MS;
    const guardianJoined = Date.parse(guardian.row.registeredAt ?? '') || time.windowStart;
    const earliest = Math.min(Math.max(born + 30 * DAY_MS, guardianJoined), time.now - DAY_MS);
    const joined = earliest + rng.next() * (time.now - DAY_MS - earliest);
    const registeredAt = timeOfDay(rng, joined, 9, 20, earliest, time.now - DAY_MS);
    const person = this.names.person(rng, guardian.language);
    const row: CustomerRow = {
      externalId: this.id(position),
      kind: CustomerKind.BORROWER,
      firstName: person.first,
      lastName: rng.chance(0.85) ? guardian.row.lastName : person.last,
      email: undefined,
      phone: undefined,
      postcode: guardian.row.postcode,
      birthYear,
      homeBranch: guardian.home.row.externalId,
      registeredAt: isoSeconds(registeredAt),
      guardian: guardian.row.externalId,
      preferredLanguage: guardian.row.preferredLanguage,
      accessibilityNeeds: rng.chance(0.03) ? [AccessibilityNeed.EASY_READ] : [],
      status: CustomerStatus.ACTIVE,
    };
    const home = guardian.home;
    const windowStart = Math.max(registeredAt, time.windowStart);
    const model = this.model(row, CustomerKind.BORROWER, home, windowStart, time.now);
    model.age = age;
    model.pool = age < TEEN_AGE ? 'C' : 'T';
    model.language = guardian.language;
    model.digitalShare = age < TEEN_AGE ? 0.02 : 0.1;
    model.usesComputers = age >= 8 && rng.chance(0.3);
    model.tastes = this.tastes(model.pool, rng.between(2, 3));
    model.favouriteAuthors = this.favouriteAuthors(model, rng.int(3));
    model.eventTopics = this.eventTopics(model.pool, rng.between(0, 2));
    model.activityWeight = this.activityWeight(model);
    // Guardians often bring their children to the children's events.
    for (const topic of model.eventTopics) {
      if (!guardian.eventTopics.includes(topic)) guardian.eventTopics.push(topic);
    }
    this.declareInterests(model);
    return model;
  }

  private model(
    row: CustomerRow,
    kind: CustomerKind,
    home: BranchModel,
    windowStart: number,
    windowEnd: number,
  ): CustomerModel {
    return {
      row,
      kind,
      pool: 'A',
      home,
      windowStart,
      windowEnd,
      tastes: [],
      favouriteAuthors: [],
      language: 'en',
      eventTopics: [],
      digitalShare: 0.08,
      usesComputers: false,
      hasWards: false,
      homeDelivery: false,
      activityWeight: 0,
    };
  }

  private pseudonym(position: number): string {
    const [adjectives, nouns] = PSEUDONYM_WORDS;
    return `PC-${this.rng.pick(adjectives)}-${this.rng.pick(nouns)}-${this.pad(position)}`;
  }

  private id(position: number): string {
    return `CU-${this.pad(position)}`;
  }

  private pad(position: number): string {
    return String(position + 1).padStart(this.width, '0');
  }

  private second(ms: number): number {
    return Math.floor(ms / 1000) * 1000;
  }

  private email(first: string | undefined, last: string, position: number): string {
    const plain = (text: string) =>
      text
        .replace(/ł/g, 'l')
        .replace(/Ł/g, 'L')
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '');
    // The position keeps addresses unique; only the reserved example domains are used.
    const domain = this.rng.chance(0.6) ? 'example.org' : 'example.com';
    const local = first === undefined ? 'group' : `${plain(first)}.${plain(last)}`;
    return `${local}${position + 1}@${domain}`;
  }

  private phone(): string {
    return `${this.rng.pick(DRAMA_NUMBER_PREFIXES)}${String(this.rng.int(1000)).padStart(3, '0')}`;
  }

  private postcode(home: BranchModel): string {
    const { rng, branches } = this;
    if (home.kind === BranchKind.MOBILE) return postcode(rng, rng.pick(RURAL_DISTRICTS));
    const roll = rng.next();
    const district =
      roll < 0.05
        ? rng.pick(OUTSIDE_DISTRICTS)
        : roll < 0.3 || home.kind !== BranchKind.BUILDING
          ? rng.pick(branches.buildings).district
          : home.district;
    return postcode(rng, district);
  }

  private status(kind: CustomerKind): CustomerStatus {
    const blocked = kind === CustomerKind.BORROWER ? 0.03 : 0.01;
    const roll = this.rng.next();
    if (roll < blocked) return CustomerStatus.BLOCKED;
    return roll < blocked + 0.12 ? CustomerStatus.LAPSED : CustomerStatus.ACTIVE;
  }

  /** Registration date and the activity window it implies; lapsed and blocked customers stop. */
  private registration(age: number | undefined, status: CustomerStatus) {
    const { rng, time } = this;
    // About a quarter joined within the ledger's two years; the rest over the previous decade.
    let registeredAt = this.second(time.now - DAY_MS - Math.pow(rng.next(), 1.6) * 15 * YEAR_MS);
    if (age !== undefined) {
      const born = Date.UTC(time.year - age, 6, 1);
      registeredAt = Math.min(Math.max(registeredAt, born + 180 * DAY_MS), time.now - DAY_MS);
    }
    let windowEnd = time.now;
    if (status === CustomerStatus.LAPSED) {
      windowEnd = time.now - rng.between(400, 650) * DAY_MS;
      if (registeredAt > windowEnd - 30 * DAY_MS) {
        registeredAt = this.second(windowEnd - rng.between(30, 2000) * DAY_MS);
      }
    } else if (status === CustomerStatus.BLOCKED) {
      windowEnd = Math.max(time.now - rng.between(10, 200) * DAY_MS, registeredAt + 30 * DAY_MS);
      windowEnd = Math.min(windowEnd, time.now);
    }
    // People join at a counter or online while awake, never at 3 a.m.
    registeredAt = timeOfDay(rng, registeredAt, 9, 20, 0, windowEnd - DAY_MS);
    const windowStart = Math.max(registeredAt, time.windowStart);
    return { registeredAt, windowStart: Math.min(windowStart, windowEnd - DAY_MS), windowEnd };
  }

  private accessibilityNeeds(age: number | undefined, homeDelivery: boolean, kind: CustomerKind) {
    const { rng } = this;
    const needs: AccessibilityNeed[] = [];
    if (kind === CustomerKind.GROUP) return needs;
    const older = age !== undefined && age >= 70;
    if (homeDelivery) needs.push(AccessibilityNeed.HOME_DELIVERY);
    const largePrint = older ? 0.25 : homeDelivery ? 0.5 : 0.02;
    if (rng.chance(largePrint)) needs.push(AccessibilityNeed.LARGE_PRINT);
    if (rng.chance(0.02)) needs.push(AccessibilityNeed.AUDIO);
    if (rng.chance(0.015)) needs.push(AccessibilityNeed.EASY_READ);
    if (rng.chance(0.003)) needs.push(AccessibilityNeed.BRAILLE);
    if (rng.chance(older ? 0.06 : 0.015)) needs.push(AccessibilityNeed.WHEELCHAIR_ACCESS);
    if (rng.chance(older ? 0.1 : 0.01)) needs.push(AccessibilityNeed.HEARING_LOOP);
    return needs;
  }

  private formatPreference(needs: AccessibilityNeed[], kind: CustomerKind): ItemFormat | undefined {
    if (needs.includes(AccessibilityNeed.LARGE_PRINT)) return ItemFormat.LARGE_PRINT;
    if (needs.includes(AccessibilityNeed.AUDIO) || needs.includes(AccessibilityNeed.BRAILLE)) {
      return ItemFormat.AUDIOBOOK;
    }
    const { rng } = this;
    if (kind === CustomerKind.ONLINE_USER) {
      if (!rng.chance(0.5)) return undefined;
      return rng.chance(0.6) ? ItemFormat.EBOOK : ItemFormat.AUDIOBOOK;
    }
    if (!rng.chance(0.06)) return undefined;
    return rng.pick([ItemFormat.EBOOK, ItemFormat.AUDIOBOOK, ItemFormat.DVD]);
  }

  private digitalShare(kind: CustomerKind, preference: ItemFormat | undefined): number {
    if (kind === CustomerKind.ONLINE_USER) return 1;
    if (preference === ItemFormat.AUDIOBOOK || preference === ItemFormat.EBOOK) return 0.55;
    return 0.05 + 0.1 * this.rng.next();
  }

  /** A few favourite genres or subjects; some adults also love films or music. */
  private tastes(pool: Pool, count: number, fictionOnly = false): Weighted<string> {
    const { rng } = this;
    const choices = this.tasteChoices;
    let picked: string[];
    if (pool === 'A') {
      // Adults lean somewhere between all-fiction and all-non-fiction.
      const leaning = fictionOnly ? 1 : rng.next();
      const chosen = new Set<string>();
      for (let i = 0; i < count * 4 && chosen.size < count; i++) {
        const fiction = rng.chance(leaning);
        const list = fiction ? choices.adultGenres : choices.adultSubjects;
        const fallback = fiction ? choices.adultSubjects : choices.adultGenres;
        if (list.length > 0) chosen.add(rng.weighted(list));
        else if (fallback.length > 0 && !fictionOnly) chosen.add(rng.weighted(fallback));
      }
      picked = [...chosen];
      if (!fictionOnly && choices.films.length > 0 && rng.chance(0.1)) {
        picked.push(rng.weighted(choices.films));
      }
      if (!fictionOnly && choices.music.length > 0 && rng.chance(0.08)) {
        picked.push(rng.weighted(choices.music));
      }
    } else {
      picked = rng.distinct(pool === 'C' ? choices.child : choices.teen, count);
    }
    // The first taste dominates: most readers have one main love and a few side interests.
    return [...new Set(picked)].map((taste, rank) => [taste, powerLaw(rank, 1)] as const);
  }

  /** Favourite authors are drawn from popular titles in the reader's tastes. */
  private favouriteAuthors(model: CustomerModel, count: number): number[] {
    const authors = new Set<number>();
    for (let i = 0; i < count * 2 && authors.size < count; i++) {
      const taste = this.rng.weighted(model.tastes);
      const index = this.catalogue.index.get(catalogueKey(model.pool, 'P', taste));
      if (!index) continue;
      const author = this.catalogue.items[index.sample(this.rng)].authorIds[0];
      if (author !== undefined) authors.add(author);
    }
    return [...authors];
  }

  private eventTopics(pool: Pool, count: number): string[] {
    return this.rng.distinct(this.eventTypeChoices[POOL_AUDIENCE[pool]], count);
  }

  private activityWeight(model: CustomerModel): number {
    const { rng, time } = this;
    // A few registered customers never use the service at all.
    if (model.row.registeredAt && rng.chance(0.05)) return 0;
    const age = model.age ?? MINOR_AGE;
    // Toddlers borrow less than older children; a minor's kind is always BORROWER.
    const base = age < 3 ? 0.3 : age < MINOR_AGE ? 0.7 : KIND_ACTIVITY[model.kind];
    // Log-normal spread, capped so one customer cannot swamp a small ledger.
    const individual = Math.min(8, Math.exp(0.9 * rng.normal()));
    const windowShare = (model.windowEnd - model.windowStart) / ACTIVITY_WINDOW_MS;
    return base * individual * windowShare;
  }

  /** Declared interests: a noisy subset of the latent tastes, as told to staff or a form. */
  private declareInterests(model: CustomerModel): void {
    const { rng } = this;
    const declares =
      model.kind === CustomerKind.EVENT_ATTENDEE || model.kind === CustomerKind.GROUP ? 0.75 : 0.5;
    if (!rng.chance(declares)) return;
    const seen = new Set<string>();
    const add = (kind: InterestKind, value: string) => {
      const csvKind = kind.toLowerCase() as DemoInterestKind;
      const key = `${kind}|${value}`;
      if (seen.has(key) || !this.known[csvKind].has(value)) return;
      seen.add(key);
      this.interests.push({ customerExternalId: model.row.externalId, kind: csvKind, value });
    };
    const addTaste = (taste: string) =>
      add(taste.startsWith('g:') ? InterestKind.GENRE : InterestKind.SUBJECT, taste.slice(2));
    for (const [taste] of model.tastes) if (rng.chance(0.7)) addTaste(taste);
    for (const author of model.favouriteAuthors) {
      if (rng.chance(0.4)) add(InterestKind.AUTHOR, this.catalogue.authors[author].name);
    }
    if (model.formatPreference && rng.chance(0.8)) add(InterestKind.FORMAT, model.formatPreference);
    if (model.language !== 'en' && rng.chance(0.7)) add(InterestKind.LANGUAGE, model.language);
    for (const topic of model.eventTopics) if (rng.chance(0.6)) add(InterestKind.EVENT_TYPE, topic);
    // People also tick boxes they never act on.
    if (rng.chance(0.15)) {
      const stray = this.tastes(model.pool, 1)[0];
      if (stray) addTaste(stray[0]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Activity
// ---------------------------------------------------------------------------------------------

interface LibraryModel {
  options: DemoOptions;
  time: ReferenceTime;
  branches: BranchSet;
  catalogue: Catalogue;
  events: EventSet;
  people: People;
}

/** An activity before it gets its source key; -1 marks "no item" or "no event". */
interface Draft {
  at: number;
  type: ActivityType;
  item: number;
  event: number;
  branch: number;
  channel: Channel;
  rating?: number;
  minutes?: number;
  terms?: string;
}

type Episode =
  | 'loan'
  | 'groupLoan'
  | 'download'
  | 'browse'
  | 'recommendation'
  | 'visit'
  | 'pc'
  | 'event'
  | 'enquiry'
  | 'outreach';

/** Most activity drafts held in memory for one customer at a time. */
const MAX_DRAFTS_PER_SLICE = 4_096;

/**
 * Streams the ledger: each customer gets a share of the requested rows in proportion to their
 * activity weight, then lives through "episodes" (a loan and its return, a search that ends in a
 * hold, an event booking and attendance) until the share is used up.
 */
function* streamActivities(model: LibraryModel): Generator<ActivityRow, void, undefined> {
  const { customers } = model.people;
  const total = model.options.activities;
  if (total === 0 || customers.length === 0) return;
  let weightSum = 0;
  for (const customer of customers) weightSum += customer.activityWeight;
  const weightOf = (customer: CustomerModel) => (weightSum > 0 ? customer.activityWeight : 1);
  const weightTotal = weightSum > 0 ? weightSum : customers.length;
  // Seats taken per event, shared by every customer in this pass so capacity is respected.
  const taken = new Int32Array(model.events.all.length);
  let cumulative = 0;
  let assigned = 0;
  let sequence = 0;
  for (let i = 0; i < customers.length; i++) {
    const customer = customers[i];
    cumulative += weightOf(customer);
    const last = i === customers.length - 1;
    const target = last ? total : Math.floor((total * cumulative) / weightTotal);
    const budget = target - assigned;
    assigned = target;
    if (budget <= 0) continue;
    const rng = new Random(mixSeed(model.options.seed, STREAM.activity, i));
    const life = new CustomerLife(model, customer, rng, taken);
    // A very large share is lived in consecutive slices of the window, so the drafts held at
    // once stay bounded however many rows one customer gets.
    const slices = Math.ceil(budget / MAX_DRAFTS_PER_SLICE);
    for (let slice = 0; slice < slices; slice++) {
      const share =
        Math.floor((budget * (slice + 1)) / slices) - Math.floor((budget * slice) / slices);
      const drafts = life.live(share, slice / slices, (slice + 1) / slices);
      drafts.sort((a, b) => a.at - b.at);
      for (const draft of drafts) {
        sequence++;
        yield toActivityRow(model, customer, draft, sequence);
      }
    }
  }
}

function toActivityRow(
  model: LibraryModel,
  customer: CustomerModel,
  draft: Draft,
  sequence: number,
): ActivityRow {
  return {
    customerExternalId: customer.row.externalId,
    type: draft.type,
    occurredAt: isoSeconds(draft.at),
    itemExternalId: draft.item >= 0 ? model.catalogue.items[draft.item].row.externalId : undefined,
    eventExternalId: draft.event >= 0 ? model.events.all[draft.event].row.externalId : undefined,
    branch: model.branches.all[draft.branch].row.externalId,
    channel: draft.channel,
    sourceKey: `demo-${sequence}`,
    rating: draft.rating,
    sessionMinutes: draft.minutes,
    searchTerms: draft.terms,
  };
}

const HOLD_CHANNELS: Weighted<Channel> = [
  [Channel.ONLINE, 4],
  [Channel.APP, 3],
  [Channel.IN_BRANCH, 2],
  [Channel.PHONE, 1],
];
const RENEWAL_CHANNELS: Weighted<Channel> = [
  [Channel.ONLINE, 5],
  [Channel.PHONE, 2],
  [Channel.IN_BRANCH, 2],
];
const ENQUIRY_CHANNELS: Weighted<Channel> = [
  [Channel.IN_BRANCH, 5],
  [Channel.PHONE, 3],
  [Channel.ONLINE, 2],
];
const BOOKING_CHANNELS: Weighted<Channel> = [
  [Channel.ONLINE, 4],
  [Channel.APP, 2],
  [Channel.IN_BRANCH, 3],
  [Channel.PHONE, 1],
];
const GOOD_RATINGS: Weighted<number> = [
  [5, 45],
  [4, 35],
  [3, 15],
  [2, 4],
  [1, 1],
];
const MIXED_RATINGS: Weighted<number> = [
  [5, 10],
  [4, 25],
  [3, 35],
  [2, 20],
  [1, 10],
];
const GENERAL_SEARCHES = ['new books', 'large print', 'audiobooks', 'dvd', 'cookbooks'];

/** A sampler the reader draws items from, with how often they use it. */
interface Source {
  index: WeightedIndex;
  weight: number;
}

/** One customer's two years, as episodes; every row stays inside their activity window. */
class CustomerLife {
  private readonly start: number;
  private readonly end: number;
  private readonly episodes: Weighted<Episode>;
  private readonly sources: Record<Medium, Source[]>;
  /** Just the favourite genres and subjects: what a recommender would put forward. */
  private readonly tasteSources: Record<Medium, Source[]>;
  private readonly tasteSet: Set<string>;
  private readonly booked = new Set<number>();

  constructor(
    private readonly model: LibraryModel,
    private readonly customer: CustomerModel,
    private readonly rng: Random,
    private readonly taken: Int32Array,
  ) {
    this.start = customer.windowStart;
    this.end = Math.min(customer.windowEnd, model.time.now);
    this.episodes = episodeMix(customer);
    this.sources = { P: this.itemSources('P'), D: this.itemSources('D') };
    this.tasteSources = { P: this.itemSources('P', true), D: this.itemSources('D', true) };
    this.tasteSet = new Set(customer.tastes.map(([taste]) => taste));
  }

  /**
   * Exactly `budget` drafts for episodes starting in the [from, to) fraction of the window;
   * episodes that would overrun the budget are replaced by one-row fillers.
   */
  live(budget: number, from = 0, to = 1): Draft[] {
    const drafts: Draft[] = [];
    const span = this.end - this.start;
    while (drafts.length < budget) {
      const at = this.start + (from + this.rng.next() * (to - from)) * span;
      let episode = this.episode(this.rng.weighted(this.episodes), at);
      if (episode.length === 0 || episode.length > budget - drafts.length) {
        episode = [this.filler(at)];
      }
      for (const draft of episode) drafts.push(draft);
    }
    return drafts;
  }

  private episode(kind: Episode, at: number): Draft[] {
    switch (kind) {
      case 'loan':
        return this.loan(at);
      case 'groupLoan':
        return this.groupLoan(at);
      case 'download':
        return this.download(at);
      case 'browse':
        return this.browse(at);
      case 'recommendation':
        return this.recommendation(at);
      case 'visit':
        return [this.visit(at)];
      case 'pc':
        return [this.pcSession(at)];
      case 'event':
        return this.event();
      case 'enquiry':
        return [this.enquiry(at)];
      case 'outreach':
        return this.outreachRound(at);
    }
  }

  /** A single row that suits the customer, used when an episode cannot happen or fit. */
  private filler(at: number): Draft {
    const { customer } = this;
    if (customer.homeDelivery) {
      const outreach = this.model.branches.outreach.index;
      const when = this.branchTime(at);
      return this.draft(when, ActivityType.OUTREACH_VISIT, outreach, Channel.OUTREACH);
    }
    switch (customer.kind) {
      case CustomerKind.ONLINE_USER:
        return this.search(this.onlineTime(at), this.pickItem(this.preferredMedium(), at));
      case CustomerKind.PC_USER:
        return this.pcSession(at);
      default:
        return this.visit(at);
    }
  }

  // -- episodes ------------------------------------------------------------------------------

  /** Borrowing in person: straight off the shelf if the branch has it, else via a hold. */
  private loan(at: number): Draft[] {
    const { rng } = this;
    const item = this.pickItem('P', at);
    if (item < 0) return [];
    const branch = this.lendingBranch();
    const holdings = this.model.catalogue.items[item].holdingBranches;
    const out: Draft[] = [];
    const onShelf = holdings.includes(branch);
    // Not on this branch's shelves: most reserve it for collection, the rest go where it is.
    if (!onShelf && rng.chance(0.6)) {
      this.holdAndCollect(out, item, at, branch);
      return out;
    }
    let earliest = at;
    if (!this.youngChild() && rng.chance(0.2)) {
      // Some readers look a title up online before going in for it.
      const viewed = this.onlineTime(at);
      out.push(this.view(viewed, item));
      earliest = viewed + MINUTE_MS;
      if (earliest > this.end) return out;
    }
    // branchTime may pick an earlier hour of the same day, hence the max.
    const visit = this.branchTime(earliest + rng.int(3) * DAY_MS);
    const when = Math.min(Math.max(visit, earliest), this.end);
    this.lend(out, item, onShelf ? branch : rng.pick(holdings), when, Channel.IN_BRANCH);
    return out;
  }

  /** Places a hold for pickup at `branch`; if it is collected before the window ends, lends it. */
  private holdAndCollect(out: Draft[], item: number, at: number, branch: number): void {
    const { rng } = this;
    const channel = this.youngChild() ? Channel.IN_BRANCH : rng.weighted(HOLD_CHANNELS);
    const placed = channel === Channel.IN_BRANCH ? this.branchTime(at) : this.onlineTime(at);
    out.push(this.draft(placed, ActivityType.HOLD_PLACED, branch, channel, item));
    const collected = this.branchTime(placed + rng.between(2, 10) * DAY_MS);
    if (collected > this.end || collected <= placed) return;
    out.push(this.draft(collected, ActivityType.HOLD_COLLECTED, branch, Channel.IN_BRANCH, item));
    this.lend(out, item, branch, Math.min(collected + MINUTE_MS, this.end), Channel.IN_BRANCH);
  }

  /** LOAN, then usually RETURN (sometimes after a RENEWAL), then sometimes a RATING. */
  private lend(out: Draft[], item: number, branch: number, at: number, channel: Channel): void {
    const { rng } = this;
    out.push(this.draft(at, ActivityType.LOAN, branch, channel, item));
    let last = at;
    // Home delivery swaps titles on the volunteer's next round; there is nothing to renew.
    if (channel !== Channel.OUTREACH && rng.chance(0.2)) {
      const renewal = this.onlineTime(at + rng.between(12, 21) * DAY_MS);
      if (renewal > this.end) return;
      const renewChannel = rng.weighted(RENEWAL_CHANNELS);
      const renewBranch = renewChannel === Channel.ONLINE ? this.onlineBranch : branch;
      out.push(this.draft(renewal, ActivityType.RENEWAL, renewBranch, renewChannel, item));
      last = renewal;
    }
    const returned =
      channel === Channel.OUTREACH
        ? Math.floor((at + rng.between(25, 31) * DAY_MS) / 1000) * 1000
        : this.branchTime(last + rng.between(5, 24) * DAY_MS);
    if (returned > this.end || returned <= last) return;
    // Books can go back anywhere; most go back where they came from.
    const outreach = channel === Channel.OUTREACH;
    const returnBranch = outreach || rng.chance(0.85) ? branch : this.lendingBranch();
    const returnChannel = outreach ? Channel.OUTREACH : Channel.IN_BRANCH;
    out.push(this.draft(returned, ActivityType.RETURN, returnBranch, returnChannel, item));
    this.maybeRate(out, item, returned);
  }

  private maybeRate(out: Draft[], item: number, after: number): void {
    const { rng } = this;
    if (!rng.chance(this.youngChild() ? 0.03 : 0.15)) return;
    const at = this.onlineTime(after + rng.between(0, 5) * DAY_MS);
    if (at > this.end || at < after) return;
    const channel = this.onlineChannel();
    const draft = this.draft(at, ActivityType.RATING, this.onlineBranch, channel, item);
    draft.rating = rng.weighted(this.matchesTaste(item) ? GOOD_RATINGS : MIXED_RATINGS);
    out.push(draft);
  }

  /** Reading groups and school classes take several titles at once and return them together. */
  private groupLoan(at: number): Draft[] {
    const { rng } = this;
    const out: Draft[] = [];
    const when = this.branchTime(at);
    const branch = this.customer.home.index;
    const count = rng.between(2, 6);
    const returned = this.branchTime(when + rng.between(21, 42) * DAY_MS);
    for (let i = 0; i < count; i++) {
      const item = this.pickItem('P', when);
      if (item < 0) continue;
      out.push(this.draft(when, ActivityType.LOAN, branch, Channel.IN_BRANCH, item));
      if (returned <= this.end && returned > when) {
        out.push(this.draft(returned, ActivityType.RETURN, branch, Channel.IN_BRANCH, item));
      }
    }
    return out;
  }

  private download(at: number): Draft[] {
    const { rng } = this;
    const when = this.onlineTime(at);
    const item = this.pickItem('D', when);
    if (item < 0) return [];
    const out: Draft[] = [];
    const online = this.model.branches.online.index;
    const channel = this.onlineChannel();
    let downloaded = when;
    if (rng.chance(0.3)) {
      out.push(this.view(when, item, channel));
      downloaded = Math.min(when + rng.between(1, 10) * MINUTE_MS, this.end);
    }
    out.push(this.draft(downloaded, ActivityType.DOWNLOAD, online, channel, item));
    this.maybeRate(out, item, downloaded + rng.between(3, 20) * DAY_MS);
    return out;
  }

  /** A catalogue search, a look at one to three titles, and sometimes a hold or a download. */
  private browse(at: number): Draft[] {
    const { rng, customer } = this;
    const medium = this.preferredMedium();
    const when = this.onlineTime(at);
    const item = this.pickItem(medium, when);
    if (item < 0) return [];
    const out: Draft[] = [this.search(when, item)];
    let now = when;
    const views = rng.between(1, 3);
    for (let i = 0; i < views; i++) {
      const viewed = i === 0 ? item : this.pickItem(medium, now);
      if (viewed < 0) continue;
      now = Math.min(now + rng.between(1, 4) * MINUTE_MS, this.end);
      out.push(this.view(now, viewed, out[0].channel));
    }
    const borrows =
      customer.kind === CustomerKind.BORROWER || customer.kind === CustomerKind.ONLINE_USER;
    if (borrows && rng.chance(0.35)) this.takeOut(out, item, now);
    return out;
  }

  private recommendation(at: number): Draft[] {
    const { rng } = this;
    const medium = this.preferredMedium();
    const when = this.onlineTime(at);
    const item = this.pickItem(medium, when, true);
    if (item < 0) return [];
    const channel = this.onlineChannel();
    const online = this.model.branches.online.index;
    const out = [this.draft(when, ActivityType.RECOMMENDATION_CLICK, online, channel, item)];
    const viewed = Math.min(when + MINUTE_MS, this.end);
    out.push(this.view(viewed, item, channel));
    if (rng.chance(0.3)) this.takeOut(out, item, viewed);
    return out;
  }

  /** After finding a title online: download it, or hold it for collection at the home branch. */
  private takeOut(out: Draft[], item: number, after: number): void {
    const at = Math.min(after + MINUTE_MS, this.end);
    if (this.model.catalogue.items[item].medium === 'D') {
      const channel = out[out.length - 1].channel;
      out.push(this.draft(at, ActivityType.DOWNLOAD, this.onlineBranch, channel, item));
    } else if (this.customer.kind === CustomerKind.BORROWER) {
      this.holdAndCollect(out, item, at, this.lendingBranch());
    }
  }

  private visit(at: number): Draft {
    const branch = this.rng.chance(0.85) ? this.customer.home : this.otherBuilding();
    return this.draft(this.branchTime(at), ActivityType.VISIT, branch.index, Channel.IN_BRANCH);
  }

  private pcSession(at: number): Draft {
    const { rng } = this;
    const home = this.customer.home;
    // Mobile libraries have no public computers.
    const local = home.kind === BranchKind.BUILDING && rng.chance(0.85);
    const branch = local ? home : this.otherBuilding();
    const when = this.branchTime(at);
    const draft = this.draft(when, ActivityType.PC_SESSION, branch.index, Channel.IN_BRANCH);
    // Bookings are an hour by default, so many sessions run exactly that long; the rest spread
    // around forty minutes.
    const spread = Math.round(Math.exp(Math.log(40) + 0.6 * rng.normal()));
    draft.minutes = rng.chance(0.35) ? 60 : Math.min(180, Math.max(5, spread));
    return draft;
  }

  private enquiry(at: number): Draft {
    const { rng, customer } = this;
    const channel =
      customer.kind === CustomerKind.ONLINE_USER
        ? Channel.ONLINE
        : customer.homeDelivery
          ? Channel.PHONE
          : rng.weighted(ENQUIRY_CHANNELS);
    const { branches } = this.model;
    const branch =
      channel === Channel.ONLINE
        ? branches.online
        : customer.homeDelivery
          ? branches.outreach
          : customer.home;
    const when = channel === Channel.ONLINE ? this.onlineTime(at) : this.branchTime(at);
    return this.draft(when, ActivityType.ENQUIRY, branch.index, channel);
  }

  /** Home delivery: a volunteer visits about monthly, dropping off a few titles. */
  private outreachRound(at: number): Draft[] {
    const { rng } = this;
    const outreach = this.model.branches.outreach.index;
    const when = this.branchTime(at);
    const out = [this.draft(when, ActivityType.OUTREACH_VISIT, outreach, Channel.OUTREACH)];
    const count = rng.between(1, 4);
    for (let i = 0; i < count; i++) {
      const item = this.pickItem('P', when);
      if (item < 0) continue;
      this.lend(out, item, outreach, Math.min(when + MINUTE_MS, this.end), Channel.OUTREACH);
    }
    return out;
  }

  /** Books an event matching the customer's interests, and attends it if it has happened. */
  private event(): Draft[] {
    const { rng, customer, model } = this;
    const eventIndex = this.pickEvent();
    if (eventIndex < 0) return [];
    const event = model.events.all[eventIndex];
    this.booked.add(eventIndex);
    this.taken[eventIndex]++;
    const out: Draft[] = [];
    const attendChannel = event.online ? Channel.ONLINE : Channel.IN_BRANCH;
    const upcoming = event.start > model.time.now;
    const walkIn = !upcoming && !event.online && rng.chance(0.3);
    if (!walkIn) {
      // Bookings for what is coming up open weeks ahead; past events were mostly booked late.
      const leadDays = rng.between(1, upcoming ? 75 : 21);
      const earliest = Math.max(this.start, event.start - leadDays * DAY_MS);
      const latest = Math.min(this.end, event.start - HOUR_MS);
      if (latest > earliest) {
        const channel =
          customer.kind === CustomerKind.ONLINE_USER || event.online
            ? this.onlineChannel()
            : rng.weighted(BOOKING_CHANNELS);
        const at = this.second(earliest + rng.next() * (latest - earliest));
        out.push(this.draft(at, ActivityType.EVENT_BOOKED, event.branch, channel, -1, eventIndex));
      } else if (upcoming) {
        return [];
      }
    }
    // Booked places are not always used; only events that have finished can be attended.
    const attends = !upcoming && event.end <= this.end && (walkIn || rng.chance(0.85));
    if (attends) {
      const arrived = Math.min(event.start + rng.int(10) * MINUTE_MS, this.end);
      const attended = ActivityType.EVENT_ATTENDED;
      out.push(this.draft(arrived, attended, event.branch, attendChannel, -1, eventIndex));
    }
    return out;
  }

  /** An event by topic, within the window, for the right audience, with seats, not yet booked. */
  private pickEvent(): number {
    const { rng, customer, model } = this;
    const events = model.events;
    if (events.all.length === 0) return -1;
    // Only customers still active book what is coming up.
    const active = customer.windowEnd >= model.time.now;
    const latestStart = active ? model.time.now + UPCOMING_WINDOW_MS : this.end;
    const topics: Weighted<string> = [
      ...customer.eventTopics.map((topic) => [topic, 3] as const),
      ...customer.tastes.map(([taste, weight]) => [taste.slice(2), weight] as const),
      ...customer.favouriteAuthors.map((id) => [model.catalogue.authors[id].name, 1] as const),
    ];
    for (let attempt = 0; attempt < 8; attempt++) {
      // Mostly by interest; the last tries take anything, as people do when a friend asks.
      const byInterest = topics.length > 0 && attempt < 6;
      const list = byInterest ? events.byTopic.get(rng.weighted(topics)) : events.everything;
      if (!list || list.length === 0) continue;
      const from = lowerBound(list, this.start + DAY_MS, (i) => events.all[i].start);
      const to = lowerBound(list, latestStart, (i) => events.all[i].start);
      if (to <= from) continue;
      const candidate = list[from + rng.int(to - from)];
      if (this.canAttend(candidate)) return candidate;
    }
    return -1;
  }

  private canAttend(index: number): boolean {
    const { customer } = this;
    const event = this.model.events.all[index];
    if (this.booked.has(index) || this.taken[index] >= event.capacity) return false;
    if (customer.kind === CustomerKind.ONLINE_USER && !event.online) return false;
    // Events still running at the reference date can be neither booked nor attended.
    if (event.start <= this.model.time.now && event.end > this.model.time.now) return false;
    switch (customer.pool) {
      case 'C':
        return event.audience === Audience.CHILDREN;
      case 'T':
        return event.audience === Audience.YOUNG_ADULT;
      default:
        return (
          event.audience === Audience.ADULT ||
          (customer.hasWards && event.audience === Audience.CHILDREN)
        );
    }
  }

  // -- choices -------------------------------------------------------------------------------

  /** Taste-driven samplers: favourite labels and authors, formats, language, then anything. */
  private itemSources(medium: Medium, tastesOnly = false): Source[] {
    const { customer } = this;
    const index = this.model.catalogue.index;
    const pool = customer.pool;
    const sources: Source[] = [];
    const add = (key: string, weight: number) => {
      const found = index.get(key);
      if (found && weight > 0) sources.push({ index: found, weight });
    };
    let tasteTotal = 0;
    for (const [, weight] of customer.tastes) tasteTotal += weight;
    for (const [taste, weight] of customer.tastes) {
      add(catalogueKey(pool, medium, taste), (0.6 * weight) / tasteTotal);
    }
    if (tastesOnly) return sources;
    for (const author of customer.favouriteAuthors) {
      add(catalogueKey(pool, medium, `a:${author}`), 0.15 / customer.favouriteAuthors.length);
    }
    if (customer.formatPreference) {
      add(catalogueKey(pool, medium, `f:${customer.formatPreference}`), 0.35);
    }
    if (customer.language !== 'en') add(catalogueKey(pool, medium, `l:${customer.language}`), 0.35);
    // Parents borrow picture books too; children's stock is never adult, so this is safe.
    if (customer.hasWards) add(catalogueKey('C', medium, '*'), 0.15);
    add(catalogueKey(pool, medium, '*'), 0.15);
    return sources;
  }

  /**
   * A title for this reader, on the shelf by `at`; -1 when none fits. `tastesOnly` draws from
   * favourite genres and subjects alone, as a recommender would.
   */
  private pickItem(medium: Medium, at: number, tastesOnly = false): number {
    const { rng } = this;
    const sources = tastesOnly ? this.tasteSources[medium] : this.sources[medium];
    if (sources.length === 0) return tastesOnly ? this.pickItem(medium, at) : -1;
    let total = 0;
    for (const source of sources) total += source.weight;
    for (let attempt = 0; attempt < 6; attempt++) {
      let target = rng.next() * total;
      let chosen = sources[sources.length - 1];
      for (const source of sources) {
        target -= source.weight;
        if (target < 0) {
          chosen = source;
          break;
        }
      }
      const item = chosen.index.sample(rng);
      if (this.model.catalogue.items[item].addedAt <= at) return item;
    }
    return -1;
  }

  /** Under twelve: a grown-up does the online parts, so their rows are in person. */
  private youngChild(): boolean {
    return this.customer.age !== undefined && this.customer.age < TEEN_AGE;
  }

  private preferredMedium(): Medium {
    return this.rng.chance(this.customer.digitalShare) ? 'D' : 'P';
  }

  private matchesTaste(item: number): boolean {
    const model = this.model.catalogue.items[item];
    return (
      model.labels.some((label) => this.tasteSet.has(label)) ||
      model.authorIds.some((author) => this.customer.favouriteAuthors.includes(author))
    );
  }

  /** Home branch mostly; otherwise another building, the central library most often. */
  private lendingBranch(): number {
    const home = this.customer.home;
    return isPhysical(home) && this.rng.chance(0.8) ? home.index : this.otherBuilding().index;
  }

  private otherBuilding(): BranchModel {
    return this.rng.weighted(this.model.branches.buildingChoice);
  }

  private onlineChannel(): Channel {
    return this.rng.chance(0.4) ? Channel.APP : Channel.ONLINE;
  }

  // -- rows ----------------------------------------------------------------------------------

  private search(at: number, item: number): Draft {
    const draft = this.draft(at, ActivityType.SEARCH, this.onlineBranch, this.onlineChannel());
    draft.terms = this.searchTerms(item);
    return draft;
  }

  private searchTerms(item: number): string {
    const { rng } = this;
    if (item < 0 || rng.chance(0.1)) return rng.pick(GENERAL_SEARCHES);
    const row = this.model.catalogue.items[item].row;
    const roll = rng.next();
    if (roll < 0.35 && row.genres.length + row.subjects.length > 0) {
      return rng.pick([...row.genres, ...row.subjects]).toLowerCase();
    }
    if (roll < 0.6 && row.authors.length > 0) {
      const author = rng.pick(row.authors);
      return rng.chance(0.5) ? author : author.split(' ').slice(-1)[0];
    }
    const words = row.title.split(/[\s:,?]+/).filter((word) => word.length > 3);
    return words.length > 0 ? words.slice(0, 2).join(' ').toLowerCase() : row.title.toLowerCase();
  }

  private view(at: number, item: number, channel = this.onlineChannel()): Draft {
    const branch = channel === Channel.IN_BRANCH ? this.customer.home : this.model.branches.online;
    return this.draft(at, ActivityType.CATALOGUE_VIEW, branch.index, channel, item);
  }

  private draft(
    at: number,
    type: ActivityType,
    branch: number,
    channel: Channel,
    item = -1,
    event = -1,
  ): Draft {
    // Every field is set so all drafts share one shape, which keeps V8's property access fast.
    const empty = { rating: undefined, minutes: undefined, terms: undefined };
    return { at, type, item, event, branch, channel, ...empty };
  }

  /** Opening hours, within the window. */
  private branchTime(at: number): number {
    return timeOfDay(this.rng, this.clamp(at), 9, 19, this.start, this.end);
  }

  /** Waking hours online, within the window. */
  private onlineTime(at: number): number {
    return timeOfDay(this.rng, this.clamp(at), 6.5, 23.5, this.start, this.end);
  }

  private clamp(at: number): number {
    return Math.min(Math.max(at, this.start), this.end);
  }

  private get onlineBranch(): number {
    return this.model.branches.online.index;
  }

  private second(ms: number): number {
    return Math.floor(ms / 1000) * 1000;
  }
}

/** Which episodes a customer lives through, by kind and circumstance. */
function episodeMix(customer: CustomerModel): Weighted<Episode> {
  const mix: [Episode, number][] = [];
  const add = (episode: Episode, weight: number) => {
    if (weight > 0) mix.push([episode, weight]);
  };
  const events = customer.eventTopics.length > 0 ? 1 : 0.25;
  if (customer.homeDelivery) {
    add('outreach', 6);
    add('download', 6 * customer.digitalShare);
    add('enquiry', 1);
    return mix;
  }
  switch (customer.kind) {
    case CustomerKind.BORROWER:
      if (customer.age !== undefined && customer.age < TEEN_AGE) {
        add('loan', 7);
        add('event', 1.5 * events);
        add('visit', 1.5);
        add('download', 7 * customer.digitalShare);
      } else {
        add('loan', 4.5);
        add('download', (4.5 * customer.digitalShare) / (1 - customer.digitalShare));
        add('browse', 1.2);
        add('recommendation', 0.4);
        add('visit', 0.8);
        add('pc', customer.usesComputers ? 1.5 : 0.05);
        add('event', 0.8 * events);
        add('enquiry', 0.3);
      }
      break;
    case CustomerKind.MEMBER:
      add('visit', 3.5);
      add('event', 2.5 * events);
      add('pc', customer.usesComputers ? 2 : 0.3);
      add('enquiry', 1);
      add('browse', 1.5);
      break;
    case CustomerKind.VISITOR:
      add('visit', 8);
      add('enquiry', 2);
      break;
    case CustomerKind.EVENT_ATTENDEE:
      add('event', 8);
      add('visit', 2);
      break;
    case CustomerKind.PC_USER:
      add('pc', 8.5);
      add('visit', 0.5);
      add('enquiry', 1);
      break;
    case CustomerKind.ONLINE_USER:
      add('download', 4.5);
      add('browse', 3);
      add('recommendation', 1.5);
      add('event', 0.5 * events);
      add('enquiry', 0.5);
      break;
    case CustomerKind.GROUP:
      add('groupLoan', 5);
      add('event', 2.5);
      add('visit', 2.5);
      break;
  }
  return mix;
}

/** First position in a list sorted by `key` whose key is >= `value`. */
function lowerBound(
  list: readonly number[],
  value: number,
  key: (entry: number) => number,
): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(list[middle]) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
