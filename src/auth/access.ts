import type { AuthChecker } from 'type-graphql';
import { DomainError, ErrorCode } from '../common/errors';
import { HistoryChoice } from '../consent/consent.enums';
import type { Customer } from '../customers/customer.entity';
import type { GraphQLContext } from '../graphql/context';
import { type Actor, Role } from './role';

/** Shortest reason staff may give for opening someone's history. */
export const MIN_REASON_LENGTH = 5;

export function unauthenticated(): DomainError {
  return new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in first: this needs a bearer token');
}

export function forbidden(message: string): DomainError {
  return new DomainError(ErrorCode.FORBIDDEN, message);
}

/** The caller, or UNAUTHENTICATED. */
export function requireActor(ctx: Pick<GraphQLContext, 'actor'>): Actor {
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}

/** The caller when their role is one of `roles`; UNAUTHENTICATED or FORBIDDEN otherwise. */
export function requireRole(ctx: Pick<GraphQLContext, 'actor'>, roles: readonly Role[]): Actor {
  const actor = requireActor(ctx);
  if (!roles.includes(actor.role)) throw forbidden(`The ${actor.role} role may not do this`);
  return actor;
}

/**
 * type-graphql's hook for `@Authorized(...)`: an error rather than a silent null, so a client
 * always learns whether it must sign in (UNAUTHENTICATED) or may not (FORBIDDEN).
 */
export const authChecker: AuthChecker<GraphQLContext, Role> = ({ context }, roles) => {
  requireRole(context, roles.length ? roles : Object.values(Role));
  return true;
};

/**
 * Whether the caller may see this customer's record: staff may; a customer may see themselves
 * and the children they are guardian of; nobody else may.
 */
export function assertCustomerAccess(
  actor: Actor,
  customer: Pick<Customer, 'id' | 'guardianId'>,
): void {
  if (actor.role === Role.FRONT_LINE_STAFF || actor.role === Role.ADMIN) return;
  if (actor.role === Role.CUSTOMER) {
    if (customer.id === actor.customerId || customer.guardianId === actor.customerId) return;
    throw forbidden('A customer may see only their own record and their children’s');
  }
  throw forbidden(`The ${actor.role} role may not see individual customers`);
}

/** True when the caller is looking at their own (or their child's) data. */
export function isOwnData(actor: Actor, customer: Pick<Customer, 'id' | 'guardianId'>): boolean {
  return (
    actor.role === Role.CUSTOMER &&
    (customer.id === actor.customerId || customer.guardianId === actor.customerId)
  );
}

/**
 * Reading history (loans, events, PC use, views) is the most sensitive data held. Customers see
 * their own. Staff must state a reason, and see it only where the customer keeps history.
 */
export function assertHistoryAccess(
  actor: Actor,
  customer: Pick<Customer, 'id' | 'guardianId' | 'historyChoice'>,
  reason: string | null | undefined,
): void {
  assertCustomerAccess(actor, customer);
  if (isOwnData(actor, customer)) return;
  if (!reason || reason.trim().length < MIN_REASON_LENGTH) {
    throw DomainError.badInput(
      'reason',
      'required',
      `staff must say why they are opening a customer's history (at least ${MIN_REASON_LENGTH} characters)`,
    );
  }
  if (customer.historyChoice === HistoryChoice.NEVER) {
    throw forbidden('This customer has chosen not to keep a history, so staff cannot see it');
  }
}
