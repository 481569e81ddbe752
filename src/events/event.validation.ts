import { z } from 'zod';
import {
  anyInstant,
  externalId,
  labelList,
  optionalText,
  requiredText,
} from '../common/validation';
import { Audience } from '../catalogue/catalogue.enums';

const fields = {
  title: requiredText(300),
  description: optionalText(5000),
  startsAt: anyInstant,
  endsAt: anyInstant.nullish(),
  capacity: z
    .number()
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(100_000)
    .nullish(),
  topics: labelList,
  audience: z.enum(Audience).nullish(),
};

const endsAfterStart = (e: { startsAt?: Date; endsAt?: Date | null }) =>
  !e.startsAt || !e.endsAt || e.endsAt.getTime() >= e.startsAt.getTime();
const endsRule = { path: ['endsAt'], message: 'must not be before startsAt' };

export const newEventSchema = z
  .object({ externalId, ...fields, topics: fields.topics.default([]) })
  .refine(endsAfterStart, endsRule);

export const eventPatchSchema = z.object(fields).partial().refine(endsAfterStart, endsRule);

export type NewEvent = z.output<typeof newEventSchema>;
export type EventPatch = z.output<typeof eventPatchSchema>;
