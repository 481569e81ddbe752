import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../../src/marketing/channels/webhook.transport';
import { localMinute } from '../../src/marketing/delivery/quiet-hours';
import { webhookSecret, loadConfig } from '../../src/config';
import { eventually } from '../support/library';
import {
  decodeMail,
  emailCampaign,
  launchCampaign,
  mailTo,
  type MarketingHarness,
  messageStates,
  runCampaign,
  startMarketingHarness,
} from './harness';
import { addConsent, addCustomer, seedMarketingLibrary } from './seed';

/** A stand-in SMS gateway: checks signatures, remembers what it got, fails when told to. */
interface Gateway {
  url: string;
  received: Array<{ key: string; body: any; signed: boolean }>;
  failNext: number;
  close(): Promise<void>;
}

async function startGateway(): Promise<Gateway> {
  const secret = webhookSecret(loadConfig({}));
  const gateway: Gateway = { url: '', received: [], failNext: 0, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (gateway.failNext > 0) {
        gateway.failNext--;
        res.writeHead(503).end();
        return;
      }
      const signed = verifyWebhookSignature(
        secret,
        req.headers[TIMESTAMP_HEADER] as string,
        body,
        req.headers[SIGNATURE_HEADER] as string,
      );
      const key = req.headers[IDEMPOTENCY_HEADER] as string;
      gateway.received.push({ key, body: JSON.parse(body), signed });
      res.writeHead(signed ? 202 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `gw-${gateway.received.length}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  gateway.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return gateway;
}

let h: MarketingHarness;
let gateway: Gateway;
let lib: Awaited<ReturnType<typeof seedMarketingLibrary>>;

beforeAll(async () => {
  gateway = await startGateway();
  h = await startMarketingHarness('mkt_campaigns', { env: { SMS_WEBHOOK_URL: gateway.url } });
  lib = await seedMarketingLibrary(h.api.db.ds);
});

afterAll(async () => {
  await h.close();
  await gateway.close();
});

const CREATE = `mutation($input: CampaignInput!) { createCampaign(input: $input) { id status } }`;
const campaignCount = async () =>
  (await h.api.db.ds.query('SELECT count(*)::int AS n FROM campaign'))[0].n as number;

async function refused(input: Record<string, unknown>): Promise<string[]> {
  const before = await campaignCount();
  const res = await h.api.gql(CREATE, { input }, h.marketing);
  expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  expect(await campaignCount()).toBe(before);
  return res.errors![0].extensions.problems.map((p: any) => `${p.field}:${p.rule}`);
}

describe('bad campaigns get clean coded errors and store nothing', () => {
  const good = () => emailCampaign('Good', 'ZZ1');

  it('a bad filter', async () => {
    expect(await refused({ ...good(), filter: { activity: { atLeast: 0 } } })).toEqual([
      'input.filter.activity.atLeast:too_small',
    ]);
    expect(
      await refused({ ...good(), filter: { interests: { interestIds: ['42424242'] } } }),
    ).toEqual(['input.filter:unknown_id']);
    expect(await refused({ ...good(), segmentId: '999999' })).toEqual(['input.segmentId:audience']);
    const { filter: _none, ...noAudience } = good();
    expect(await refused({ ...noAudience, segmentId: '999999' })).toEqual([
      'input.segmentId:unknown_id',
    ]);
  });

  it('a bad template field', async () => {
    const problems = await refused({
      ...good(),
      template: {
        subject: 'Hi {{recommendedTitles}}',
        body: 'Dear {{favouriteColour}}, {{recommendedTitles:42}} {{ unclosed',
      },
    });
    expect(problems).toEqual([
      'input.template.subject:multiline_field',
      'input.template.body:unknown_field',
      'input.template.body:field_count',
      'input.template.body:unbalanced_braces',
    ]);
  });

  it('a bad channel or purpose combination', async () => {
    expect(await refused({ ...good(), channels: ['POST'] })).toEqual([
      'input.channels:unsupported_channel',
    ]);
    expect(await refused({ ...good(), channels: ['APP'] })).toEqual([
      'input.channels:channel_not_configured',
      'input.template.shortBody:required',
    ]);
    expect(await refused({ ...good(), channels: ['EMAIL', 'SMS'] })).toEqual([
      'input.template.shortBody:required',
    ]);
    expect(
      await refused({
        ...good(),
        purpose: 'SERVICE_INFORMATION',
        template: { subject: 'New in', body: 'Picked for you: {{recommendedTitles}}' },
      }),
    ).toEqual(['input.purpose:personalised_service_information']);
    expect(await refused({ ...good(), controlPercent: 60 })).toEqual([
      'input.controlPercent:too_big',
    ]);
  });
});

describe('the lifecycle', () => {
  const move = async (mutation: string, id: string) => {
    const res = await h.api.gql(
      `mutation($id: ID!) { ${mutation}(id: $id) { status } }`,
      { id },
      h.marketing,
    );
    return res.errors ? res.errors[0].extensions.code : res.data[mutation].status;
  };
  const statusOf = async (id: string) =>
    (await h.api.db.ds.query('SELECT status FROM campaign WHERE id = $1', [id]))[0].status;

  it('refuses invalid transitions with INVALID_TRANSITION and leaves the campaign as it was', async () => {
    const created = await h.api.gql(
      CREATE,
      { input: emailCampaign('Lifecycle', 'ZZ2') },
      h.marketing,
    );
    const id = created.data.createCampaign.id;
    expect(created.data.createCampaign.status).toBe('DRAFT');
    expect(await move('unscheduleCampaign', id)).toBe('INVALID_TRANSITION');
    const later = new Date(Date.now() + 3600_000).toISOString();
    const scheduled = await h.api.gql(
      `mutation($id: ID!, $at: DateTimeISO) { scheduleCampaign(id: $id, at: $at) { status scheduledAt } }`,
      { id, at: later },
      h.marketing,
    );
    expect(scheduled.data.scheduleCampaign).toEqual({ status: 'SCHEDULED', scheduledAt: later });
    // The start job was written to the outbox with the schedule, so it survives Redis being down.
    const [start] = await h.api.db.ds.query(
      `SELECT name, job_id AS "jobId" FROM outbox WHERE queue = 'marketing' AND data->>'campaignId' = $1`,
      [id],
    );
    expect(start).toEqual({ name: 'start', jobId: `campaign-${id}-start-${Date.parse(later)}` });
    const edit = await h.api.gql(
      `mutation($id: ID!) { updateCampaign(id: $id, input: { name: "Renamed" }) { name } }`,
      { id },
      h.marketing,
    );
    expect(edit.errors?.[0].extensions).toMatchObject({
      code: 'INVALID_TRANSITION',
      problems: [{ field: 'status', rule: 'editable' }],
    });
    expect(await move('unscheduleCampaign', id)).toBe('DRAFT');
    expect(await move('cancelCampaign', id)).toBe('CANCELLED');
    expect(await move('scheduleCampaign', id)).toBe('INVALID_TRANSITION');
    expect(await move('cancelCampaign', id)).toBe('INVALID_TRANSITION');
    expect(await statusOf(id)).toBe('CANCELLED');
    const sent = await runCampaign(h, emailCampaign('Done', 'ZZ3'));
    expect(await move('cancelCampaign', sent)).toBe('INVALID_TRANSITION');
    expect(await move('scheduleCampaign', sent)).toBe('INVALID_TRANSITION');
    expect(await statusOf(sent)).toBe('SENT');
  });

  it('changes a draft, checking the whole campaign again', async () => {
    const created = await h.api.gql(CREATE, { input: emailCampaign('Draft', 'ZZ4') }, h.marketing);
    const id = created.data.createCampaign.id;
    const changed = await h.api.gql(
      `mutation($id: ID!) { updateCampaign(id: $id, input: { name: "Draft 2", controlPercent: 10,
         template: { body: "New body {{firstName}} https://library.example/x" } }) {
         name controlPercent links template { subject body } } }`,
      { id },
      h.marketing,
    );
    expect(changed.data.updateCampaign).toEqual({
      name: 'Draft 2',
      controlPercent: 10,
      links: ['https://library.example/x'],
      template: {
        subject: 'Draft for {{firstName|you}}',
        body: 'New body {{firstName}} https://library.example/x',
      },
    });
    const bad = await h.api.gql(
      `mutation($id: ID!) { updateCampaign(id: $id, input: { channels: [POST] }) { name } }`,
      { id },
      h.marketing,
    );
    expect(bad.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(
      (await h.api.db.ds.query('SELECT channels::text[] FROM campaign WHERE id = $1', [id]))[0]
        .channels,
    ).toEqual(['EMAIL']);
  });
});

describe('previews', () => {
  it('render for an invented customer, never a real one', async () => {
    const [{ id: real }] = await h.api.db.ds.query(
      `INSERT INTO customer (external_id, kind, first_name, email, postcode) VALUES
       ('PREV-1', 'BORROWER', 'Zebedee', 'zebedee@example.org', 'ZZ5 1AA') RETURNING id::text AS id`,
    );
    await addConsent(h.api.db.ds, real, 'MARKETING', 'EMAIL', true);
    const created = await h.api.gql(
      CREATE,
      {
        input: {
          ...emailCampaign('Preview', 'ZZ5'),
          template: {
            subject: 'For {{firstName}}',
            body: 'Dear {{firstName}} {{lastName}} of {{homeBranch}},\n{{recommendedTitles:2}}\nhttps://library.example/p',
          },
        },
      },
      h.marketing,
    );
    const res = await h.api.gql(
      `query($id: ID!) { campaignMessagePreview(id: $id) { channel subject text html note } }`,
      { id: created.data.createCampaign.id },
      h.marketing,
    );
    const p = res.data.campaignMessagePreview;
    expect(p.subject).toBe('For Alex');
    expect(p.text).toContain('Dear Alex Sample of Your Local Library,');
    expect(p.text).toContain('• The Lantern at Harrow End by Imogen Vale');
    expect(p.text).toContain('https://library.example/p');
    expect(JSON.stringify(p)).not.toMatch(/Zebedee|zebedee/);
    expect(p.html).toContain('<a href="https://library.example/p">');
    const sms = await h.api.gql(
      `query { messagePreview(purpose: SERVICE_INFORMATION, channel: SMS,
         template: { subject: "s", body: "b", shortBody: "Library closed Monday {{firstName|}}" }) { subject text } }`,
      {},
      h.marketing,
    );
    expect(sms.data.messagePreview).toEqual({
      subject: null,
      text: 'Library closed Monday Alex\nStop: https://unsubscribe.invalid/preview',
    });
  });
});

describe('personal suggestions in messages', () => {
  it('lists the customer’s own cached suggestions, or the popular list before they have one', async () => {
    const ds = h.api.db.ds;
    const withList = await addCustomer(ds, {
      externalId: 'SUG-1',
      firstName: 'Ada',
      email: 'sug-1@example.org',
      postcode: 'ZZ6 1AA',
    });
    const without = await addCustomer(ds, {
      externalId: 'SUG-2',
      firstName: 'Bo',
      email: 'sug-2@example.org',
      postcode: 'ZZ6 2AA',
    });
    for (const id of [withList, without]) await addConsent(ds, id, 'MARKETING', 'EMAIL', true);
    await h.api.platform.recommendations.store.put([
      {
        customerId: withList,
        modelVersion: '1',
        computedAt: new Date().toISOString(),
        mode: 'FULL',
        items: [lib.items[2], lib.items[0], lib.items[3]].map((itemId, i) => ({
          itemId,
          score: 3 - i,
          reasons: [],
        })),
        events: [],
      },
    ]);
    await ds.query(
      `INSERT INTO popular_item (list_key, rank, item_id, score) VALUES
       ('all:ADULT:ALL_TIME', 1, $1, 10), ('all:ADULT:ALL_TIME', 2, $2, 9), ('all:ADULT:ALL_TIME', 3, $3, 8)`,
      [lib.items[1], lib.items[3], lib.items[0]],
    );
    await runCampaign(h, {
      ...emailCampaign('Picked for you', 'ZZ6'),
      template: {
        subject: 'Three new titles picked for you',
        body: 'Hi {{firstName}}:\n{{recommendedTitles}}',
      },
    });
    const bodyOf = (address: string) => decodeMail(mailTo(h.sink, address)[0].raw).body;
    expect(bodyOf('sug-1@example.org')).toContain(
      '• The Big Sleep by Author 3\n• The Moonstone by Author 1\n• Rebecca by Author 4',
    );
    expect(bodyOf('sug-2@example.org')).toContain(
      '• Gone Girl by Author 2\n• Rebecca by Author 4\n• The Moonstone by Author 1',
    );
  });
});

describe('SMS through the signed webhook', () => {
  it('posts a signed message with an idempotency key, retrying a failing gateway', async () => {
    const ds = h.api.db.ds;
    for (let i = 1; i <= 5; i++) {
      const id = await addCustomer(ds, {
        externalId: `TXT-${i}`,
        phone: `+44 7700 90011${i}`,
        postcode: `ZZ7 ${i}AA`,
      });
      await addConsent(ds, id, 'MARKETING', 'SMS', true);
    }
    gateway.failNext = 2;
    const id = await runCampaign(h, {
      ...emailCampaign('Texts', 'ZZ7'),
      channels: ['EMAIL', 'SMS'],
      template: {
        subject: 's',
        body: 'b',
        shortBody: 'Coding Club is back! https://library.example/club',
      },
    });
    const mine = gateway.received.filter((r) => r.body.campaignId === id);
    expect(mine).toHaveLength(5);
    expect(mine.every((r) => r.signed)).toBe(true);
    expect(new Set(mine.map((r) => r.key)).size).toBe(5);
    expect(mine[0].key).toMatch(/^notification-\d+$/);
    expect(mine[0].body.text).toMatch(
      /^Coding Club is back! http:\/\/links\.test\/m\/c\/c\d+\.0\.\S+\nStop: http:\/\/links\.test\/m\/u\/u\d+\.\S+$/,
    );
    expect(Object.values(await messageStates(h, id))).toEqual(Array(5).fill('SENT'));
  });
});

describe('quiet hours and cancelling', () => {
  it('holds messages during quiet hours, and cancelling suppresses those still waiting', async () => {
    // A second harness whose quiet hours surround the present moment.
    const { minute } = localMinute(new Date(), 'Europe/London');
    const hhmm = (m: number) => {
      const v = ((m % 1440) + 1440) % 1440;
      return `${String(Math.floor(v / 60)).padStart(2, '0')}:${String(v % 60).padStart(2, '0')}`;
    };
    const quiet = await startMarketingHarness('mkt_quiet', {
      env: { QUIET_HOURS: `${hhmm(minute - 60)}-${hhmm(minute + 60)}` },
    });
    try {
      for (let i = 1; i <= 5; i++) {
        const id = await addCustomer(quiet.api.db.ds, {
          externalId: `Q-${i}`,
          email: `q-${i}@example.org`,
          postcode: `ZZ8 ${i}AA`,
        });
        await addConsent(quiet.api.db.ds, id, 'MARKETING', 'EMAIL', true);
      }
      const id = await launchCampaign(quiet, emailCampaign('Late night', 'ZZ8'));
      const emailQueue = quiet.api.platform.services.marketing.queue.deliveries.get(
        'EMAIL' as never,
      )!;
      const [delayed] = await eventually(async () => {
        const jobs = await emailQueue.getDelayed();
        return jobs.length ? jobs : null;
      });
      // The chunk waits in the delayed set until quiet hours end.
      expect(await emailQueue.getJobState(delayed.id!)).toBe('delayed');
      expect(Object.values(await messageStates(quiet, id))).toEqual(Array(5).fill('PENDING'));
      expect(quiet.sink.messages).toHaveLength(0);
      const cancelled = await quiet.api.gql(
        `mutation($id: ID!) { cancelCampaign(id: $id) { status } }`,
        { id },
        quiet.marketing,
      );
      expect(cancelled.data.cancelCampaign.status).toBe('CANCELLED');
      expect(Object.values(await messageStates(quiet, id))).toEqual(
        Array(5).fill('SUPPRESSED:CAMPAIGN_CANCELLED'),
      );
    } finally {
      await quiet.close();
    }
  });
});
