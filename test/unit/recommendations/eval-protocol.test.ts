import { ActivityType } from '../../../src/activity/activity.enums';
import type { Movie, Rating } from '../../../src/recommendations/eval/movielens';
import {
  scoreList,
  summarise,
  temporalSplit,
  validationSplit,
} from '../../../src/recommendations/eval/protocol';

const GENRES = ['unknown', 'Action', 'Comedy', 'Drama', 'Horror'];
const MOVIES: Movie[] = Array.from({ length: 12 }, (_, id) => ({
  id: id + 1,
  title: `Film ${id}`,
  genres: [GENRES[1 + (id % 4)]],
}));

/** Twelve made-up users, each rating `5 + user` films at times that tie in pairs. */
function ratings(): Rating[][] {
  return Array.from({ length: 12 }, (_, user) =>
    Array.from({ length: 5 + user }, (_, n) => ({
      item: (user + n * 5) % 12,
      rating: 1 + ((user + n) % 5),
      time: 1000 + Math.floor(n / 2),
    })),
  );
}

describe('evaluation protocol', () => {
  const split = temporalSplit(ratings(), MOVIES, GENRES);

  it('makes every sixth user cold, counting from the fourth', () => {
    const cold = split.users.filter((user) => user.cold).map((user) => user.customer + 1);
    expect(cold).toEqual([4, 10]);
  });

  it('trains on nothing of a cold user and declares their three most-rated genres', () => {
    const coldUser = split.users[3];
    expect(split.training.some((entry) => entry.customer === 3)).toBe(false);
    expect(coldUser.history).toEqual([]);
    expect(coldUser.relevant.size).toBe(new Set(ratings()[3].map((r) => r.item)).size);
    expect(coldUser.interests).toHaveLength(3);
    expect(coldUser.interests.every((interest) => interest.label !== 'unknown')).toBe(true);
  });

  it('gives a warm user their earliest floor(80%) ratings as history, ties by item', () => {
    const user = split.users[0];
    // Five ratings: floor(4) in history; times tie in pairs, so (time, item) decides.
    const sorted = [...ratings()[0]].sort((a, b) => a.time - b.time || a.item - b.item);
    const historyItems = [...new Set(user.history.map((entry) => entry.item))];
    expect(historyItems).toEqual(sorted.slice(0, 4).map((r) => r.item));
    expect([...user.relevant]).toEqual([sorted[4].item]);
    expect(user.history.filter((entry) => entry.type === ActivityType.RATING)).toHaveLength(4);
  });

  it('builds validation data from training data only', () => {
    const validation = validationSplit(split, MOVIES, GENRES);
    const trainingPairs = new Set(split.training.map((e) => `${e.customer}:${e.item}`));
    const warm = split.users.filter((user) => !user.cold);
    for (const entry of validation.training) {
      expect(trainingPairs.has(`${warm[entry.customer].customer}:${entry.item}`)).toBe(true);
    }
  });

  it('defines Recall@k over min(k, relevant) and NDCG with binary gains', () => {
    const relevant = new Set([1, 2]);
    // Hits at ranks 1 and 3 against an ideal of hits at ranks 1 and 2.
    const ndcg = (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3));
    expect(scoreList([1, 9, 2], relevant, 10)).toEqual({
      recall: 1,
      ndcg: expect.closeTo(ndcg, 10),
    });
    expect(scoreList([9, 8, 7], relevant, 10)).toEqual({ recall: 0, ndcg: 0 });
    const many = new Set(Array.from({ length: 20 }, (_, i) => i));
    expect(scoreList([0, 1, 2, 3, 4, 50, 51, 52, 53, 54], many, 10).recall).toBe(0.5);
  });

  it('measures coverage as distinct recommended titles over the catalogue', () => {
    const users = split.users.slice(0, 2);
    expect(
      summarise(
        [
          [1, 2],
          [2, 3],
        ],
        users,
        10,
        12,
      ).coverage,
    ).toBeCloseTo(3 / 12);
  });
});
