import { signLink } from '../../src/marketing/tracking/link-signing';
import { linkSecret, loadConfig } from '../../src/config';
import {
  decodeMail,
  emailCampaign,
  launchCampaign,
  linkPath,
  mailTo,
  type MarketingHarness,
  messageStates,
  runCampaign,
  startMarketingHarness,
  waitUntilSent,
} from './harness';
import { addConsent, addCustomer } from './seed';

let h: MarketingHarness;

beforeAll(async () => {
  h = await startMarketingHarness('mkt_delivery');
});

afterAll(async () => {
  await h.close();
});

/** `n` customers in a postcode district, each with an email, consenting to marketing email. */
async function consenting(district: string, n: number, prefix = district): Promise<string[]> {
  const emails: string[] = [];
  for (let i = 1; i <= n; i++) {
    const email = `${prefix.toLowerCase()}-${i}@example.org`;
    const id = await addCustomer(h.api.db.ds, {
      externalId: `${prefix}-${i}`,
      firstName: `Pat${i}`,
      email,
      postcode: `${district} ${i}AA`,
    });
    await addConsent(h.api.db.ds, id, 'MARKETING', 'EMAIL', true);
    emails.push(email);
  }
  return emails;
}

const RESULTS = `query($id: ID!) { campaignResults(id: $id) {
  targeted controlGroup inProgress sent failed unconfirmed suppressed opened clicked
  suppressedByReason { reason count } } }`;

describe('who receives marketing', () => {
  it('sends only to customers who consented to marketing on the channel and have an address', async () => {
    const ds = h.api.db.ds;
    const yes = await consenting('AB1', 6, 'YES');
    for (let i = 1; i <= 5; i++) {
      await addCustomer(ds, {
        externalId: `NO-${i}`,
        email: `no-${i}@example.org`,
        postcode: `AB1 ${i}BB`,
      });
      const gone = await addCustomer(ds, {
        externalId: `GONE-${i}`,
        email: `gone-${i}@example.org`,
        postcode: `AB1 ${i}CC`,
      });
      await addConsent(ds, gone, 'MARKETING', 'EMAIL', true);
      await addConsent(ds, gone, 'MARKETING', 'EMAIL', false);
      const sms = await addCustomer(ds, {
        externalId: `SMS-${i}`,
        email: `sms-${i}@example.org`,
        postcode: `AB1 ${i}DD`,
      });
      await addConsent(ds, sms, 'MARKETING', 'SMS', true);
      const noAddress = await addCustomer(ds, {
        externalId: `NOADDR-${i}`,
        postcode: `AB1 ${i}EE`,
      });
      await addConsent(ds, noAddress, 'MARKETING', 'EMAIL', true);
    }
    const id = await runCampaign(h, emailCampaign('Spring news', 'AB1'));
    const received = h.sink.messages
      .flatMap((m) => m.to)
      .filter((to) => to.startsWith('yes-') || /^(no|gone|sms)-/.test(to));
    expect(received.sort()).toEqual([...yes].sort());
    const states = await messageStates(h, id);
    expect(states['YES-1']).toBe('SENT');
    expect(states['NO-1']).toBe('SUPPRESSED:NO_CONSENT');
    expect(states['GONE-1']).toBe('SUPPRESSED:NO_CONSENT');
    expect(states['SMS-1']).toBe('SUPPRESSED:NO_CONSENT');
    expect(states['NOADDR-1']).toBe('SUPPRESSED:NO_ADDRESS');
    const results = (await h.api.gql(RESULTS, { id }, h.marketing)).data.campaignResults;
    expect(results).toMatchObject({
      targeted: 26,
      controlGroup: 0,
      inProgress: 0,
      sent: 6,
      failed: 0,
      suppressed: 20,
    });
    expect(results.suppressedByReason).toContainEqual({ reason: 'NO_CONSENT', count: 15 });
    expect(results.suppressedByReason).toContainEqual({ reason: 'NO_ADDRESS', count: 5 });
  });

  it('personalises each message, with one-click unsubscribe headers and signed links', async () => {
    const [address] = await consenting('AB9', 1, 'PERSONAL');
    await runCampaign(h, emailCampaign('Personal', 'AB9'));
    const [mail] = mailTo(h.sink, address);
    const { headers, body } = decodeMail(mail.raw);
    expect(headers.get('subject')).toBe('Personal for Pat1');
    expect(body).toContain('Hello Pat1,');
    expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(headers.get('list-unsubscribe')).toMatch(
      /^<http:\/\/links\.test\/m\/u\/u\d+\.[A-Za-z0-9_-]{22}>$/,
    );
    expect(headers.get('message-id')).toMatch(/^<notification\.\d+\.campaign\.\d+@localhost>$/);
    // The campaign's own link is replaced by a signed tracking link (HTML still shows where
    // it leads).
    expect(body).not.toMatch(/href="https:\/\/library\.example/);
    expect(body).not.toMatch(/^https:\/\/library\.example/m);
    expect(body).toMatch(/http:\/\/links\.test\/m\/c\/c\d+\.0\.[A-Za-z0-9_-]{22}/);
    expect(body).toMatch(/http:\/\/links\.test\/m\/o\/o\d+\.[A-Za-z0-9_-]{22}/);
  });

  it('holds back a deterministic control group and sends nothing to it', async () => {
    await consenting('AB7', 40, 'CTRL');
    const id = await runCampaign(h, emailCampaign('Held back', 'AB7', { controlPercent: 25 }));
    const rows: Array<{ status: string; customerId: string }> = await h.api.db.ds.query(
      `SELECT status, customer_id::text AS "customerId" FROM notification WHERE campaign_id = $1`,
      [id],
    );
    const { inControlGroup } = await import('../../src/marketing/campaigns/campaign.rules');
    for (const r of rows) {
      expect(r.status).toBe(inControlGroup(id, r.customerId, 25) ? 'CONTROL' : 'SENT');
    }
    const control = rows.filter((r) => r.status === 'CONTROL').length;
    expect(control).toBeGreaterThan(0);
    const sentTo = h.sink.messages.flatMap((m) => m.to).filter((t) => t.startsWith('ctrl-'));
    expect(sentTo).toHaveLength(40 - control);
  });
});

describe('the contact cap', () => {
  it('holds across campaigns, including two sending at the same time', async () => {
    const emails = await consenting('AB2', 6, 'CAP');
    const first = await runCampaign(h, emailCampaign('First', 'AB2'));
    // Two more at once: the cap (2 a week) leaves room for only one of them per customer.
    const second = await launchCampaign(h, emailCampaign('Second', 'AB2'));
    const third = await launchCampaign(h, emailCampaign('Third', 'AB2'));
    await waitUntilSent(h, second);
    await waitUntilSent(h, third);
    for (const email of emails) expect(mailTo(h.sink, email)).toHaveLength(2);
    const [s2, s3] = [await messageStates(h, second), await messageStates(h, third)];
    for (let i = 1; i <= 6; i++) {
      expect([s2[`CAP-${i}`], s3[`CAP-${i}`]].sort()).toEqual(['SENT', 'SUPPRESSED:FREQUENCY_CAP']);
    }
    expect(Object.values(await messageStates(h, first))).toEqual(Array(6).fill('SENT'));
    // Service information is not marketing: the cap does not apply to it.
    const info = await runCampaign(h, {
      ...emailCampaign('Opening hours', 'AB2'),
      purpose: 'SERVICE_INFORMATION',
    });
    expect(Object.values(await messageStates(h, info))).toEqual(Array(6).fill('SENT'));
  });
});

describe('unsubscribing', () => {
  it('through the signed link withdraws consent in the ledger and stops the next campaign', async () => {
    const emails = await consenting('AB3', 5, 'UNSUB');
    await runCampaign(h, emailCampaign('Before', 'AB3'));
    const [mail] = mailTo(h.sink, emails[0]);
    const link = decodeMail(mail.raw).headers.get('list-unsubscribe')!.slice(1, -1);
    // Looking at the page (what a link scanner does) changes nothing.
    const page = await fetch(`${h.api.url}${linkPath(link)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('news and offers by email');
    const [{ n: before }] = await h.api.db.ds.query(
      `SELECT count(*)::int AS n FROM consent_record WHERE source = 'UNSUBSCRIBE_LINK'`,
    );
    expect(before).toBe(0);
    // One click, as a mail client sends it (RFC 8058).
    const res = await fetch(`${h.api.url}${linkPath(link)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    const ledger = await h.api.db.ds.query(
      `SELECT c.external_id, r.purpose, r.channel, r.granted, r.source, r.wording_version
         FROM consent_record r JOIN customer c ON c.id = r.customer_id
        WHERE r.source = 'UNSUBSCRIBE_LINK'`,
    );
    expect(ledger).toEqual([
      {
        external_id: 'UNSUB-1',
        purpose: 'MARKETING',
        channel: 'EMAIL',
        granted: false,
        source: 'UNSUBSCRIBE_LINK',
        wording_version: 'unsubscribe-link/1',
      },
    ]);
    // Clicking again records nothing new.
    await fetch(`${h.api.url}${linkPath(link)}`, { method: 'POST' });
    const [{ n: after }] = await h.api.db.ds.query(
      `SELECT count(*)::int AS n FROM consent_record WHERE source = 'UNSUBSCRIBE_LINK'`,
    );
    expect(after).toBe(1);
    const next = await runCampaign(h, emailCampaign('After', 'AB3'));
    expect(mailTo(h.sink, emails[0])).toHaveLength(1);
    expect(mailTo(h.sink, emails[1])).toHaveLength(2);
    expect((await messageStates(h, next))['UNSUB-1']).toBe('SUPPRESSED:UNSUBSCRIBED');
  });

  it('suppresses messages still waiting the moment consent is withdrawn', async () => {
    await consenting('AB4', 5, 'WAIT');
    // Fanned out, with no delivery chunk queued yet: every message is waiting.
    const { startCampaign } = await import('../../src/marketing/delivery/fan-out');
    const created = await h.api.gql(
      `mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }`,
      { input: emailCampaign('Waiting', 'AB4') },
      h.marketing,
    );
    const id = created.data.createCampaign.id;
    await h.api.db.ds.query(
      `UPDATE campaign SET status = 'SCHEDULED', scheduled_at = now() WHERE id = $1`,
      [id],
    );
    await startCampaign(
      {
        ds: h.api.db.ds,
        queue: { enqueueChunks: async () => undefined },
        settings: h.api.platform.services.marketing.settings,
        log: h.api.platform.log,
      },
      id,
    );
    const [{ cid }] = await h.api.db.ds.query(
      `SELECT id::text AS cid FROM customer WHERE external_id = 'WAIT-2'`,
    );
    const res = await h.api.gql(
      `mutation($c: ID!) { withdrawConsent(customerId: $c, input: { purpose: MARKETING, channel: EMAIL, source: WEB, wordingVersion: "w1" }) { id } }`,
      { c: cid },
    );
    expect(res.errors).toBeUndefined();
    const states = await messageStates(h, id);
    expect(states['WAIT-2']).toBe('SUPPRESSED:CONSENT_WITHDRAWN');
    expect(states['WAIT-1']).toBe('PENDING');
    // Now let delivery run: the others go, WAIT-2 does not.
    await h.api.platform.services.marketing.queue.enqueueChunks(
      (
        await (
          await import('../../src/marketing/delivery/delivery.repository')
        ).pendingRanges(h.api.db.ds, id, 200)
      ).map((r) => ({ campaignId: id, ...r })),
    );
    await waitUntilSent(h, id);
    expect(mailTo(h.sink, 'wait-2@example.org')).toHaveLength(0);
    expect(mailTo(h.sink, 'wait-1@example.org')).toHaveLength(1);
  });
});

describe('tracking links', () => {
  let id: string;
  let mails: Array<ReturnType<typeof decodeMail>>;
  let mail: ReturnType<typeof decodeMail>;
  const secret = linkSecret(loadConfig({}));
  const pixelOf = (m: ReturnType<typeof decodeMail>) =>
    /http:\/\/links\.test(\/m\/o\/[^"\s]+)/.exec(m.body)![1];
  const clickOf = (m: ReturnType<typeof decodeMail>) =>
    /http:\/\/links\.test(\/m\/c\/[^\s"<]+)/.exec(m.body)![1];

  beforeAll(async () => {
    const addresses = await consenting('AB5', 5, 'TRACK');
    id = await runCampaign(h, emailCampaign('Tracked', 'AB5'));
    mails = addresses.map((a) => decodeMail(mailTo(h.sink, a)[0].raw));
    mail = mails[0];
  });

  const state = async () =>
    (
      await h.api.db.ds.query(
        `SELECT open_count AS opens, click_count AS clicks FROM notification n
           JOIN customer c ON c.id = n.customer_id
          WHERE n.campaign_id = $1 AND c.external_id = 'TRACK-1'`,
        [id],
      )
    )[0];

  it('counts an open from the pixel, and refuses a forged one', async () => {
    const pixel = pixelOf(mail);
    const ok = await fetch(`${h.api.url}${pixel}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/gif');
    const forged = pixel.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(`${h.api.url}${forged}`)).status).toBe(404);
    expect(await state()).toEqual({ opens: 1, clicks: 0 });
  });

  it('redirects a click only to the campaign’s own link, and refuses forged tokens', async () => {
    const click = clickOf(mail);
    const ok = await fetch(`${h.api.url}${click}`, { redirect: 'manual' });
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('https://library.example/new?c=Tracked');
    const [, notificationId] = /\/m\/c\/c(\d+)\./.exec(click)!;
    // Another link index, signed with a wrong secret; and one the campaign does not have.
    const wrongKey = signLink('x'.repeat(40), { kind: 'c', notificationId, linkIndex: 0 });
    const noSuchLink = signLink(secret, { kind: 'c', notificationId, linkIndex: 7 });
    for (const token of [wrongKey, noSuchLink, `c${notificationId}.0.short`]) {
      const res = await fetch(`${h.api.url}/m/c/${token}?u=https://evil.example`, {
        redirect: 'manual',
      });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }
    expect(await state()).toEqual({ opens: 1, clicks: 1 });
  });

  it('refuses a forged unsubscribe link and changes nothing', async () => {
    const [{ n: before }] = await h.api.db.ds.query(
      'SELECT count(*)::int AS n FROM consent_record',
    );
    const [, notificationId] = /\/m\/u\/u(\d+)\./.exec(mail.headers.get('list-unsubscribe')!)!;
    const forged = signLink('y'.repeat(40), { kind: 'u', notificationId });
    const res = await fetch(`${h.api.url}/m/u/${forged}`, { method: 'POST' });
    expect(res.status).toBe(404);
    // A valid open token is not an unsubscribe token.
    const open = signLink(secret, { kind: 'o', notificationId });
    expect((await fetch(`${h.api.url}/m/u/${open}`, { method: 'POST' })).status).toBe(404);
    const [{ n: after }] = await h.api.db.ds.query('SELECT count(*)::int AS n FROM consent_record');
    expect(after).toBe(before);
  });

  it('reports opens and clicks in the results', async () => {
    for (const m of mails.slice(1)) {
      expect((await fetch(`${h.api.url}${pixelOf(m)}`)).status).toBe(200);
      expect((await fetch(`${h.api.url}${clickOf(m)}`, { redirect: 'manual' })).status).toBe(302);
    }
    const results = (await h.api.gql(RESULTS, { id }, h.marketing)).data.campaignResults;
    expect(results).toMatchObject({ targeted: 5, sent: 5, opened: 5, clicked: 5 });
    // A caller may raise the disclosure threshold, never lower it.
    const raised = await h.api.gql(
      `query($id: ID!) { campaignResults(id: $id, threshold: 6) { sent opened } }`,
      { id },
      h.marketing,
    );
    expect(raised.data.campaignResults).toEqual({ sent: null, opened: null });
    const lowered = await h.api.gql(
      `query($id: ID!) { campaignResults(id: $id, threshold: 1) { sent } }`,
      { id },
      h.marketing,
    );
    expect(lowered.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
