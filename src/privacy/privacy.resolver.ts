import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { forbidden, MIN_REASON_LENGTH, requireRole } from '../auth/access';
import { accessibleCustomer } from '../auth/guard';
import { type Actor, Role, STAFF } from '../auth/role';
import { DomainError } from '../common/errors';
import { Customer } from '../customers/customer.entity';
import type { PrivacyContext } from './privacy.services';
import { HistoryChoiceInput } from './privacy.types';

/** Staff must say why; the reason is kept in the audit trail. */
function staffReason(actor: Actor, reason: string | null | undefined): string | null {
  const trimmed = reason?.trim() ?? '';
  if (STAFF.includes(actor.role) && trimmed.length < MIN_REASON_LENGTH) {
    throw DomainError.badInput(
      'reason',
      'required',
      `staff must say why (at least ${MIN_REASON_LENGTH} characters); ` +
        'it is kept in the audit trail',
    );
  }
  return trimmed || null;
}

@Resolver()
export class PrivacyResolver {
  @Mutation(() => Customer, {
    description:
      'Sets how long the customer’s activity stays linked to them. Recorded in the consent ' +
      'ledger as HISTORY_RETENTION; their recommendation mode follows.',
  })
  async setHistoryChoice(
    @Ctx() ctx: PrivacyContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('input', () => HistoryChoiceInput) input: HistoryChoiceInput,
  ): Promise<Customer> {
    const { actor, customer } = await accessibleCustomer(ctx, customerId);
    await ctx.services.readingHistory.setHistoryChoice(
      customer.id,
      { ...input },
      { actor, requestId: ctx.requestId },
    );
    return ctx.services.customers.get(customer.id);
  }

  @Query(() => GraphQLJSONObject, {
    description: 'Everything held about the signed-in customer, as one JSON document.',
  })
  exportMyData(@Ctx() ctx: PrivacyContext): Promise<Record<string, unknown>> {
    const actor = requireRole(ctx, [Role.CUSTOMER]);
    return ctx.services.subjectAccess.exportFor(
      actor.customerId as string,
      { actor, requestId: ctx.requestId },
      null,
    );
  }

  @Query(() => GraphQLJSONObject, {
    description:
      'Everything held about a customer, for a subject access request. Staff give a reason.',
  })
  exportCustomerData(
    @Ctx() ctx: PrivacyContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('reason', () => String) reason: string,
  ): Promise<Record<string, unknown>> {
    const actor = requireRole(ctx, STAFF);
    return ctx.services.subjectAccess.exportFor(
      customerId,
      { actor, requestId: ctx.requestId },
      staffReason(actor, reason),
    );
  }

  @Mutation(() => Customer, {
    description:
      'Erases a customer: personal data goes, activity is anonymised, the record stays as a ' +
      'tombstone so imports do not bring it back. For the customer themselves, or staff with ' +
      'a reason. Erasing again is harmless.',
  })
  async eraseCustomer(
    @Ctx() ctx: PrivacyContext,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('reason', () => String) reason: string,
  ): Promise<Customer> {
    const { actor, customer } = await accessibleCustomer(ctx, customerId);
    if (actor.role === Role.CUSTOMER && customer.id !== actor.customerId) {
      throw forbidden('A customer may erase only their own record; staff can erase a child’s');
    }
    await ctx.services.erasure.eraseCustomer(customer.id, staffReason(actor, reason), {
      actor,
      requestId: ctx.requestId,
    });
    return ctx.services.customers.get(customer.id);
  }
}
