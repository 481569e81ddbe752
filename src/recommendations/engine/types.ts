import type { ActivityType } from '../../activity/activity.enums';
import type { Audience, ItemFormat } from '../../catalogue/catalogue.enums';
import type { AccessibilityNeed, AgeBand } from '../../customers/customer.enums';
import type { InterestKind } from '../../interests/interest.enums';

/*
 * Plain data shapes the engine reads and returns. Nothing here knows about TypeORM, GraphQL,
 * Redis or queues: workers translate database rows into these shapes (customers, items, branches
 * and events become dense integer indices) and cache what comes back.
 */

/**
 * How far a customer lets the service personalise for them.
 *
 * - `FULL`: history and interests are both used.
 * - `INTERESTS_ONLY`: only declared interests shape the list; history only hides what they have
 *   had.
 * - `OFF`: a generic popular list; history only hides what they have had.
 */
export type RecommendationMode = 'FULL' | 'INTERESTS_ONLY' | 'OFF';

/** One ledger entry about a catalogue title, as the model build reads it. */
export interface ItemActivity {
  /** Dense customer index, `0 <= customer < customerCount`. */
  customer: number;
  /** Dense item (title) index, `0 <= item < itemCount`. */
  item: number;
  type: ActivityType;
  /** When it happened, in epoch milliseconds. */
  at: number;
  /** `details.rating` (1–5) on RATING entries; ignored on other types. */
  rating?: number;
  /** Dense index of the branch where it happened, when it happened at one. */
  branch?: number;
}

/** One of the customer's own ledger entries about a title, as a profile carries it. */
export interface HistoryEntry {
  item: number;
  type: ActivityType;
  at: number;
  rating?: number;
}

/** One of the customer's own ledger entries about an event (EVENT_BOOKED or EVENT_ATTENDED). */
export interface EventHistoryEntry {
  /** Dense event index into the events array given to `rankEvents`. */
  event: number;
  type: ActivityType;
  at: number;
}

/** A catalogue title with the features the engine uses. Position in the array is its index. */
export interface CatalogueItem {
  format: ItemFormat;
  audience: Audience;
  /** ISO 639 language code; missing means "unknown", which passes every language rule. */
  language?: string;
  subjects?: readonly string[];
  genres?: readonly string[];
  authors?: readonly string[];
  /** Series key; titles sharing it count against the per-series diversity cap. */
  series?: string;
  /** When the title joined the catalogue (epoch ms); drives the NEW_ARRIVAL boost and reason. */
  addedAt?: number;
}

/** A declared interest: what the customer (or staff on their behalf) told us. */
export interface DeclaredInterest {
  kind: InterestKind;
  label: string;
  /** Strength 0–1; defaults to 1. */
  weight?: number;
}

/** A topic of an event, named like an interest so the two can be matched. */
export interface InterestRef {
  kind: InterestKind;
  label: string;
}

/** Everything about one customer the engine may use, already filtered by the loader. */
export interface CustomerProfile {
  ageBand: AgeBand;
  mode: RecommendationMode;
  accessibilityNeeds?: readonly AccessibilityNeed[];
  /**
   * Languages the customer reads. When non-empty, titles in any other language are left out;
   * titles with no language recorded are kept.
   */
  languages?: readonly string[];
  /** Dense index of the home branch. */
  homeBranch?: number;
  interests?: readonly DeclaredInterest[];
  /** The customer's item activity. Corrected entries must already be removed by the loader. */
  history?: readonly HistoryEntry[];
  eventHistory?: readonly EventHistoryEntry[];
  /** Items the customer dismissed from an earlier list; never suggested again. */
  dismissed?: readonly number[];
}

/** Facts about the moment and place of serving, not about the customer. */
export interface RecommendationContext {
  /** Epoch ms used for decay, trending and new-arrival windows. */
  now: number;
  /** Items with a copy on the shelf at the customer's home branch (include digital stock). */
  availableAtHomeBranch?: ReadonlySet<number>;
  /**
   * Events, past and upcoming, indexed as in `EventHistoryEntry.event`; the topics of events the
   * customer attended count as inferred interests in FULL mode.
   */
  events?: readonly LibraryEvent[];
}

/** Compressed sparse rows: row `r` owns `indices[offsets[r]..offsets[r+1])` and its `values`. */
export interface SparseRows {
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Customer × item signal strengths, held both by customer (CSR) and by item (CSC). */
export interface InteractionMatrix {
  customerCount: number;
  itemCount: number;
  /** Row per customer: items and their net positive signal. */
  byCustomer: SparseRows;
  /** Row per item: customers and their net positive signal (the transpose of `byCustomer`). */
  byItem: SparseRows;
  /** Σ signal² per item, the squared norm used by the similarity. */
  itemNormSquared: Float64Array;
  /**
   * Per `byCustomer` entry: how many of that customer's titles they first used strictly earlier
   * (their borrowing order, ties shared).
   */
  customerSequence: Int32Array;
  /** The same positions, aligned with `byItem` entries. */
  itemSequence: Int32Array;
}

/** Top-K neighbours for a subset of items, as one shard of the neighbour build returns them. */
export interface NeighbourShard {
  itemCount: number;
  /** Items this shard covers, ascending. */
  items: Int32Array;
  /** `neighbours[offsets[n]..offsets[n+1])` belong to `items[n]`. */
  offsets: Int32Array;
  /** Neighbour item indices, best first, ties by lower index. */
  neighbours: Int32Array;
  scores: Float32Array;
}

/** Top-K neighbours for every item: row `i` lists the items most similar to item `i`. */
export interface NeighbourTable {
  itemCount: number;
  offsets: Int32Array;
  neighbours: Int32Array;
  scores: Float32Array;
}

/** Popularity of every item within one group of customers or one branch. */
export interface GroupPopularity {
  /** Weighted count of positive activity, no decay. */
  allTime: Float32Array;
  /** Weighted, decayed count of positive activity inside the trending window. */
  trending: Float32Array;
  maxAllTime: number;
  maxTrending: number;
  /** Best items by `allTime`, best first, ties by lower index (truncated to `topCount`). */
  ranked: Int32Array;
  /** Best items by `trending`, best first (truncated to `topCount`). */
  trendingRanked: Int32Array;
}

/** Popularity overall, per branch where activity happened, and per customer audience. */
export interface PopularityTable {
  itemCount: number;
  global: GroupPopularity;
  byBranch: ReadonlyMap<number, GroupPopularity>;
  byAudience: ReadonlyMap<Audience, GroupPopularity>;
}

/** Items described as sparse feature vectors, plus posting lists to find items by feature. */
export interface FeatureIndex {
  itemCount: number;
  /** Normalised key per feature id, e.g. `topic:crime fiction` or `author:christie, agatha`. */
  keys: readonly string[];
  /** Display label per feature id, as first seen in the catalogue. */
  labels: readonly string[];
  /** Interest kind per feature id, as first seen (subjects and genres share ids). */
  kinds: readonly InterestKind[];
  lookup: ReadonlyMap<string, number>;
  /** Inverse document frequency per feature; 0 for a feature every item has. */
  idf: Float32Array;
  /** Row per item: ascending feature ids. */
  itemOffsets: Int32Array;
  itemFeatures: Int32Array;
  /** √Σ idf² per item, for cosine similarity. */
  itemNorm: Float32Array;
  /** Row per feature: items with it, most popular first. */
  postingOffsets: Int32Array;
  postingItems: Int32Array;
}

/** Everything `recommendForCustomer` needs, built once per rebuild and shared by all customers. */
export interface RecommendationModel {
  catalogue: readonly CatalogueItem[];
  neighbours: NeighbourTable;
  popularity: PopularityTable;
  features: FeatureIndex;
  /** Items with an `addedAt`, newest first (ties by lower index), for new-arrival candidates. */
  newArrivals: Int32Array;
  columns: ItemColumns;
}

/**
 * Per-item facts copied out of the catalogue into flat arrays, so serving loops over thousands
 * of candidates do not chase differently shaped objects.
 */
export interface ItemColumns {
  format: readonly ItemFormat[];
  audience: readonly Audience[];
  /** Normalised language code, '' when unknown. */
  language: readonly string[];
  /** Epoch ms the title joined the catalogue, NaN when unknown. */
  addedAt: Float64Array;
  /** Series id (one per normalised series key), -1 for none. */
  series: Int32Array;
}

/** Why a title or event was suggested; `share` is the part of the score it explains (0–1). */
export type Reason =
  | {
      kind: 'BORROWED_SIMILAR';
      /** The customer's own item this suggestion is most similar to. */
      itemIndex: number;
      /** Their strongest activity on that item, to choose the verb ("borrowed", "rated"…). */
      activity: ActivityType;
      share: number;
    }
  | {
      kind: 'INTEREST';
      interestKind: InterestKind;
      interestLabel: string;
      /** True for a declared interest, false for one inferred from history. */
      declared: boolean;
      share: number;
    }
  | { kind: 'ATTENDED_EVENT'; eventIndex: number; interestLabel?: string; share: number }
  | { kind: 'POPULAR'; share: number }
  | { kind: 'POPULAR_AT_BRANCH'; branchIndex: number; share: number }
  | { kind: 'POPULAR_WITH_AUDIENCE'; audience: Audience; share: number }
  | { kind: 'TRENDING'; share: number }
  | { kind: 'NEW_ARRIVAL'; share: number }
  | { kind: 'AVAILABLE_AT_BRANCH'; branchIndex: number; share: number }
  | { kind: 'AT_YOUR_BRANCH'; branchIndex: number; share: number };

/** The kinds of reason the engine produces. */
export type ReasonKind = Reason['kind'];

/** One suggested title. */
export interface ItemRecommendation {
  itemIndex: number;
  /** Blended score after rules; comparable within one list only. */
  score: number;
  /** Most important first; never empty. */
  reasons: Reason[];
}

/** A library event as the event ranking reads it. Position in the array is its index. */
export interface LibraryEvent {
  /** Topics as interest labels (EVENT_TYPE "coding club", SUBJECT "local history"…). */
  topics: readonly InterestRef[];
  /** Who it is for; empty means everyone. */
  audiences: readonly Audience[];
  /** Epoch ms. */
  startsAt: number;
  branch?: number;
  /** Access needs the venue and session meet (WHEELCHAIR_ACCESS, HEARING_LOOP…). */
  accessibility?: readonly AccessibilityNeed[];
  /** No places left; full events are not suggested. */
  full?: boolean;
  /** Bookings so far, a popularity signal. */
  bookedCount?: number;
}

/** One suggested event. */
export interface EventRecommendation {
  eventIndex: number;
  score: number;
  reasons: Reason[];
}
