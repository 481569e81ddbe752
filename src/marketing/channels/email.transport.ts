import nodemailer, { type Mail } from 'nodemailer';
import { ConsentChannel } from '../../consent/consent.enums';
import {
  type FailureKind,
  type OutgoingMessage,
  type Transport,
  TransportError,
} from './transport';

/** SMTP commands before the message itself: failing in them means nothing was delivered. */
const BEFORE_DATA = /^(CONN|EHLO|HELO|LHLO|STARTTLS|AUTH|MAIL FROM|RCPT TO)/i;
const CONNECTION_CODES = new Set(['ECONNECTION', 'EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EPROXY']);

/**
 * What a nodemailer error means for delivery. A reply from the server is a refusal (4xx try
 * again, 5xx never). Without a reply it depends on how far the conversation got: before the
 * message was sent nothing can have arrived; after, it may have.
 */
export function classifySmtpError(err: unknown): TransportError {
  const e = err as { responseCode?: number; code?: string; command?: string; message?: string };
  if (typeof e.responseCode === 'number') {
    const kind: FailureKind = e.responseCode >= 500 ? 'PERMANENT' : 'RETRY';
    return new TransportError(kind, `SMTP_${e.responseCode}`, `server replied ${e.responseCode}`);
  }
  const code = e.code ?? 'SMTP_ERROR';
  if ((e.command && BEFORE_DATA.test(e.command)) || CONNECTION_CODES.has(code)) {
    return new TransportError('RETRY', code, `failed before the message was sent (${code})`);
  }
  return new TransportError('UNKNOWN', code, `connection lost while sending (${code})`);
}

/** The domain of the From address, for Message-IDs. */
function domainOf(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return m ? m[1] : 'localhost';
}

/**
 * EMAIL through the SMTP server at SMTP_URL (pooled connections). Each message has a
 * Message-ID derived from its notification, and List-Unsubscribe / List-Unsubscribe-Post
 * headers so mail clients can offer one-click unsubscribe (RFC 8058). SMTP has no idempotency
 * key, so a message whose hand-over was interrupted is never sent again.
 */
export class EmailTransport implements Transport {
  readonly channel = ConsentChannel.EMAIL;
  readonly redeliverySafe = false;
  private readonly mailer: Mail;
  private readonly domain: string;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    opts: { maxConnections?: number } = {},
  ) {
    this.mailer = nodemailer.createTransport({
      url: smtpUrl,
      pool: true,
      maxConnections: opts.maxConnections ?? 2,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // Messages are built here from text; nothing may pull in files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    this.domain = domainOf(from);
  }

  messageId(m: Pick<OutgoingMessage, 'notificationId' | 'campaignId'>): string {
    return `<notification.${m.notificationId}.campaign.${m.campaignId}@${this.domain}>`;
  }

  async send(m: OutgoingMessage): Promise<{ providerId: string | null }> {
    try {
      const info = await this.mailer.sendMail({
        from: this.from,
        to: m.to,
        subject: m.subject ?? '',
        text: m.text,
        html: m.html ?? undefined,
        messageId: this.messageId(m),
        headers: {
          'List-Unsubscribe': `<${m.unsubscribeUrl}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Commonplace-Campaign': m.campaignId,
        },
      });
      return { providerId: (info as { messageId?: string }).messageId ?? null };
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  async close(): Promise<void> {
    this.mailer.close();
  }
}
