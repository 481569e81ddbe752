import { registerEnumType } from 'type-graphql';

/** Who is calling. Each role sees only what its work needs. */
export enum Role {
  /** Acts for one customer, and for the children they are guardian of. */
  CUSTOMER = 'CUSTOMER',
  FRONT_LINE_STAFF = 'FRONT_LINE_STAFF',
  /** Works with segments and counts; never individual activity or contact details. */
  MARKETING = 'MARKETING',
  /** Sees aggregates. */
  MANAGER = 'MANAGER',
  ADMIN = 'ADMIN',
  /** A catalogue front-end's server acting for anonymous visitors. */
  SERVICE = 'SERVICE',
}

registerEnumType(Role, { name: 'Role' });

/** Roles that serve customers face to face or run the system. */
export const STAFF: readonly Role[] = [Role.FRONT_LINE_STAFF, Role.ADMIN];

/** The caller, from a verified token. */
export interface Actor {
  role: Role;
  /** Token subject: a staff login, a customer's account, a service name. */
  subject: string;
  /** For CUSTOMER: the customer they act for. */
  customerId?: string;
  /** Staff member's display name, recorded in the ledger and the audit trail. */
  staffName?: string;
}
