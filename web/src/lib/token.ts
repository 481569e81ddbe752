/**
 * Reading a bearer token's claims in the browser. Pure (no storage, no DOM), so it is unit-tested
 * in node too.
 */
export type Role = 'CUSTOMER' | 'FRONT_LINE_STAFF' | 'MARKETING' | 'MANAGER' | 'ADMIN' | 'SERVICE';

/** What the console reads from a token to choose its screens. The API decides what is allowed. */
export interface Session {
  token: string;
  role: Role;
  /** For customers: their customer id. */
  customerId?: string;
  /** Staff display name, or the token subject. */
  name: string;
  /** Expiry, in milliseconds since the epoch, when the token states one. */
  expiresAt?: number;
}

const ROLES: readonly Role[] = [
  'CUSTOMER',
  'FRONT_LINE_STAFF',
  'MARKETING',
  'MANAGER',
  'ADMIN',
  'SERVICE',
];

/**
 * Reads a JWT's claims without checking its signature: only the API can do that, and every
 * request it answers is checked. A token that cannot be read is refused here with a message.
 */
export function readToken(raw: string): Session {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  const parts = token.split('.');
  if (parts.length !== 3)
    throw new Error(
      'That does not look like a token: it should have three parts separated by dots.',
    );
  let claims: Record<string, unknown>;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    throw new Error('That token cannot be read. Copy the whole token printed by `npm run demo`.');
  }
  const role = claims.role as Role;
  if (!ROLES.includes(role)) throw new Error('That token names no role this console knows.');
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (expiresAt !== undefined && expiresAt < Date.now()) {
    throw new Error('That token has expired. Ask for a new one.');
  }
  return {
    token,
    role,
    customerId: typeof claims.cid === 'string' ? claims.cid : undefined,
    name: String(claims.staff ?? claims.sub ?? role),
    expiresAt,
  };
}
