/**
 * Writes a demo library as CSV import files and prints a one-line JSON summary:
 *
 *   node dist/src/demo/generate-cli.js --out DIR [--customers N] [--items N] [--events N]
 *     [--activities N] [--branches N] [--seed S] [--reference-date YYYY-MM-DD|today]
 *
 * Without `--reference-date` the generator's fixed default is used, so reruns with the same seed
 * give byte-identical files; `today` (midnight UTC) gives a library with upcoming events.
 */
import { parseArgs } from 'node:util';
import { DemoOptionsError, generateDemoLibrary, type DemoOptions } from './generate';
import { writeDemoLibrary } from './write-csv';

const USAGE =
  'usage: generate-cli --out DIR [--customers N] [--items N] [--events N] [--activities N] ' +
  '[--branches N] [--seed S] [--reference-date YYYY-MM-DD|today]';

/** What the command line asks for. */
export interface GenerateCliArgs {
  out: string;
  options: Partial<DemoOptions>;
}

/**
 * Parses command-line arguments (without `node` and the script path).
 *
 * @param now the clock, read only for `--reference-date today`.
 * @throws DemoOptionsError naming the flag that is missing or malformed.
 */
export function parseGenerateArgs(
  argv: readonly string[],
  now: Date = new Date(),
): GenerateCliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        customers: { type: 'string' },
        items: { type: 'string' },
        events: { type: 'string' },
        activities: { type: 'string' },
        branches: { type: 'string' },
        seed: { type: 'string' },
        'reference-date': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new DemoOptionsError('arguments', `${(error as Error).message}\n${USAGE}`);
  }
  if (!values.out) throw new DemoOptionsError('out', `--out DIR is required\n${USAGE}`);
  const count = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    // Underscores are allowed so sizes read like the defaults in code: 1_000_000.
    const cleaned = text.replace(/_/g, '');
    if (!/^-?\d+$/.test(cleaned)) {
      throw new DemoOptionsError(flag, `--${flag} must be a whole number, got "${text}"`);
    }
    return Number(cleaned);
  };
  return {
    out: values.out,
    options: {
      customers: count('customers', values.customers),
      items: count('items', values.items),
      events: count('events', values.events),
      activities: count('activities', values.activities),
      branches: count('branches', values.branches),
      seed: count('seed', values.seed),
      referenceDate: referenceDate(values['reference-date'], now),
    },
  };
}

function referenceDate(text: string | undefined, now: Date): Date | undefined {
  if (text === undefined) return undefined;
  if (text === 'today') {
    return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new DemoOptionsError(
      'reference-date',
      `--reference-date must be a date such as 2026-01-01 or "today", got "${text}"`,
    );
  }
  return date;
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  try {
    const { out, options } = parseGenerateArgs(process.argv.slice(2));
    const library = generateDemoLibrary(options);
    const counts = await writeDemoLibrary(library, out);
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const summary = {
      event: 'demo.generated',
      out,
      seed: library.options.seed,
      referenceDate: library.options.referenceDate.toISOString(),
      ...counts,
      ms,
      // resourceUsage reports the peak resident set in kilobytes.
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } catch (error) {
    if (error instanceof DemoOptionsError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`${text}\n`);
    process.exitCode = 1;
  });
}
