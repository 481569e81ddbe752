import { Role } from '../../src/auth/role';
import {
  type SinkMessage,
  type SmtpSink,
  startSmtpSink,
} from '../../src/marketing/channels/smtp-sink';
import { type MarketingWorkers, startMarketingWorkers } from '../../workers/marketing.processor';
import { closePrivacyApi } from '../privacy/privacy-api';
import { startTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/library';

/** Links in test messages point here; tests swap the origin for the test API's. */
export const LINK_BASE = 'http://links.test';

export interface MarketingHarness {
  api: TestApi;
  sink: SmtpSink;
  workers: MarketingWorkers | null;
  marketing: string;
  close(): Promise<void>;
}

/**
 * A test API with email going to a loopback SMTP sink, quiet hours off, generous rate limits,
 * and (unless `workers: false`) the marketing workers running in this process.
 */
export async function startMarketingHarness(
  label: string,
  opts: { env?: Record<string, string>; workers?: boolean } = {},
): Promise<MarketingHarness> {
  const sink = await startSmtpSink();
  const api = await startTestApi(label, {
    env: {
      SMTP_URL: sink.url,
      PUBLIC_URL: LINK_BASE,
      QUIET_HOURS: 'off',
      EMAIL_PER_SECOND: '1000',
      SMS_PER_SECOND: '1000',
      APP_PER_SECOND: '1000',
      ...opts.env,
    },
  });
  const workers = opts.workers === false ? null : await startMarketingWorkers(api.platform);
  const marketing = await api.token(Role.MARKETING, { staff: 'Morgan in marketing' });
  return {
    api,
    sink,
    workers,
    marketing,
    async close() {
      await workers?.stop();
      await closePrivacyApi(api);
      await sink.close();
    },
  };
}

const CREATE = `mutation($input: CampaignInput!) { createCampaign(input: $input) { id status } }`;
const SCHEDULE = `mutation($id: ID!) { scheduleCampaign(id: $id) { id status } }`;

/** Creates and schedules a campaign now; returns its id. Fails on any GraphQL error. */
export async function launchCampaign(
  h: MarketingHarness,
  input: Record<string, unknown>,
): Promise<string> {
  const created = await h.api.gql(CREATE, { input }, h.marketing);
  if (created.errors) throw new Error(JSON.stringify(created.errors));
  const id = created.data.createCampaign.id as string;
  const scheduled = await h.api.gql(SCHEDULE, { id }, h.marketing);
  if (scheduled.errors) throw new Error(JSON.stringify(scheduled.errors));
  return id;
}

/** Waits until the campaign has settled every message (status SENT). */
export async function waitUntilSent(h: MarketingHarness, id: string, ms = 30_000): Promise<void> {
  await eventually(async () => {
    const [row] = await h.api.db.ds.query('SELECT status FROM campaign WHERE id = $1', [id]);
    return row?.status === 'SENT';
  }, ms);
}

export async function runCampaign(
  h: MarketingHarness,
  input: Record<string, unknown>,
): Promise<string> {
  const id = await launchCampaign(h, input);
  await waitUntilSent(h, id);
  return id;
}

/** A plain MARKETING email campaign to a postcode district. */
export function emailCampaign(name: string, district: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    purpose: 'MARKETING',
    channels: ['EMAIL'],
    filter: { postcodeAreas: [district] },
    template: {
      subject: `${name} for {{firstName|you}}`,
      body: `Hello {{firstName|reader}},\nSee what's new: https://library.example/new?c=${encodeURIComponent(name)}\n`,
    },
    ...extra,
  };
}

/** Statuses (and reasons) of a campaign's messages by customer external id. */
export async function messageStates(
  h: MarketingHarness,
  campaignId: string,
): Promise<Record<string, string>> {
  const rows: Array<{ externalId: string; status: string; reason: string | null }> =
    await h.api.db.ds.query(
      `SELECT c.external_id AS "externalId", n.status, n.suppressed_reason AS reason
         FROM notification n JOIN customer c ON c.id = n.customer_id
        WHERE n.campaign_id = $1`,
      [campaignId],
    );
  return Object.fromEntries(
    rows.map((r) => [r.externalId, r.reason ? `${r.status}:${r.reason}` : r.status]),
  );
}

/** Mail as a reader sees it: headers unfolded, quoted-printable decoded. */
export function decodeMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  const body = raw
    .slice(split + 4)
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return { headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

/** Messages the sink received for an address. */
export function mailTo(sink: SmtpSink, address: string): SinkMessage[] {
  return sink.messages.filter((m) => m.to.includes(address));
}

/** The path (and query) of a link in the message, to call on the test API. */
export function linkPath(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}
