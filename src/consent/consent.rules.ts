import { z } from 'zod';
import { fromZod } from '../common/errors';
import { RecommendationMode } from '../recommendations/recommendation.enums';
import { ConsentChannel, ConsentPurpose, ConsentSource, HistoryChoice } from './consent.enums';

/**
 * The consent rules as plain functions over ledger rows: no I/O, so the service, the privacy
 * jobs, the marketing work and the tests all apply exactly the same rule.
 */

/** Purposes given or withdrawn per channel; every other purpose has no channel. */
export const CHANNELLED_PURPOSES: ReadonlySet<ConsentPurpose> = new Set([
  ConsentPurpose.SERVICE_MESSAGES,
  ConsentPurpose.MARKETING,
]);

/** Purposes the recommendation mode is derived from. */
export const MODE_PURPOSES: ReadonlySet<ConsentPurpose> = new Set([
  ConsentPurpose.PERSONALISATION,
  ConsentPurpose.HISTORY_RETENTION,
]);

export const MAX_WORDING_VERSION = 50;

/** One row of the ledger, as far as the rules care. */
export interface LedgerEntry {
  id: string;
  purpose: ConsentPurpose;
  channel: ConsentChannel | null;
  granted: boolean;
  recordedAt: Date;
  source: ConsentSource;
  wordingVersion: string;
}

/** Where a customer stands on one purpose (and channel): the latest ledger row, if any. */
export interface CurrentConsent {
  purpose: ConsentPurpose;
  channel: ConsentChannel | null;
  granted: boolean;
  /** When the latest row was recorded; null when the purpose was never recorded. */
  since: Date | null;
  source: ConsentSource | null;
  wordingVersion: string | null;
}

/** A consent to append, after validation. */
export interface ConsentInput {
  purpose: ConsentPurpose;
  channel: ConsentChannel | null;
  granted: boolean;
  source: ConsentSource;
  wordingVersion: string;
}

/** The rules a consent must meet, shared by the API and the consents import. */
export const consentInputSchema = z
  .object({
    purpose: z.enum(ConsentPurpose),
    channel: z.enum(ConsentChannel).nullish(),
    granted: z.boolean(),
    source: z.enum(ConsentSource),
    wordingVersion: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_WORDING_VERSION, `must be at most ${MAX_WORDING_VERSION} characters`),
  })
  .superRefine((v, ctx) => {
    const channelled = CHANNELLED_PURPOSES.has(v.purpose);
    if (channelled && !v.channel) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        message: `is required for ${v.purpose}: say which channel (EMAIL, SMS, POST or APP)`,
      });
    }
    if (!channelled && v.channel) {
      ctx.addIssue({
        code: 'custom',
        path: ['channel'],
        message: `must be left out for ${v.purpose}, which is not given per channel`,
      });
    }
    // An unsubscribe link can only ever take consent away.
    if (v.source === ConsentSource.UNSUBSCRIBE_LINK && v.granted) {
      ctx.addIssue({
        code: 'custom',
        path: ['source'],
        message: 'UNSUBSCRIBE_LINK can record only a withdrawal',
      });
    }
  });

/** Validates a consent to append; BAD_USER_INPUT naming `input.<field>` otherwise. */
export function parseConsentInput(input: unknown): ConsentInput {
  const parsed = consentInputSchema.safeParse(input);
  if (!parsed.success) throw fromZod(parsed.error, 'input');
  return { ...parsed.data, channel: parsed.data.channel ?? null };
}

/** Every purpose and channel a customer can be asked about, in a stable order. */
export function consentKeys(): Array<{ purpose: ConsentPurpose; channel: ConsentChannel | null }> {
  const keys: Array<{ purpose: ConsentPurpose; channel: ConsentChannel | null }> = [];
  for (const purpose of Object.values(ConsentPurpose)) {
    if (!CHANNELLED_PURPOSES.has(purpose)) keys.push({ purpose, channel: null });
    else for (const channel of Object.values(ConsentChannel)) keys.push({ purpose, channel });
  }
  return keys;
}

const keyOf = (purpose: ConsentPurpose, channel: ConsentChannel | null) =>
  `${purpose}/${channel ?? ''}`;

/** True when `a` was recorded after `b`; the id breaks ties within one instant. */
function later(a: LedgerEntry, b: LedgerEntry): boolean {
  const dt = a.recordedAt.getTime() - b.recordedAt.getTime();
  return dt !== 0 ? dt > 0 : BigInt(a.id) > BigInt(b.id);
}

/**
 * The current state of every purpose (and, for channelled purposes, every channel) from the
 * ledger: the latest row decides. A purpose never recorded counts as not given.
 */
export function currentConsents(entries: readonly LedgerEntry[]): CurrentConsent[] {
  const latest = new Map<string, LedgerEntry>();
  for (const e of entries) {
    const k = keyOf(e.purpose, e.channel);
    const seen = latest.get(k);
    if (!seen || later(e, seen)) latest.set(k, e);
  }
  return consentKeys().map(({ purpose, channel }) => {
    const e = latest.get(keyOf(purpose, channel));
    return {
      purpose,
      channel,
      granted: e?.granted ?? false,
      since: e?.recordedAt ?? null,
      source: e?.source ?? null,
      wordingVersion: e?.wordingVersion ?? null,
    };
  });
}

/** Whether the purpose (on that channel, for channelled purposes) is currently given. */
export function isGiven(
  current: readonly CurrentConsent[],
  purpose: ConsentPurpose,
  channel: ConsentChannel | null = null,
): boolean {
  return current.some((c) => c.purpose === purpose && c.channel === channel && c.granted);
}

/**
 * What personalisation may use, from consent alone: nothing without PERSONALISATION; history
 * and interests with HISTORY_RETENTION as well; declared interests only otherwise.
 */
export function recommendationModeFor(current: readonly CurrentConsent[]): RecommendationMode {
  if (!isGiven(current, ConsentPurpose.PERSONALISATION)) return RecommendationMode.OFF;
  return isGiven(current, ConsentPurpose.HISTORY_RETENTION)
    ? RecommendationMode.FULL
    : RecommendationMode.INTERESTS_ONLY;
}

/**
 * The mode after a consent for `purpose` was recorded. Only PERSONALISATION and
 * HISTORY_RETENTION decide the mode, so recording any other purpose leaves it alone. This is
 * also what keeps customers who predate the ledger on their existing mode: it is derived from
 * the ledger from their first PERSONALISATION or HISTORY_RETENTION row onwards (no backfill).
 */
export function modeAfterConsent(
  mode: RecommendationMode,
  current: readonly CurrentConsent[],
  purpose: ConsentPurpose,
): RecommendationMode {
  return MODE_PURPOSES.has(purpose) ? recommendationModeFor(current) : mode;
}

const MODE_RANK: Record<RecommendationMode, number> = {
  [RecommendationMode.OFF]: 0,
  [RecommendationMode.INTERESTS_ONLY]: 1,
  [RecommendationMode.FULL]: 2,
};

/** Whether personalisation may use less (DOWN) or more (UP) after a change. */
export function modeDirection(
  before: RecommendationMode,
  after: RecommendationMode,
): 'DOWN' | 'UP' | 'SAME' {
  const d = MODE_RANK[after] - MODE_RANK[before];
  return d < 0 ? 'DOWN' : d > 0 ? 'UP' : 'SAME';
}

/** Whether marketing may be sent to the customer on this channel. */
export function marketingEligible(
  current: readonly CurrentConsent[],
  channel: ConsentChannel,
): boolean {
  return isGiven(current, ConsentPurpose.MARKETING, channel);
}

/**
 * How a reading-history choice reads in the consent ledger. HISTORY_RETENTION means "keep my
 * history linked to me and use it for suggestions": KEEP gives it. DEFAULT withdraws it — the
 * library still holds activity for its retention period to run the service, which needs no
 * consent, but does not personalise from it. NEVER withdraws it too, and detaches sooner.
 */
export function historyConsentFor(choice: HistoryChoice): boolean {
  return choice === HistoryChoice.KEEP;
}

/**
 * The history choice after a HISTORY_RETENTION row is recorded directly (not through the
 * history choice): giving it means KEEP; withdrawing it ends KEEP (back to DEFAULT) and leaves
 * DEFAULT and NEVER as they were. So KEEP holds exactly while the consent is given.
 */
export function historyChoiceAfterConsent(current: HistoryChoice, granted: boolean): HistoryChoice {
  if (granted) return HistoryChoice.KEEP;
  return current === HistoryChoice.KEEP ? HistoryChoice.DEFAULT : current;
}
