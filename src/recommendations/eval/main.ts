import { catalogueFromMovies, evaluate, K, type EngineSettings, type Evaluation } from './evaluate';
import { runGrid } from './grid';
import { loadMovieLens } from './movielens';
import { temporalSplit } from './protocol';
import { runScaleCheck } from './scale';

/*
 * Offline evaluation of the recommendation engine.
 *
 *   npm run eval -- --movielens DIR           the acceptance table on MovieLens 100K
 *   npm run eval -- --movielens DIR --grid    also tune blend weights on a validation split
 *   npm run eval -- --scale                   a synthetic library at production size
 *
 * Output is Markdown for the README; it contains only aggregate figures.
 */

const USAGE =
  'usage: main.js --movielens DIR [--grid]\n' +
  '       main.js --scale [--customers N] [--items N] [--activities N] [--serve N]';

function main(argv: readonly string[]): void {
  const directory = valueOf(argv, '--movielens');
  if (argv.includes('--scale')) {
    runScaleCheck({
      customers: numberOf(argv, '--customers', 100_000),
      items: numberOf(argv, '--items', 50_000),
      activities: numberOf(argv, '--activities', 1_000_000),
      serve: numberOf(argv, '--serve', Infinity),
    });
    return;
  }
  if (!directory) {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = 2;
    return;
  }

  const data = loadMovieLens(directory);
  const catalogue = catalogueFromMovies(data.movies);
  const split = temporalSplit(data.ratingsByUser, data.movies, data.genreNames);

  const settings: EngineSettings = {};
  const result = evaluate(split, catalogue, settings);
  const ratings = data.ratingsByUser.reduce((sum, list) => sum + list.length, 0);
  print(`## MovieLens 100K: engine defaults vs popularity\n`);
  print(
    `${data.userIds.length} users with ratings (of ${data.userRecords} records in u.user), ` +
      `${data.movies.length} titles, ${ratings} ratings; ${split.training.length} training ` +
      `ledger entries (a LOAN and a RATING per history rating).\n`,
  );
  print(table(result));
  print('');
  const rss = process.resourceUsage().maxRSS / 1024;
  print(
    `Model build (matrix, neighbours in 3 shards, popularity, features): ` +
      `${result.buildMs.toFixed(0)} ms (${result.buildCpuMs.toFixed(0)} ms CPU); ` +
      `serving ${split.users.length} lists: ` +
      `${result.serveMs.toFixed(0)} ms; peak RSS ${rss.toFixed(0)} MB.`,
  );
  if (argv.includes('--grid')) {
    print('');
    runGrid(split, data, catalogue);
  }
}

/** The Markdown results table. */
export function table(result: Evaluation): string {
  const rows = [
    `| Users | Method | Recall@${K} | NDCG@${K} | Coverage |`,
    '|---|---|---:|---:|---:|',
  ];
  for (const group of ['warm', 'cold'] as const) {
    for (const method of ['popularity', 'engine'] as const) {
      const metrics = result[method][group];
      rows.push(
        `| ${group} (${metrics.users}) | ${method} | ${metrics.recall.toFixed(3)} | ` +
          `${metrics.ndcg.toFixed(3)} | ${(metrics.coverage * 100).toFixed(1)}% |`,
      );
    }
  }
  return rows.join('\n');
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function valueOf(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at >= 0 ? argv[at + 1] : undefined;
}

function numberOf(argv: readonly string[], flag: string, fallback: number): number {
  const value = Number(valueOf(argv, flag));
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

main(process.argv.slice(2));
