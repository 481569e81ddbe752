import { z } from 'zod';
import {
  anyInstant,
  externalId,
  isbn,
  jsonObject,
  labelList,
  language,
  optionalText,
  requiredText,
} from '../common/validation';
import { Audience, ItemFormat } from './catalogue.enums';

const fields = {
  title: requiredText(500),
  authors: z.array(requiredText(200)).max(20, 'must have at most 20 entries'),
  subjects: labelList,
  genres: labelList,
  format: z.enum(ItemFormat),
  audience: z.enum(Audience),
  language: language.nullish(),
  publishedYear: z
    .number()
    .int('must be a whole number')
    .min(1000, 'must be 1000 or later')
    .refine((y) => y <= new Date().getUTCFullYear() + 1, 'must not be more than a year ahead')
    .nullish(),
  isbn: isbn.nullish(),
  series: optionalText(200),
  addedAt: anyInstant,
  attributes: jsonObject,
};

/** A new title; only externalId and title are required. */
export const newItemSchema = z.object({
  externalId,
  ...fields,
  authors: fields.authors.default([]),
  subjects: fields.subjects.default([]),
  genres: fields.genres.default([]),
  format: fields.format.default(ItemFormat.BOOK),
  audience: fields.audience.default(Audience.ADULT),
  addedAt: fields.addedAt.optional(),
  attributes: fields.attributes.default({}),
});

export const itemPatchSchema = z.object(fields).partial();

/** Copies of a title at a branch; there can never be more on the shelf than are owned. */
export const holdingSchema = z
  .object({
    copies: z.number().int('must be a whole number').min(0, 'must not be negative').max(100_000),
    copiesAvailable: z.number().int('must be a whole number').min(0, 'must not be negative'),
  })
  .refine((h) => h.copiesAvailable <= h.copies, {
    path: ['copiesAvailable'],
    message: 'must not exceed copies',
  });

export type NewItem = z.output<typeof newItemSchema>;
export type ItemPatch = z.output<typeof itemPatchSchema>;
