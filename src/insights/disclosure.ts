import { DomainError } from '../common/errors';

/** The suppression threshold used when `DISCLOSURE_THRESHOLD` is not set. */
export const DEFAULT_DISCLOSURE_THRESHOLD = 5;

/**
 * A report cell before disclosure control: its values plus `people`, how many distinct people
 * stand behind them. `people` is used to decide suppression and never leaves the service.
 */
export type Cell = { people: number };

/** A cell after disclosure control: the chosen values may be null and `people` is gone. */
export type Disclosed<T extends Cell, K extends keyof T> = Omit<T, 'people' | K> & {
  [P in K]: T[P] | null;
} & { suppressed: boolean };

/**
 * Reads the configured threshold from the environment. Called once where the service is built,
 * so a bad value stops start-up with a message naming the variable rather than failing later.
 */
export function disclosureThresholdFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DISCLOSURE_THRESHOLD;
  if (raw === undefined || raw.trim() === '') return DEFAULT_DISCLOSURE_THRESHOLD;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `DISCLOSURE_THRESHOLD must be a whole number of people, 1 or more ` +
        `(got ${JSON.stringify(raw)}); ` +
        `unset it to use ${DEFAULT_DISCLOSURE_THRESHOLD}`,
    );
  }
  return value;
}

/**
 * The threshold for one request: a caller may ask for a stricter (higher) threshold, never a
 * laxer one than the configured value.
 */
export function effectiveThreshold(configured: number, requested?: number | null): number {
  if (requested == null) return configured;
  if (!Number.isInteger(requested) || requested < configured) {
    throw DomainError.badInput(
      'filter.threshold',
      'min',
      `threshold may raise the configured ${configured} but not lower it`,
    );
  }
  return requested;
}

/**
 * Statistical disclosure control, applied by every report. A cell describing between 1 and
 * `threshold - 1` people has the named values replaced by null and is marked suppressed.
 *
 * A cell describing nobody is shown: a zero says nothing about any one person, and hiding it
 * would hide exactly the under-served groups the reach report exists to find.
 */
export function suppressSmallCells<T extends Cell, K extends keyof T>(
  rows: readonly T[],
  valueKeys: readonly K[],
  threshold: number,
): Disclosed<T, K>[] {
  return rows.map((row) => {
    const { people, ...rest } = row;
    const suppressed = people > 0 && people < threshold;
    const out: Record<string, unknown> = { ...rest, suppressed };
    if (suppressed) for (const key of valueKeys) out[key as string] = null;
    return out as Disclosed<T, K>;
  });
}
