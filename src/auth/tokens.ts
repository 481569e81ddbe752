import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { DomainError, ErrorCode } from '../common/errors';
import { type Actor, Role } from './role';

export interface TokenSettings {
  secret: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

interface Claims extends JWTPayload {
  role?: string;
  cid?: string;
  staff?: string;
}

/** Verifies bearer tokens (HS256 with the shared secret, or RS/ES keys from a JWKS URL). */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: TokenSettings) {
    this.key = new TextEncoder().encode(settings.secret);
    if (settings.jwksUrl) this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl));
  }

  /** The actor a token stands for; UNAUTHENTICATED for anything expired, forged or malformed. */
  async verify(token: string): Promise<Actor> {
    let payload: Claims;
    try {
      const options = { issuer: this.settings.issuer, audience: this.settings.audience };
      payload = (
        this.jwks
          ? await jwtVerify(token, this.jwks, options)
          : await jwtVerify(token, this.key, { ...options, algorithms: ['HS256'] })
      ).payload as Claims;
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new DomainError(
        ErrorCode.UNAUTHENTICATED,
        expired ? 'The token has expired; sign in again' : 'The token is not valid',
      );
    }
    const role = payload.role as Role | undefined;
    if (!role || !Object.values(Role).includes(role) || !payload.sub) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The token names no known role or subject');
    }
    if (role === Role.CUSTOMER && !payload.cid) {
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'A customer token must name its customer');
    }
    return {
      role,
      subject: payload.sub,
      ...(payload.cid ? { customerId: String(payload.cid) } : {}),
      ...(payload.staff ? { staffName: String(payload.staff) } : {}),
    };
  }

  /** Signs a token with the shared secret (local use and tests; production may use an IdP). */
  async sign(actor: Actor, ttl: string): Promise<string> {
    return new SignJWT({
      role: actor.role,
      ...(actor.customerId ? { cid: actor.customerId } : {}),
      ...(actor.staffName ? { staff: actor.staffName } : {}),
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(actor.subject)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt()
      .setExpirationTime(ttl)
      .sign(this.key);
  }
}

/** The bearer token in an Authorization header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m)
    throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Authorization must be "Bearer <token>"');
  return m[1];
}
