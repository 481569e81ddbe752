import type { ConsentChannel } from '../../consent/consent.enums';

/** One message for one customer on one channel, ready to go. */
export interface OutgoingMessage {
  notificationId: string;
  campaignId: string;
  channel: ConsentChannel;
  /** Email address, phone number, or card number (APP). */
  to: string;
  /** Email only. */
  subject: string | null;
  text: string;
  /** Email only. */
  html: string | null;
  /** For the List-Unsubscribe headers of email. */
  unsubscribeUrl: string;
}

/**
 * How a failed hand-over ended, which decides what delivery may do next:
 * - RETRY: the channel certainly did not take the message (refused with a temporary error,
 *   or the connection failed before the message was sent); it may be tried again.
 * - PERMANENT: the channel refused it for good (a bad address, an unknown recipient).
 * - UNKNOWN: the message may or may not have been taken (the connection dropped after it was
 *   sent); sending again could deliver it twice.
 */
export type FailureKind = 'RETRY' | 'PERMANENT' | 'UNKNOWN';

export class TransportError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** A short code for the record: an SMTP reply code, an HTTP status, a socket error. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** A way of handing messages to a channel. */
export interface Transport {
  readonly channel: ConsentChannel;
  /**
   * True when handing the same message over again cannot deliver it twice, because the
   * receiver recognises it by its id (an idempotency key). Delivery then re-sends a message
   * whose fate a crashed worker left unknown; otherwise it never sends it again.
   */
  readonly redeliverySafe: boolean;
  /** Resolves once the channel has accepted the message; TransportError otherwise. */
  send(message: OutgoingMessage): Promise<{ providerId: string | null }>;
  close(): Promise<void>;
}
