import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsentChannel } from '../../consent/consent.enums';
import { type OutgoingMessage, type Transport, TransportError } from './transport';

/** Header names of a signed webhook request. */
export const SIGNATURE_HEADER = 'x-commonplace-signature';
export const TIMESTAMP_HEADER = 'x-commonplace-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** `sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>". */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers (and tests): whether a request is signed with the secret and recent enough
 * that a captured request cannot be replayed later.
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | undefined,
  body: string,
  signature: string | undefined,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Math.abs((opts.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(webhookSignature(secret, timestamp, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookOptions {
  /** Attempts per hand-over, with exponential backoff between them. */
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

/**
 * SMS and APP through an HTTP gateway: each message is POSTed as JSON, signed with
 * HMAC-SHA256 over the timestamp and body, and carries an Idempotency-Key naming the
 * notification. Network errors, 429 and 5xx are retried here with backoff; the receiver is
 * expected to treat a repeated key as the same message, which is what makes retrying — and
 * re-sending after a crashed worker — safe. Other 4xx answers are permanent refusals.
 */
export class WebhookTransport implements Transport {
  readonly redeliverySafe = true;

  constructor(
    readonly channel: ConsentChannel,
    private readonly url: string,
    private readonly secret: string,
    private readonly options: WebhookOptions = {},
  ) {}

  async send(m: OutgoingMessage): Promise<{ providerId: string | null }> {
    const attempts = this.options.attempts ?? 3;
    const key = `notification-${m.notificationId}`;
    const body = JSON.stringify({
      id: key,
      channel: m.channel,
      to: m.to,
      text: m.text,
      campaignId: m.campaignId,
      unsubscribeUrl: m.unsubscribeUrl,
    });
    let last = new TransportError('RETRY', 'WEBHOOK_UNAVAILABLE', 'no attempt made');
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      let retryAfterMs = 0;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [IDEMPOTENCY_HEADER]: key,
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: webhookSignature(this.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        const text = await res.text().catch(() => '');
        if (res.ok) return { providerId: providerIdFrom(text) };
        if (res.status !== 429 && res.status < 500) {
          const code =
            res.status === 404 || res.status === 410 ? 'UNKNOWN_RECIPIENT' : `HTTP_${res.status}`;
          throw new TransportError(
            'PERMANENT',
            code,
            `gateway refused the message (${res.status})`,
          );
        }
        last = new TransportError('RETRY', `HTTP_${res.status}`, `gateway answered ${res.status}`);
        retryAfterMs = Math.min(Number(res.headers.get('retry-after') ?? 0) * 1000, 10_000);
      } catch (err) {
        if (err instanceof TransportError) throw err;
        const code = (err as { name?: string }).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK';
        last = new TransportError('RETRY', code, `gateway unreachable (${code})`);
      }
      if (attempt < attempts) {
        await sleep(Math.max(retryAfterMs, (this.options.baseDelayMs ?? 200) * 2 ** (attempt - 1)));
      }
    }
    throw last;
  }

  async close(): Promise<void> {}
}

/** The gateway's own id for the message, when its JSON answer has one. */
function providerIdFrom(text: string): string | null {
  try {
    const v = JSON.parse(text) as { id?: unknown };
    return typeof v.id === 'string' ? v.id.slice(0, 200) : null;
  } catch {
    return null;
  }
}
