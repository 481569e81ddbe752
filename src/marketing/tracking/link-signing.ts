import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for the links in a message. A token names what it is for — unsubscribe (u),
 * open pixel (o) or a click on the campaign's n-th link (c) — and which message, and carries
 * an HMAC-SHA256 of exactly that under the link secret, so nobody can make one for another
 * message or another link. Click tokens name a link by its index in the campaign's own list:
 * the address never travels in the URL, so the redirect can only go where the campaign said.
 */
export type LinkKind = 'u' | 'o' | 'c';

export interface LinkClaim {
  kind: LinkKind;
  notificationId: string;
  /** For clicks: which of the campaign's links. */
  linkIndex?: number;
}

/** 128 bits of the MAC, base64url: short enough for an SMS, far beyond guessing. */
const MAC_BYTES = 16;

function payload(c: LinkClaim): string {
  return c.kind === 'c' ? `c${c.notificationId}.${c.linkIndex}` : `${c.kind}${c.notificationId}`;
}

function mac(secret: string, text: string): Buffer {
  return createHmac('sha256', secret).update(text).digest().subarray(0, MAC_BYTES);
}

/** `u123.<mac>`, `o123.<mac>` or `c123.2.<mac>`. */
export function signLink(secret: string, claim: LinkClaim): string {
  const text = payload(claim);
  return `${text}.${mac(secret, text).toString('base64url')}`;
}

const TOKEN_RE = /^([uoc])([1-9][0-9]{0,17})(?:\.([0-9]{1,3}))?\.([A-Za-z0-9_-]{22})$/;

/** The claim a token makes when its MAC is right; null for anything malformed or forged. */
export function verifyLink(secret: string, token: string): LinkClaim | null {
  const m = TOKEN_RE.exec(token);
  if (!m) return null;
  const [, kind, notificationId, index, given] = m;
  if ((kind === 'c') !== (index !== undefined)) return null;
  const claim: LinkClaim = {
    kind: kind as LinkKind,
    notificationId,
    ...(index !== undefined ? { linkIndex: Number(index) } : {}),
  };
  const expected = mac(secret, payload(claim));
  const actual = Buffer.from(given, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  return claim;
}

/** The public URLs a message carries. */
export function linkUrls(base: string, secret: string, notificationId: string) {
  return {
    unsubscribe: `${base}/m/u/${signLink(secret, { kind: 'u', notificationId })}`,
    open: `${base}/m/o/${signLink(secret, { kind: 'o', notificationId })}`,
    click: (linkIndex: number) =>
      `${base}/m/c/${signLink(secret, { kind: 'c', notificationId, linkIndex })}`,
  };
}
