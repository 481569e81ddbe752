import type { DataSource } from 'typeorm';
import { Role } from '../../auth/role';
import type { Logger } from '../../common/logger';
import { ConsentChannel, ConsentSource } from '../../consent/consent.enums';
import type { ConsentService } from '../../consent/consent.service';
import { CampaignPurpose } from '../campaigns/campaign.enums';
import { governingPurpose } from '../delivery/eligibility';
import { type LinkClaim, type LinkKind, verifyLink } from './link-signing';

/** The wording version recorded in the consent ledger for a withdrawal through a link. */
export const UNSUBSCRIBE_WORDING = 'unsubscribe-link/1';

export interface LinkTarget {
  notificationId: string;
  customerId: string | null;
  purpose: CampaignPurpose;
  channel: ConsentChannel;
  links: string[];
}

export type UnsubscribeOutcome =
  | { status: 'WITHDRAWN' | 'ALREADY'; purpose: CampaignPurpose; channel: ConsentChannel }
  | { status: 'GONE' };

/**
 * What the links in a message do: the open pixel and clicks are counted on the message's row;
 * the unsubscribe link withdraws the consent the message relied on, in the consent ledger
 * (source UNSUBSCRIBE_LINK), which suppresses the customer's waiting messages at once. Only
 * tokens signed with the link secret are honoured.
 */
export class TrackingService {
  constructor(
    private readonly ds: DataSource,
    private readonly consent: ConsentService,
    private readonly options: { linkSecret: string; log: Logger },
  ) {}

  /** The claim of a correctly signed token of the expected kind; null otherwise. */
  claim(token: string, kind: LinkKind): LinkClaim | null {
    const c = verifyLink(this.options.linkSecret, token);
    return c && c.kind === kind ? c : null;
  }

  async target(notificationId: string): Promise<LinkTarget | null> {
    const [row] = await this.ds.query(
      `SELECT n.id::text AS "notificationId", n.customer_id::text AS "customerId",
              k.purpose, n.channel, k.links
         FROM notification n JOIN campaign k ON k.id = n.campaign_id
        WHERE n.id = $1 AND n.channel IS NOT NULL`,
      [notificationId],
    );
    return row ?? null;
  }

  /**
   * Counts an open. A message whose hand-over was unconfirmed is evidently delivered once it
   * is opened, so it becomes SENT.
   */
  async open(token: string): Promise<boolean> {
    const claim = this.claim(token, 'o');
    if (!claim) return false;
    const [, count] = await this.ds.query(
      `UPDATE notification
          SET opened_at = coalesce(opened_at, now()), open_count = open_count + 1,
              status = 'SENT', sent_at = coalesce(sent_at, claimed_at), updated_at = now()
        WHERE id = $1 AND status IN ('SENT', 'UNCONFIRMED')`,
      [claim.notificationId],
    );
    return count > 0;
  }

  /**
   * Counts a click and returns where it goes: the campaign's own link with that index, so a
   * token can never send anyone anywhere else. Null for a bad token or index.
   */
  async click(token: string): Promise<string | null> {
    const claim = this.claim(token, 'c');
    if (!claim) return null;
    const target = await this.target(claim.notificationId);
    const url = target?.links[claim.linkIndex ?? -1];
    if (!url) return null;
    await this.ds.query(
      `UPDATE notification
          SET clicked_at = coalesce(clicked_at, now()), click_count = click_count + 1,
              opened_at = coalesce(opened_at, now()),
              status = 'SENT', sent_at = coalesce(sent_at, claimed_at), updated_at = now()
        WHERE id = $1 AND status IN ('SENT', 'UNCONFIRMED')`,
      [claim.notificationId],
    );
    return url;
  }

  /**
   * Withdraws the consent the message relied on (MARKETING, or SERVICE_MESSAGES for service
   * information) on its channel. Repeating it records nothing new.
   */
  async unsubscribe(token: string, requestId: string | null): Promise<UnsubscribeOutcome | null> {
    const claim = this.claim(token, 'u');
    if (!claim) return null;
    const target = await this.target(claim.notificationId);
    if (!target) return null;
    if (!target.customerId) return { status: 'GONE' };
    const [customer] = await this.ds.query('SELECT status FROM customer WHERE id = $1', [
      target.customerId,
    ]);
    if (!customer || customer.status === 'ERASED') return { status: 'GONE' };
    const purpose = governingPurpose(target.purpose);
    const state = (await this.consent.currentConsents(target.customerId)).find(
      (c) => c.purpose === purpose && c.channel === target.channel,
    );
    const { purpose: campaignPurpose, channel } = target;
    if (state?.since && !state.granted)
      return { status: 'ALREADY', purpose: campaignPurpose, channel };
    await this.consent.recordConsent(
      target.customerId,
      {
        purpose,
        channel,
        granted: false,
        source: ConsentSource.UNSUBSCRIBE_LINK,
        wordingVersion: UNSUBSCRIBE_WORDING,
      },
      {
        actor: {
          role: Role.CUSTOMER,
          subject: 'unsubscribe-link',
          customerId: target.customerId,
        },
        requestId,
      },
    );
    this.options.log.info({
      event: 'marketing.unsubscribed',
      notificationId: target.notificationId,
      purpose,
      channel,
    });
    return { status: 'WITHDRAWN', purpose: campaignPurpose, channel };
  }
}
