import { z } from 'zod';
import {
  email,
  externalId,
  jsonObject,
  language,
  optionalText,
  pastInstant,
  phone,
  postcode,
} from '../common/validation';
import { AccessibilityNeed, CustomerKind, CustomerStatus } from './customer.enums';

const thisYear = () => new Date().getUTCFullYear();

/** Fields a customer record may carry; references (branch, guardian) are resolved by callers. */
const fields = {
  kind: z.enum(CustomerKind),
  firstName: optionalText(100),
  lastName: optionalText(100),
  email: email.nullish(),
  phone: phone.nullish(),
  postcode: postcode.nullish(),
  birthYear: z
    .number()
    .int('must be a whole number')
    .min(1900, 'must be 1900 or later')
    .refine((y) => y <= thisYear(), 'must not be in the future')
    .nullish(),
  preferredLanguage: language.nullish(),
  accessibilityNeeds: z.array(z.enum(AccessibilityNeed)).max(10, 'must have at most 10 entries'),
  attributes: jsonObject,
  status: z
    .enum(CustomerStatus)
    .refine(
      (s) => s !== CustomerStatus.ERASED,
      'cannot be set to ERASED; erasure has its own process',
    ),
  registeredAt: pastInstant,
};

/** A new customer: only externalId and kind are required. */
export const newCustomerSchema = z.object({
  externalId,
  ...fields,
  accessibilityNeeds: fields.accessibilityNeeds.default([]),
  attributes: fields.attributes.default({}),
  status: fields.status.default(CustomerStatus.ACTIVE),
  registeredAt: fields.registeredAt.optional(),
});

/** A change to a customer: any subset of fields; externalId is stable and cannot change. */
export const customerPatchSchema = z.object(fields).partial();

export type NewCustomer = z.output<typeof newCustomerSchema>;
export type CustomerPatch = z.output<typeof customerPatchSchema>;
