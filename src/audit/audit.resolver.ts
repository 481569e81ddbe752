import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { assertCustomerAccess, forbidden, requireRole } from '../auth/access';
import { CUSTOMER_READERS } from '../auth/guard';
import { Role } from '../auth/role';
import { Customer } from '../customers/customer.entity';
import type { GraphQLContext } from '../graphql/context';
import { AuditEntry } from './audit-entry.entity';

@Resolver(() => Customer)
export class CustomerAuditResolver {
  @FieldResolver(() => [AuditEntry], {
    description:
      'Who looked at or changed this record, newest first. Visible to the customer (and their ' +
      'guardian) and to administrators.',
  })
  async accessLog(
    @Root() c: Customer,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
  ): Promise<AuditEntry[]> {
    const actor = requireRole(ctx, CUSTOMER_READERS);
    assertCustomerAccess(actor, c);
    if (actor.role === Role.FRONT_LINE_STAFF)
      throw forbidden('Only the customer and administrators see the access log');
    const rows = await ctx.services.audit.about(c.id, Math.max(1, Math.min(first, 200)));
    return rows.map((r) =>
      Object.assign(new AuditEntry(), {
        id: r.id,
        at: new Date(r.at),
        actor: r.actor,
        actorRole: r.actor_role,
        action: r.action,
        targetType: r.target_type,
        targetId: r.target_id,
        customerId: r.customer_id,
        reason: r.reason,
        requestId: r.request_id,
        details: r.details,
      }),
    );
  }
}
