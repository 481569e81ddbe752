import { ActivityType } from '../../activity/activity.enums';
import { InterestKind } from '../../interests/interest.enums';
import type { DeclaredInterest, HistoryEntry, ItemActivity } from '../engine';
import type { Movie, Rating } from './movielens';

/** One evaluated user. */
export interface EvalUser {
  /** Dense customer index. */
  customer: number;
  cold: boolean;
  /** What the engine may see of this user (empty for cold users). */
  history: HistoryEntry[];
  /** Held-out items the list should find. */
  relevant: Set<number>;
  /** Declared interests: for cold users, the genres they rated most. */
  interests: DeclaredInterest[];
  /** Serving time for this user: just after their last history entry. */
  now: number;
}

/** Training data and evaluated users of one split. */
export interface Split {
  customerCount: number;
  /** Ledger entries the model is built from (warm users' histories only). */
  training: ItemActivity[];
  users: EvalUser[];
  /** Just after the latest training entry, used as the build time. */
  buildNow: number;
}

/** Share of each warm user's ratings, earliest first, that forms their history. */
export const HISTORY_SHARE = 0.8;
/** Every COLD_EVERY-th user, counting from the COLD_FIRST-th (1-based), is cold. */
export const COLD_EVERY = 6;
export const COLD_FIRST = 4;
/** Declared interests given to a cold user. */
export const COLD_INTEREST_COUNT = 3;

/**
 * The evaluation protocol. Users are taken in the order given (id order). User positions
 * 4, 10, 16, … (1-based) are cold: nothing of theirs is trained on, their declared interests
 * are the three genres they rated most (ties by `u.genre` order, "unknown" never declared), and
 * all their items are relevant. Every other user is warm: ratings sorted by (time, item); the first
 * floor(0.8·n) are history, the rest (minus anything already in history) relevant.
 *
 * Each rating becomes a LOAN and a RATING entry at the same moment, so the engine sees both the
 * use and the rating.
 */
export function temporalSplit(
  ratingsByUser: readonly Rating[][],
  movies: readonly Movie[],
  genreNames: readonly string[],
): Split {
  const training: ItemActivity[] = [];
  const users: EvalUser[] = [];
  let latest = 0;

  ratingsByUser.forEach((ratings, customer) => {
    const sorted = [...ratings].sort((a, b) => a.time - b.time || a.item - b.item);
    const cold = (customer + 1 - COLD_FIRST) % COLD_EVERY === 0 && customer + 1 >= COLD_FIRST;
    if (cold) {
      users.push({
        customer,
        cold,
        history: [],
        relevant: new Set(sorted.map((r) => r.item)),
        interests: topGenres(sorted, movies, genreNames, COLD_INTEREST_COUNT),
        now: 0,
      });
      return;
    }
    const cut = Math.floor(HISTORY_SHARE * sorted.length);
    const history = sorted.slice(0, cut).flatMap((r) => toEntries(r));
    const seen = new Set(sorted.slice(0, cut).map((r) => r.item));
    const later = sorted.slice(cut).map((r) => r.item);
    const relevant = new Set(later.filter((item) => !seen.has(item)));
    for (const entry of history) {
      training.push({ customer, ...entry });
      latest = Math.max(latest, entry.at);
    }
    const last = history.length > 0 ? history[history.length - 1].at : 0;
    users.push({ customer, cold, history, relevant, interests: [], now: last + 1000 });
  });

  const buildNow = latest + 1000;
  for (const user of users) if (user.cold || user.now === 0) user.now = buildNow;
  return { customerCount: ratingsByUser.length, training, users, buildNow };
}

/**
 * A validation split carved from a split's training data only, by applying the same protocol to
 * the warm users' histories. Tuning on it never looks at held-out test items.
 */
export function validationSplit(
  outer: Split,
  movies: readonly Movie[],
  genreNames: readonly string[],
): Split {
  const histories: Rating[][] = outer.users
    .filter((user) => !user.cold)
    .map((user) =>
      user.history
        .filter((entry) => entry.type === ActivityType.RATING)
        .map((entry) => ({ item: entry.item, rating: entry.rating ?? 0, time: entry.at / 1000 })),
    );
  return temporalSplit(histories, movies, genreNames);
}

function toEntries(r: Rating): HistoryEntry[] {
  const at = r.time * 1000;
  return [
    { item: r.item, type: ActivityType.LOAN, at },
    { item: r.item, type: ActivityType.RATING, at, rating: r.rating },
  ];
}

function topGenres(
  ratings: readonly Rating[],
  movies: readonly Movie[],
  genreNames: readonly string[],
  count: number,
): DeclaredInterest[] {
  const counts = new Map<string, number>();
  for (const r of ratings) {
    for (const genre of movies[r.item].genres) {
      if (genre !== 'unknown') counts.set(genre, (counts.get(genre) ?? 0) + 1);
    }
  }
  const order = (genre: string): number => genreNames.indexOf(genre);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || order(a[0]) - order(b[0]))
    .slice(0, count)
    .map(([label]) => ({ kind: InterestKind.GENRE, label, weight: 1 }));
}

/** Metrics of one list against one user's relevant items. */
export interface UserMetrics {
  recall: number;
  ndcg: number;
}

/**
 * Recall@k = hits / min(k, |relevant|), so a user with fewer than k relevant items can still
 * score 1; NDCG@k with binary gains, DCG = Σ 1/log2(rank + 1) over hits at 1-based ranks, divided
 * by the DCG of min(k, |relevant|) hits at the top.
 */
export function scoreList(
  list: readonly number[],
  relevant: ReadonlySet<number>,
  k: number,
): UserMetrics {
  const top = list.slice(0, k);
  let hits = 0;
  let dcg = 0;
  top.forEach((item, rank) => {
    if (relevant.has(item)) {
      hits++;
      dcg += 1 / Math.log2(rank + 2);
    }
  });
  const ideal = Math.min(k, relevant.size);
  let idcg = 0;
  for (let rank = 0; rank < ideal; rank++) idcg += 1 / Math.log2(rank + 2);
  return { recall: ideal > 0 ? hits / ideal : 0, ndcg: idcg > 0 ? dcg / idcg : 0 };
}

/** Mean metrics and catalogue coverage of one method over a group of users. */
export interface GroupMetrics {
  users: number;
  recall: number;
  ndcg: number;
  coverage: number;
}

/** Averages over users with at least one relevant item; coverage is distinct items / catalogue. */
export function summarise(
  lists: readonly (readonly number[])[],
  users: readonly EvalUser[],
  k: number,
  catalogueSize: number,
): GroupMetrics {
  let recall = 0;
  let ndcg = 0;
  let counted = 0;
  const distinct = new Set<number>();
  users.forEach((user, n) => {
    for (const item of lists[n].slice(0, k)) distinct.add(item);
    if (user.relevant.size === 0) return;
    const metrics = scoreList(lists[n], user.relevant, k);
    recall += metrics.recall;
    ndcg += metrics.ndcg;
    counted++;
  });
  return {
    users: counted,
    recall: counted > 0 ? recall / counted : 0,
    ndcg: counted > 0 ? ndcg / counted : 0,
    coverage: distinct.size / catalogueSize,
  };
}
