import type { ApolloServerPlugin } from '@apollo/server';
import { DomainError } from '../common/errors';
import { safeError } from '../common/logger';
import { assertId } from '../common/ids';
import type { Customer } from '../customers/customer.entity';
import type { GraphQLContext } from '../graphql/context';
import { assertCustomerAccess, isOwnData, requireRole } from './access';
import { type Actor, Role } from './role';

/** Roles that can ever reach an individual customer's record. */
export const CUSTOMER_READERS: readonly Role[] = [Role.CUSTOMER, Role.FRONT_LINE_STAFF, Role.ADMIN];

/**
 * A customer the caller may act on or see: NOT_FOUND when there is none, FORBIDDEN when it is
 * someone else's record. Used by every resolver that takes a customer id.
 */
export async function accessibleCustomer(
  ctx: GraphQLContext,
  id: string,
  field = 'customerId',
): Promise<{ actor: Actor; customer: Customer }> {
  const actor = requireRole(ctx, CUSTOMER_READERS);
  const customer = await ctx.loaders.customer.load(assertId(id, field));
  if (!customer) throw DomainError.notFound('Customer', id);
  assertCustomerAccess(actor, customer);
  return { actor, customer };
}

/**
 * Notes that staff (or a guardian) read or changed these customers' records; a customer's reads
 * of their own record are not logged. Entries are written before the response leaves (see
 * `auditPlugin`), all in one transaction per request.
 */
export function auditReads(
  ctx: GraphQLContext,
  customers: Customer[],
  action: string,
  reason?: string | null,
  details: Record<string, unknown> = {},
): void {
  const actor = ctx.actor;
  if (!actor) return;
  const others = customers.filter(
    (c) => !(actor.role === Role.CUSTOMER && c.id === actor.customerId),
  );
  ctx.audit.push(
    ...others.map((c) => ({
      action,
      targetType: 'customer',
      targetId: c.id,
      customerId: c.id,
      reason: reason ?? null,
      details: isOwnData(actor, c) ? { ...details, as: 'guardian' } : details,
    })),
  );
}

/**
 * Writes the request's audit entries before the response is sent. If they cannot be written the
 * client gets an error instead of the data: nothing is read or changed without a trace.
 */
export function auditPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const entries = contextValue.audit.splice(0);
          if (!entries.length || !contextValue.actor) return;
          try {
            await contextValue.services.audit.record(
              contextValue.actor,
              contextValue.requestId,
              entries,
            );
          } catch (err) {
            contextValue.log.error({
              event: 'audit.write_failed',
              count: entries.length,
              err: safeError(err),
            });
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: 'The audit trail is unavailable, so nothing was returned',
                    extensions: { code: 'UNAVAILABLE' },
                  },
                ],
              },
            };
          }
        },
      };
    },
  };
}
