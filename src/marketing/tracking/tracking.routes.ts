import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, Router } from 'express';
import { type Logger, safeError } from '../../common/logger';
import { ConsentChannel } from '../../consent/consent.enums';
import { CampaignPurpose } from '../campaigns/campaign.enums';
import { escapeHtml } from '../templates/template';
import type { TrackingService } from './tracking.service';

/** A transparent 1×1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const CHANNEL_WORDS: Record<string, string> = {
  [ConsentChannel.EMAIL]: 'by email',
  [ConsentChannel.SMS]: 'by text message',
  [ConsentChannel.APP]: 'in the app',
};

function what(purpose: CampaignPurpose, channel: ConsentChannel): string {
  const kind =
    purpose === CampaignPurpose.MARKETING ? 'news and offers' : 'information about our services';
  return `${kind} ${CHANNEL_WORDS[channel] ?? ''}`.trim();
}

function page(res: Response, status: number, title: string, body: string) {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
        `<meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;` +
        `max-width:32em;margin:3em auto;padding:0 1em"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

const notFound = (res: Response) =>
  page(res, 404, 'Link not recognised', '<p>This link is not valid. Nothing was changed.</p>');

/**
 * The public endpoints message links point to, under /m. None needs a token: the signed link
 * is the credential, and a forged or altered one gets 404 and changes nothing.
 *
 * - GET /m/u/:token shows what unsubscribing stops and a button; POST /m/u/:token does it
 *   (also what mail clients send for List-Unsubscribe-Post one-click). A GET never acts, so
 *   link scanners that fetch every URL in a message cannot unsubscribe anyone.
 * - GET /m/o/:token is the open pixel.
 * - GET /m/c/:token counts a click and redirects to the campaign's own link.
 */
export function trackingRoutes(tracking: TrackingService, log: Logger): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  const guard =
    (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) =>
      handler(req, res).catch((err) => {
        log.error({
          event: 'marketing.link_failed',
          path: req.path.slice(0, 3),
          err: safeError(err),
        });
        if (!res.headersSent)
          page(res, 500, 'Something went wrong', '<p>Please try again later.</p>');
      });

  router.get(
    '/u/:token',
    guard(async (req, res) => {
      const claim = tracking.claim(String(req.params.token), 'u');
      const target = claim && (await tracking.target(claim.notificationId));
      if (!target) return notFound(res);
      page(
        res,
        200,
        'Unsubscribe',
        `<p>Stop receiving ${escapeHtml(what(target.purpose, target.channel))} from the library?</p>` +
          `<form method="post"><button type="submit">Unsubscribe</button></form>`,
      );
    }),
  );

  router.post(
    '/u/:token',
    express.urlencoded({ extended: false, limit: '2kb' }),
    guard(async (req, res) => {
      const outcome = await tracking.unsubscribe(String(req.params.token), randomUUID());
      if (!outcome) return notFound(res);
      if (outcome.status === 'GONE') {
        return page(res, 200, 'Nothing to do', '<p>We no longer hold these details.</p>');
      }
      page(
        res,
        200,
        'You are unsubscribed',
        `<p>You will not receive ${escapeHtml(what(outcome.purpose, outcome.channel))} from the ` +
          'library any more. You can change your choices at any branch or online.</p>',
      );
    }),
  );

  router.get(
    '/o/:token',
    guard(async (req, res) => {
      const token = String(req.params.token).replace(/\.gif$/, '');
      if (!tracking.claim(token, 'o')) return notFound(res);
      await tracking.open(token);
      res.status(200).type('gif').send(PIXEL);
    }),
  );

  router.get(
    '/c/:token',
    guard(async (req, res) => {
      const url = await tracking.click(String(req.params.token));
      if (!url) return notFound(res);
      res.redirect(302, url);
    }),
  );
  return router;
}
