import { Audience, ItemFormat } from '../../catalogue/catalogue.enums';
import { AccessibilityNeed, AgeBand } from '../../customers/customer.enums';
import { normaliseLabel } from './features';
import type { CatalogueItem } from './types';

const ALL_AUDIENCES: readonly Audience[] = [
  Audience.ADULT,
  Audience.YOUNG_ADULT,
  Audience.CHILDREN,
];
const YOUNG_AUDIENCES: readonly Audience[] = [Audience.CHILDREN, Audience.YOUNG_ADULT];

/**
 * Stock each age band may be shown. Anyone under 18 sees children's and young-adult stock only.
 * UNKNOWN is treated as adult: most accounts without a birth year are adults who joined before
 * it was collected, and children's accounts are created with one.
 */
export const AUDIENCES_FOR_AGE_BAND: Readonly<Record<AgeBand, readonly Audience[]>> = {
  [AgeBand.CHILD_0_4]: YOUNG_AUDIENCES,
  [AgeBand.CHILD_5_11]: YOUNG_AUDIENCES,
  [AgeBand.TEEN_12_17]: YOUNG_AUDIENCES,
  [AgeBand.ADULT_18_24]: ALL_AUDIENCES,
  [AgeBand.ADULT_25_44]: ALL_AUDIENCES,
  [AgeBand.ADULT_45_64]: ALL_AUDIENCES,
  [AgeBand.ADULT_65_PLUS]: ALL_AUDIENCES,
  [AgeBand.UNKNOWN]: ALL_AUDIENCES,
};

/** Whether a customer in `ageBand` may be shown stock for `audience`. */
export function audienceAllowed(ageBand: AgeBand, audience: Audience): boolean {
  return (AUDIENCES_FOR_AGE_BAND[ageBand] ?? ALL_AUDIENCES).includes(audience);
}

/**
 * The readership group an age band belongs to, for per-audience popularity; undefined when the
 * age is unknown so unknown customers do not dilute the adult group.
 */
export function audienceGroupOf(ageBand: AgeBand): Audience | undefined {
  switch (ageBand) {
    case AgeBand.CHILD_0_4:
    case AgeBand.CHILD_5_11:
      return Audience.CHILDREN;
    case AgeBand.TEEN_12_17:
      return Audience.YOUNG_ADULT;
    case AgeBand.UNKNOWN:
      return undefined;
    default:
      return Audience.ADULT;
  }
}

/**
 * Score multipliers by format for each access need. Needs demote formats rather than exclude
 * them, because customers also borrow for others in their household; the demotion is strong
 * enough that a suitable format wins unless the other title is about three times as relevant.
 *
 * - LARGE_PRINT: large print first, then audiobooks and e-books (adjustable text); standard print
 *   and magazines demoted.
 * - AUDIO and BRAILLE: audiobooks first; e-books work with screen readers and braille displays;
 *   all print demoted (the catalogue has no braille format, so audio stands in for it).
 * - HEARING_LOOP: spoken and musical formats demoted.
 * - EASY_READ, WHEELCHAIR_ACCESS, HOME_DELIVERY: no format preference (they concern content
 *   level, venues and delivery, which the catalogue does not describe by format).
 */
export const FORMAT_PREFERENCES: Readonly<
  Partial<Record<AccessibilityNeed, Partial<Record<ItemFormat, number>>>>
> = {
  [AccessibilityNeed.LARGE_PRINT]: {
    [ItemFormat.LARGE_PRINT]: 1.5,
    [ItemFormat.AUDIOBOOK]: 1.25,
    [ItemFormat.EBOOK]: 1.1,
    [ItemFormat.BOOK]: 0.35,
    [ItemFormat.MAGAZINE]: 0.35,
  },
  [AccessibilityNeed.AUDIO]: {
    [ItemFormat.AUDIOBOOK]: 1.5,
    [ItemFormat.BOOK]: 0.3,
    [ItemFormat.LARGE_PRINT]: 0.4,
    [ItemFormat.MAGAZINE]: 0.3,
  },
  [AccessibilityNeed.BRAILLE]: {
    [ItemFormat.AUDIOBOOK]: 1.5,
    [ItemFormat.EBOOK]: 1.1,
    [ItemFormat.BOOK]: 0.3,
    [ItemFormat.LARGE_PRINT]: 0.3,
    [ItemFormat.MAGAZINE]: 0.3,
  },
  [AccessibilityNeed.HEARING_LOOP]: {
    [ItemFormat.AUDIOBOOK]: 0.5,
    [ItemFormat.MUSIC]: 0.5,
  },
};

/**
 * The combined format multiplier for a customer's needs: the product over needs, so a format
 * suits someone only if it suits each of their needs (audiobooks suit low vision but not a
 * hearing-loop user).
 */
export function formatFactor(format: ItemFormat, needs: readonly AccessibilityNeed[]): number {
  let factor = 1;
  for (const need of needs) factor *= FORMAT_PREFERENCES[need]?.[format] ?? 1;
  return factor;
}

/**
 * Whether a title passes the customer's language rule: anything goes when they list no
 * languages, and titles with no recorded language always pass (often music or picture books).
 */
export function languageAllowed(
  item: CatalogueItem,
  languages: ReadonlySet<string> | undefined,
): boolean {
  if (!languages || languages.size === 0 || !item.language) return true;
  return languages.has(normaliseLabel(item.language));
}

/** Normalised set of a profile's languages, or undefined when it lists none. */
export function languageSet(languages: readonly string[] | undefined): Set<string> | undefined {
  if (!languages || languages.length === 0) return undefined;
  return new Set(languages.map(normaliseLabel));
}

/** Whether a title may be shown to a customer at all (audience and language rules). */
export function itemAllowed(
  item: CatalogueItem,
  ageBand: AgeBand,
  languages: ReadonlySet<string> | undefined,
): boolean {
  return audienceAllowed(ageBand, item.audience) && languageAllowed(item, languages);
}
