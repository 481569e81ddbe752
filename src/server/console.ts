import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response, Router } from 'express';

/**
 * Where `npm run build` puts the web console: `dist/console` under the package root, whether this
 * module runs compiled (from dist/src/server) or from source under ts-jest (src/server).
 */
export function consoleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) {
    dir = path.dirname(dir);
  }
  return path.join(dir, 'dist', 'console');
}

/**
 * The console talks only to this origin's /graphql with a bearer token. It needs no inline
 * script or style, no frames and no third-party hosts, so the policy allows none of them.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
  next();
}

/**
 * Serves the built web console: hashed assets cached for a year, every other path answered with
 * index.html (never cached) so the app's own routes survive a reload. It only serves files: the
 * console reaches data through /graphql like any other client, under the same CSRF and token
 * rules.
 */
export function consoleRouter(dir = consoleDir()): Router {
  const router = Router();
  router.use(securityHeaders);
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) {
    router.use((_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The web console is not built: run `npm run build`, then restart.');
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(path.join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
    }),
    (_req: Request, res: Response) => {
      res.status(404).type('text/plain').send('Not found');
    },
  );
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
