import { createHash, randomBytes } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import type { AuditService } from '../audit/audit.service';
import { type Actor, Role } from '../auth/role';
import { bearerToken, type TokenService } from '../auth/tokens';
import { DomainError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { QueueSet } from '../outbox/queues';

export const ADMIN_QUEUES_PATH = '/admin/queues';
const SESSION_PATH = '/admin/session';
const COOKIE = 'cp_admin_session';
const AUDIENCE = 'commonplace-admin-session';

export interface AdminDeps {
  tokens: TokenService;
  queues: QueueSet;
  audit: AuditService;
  log: Logger;
  /** Signs browser sessions; the same in every API process, or sessions work on one only. */
  sessionSecret: string;
  sessionMinutes: number;
  /** Sets `Secure` on the cookie (production serves HTTPS). */
  secureCookie: boolean;
}

/**
 * A session key from configuration: ADMIN_SESSION_SECRET, else JWT_SECRET; in production with
 * neither (tokens verified by an identity provider), a random key, so a session is only good
 * on the API process that opened it.
 */
export function adminSessionSecret(env: {
  ADMIN_SESSION_SECRET?: string;
  JWT_SECRET?: string;
  production: boolean;
  developmentSecret: string;
}): string {
  const base =
    env.ADMIN_SESSION_SECRET ??
    env.JWT_SECRET ??
    (env.production ? randomBytes(32).toString('hex') : env.developmentSecret);
  // Derived, so a session cookie can never pass as an API token or the other way round.
  return createHash('sha256').update(`commonplace admin session\u0000${base}`).digest('hex');
}

/**
 * Bull Board at /admin/queues, for ADMIN tokens only: 401 without a valid credential, 403
 * for any other role. Tools send `Authorization: Bearer <token>` on every request. A browser
 * cannot add that header to page loads, so an ADMIN exchanges the token once at
 * /admin/session (a form, or a POST with the header) for a cookie: a session token signed by
 * the API, HttpOnly, SameSite=Strict (no other site can make the browser send it, which is
 * the dashboard's CSRF protection), limited to /admin, and valid for ADMIN_SESSION_MINUTES
 * (never longer than the token it was exchanged for). Opening a session is audited.
 */
export function adminRouter(deps: AdminDeps): Router {
  const key = new TextEncoder().encode(deps.sessionSecret);
  const router = Router();

  const board = new ExpressAdapter();
  board.setBasePath(ADMIN_QUEUES_PATH);
  createBullBoard({
    queues: deps.queues.all().map((q) => new BullMQAdapter(q)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'Commonplace queues' } },
  });

  const sessionActor = async (req: Request): Promise<Actor | null> => {
    const cookie = readCookie(req.headers.cookie, COOKIE);
    if (!cookie) return null;
    try {
      const { payload } = await jwtVerify(cookie, key, {
        audience: AUDIENCE,
        algorithms: ['HS256'],
      });
      return { role: Role.ADMIN, subject: String(payload.sub) };
    } catch {
      return null;
    }
  };

  /** The caller, from the Authorization header or the session cookie; null when neither. */
  const caller = async (req: Request): Promise<{ actor: Actor; exp?: number } | null> => {
    const token = bearerToken(req.headers.authorization);
    if (token) {
      const actor = await deps.tokens.verify(token);
      const exp = decodeExp(token);
      return { actor, exp };
    }
    const actor = await sessionActor(req);
    return actor ? { actor } : null;
  };

  const refuse = (res: Response, status: 401 | 403, message: string) => {
    const code = status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    if (status === 401) res.set('www-authenticate', 'Bearer');
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  };

  const requireAdmin = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const who = await caller(req);
      if (!who) {
        return refuse(res, 401, `Send an ADMIN bearer token, or open ${SESSION_PATH} first`);
      }
      if (who.actor.role !== Role.ADMIN) return refuse(res, 403, 'Queues are for ADMIN only');
      next();
    } catch (err) {
      if (err instanceof DomainError) return refuse(res, 401, err.message);
      next(err);
    }
  };

  router.get(SESSION_PATH, (_req, res) => {
    res.type('html').send(LOGIN_PAGE);
  });

  router.post(
    SESSION_PATH,
    express.urlencoded({ extended: false, limit: '16kb' }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const token =
          bearerToken(req.headers.authorization) ??
          (typeof req.body?.token === 'string' ? req.body.token.trim() : null);
        if (!token) return refuse(res, 401, 'Give an ADMIN token');
        const actor = await deps.tokens.verify(token);
        if (actor.role !== Role.ADMIN) return refuse(res, 403, 'Queues are for ADMIN only');
        const now = Math.floor(Date.now() / 1000);
        const exp = Math.min(now + deps.sessionMinutes * 60, decodeExp(token) ?? Infinity);
        const session = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(actor.subject)
          .setAudience(AUDIENCE)
          .setIssuedAt(now)
          .setExpirationTime(exp)
          .sign(key);
        await deps.audit.record(actor, req.requestId ?? null, [
          { action: 'admin.queues_session', targetType: 'queues', details: { until: exp } },
        ]);
        deps.log.info({ event: 'admin.session_opened', subject: actor.subject });
        const attributes = [
          `${COOKIE}=${session}`,
          'HttpOnly',
          'SameSite=Strict',
          'Path=/admin',
          `Max-Age=${exp - now}`,
          ...(deps.secureCookie ? ['Secure'] : []),
        ];
        res.setHeader('set-cookie', attributes.join('; '));
        res.redirect(303, `${ADMIN_QUEUES_PATH}/`);
      } catch (err) {
        if (err instanceof DomainError) return refuse(res, 401, err.message);
        next(err);
      }
    },
  );

  router.post(`${SESSION_PATH}/end`, (_req, res) => {
    res.setHeader('set-cookie', `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0`);
    res.redirect(303, SESSION_PATH);
  });

  router.use(ADMIN_QUEUES_PATH, requireAdmin, board.getRouter());
  return router;
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || null;
  }
  return null;
}

/** The `exp` claim of a token already verified; undefined when it has none. */
function decodeExp(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    return typeof payload.exp === 'number' ? payload.exp : undefined;
  } catch {
    return undefined;
  }
}

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Commonplace queues</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}
textarea{width:100%;font-family:monospace}button{margin-top:.5rem;padding:.4rem 1rem}</style>
</head><body>
<h1>Queues</h1>
<p>Paste an ADMIN bearer token (<code>npm run cli -- token --role ADMIN --staff "Your Name"</code>).
It is exchanged for a session that ends after a few minutes; the token itself is not stored.</p>
<form method="post" action="${SESSION_PATH}">
<textarea name="token" rows="6" required autocomplete="off" spellcheck="false"></textarea>
<button type="submit">Open the queues</button>
</form>
</body></html>`;
