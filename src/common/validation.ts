import { z } from 'zod';

/** Validation building blocks shared by GraphQL inputs and CSV imports, so both obey one rule. */

export const MAX_TEXT = 500;
/** Caps free-form JSON (attributes, details) so one row cannot carry megabytes. */
export const MAX_JSON_BYTES = 16 * 1024;

export const externalId = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[\p{L}\p{N}._:\/-]+$/u, 'may contain only letters, digits and . _ : / -');

export const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .nullish()
    .transform((v) => (v === '' ? null : (v ?? null)));

export const requiredText = (max = MAX_TEXT) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .email('must be an email address')
  .transform((v) => v.toLowerCase());

export const phone = z
  .string()
  .trim()
  .max(30, 'must be at most 30 characters')
  .regex(/^\+?[0-9 ()-]{5,}$/, 'must be a phone number (digits, spaces, + ( ) -)');

export const postcode = z
  .string()
  .trim()
  .max(12, 'must be at most 12 characters')
  .regex(/^[A-Za-z0-9 -]+$/, 'may contain only letters, digits, spaces and -')
  .transform((v) => v.toUpperCase().replace(/\s+/g, ' '));

/** ISO 639-1 (two letters) or 639-2/3 (three letters), stored lower case. */
export const language = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}$/, 'must be an ISO 639 language code such as "en" or "pol"')
  .transform((v) => v.toLowerCase());

export const jsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => Buffer.byteLength(JSON.stringify(v)) <= MAX_JSON_BYTES, {
    message: `must be at most ${MAX_JSON_BYTES} bytes as JSON`,
  });

/** A label in the interest taxonomy (subject, genre, author, ...). */
export const label = requiredText(200);

export const labelList = z.array(label).max(50, 'must have at most 50 entries');

/** A point in time no later than a few minutes from now (clocks drift; the future does not happen). */
export const pastInstant = z
  .date()
  .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date')
  .refine((d) => d.getTime() <= Date.now() + 5 * 60_000, 'must not be in the future');

export const anyInstant = z
  .date()
  .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid date');

/** Case- and space-folded form of a label; two spellings of one interest share it. */
export function labelKey(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/\s+/g, ' ');
}

/** ISBN-10 or ISBN-13 with a correct check digit; hyphens and spaces are ignored. */
export function isValidIsbn(raw: string): boolean {
  const s = raw.replace(/[\s-]/g, '').toUpperCase();
  if (/^\d{13}$/.test(s)) {
    const sum = [...s].reduce((acc, ch, i) => acc + Number(ch) * (i % 2 === 0 ? 1 : 3), 0);
    return sum % 10 === 0;
  }
  if (/^\d{9}[\dX]$/.test(s)) {
    const sum = [...s].reduce((acc, ch, i) => acc + (ch === 'X' ? 10 : Number(ch)) * (10 - i), 0);
    return sum % 11 === 0;
  }
  return false;
}

export const isbn = z
  .string()
  .trim()
  .refine(isValidIsbn, 'must be an ISBN-10 or ISBN-13 with a correct check digit')
  .transform((v) => v.replace(/[\s-]/g, '').toUpperCase());

/** Parses an ISO 8601 timestamp strictly (a date alone means midnight UTC). */
export function parseIsoInstant(text: string): Date | null {
  const iso =
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
  if (!iso.test(text.trim())) return null;
  const d = new Date(text.trim().replace(' ', 'T'));
  return Number.isNaN(d.getTime()) ? null : d;
}
