import { AgeBand } from './customer.enums';

/** Age band for a birth year as of a date; bands are what the API and reports expose. */
export function ageBandFor(birthYear: number | null | undefined, at: Date = new Date()): AgeBand {
  if (birthYear == null) return AgeBand.UNKNOWN;
  // Without a birth date the age is known to within a year; the lower bound keeps children in
  // children's bands until the year they certainly turn the next age.
  const age = at.getUTCFullYear() - birthYear - 1;
  if (age < 0) return AgeBand.CHILD_0_4;
  if (age <= 4) return AgeBand.CHILD_0_4;
  if (age <= 11) return AgeBand.CHILD_5_11;
  if (age <= 17) return AgeBand.TEEN_12_17;
  if (age <= 24) return AgeBand.ADULT_18_24;
  if (age <= 44) return AgeBand.ADULT_25_44;
  if (age <= 64) return AgeBand.ADULT_45_64;
  return AgeBand.ADULT_65_PLUS;
}

/** Whether an age band belongs to someone under 18. */
export function isMinor(band: AgeBand): boolean {
  return band === AgeBand.CHILD_0_4 || band === AgeBand.CHILD_5_11 || band === AgeBand.TEEN_12_17;
}
