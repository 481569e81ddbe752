import { registerEnumType } from 'type-graphql';

/**
 * Where a campaign is in its life. DRAFT → SCHEDULED → SENDING → SENT; DRAFT, SCHEDULED and
 * SENDING may be CANCELLED, and a SCHEDULED campaign may go back to DRAFT for changes.
 */
export enum CampaignStatus {
  DRAFT = 'DRAFT',
  SCHEDULED = 'SCHEDULED',
  SENDING = 'SENDING',
  SENT = 'SENT',
  CANCELLED = 'CANCELLED',
}

/** Why the library writes, which decides what permission it needs. */
export enum CampaignPurpose {
  /**
   * Information about the library's own free services, sent as part of its public task: no
   * consent is needed, but a customer who withdrew SERVICE_MESSAGES on a channel (or
   * unsubscribed from such a message) is not written to on it.
   */
  SERVICE_INFORMATION = 'SERVICE_INFORMATION',
  /** News and promotions: only to customers who gave MARKETING consent for the channel. */
  MARKETING = 'MARKETING',
}

/** Where one customer's message for one campaign is. */
export enum NotificationStatus {
  /** In the audience; eligibility not decided yet. */
  TARGETED = 'TARGETED',
  /** Held back to measure uplift: deliberately sent nothing. */
  CONTROL = 'CONTROL',
  /** Waiting to be sent on its channel. */
  PENDING = 'PENDING',
  /** Claimed by a worker, which is handing it to the channel now. */
  SENDING = 'SENDING',
  SENT = 'SENT',
  /**
   * A worker stopped between handing the message over and recording the answer, on a channel
   * where sending again could deliver twice: it was delivered once or not at all, and is never
   * sent again. A late confirmation still turns it into SENT.
   */
  UNCONFIRMED = 'UNCONFIRMED',
  /** The channel refused it for good, or every retry failed. */
  FAILED = 'FAILED',
  /** Not sent, for the reason recorded. */
  SUPPRESSED = 'SUPPRESSED',
}

export enum SuppressionReason {
  /** No consent for the purpose on any of the campaign's channels. */
  NO_CONSENT = 'NO_CONSENT',
  /** Consent withdrawn after the campaign started sending. */
  CONSENT_WITHDRAWN = 'CONSENT_WITHDRAWN',
  /** Withdrawn through a message's unsubscribe link. */
  UNSUBSCRIBED = 'UNSUBSCRIBED',
  /** Consent given, but no email address (EMAIL) or phone number (SMS) to send to. */
  NO_ADDRESS = 'NO_ADDRESS',
  /** The customer already had the most MARKETING messages allowed in the cap window. */
  FREQUENCY_CAP = 'FREQUENCY_CAP',
  /** The customer was erased before their message went. */
  CUSTOMER_ERASED = 'CUSTOMER_ERASED',
  /** The campaign was cancelled before their message went. */
  CAMPAIGN_CANCELLED = 'CAMPAIGN_CANCELLED',
}

registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description:
    'DRAFT → SCHEDULED → SENDING → SENT; DRAFT, SCHEDULED and SENDING can be CANCELLED; ' +
    'SCHEDULED can go back to DRAFT.',
});
registerEnumType(CampaignPurpose, {
  name: 'CampaignPurpose',
  description:
    'SERVICE_INFORMATION: the library’s own free services, no consent needed but honours a ' +
    'SERVICE_MESSAGES withdrawal. MARKETING: needs MARKETING consent on the channel.',
});
registerEnumType(NotificationStatus, {
  name: 'NotificationStatus',
  description: 'Where one customer’s message for one campaign is.',
});
registerEnumType(SuppressionReason, {
  name: 'SuppressionReason',
  description: 'Why a customer in a campaign’s audience was not sent a message.',
});
