import { ConsentChannel, ConsentPurpose, ConsentSource } from '../../../src/consent/consent.enums';
import { currentConsents, type LedgerEntry } from '../../../src/consent/consent.rules';
import { CustomerStatus } from '../../../src/customers/customer.enums';
import {
  CampaignPurpose,
  SuppressionReason,
} from '../../../src/marketing/campaigns/campaign.enums';
import { classifySmtpError } from '../../../src/marketing/channels/email.transport';
import {
  verifyWebhookSignature,
  webhookSignature,
} from '../../../src/marketing/channels/webhook.transport';
import {
  addressFor,
  chooseChannel,
  consentAllows,
  sendDecision,
} from '../../../src/marketing/delivery/eligibility';
import { parseQuietHours, quietUntil } from '../../../src/marketing/delivery/quiet-hours';
import { linkUrls, signLink, verifyLink } from '../../../src/marketing/tracking/link-signing';

const STARTED = new Date('2026-03-01T09:00:00Z');
let seq = 0;
const row = (
  purpose: ConsentPurpose,
  channel: ConsentChannel | null,
  granted: boolean,
  at: string,
  source = ConsentSource.WEB,
): LedgerEntry => ({
  id: String(++seq),
  purpose,
  channel,
  granted,
  recordedAt: new Date(at),
  source,
  wordingVersion: 'v1',
});
const person = {
  status: CustomerStatus.ACTIVE,
  email: 'a@example.org',
  phone: null,
  externalId: 'CU-1',
};
const M = ConsentPurpose.MARKETING;
const E = ConsentChannel.EMAIL;

describe('consent rules for campaigns', () => {
  it('needs MARKETING consent on the channel for marketing', () => {
    const given = currentConsents([row(M, E, true, '2026-01-01')]);
    expect(consentAllows(CampaignPurpose.MARKETING, E, given, STARTED)).toEqual({ ok: true });
    expect(consentAllows(CampaignPurpose.MARKETING, ConsentChannel.SMS, given, STARTED)).toEqual({
      ok: false,
      reason: SuppressionReason.NO_CONSENT,
    });
  });

  it('says why: never given, withdrawn before the start, withdrawn since, or unsubscribed', () => {
    const reason = (entries: LedgerEntry[]) =>
      consentAllows(CampaignPurpose.MARKETING, E, currentConsents(entries), STARTED);
    expect(reason([])).toEqual({ ok: false, reason: SuppressionReason.NO_CONSENT });
    expect(reason([row(M, E, true, '2026-01-01'), row(M, E, false, '2026-02-01')])).toEqual({
      ok: false,
      reason: SuppressionReason.NO_CONSENT,
    });
    expect(reason([row(M, E, true, '2026-01-01'), row(M, E, false, '2026-03-02')])).toEqual({
      ok: false,
      reason: SuppressionReason.CONSENT_WITHDRAWN,
    });
    expect(reason([row(M, E, false, '2026-02-01', ConsentSource.UNSUBSCRIBE_LINK)])).toEqual({
      ok: false,
      reason: SuppressionReason.UNSUBSCRIBED,
    });
  });

  it('sends service information without consent unless service messages were withdrawn', () => {
    const S = ConsentPurpose.SERVICE_MESSAGES;
    expect(
      consentAllows(CampaignPurpose.SERVICE_INFORMATION, E, currentConsents([]), STARTED),
    ).toEqual({ ok: true });
    const objected = currentConsents([
      row(S, E, true, '2025-01-01'),
      row(S, E, false, '2026-01-01'),
    ]);
    expect(consentAllows(CampaignPurpose.SERVICE_INFORMATION, E, objected, STARTED)).toEqual({
      ok: false,
      reason: SuppressionReason.NO_CONSENT,
    });
    // A marketing withdrawal says nothing about service information.
    const noMarketing = currentConsents([row(M, E, false, '2026-01-01')]);
    expect(consentAllows(CampaignPurpose.SERVICE_INFORMATION, E, noMarketing, STARTED).ok).toBe(
      true,
    );
  });

  it('chooses the first channel in order that consent allows and an address reaches', () => {
    const consents = currentConsents([
      row(M, ConsentChannel.SMS, true, '2026-01-01'),
      row(M, ConsentChannel.APP, true, '2026-01-01'),
    ]);
    expect(
      chooseChannel(
        CampaignPurpose.MARKETING,
        [E, ConsentChannel.SMS, ConsentChannel.APP],
        consents,
        person,
        STARTED,
      ),
    ).toEqual({ ok: true, channel: ConsentChannel.APP, address: 'CU-1' });
    expect(
      chooseChannel(CampaignPurpose.MARKETING, [E, ConsentChannel.SMS], consents, person, STARTED),
    ).toEqual({ ok: false, reason: SuppressionReason.NO_ADDRESS });
    expect(
      chooseChannel(
        CampaignPurpose.MARKETING,
        [E],
        consents,
        { ...person, status: CustomerStatus.ERASED },
        STARTED,
      ),
    ).toEqual({ ok: false, reason: SuppressionReason.CUSTOMER_ERASED });
  });

  it('applies the contact cap to marketing only', () => {
    const consents = currentConsents([row(M, E, true, '2026-01-01')]);
    const base = { channel: E, consents, recipient: person, startedAt: STARTED, cap: 2 };
    expect(
      sendDecision({ ...base, purpose: CampaignPurpose.MARKETING, recentMarketing: 1 }).ok,
    ).toBe(true);
    expect(
      sendDecision({ ...base, purpose: CampaignPurpose.MARKETING, recentMarketing: 2 }),
    ).toEqual({
      ok: false,
      reason: SuppressionReason.FREQUENCY_CAP,
    });
    expect(
      sendDecision({ ...base, purpose: CampaignPurpose.SERVICE_INFORMATION, recentMarketing: 9 })
        .ok,
    ).toBe(true);
  });

  it('treats blank addresses as none', () => {
    expect(addressFor(E, { ...person, email: '  ' })).toBeNull();
    expect(addressFor(ConsentChannel.POST, person)).toBeNull();
  });
});

describe('quiet hours', () => {
  const q = parseQuietHours('21:00-08:00', 'Europe/London')!;

  it('holds messages overnight in the library’s time zone, until the window ends', () => {
    // 22:30 BST is 21:30 UTC: quiet until 08:00 BST, 07:00 UTC.
    expect(quietUntil(new Date('2026-06-10T21:30:00Z'), q)).toEqual(
      new Date('2026-06-11T07:00:00Z'),
    );
    // 07:59:30 GMT in winter: half a minute to go.
    expect(quietUntil(new Date('2026-01-10T07:59:30Z'), q)).toEqual(
      new Date('2026-01-10T08:00:00Z'),
    );
    expect(quietUntil(new Date('2026-01-10T08:00:00Z'), q)).toBeNull();
    expect(quietUntil(new Date('2026-06-10T12:00:00Z'), q)).toBeNull();
  });

  it('handles a window within one day, and "off"', () => {
    const lunch = parseQuietHours('12:00-13:00', 'UTC')!;
    expect(quietUntil(new Date('2026-06-10T12:15:00Z'), lunch)).toEqual(
      new Date('2026-06-10T13:00:00Z'),
    );
    expect(quietUntil(new Date('2026-06-10T11:59:00Z'), lunch)).toBeNull();
    expect(parseQuietHours('off', 'UTC')).toBeNull();
    expect(quietUntil(new Date(), null)).toBeNull();
  });
});

describe('signed links', () => {
  const secret = 's'.repeat(40);

  it('verify what they were signed for, and nothing else', () => {
    const click = signLink(secret, { kind: 'c', notificationId: '42', linkIndex: 3 });
    expect(verifyLink(secret, click)).toEqual({ kind: 'c', notificationId: '42', linkIndex: 3 });
    expect(verifyLink('t'.repeat(40), click)).toBeNull();
    expect(verifyLink(secret, click.replace('c42.3', 'c42.4'))).toBeNull();
    expect(verifyLink(secret, click.replace('c42', 'c43'))).toBeNull();
    const unsubscribe = signLink(secret, { kind: 'u', notificationId: '42' });
    expect(verifyLink(secret, unsubscribe)).toEqual({ kind: 'u', notificationId: '42' });
    expect(verifyLink(secret, unsubscribe.replace(/^u/, 'o'))).toBeNull();
    for (const junk of [
      '',
      'u42',
      'u42.',
      'x42.AAAAAAAAAAAAAAAAAAAAAA',
      `u0.${unsubscribe.split('.')[1]}`,
    ]) {
      expect(verifyLink(secret, junk)).toBeNull();
    }
  });

  it('build the public URLs of one message', () => {
    const urls = linkUrls('https://lib.example', secret, '7');
    expect(urls.unsubscribe).toMatch(/^https:\/\/lib\.example\/m\/u\/u7\.[\w-]{22}$/);
    expect(urls.click(0)).toMatch(/^https:\/\/lib\.example\/m\/c\/c7\.0\.[\w-]{22}$/);
  });
});

describe('webhook signatures', () => {
  const secret = 'w'.repeat(40);
  const now = Date.parse('2026-06-10T12:00:00Z');
  const ts = String(now / 1000);

  it('verify a fresh request signed with the secret, and refuse stale or altered ones', () => {
    const body = '{"id":"notification-1"}';
    const sig = webhookSignature(secret, ts, body);
    expect(verifyWebhookSignature(secret, ts, body, sig, { now })).toBe(true);
    expect(verifyWebhookSignature(secret, ts, body.replace('1', '2'), sig, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, ts, body, sig, { now: now + 600_000 })).toBe(false);
    expect(verifyWebhookSignature('x'.repeat(40), ts, body, sig, { now })).toBe(false);
    expect(verifyWebhookSignature(secret, undefined, body, sig, { now })).toBe(false);
  });
});

describe('SMTP failures', () => {
  it('retries refusals with 4xx, fails 5xx, and never resends what may have arrived', () => {
    expect(classifySmtpError({ responseCode: 451, command: 'DATA' }).kind).toBe('RETRY');
    expect(classifySmtpError({ responseCode: 550, command: 'RCPT TO' })).toMatchObject({
      kind: 'PERMANENT',
      code: 'SMTP_550',
    });
    expect(classifySmtpError({ code: 'ESOCKET', command: 'CONN' }).kind).toBe('RETRY');
    expect(classifySmtpError({ code: 'ECONNECTION' }).kind).toBe('RETRY');
    expect(classifySmtpError({ code: 'ETIMEDOUT', command: 'DATA' }).kind).toBe('UNKNOWN');
    expect(classifySmtpError(new Error('socket hang up')).kind).toBe('UNKNOWN');
  });
});
