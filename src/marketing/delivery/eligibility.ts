import { ConsentChannel, ConsentPurpose, ConsentSource } from '../../consent/consent.enums';
import { type CurrentConsent, marketingEligible } from '../../consent/consent.rules';
import { CustomerStatus } from '../../customers/customer.enums';
import { CampaignPurpose, SuppressionReason } from '../campaigns/campaign.enums';

/**
 * Who may be sent what, as plain functions over the consent ledger's current state (the pure
 * rules in src/consent). The fan-out and the send-time check call the same functions, so a
 * customer is judged by one rule whenever they are judged.
 */

/** What delivery needs to know about a customer. */
export interface Recipient {
  status: CustomerStatus;
  email: string | null;
  phone: string | null;
  /** Card number: what the app's back end knows the customer by. */
  externalId: string;
}

export type Verdict =
  | { ok: true; channel: ConsentChannel; address: string }
  | { ok: false; reason: SuppressionReason };

/**
 * The address a channel reaches the customer at: EMAIL their email, SMS their phone. APP goes
 * to the app's back end by card number, which knows whether they have the app (it answers
 * "unknown recipient" otherwise, recorded as a failure).
 */
export function addressFor(channel: ConsentChannel, r: Recipient): string | null {
  const blank = (v: string | null) => (v && v.trim() ? v.trim() : null);
  switch (channel) {
    case ConsentChannel.EMAIL:
      return blank(r.email);
    case ConsentChannel.SMS:
      return blank(r.phone);
    case ConsentChannel.APP:
      return blank(r.externalId);
    default:
      return null;
  }
}

/** The consent purpose that governs a campaign purpose. */
export function governingPurpose(purpose: CampaignPurpose): ConsentPurpose {
  return purpose === CampaignPurpose.MARKETING
    ? ConsentPurpose.MARKETING
    : ConsentPurpose.SERVICE_MESSAGES;
}

/** Why a withdrawn or missing consent stops a message. */
function refusal(state: CurrentConsent | undefined, startedAt: Date | null): SuppressionReason {
  if (!state?.since || state.granted) return SuppressionReason.NO_CONSENT;
  if (state.source === ConsentSource.UNSUBSCRIBE_LINK) return SuppressionReason.UNSUBSCRIBED;
  if (startedAt && state.since >= startedAt) return SuppressionReason.CONSENT_WITHDRAWN;
  return SuppressionReason.NO_CONSENT;
}

/**
 * Whether the purpose allows writing on the channel. MARKETING needs MARKETING consent on it.
 * SERVICE_INFORMATION needs none — it is part of the library's public task — but a customer
 * whose latest SERVICE_MESSAGES entry for the channel is a withdrawal is not written to on it:
 * we read the withdrawal as an objection to being contacted that way.
 */
export function consentAllows(
  purpose: CampaignPurpose,
  channel: ConsentChannel,
  consents: readonly CurrentConsent[],
  startedAt: Date | null,
): { ok: true } | { ok: false; reason: SuppressionReason } {
  const governing = governingPurpose(purpose);
  const state = consents.find((c) => c.purpose === governing && c.channel === channel);
  if (purpose === CampaignPurpose.MARKETING) {
    return marketingEligible(consents, channel)
      ? { ok: true }
      : { ok: false, reason: refusal(state, startedAt) };
  }
  const objected = state?.since != null && !state.granted;
  return objected ? { ok: false, reason: refusal(state, startedAt) } : { ok: true };
}

/**
 * The channel a customer gets the campaign on: the first of the campaign's channels (in its
 * order of preference) that the purpose allows and that has an address. When none does, why:
 * a missing address wins when consent was there, so the library knows whom to ask for one.
 */
export function chooseChannel(
  purpose: CampaignPurpose,
  channels: readonly ConsentChannel[],
  consents: readonly CurrentConsent[],
  recipient: Recipient,
  startedAt: Date | null,
): Verdict {
  if (recipient.status === CustomerStatus.ERASED) {
    return { ok: false, reason: SuppressionReason.CUSTOMER_ERASED };
  }
  let firstRefusal: SuppressionReason | null = null;
  let consentWithoutAddress = false;
  for (const channel of channels) {
    const allowed = consentAllows(purpose, channel, consents, startedAt);
    if (!allowed.ok) {
      firstRefusal ??= allowed.reason;
      continue;
    }
    const address = addressFor(channel, recipient);
    if (address) return { ok: true, channel, address };
    consentWithoutAddress = true;
  }
  return {
    ok: false,
    reason: consentWithoutAddress
      ? SuppressionReason.NO_ADDRESS
      : (firstRefusal ?? SuppressionReason.NO_CONSENT),
  };
}

/**
 * The send-time check of one message on the channel chosen at fan-out: the customer still
 * exists, the purpose still allows the channel, the address is still there, and (for
 * MARKETING) the contact cap has room. `recentMarketing` counts the customer's MARKETING
 * messages sent or being sent within the cap window, this one excluded.
 */
export function sendDecision(args: {
  purpose: CampaignPurpose;
  channel: ConsentChannel;
  consents: readonly CurrentConsent[];
  recipient: Recipient;
  startedAt: Date | null;
  recentMarketing: number;
  cap: number;
}): Verdict {
  const { purpose, channel, recipient } = args;
  if (recipient.status === CustomerStatus.ERASED) {
    return { ok: false, reason: SuppressionReason.CUSTOMER_ERASED };
  }
  const allowed = consentAllows(purpose, channel, args.consents, args.startedAt);
  if (!allowed.ok) return allowed;
  const address = addressFor(channel, recipient);
  if (!address) return { ok: false, reason: SuppressionReason.NO_ADDRESS };
  if (purpose === CampaignPurpose.MARKETING && args.recentMarketing >= args.cap) {
    return { ok: false, reason: SuppressionReason.FREQUENCY_CAP };
  }
  return { ok: true, channel, address };
}
