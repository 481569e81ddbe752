import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One MovieLens rating, with the item already mapped to its dense index. */
export interface Rating {
  item: number;
  /** 1–5 stars. */
  rating: number;
  /** Unix time in seconds. */
  time: number;
}

/** One film: its MovieLens id and the genres flagged for it. */
export interface Movie {
  id: number;
  title: string;
  genres: string[];
}

/** MovieLens 100K in dense form: users and movies in id order. */
export interface MovieLens {
  movies: Movie[];
  /** Genre names in `u.genre` order. */
  genreNames: string[];
  /** MovieLens user id per dense user position, ascending. */
  userIds: number[];
  /** Ratings per dense user position, in file order. */
  ratingsByUser: Rating[][];
  /** Records in `u.user`, for the report; the evaluation only uses users who rated something. */
  userRecords: number;
}

/**
 * Reads `u.data`, `u.item`, `u.genre` and `u.user` from a MovieLens 100K directory. `u.item` is
 * Latin-1. Users are those with at least one rating, so records in `u.user` without ratings
 * (some copies carry a placeholder user 0) are ignored.
 */
export function loadMovieLens(directory: string): MovieLens {
  const read = (name: string, encoding: BufferEncoding = 'utf8'): string[] =>
    readFileSync(join(directory, name))
      .toString(encoding)
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');

  const genreNames = read('u.genre', 'latin1')
    .map((line) => line.split('|'))
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((fields) => fields[0]);

  const movies: Movie[] = read('u.item', 'latin1').map((line) => {
    const fields = line.split('|');
    const flags = fields.slice(fields.length - genreNames.length);
    return {
      id: Number(fields[0]),
      title: fields[1],
      genres: genreNames.filter((_, g) => flags[g] === '1'),
    };
  });
  movies.sort((a, b) => a.id - b.id);
  const itemIndex = new Map(movies.map((movie, index) => [movie.id, index]));

  const byUserId = new Map<number, Rating[]>();
  for (const line of read('u.data')) {
    const [user, item, rating, time] = line.split('\t').map(Number);
    const index = itemIndex.get(item);
    if (index === undefined) {
      throw new Error(
        `u.data rates movie ${item}, which u.item does not list; check the copy is complete`,
      );
    }
    let list = byUserId.get(user);
    if (!list) {
      list = [];
      byUserId.set(user, list);
    }
    list.push({ item: index, rating, time });
  }
  const userIds = [...byUserId.keys()].sort((a, b) => a - b);

  return {
    movies,
    genreNames,
    userIds,
    ratingsByUser: userIds.map((id) => byUserId.get(id) ?? []),
    userRecords: read('u.user', 'latin1').length,
  };
}
