import DataLoader from 'dataloader';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { assertCustomerAccess, requireRole } from '../auth/access';
import { accessibleCustomer, CUSTOMER_READERS } from '../auth/guard';
import { Customer } from '../customers/customer.entity';
import type { PrivacyContext } from '../privacy/privacy.services';
import { ConsentRecord } from './consent-record.entity';
import type { CurrentConsent } from './consent.rules';
import { ConsentChangeInput, ConsentState } from './consent.types';

/** One loader per request, so a page of customers reads its consents in one statement. */
const loaders = new WeakMap<object, DataLoader<string, CurrentConsent[]>>();

function consentsLoader(ctx: PrivacyContext): DataLoader<string, CurrentConsent[]> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids) => {
      const found = await ctx.services.consent.currentConsentsOf(ids);
      return ids.map((id) => found.get(id) ?? []);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

@Resolver(() => Customer)
export class ConsentResolver {
  @FieldResolver(() => [ConsentState], {
    description:
      'Where the customer stands on each purpose (and channel), from the consent ledger. ' +
      'A purpose never recorded is listed as not granted.',
  })
  consents(@Root() c: Customer, @Ctx() ctx: PrivacyContext): Promise<CurrentConsent[]> {
    assertCustomerAccess(requireRole(ctx, CUSTOMER_READERS), c);
    return consentsLoader(ctx).load(c.id);
  }

  @FieldResolver(() => [ConsentRecord], {
    description: 'Every consent given or withdrawn, newest first.',
  })
  consentHistory(@Root() c: Customer, @Ctx() ctx: PrivacyContext): Promise<ConsentRecord[]> {
    assertCustomerAccess(requireRole(ctx, CUSTOMER_READERS), c);
    return ctx.services.consent.consentHistory(c.id);
  }

  @Mutation(() => Customer, {
    description:
      'Records that the customer gives a consent. Their recommendation mode follows from ' +
      'PERSONALISATION and HISTORY_RETENTION at once.',
  })
  giveConsent(
    @Ctx() ctx: PrivacyContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => ConsentChangeInput) input: ConsentChangeInput,
  ): Promise<Customer> {
    return record(ctx, customerId, input, true);
  }

  @Mutation(() => Customer, {
    description:
      'Records that the customer withdraws a consent. It takes effect at once: suggestions ' +
      'built on what is withdrawn are dropped straight away.',
  })
  withdrawConsent(
    @Ctx() ctx: PrivacyContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => ConsentChangeInput) input: ConsentChangeInput,
  ): Promise<Customer> {
    return record(ctx, customerId, input, false);
  }
}

/** Customers for themselves, guardians for their wards, and front-line staff and admins. */
async function record(
  ctx: PrivacyContext,
  customerId: string,
  input: ConsentChangeInput,
  granted: boolean,
): Promise<Customer> {
  const { actor, customer } = await accessibleCustomer(ctx, customerId);
  await ctx.services.consent.recordConsent(
    customer.id,
    { ...input, granted },
    { actor, requestId: ctx.requestId },
  );
  return ctx.services.customers.get(customer.id);
}
