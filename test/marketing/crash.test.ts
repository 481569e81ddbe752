import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Role } from '../../src/auth/role';
import {
  type SinkMessage,
  type SmtpSink,
  startSmtpSink,
} from '../../src/marketing/channels/smtp-sink';
import { closePrivacyApi } from '../privacy/privacy-api';
import { startTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/library';
import { emailCampaign, type MarketingHarness, messageStates } from './harness';
import { addConsent, addCustomer } from './seed';

/**
 * Real worker processes, killed with SIGKILL in the middle of a campaign, at the two moments
 * that matter: just after the SMTP server accepted a message but before the worker heard so,
 * and just before the server accepted one. The message in flight is recorded UNCONFIRMED and
 * never sent again; every other customer gets exactly one message.
 */
const MAIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'main.js');
const CUSTOMERS = 30;

let api: TestApi;
let sink: SmtpSink;
let marketing: string;
const children: ChildProcess[] = [];
/** What the sink does with the n-th message it receives; default: accept. */
let onMessage: (m: SinkMessage) => Promise<void> | void = () => undefined;

function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, [MAIN, 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: api.db.url,
      REDIS_PREFIX: api.platform.config.REDIS_PREFIX,
      SMTP_URL: sink.url,
      PUBLIC_URL: 'http://links.test',
      QUIET_HOURS: 'off',
      EMAIL_PER_SECOND: '1000',
      // One message in flight at a time, and a dead worker's chunk taken over after 2 s.
      DELIVERY_CONCURRENCY: '1',
      DELIVERY_LOCK_MS: '2000',
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return child;
}

const exited = (c: ChildProcess) =>
  new Promise<void>((resolve) =>
    c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve()),
  );

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  sink = await startSmtpSink({ beforeAccept: (m) => onMessage(m) });
  api = await startTestApi('mkt_crash', {
    env: { SMTP_URL: sink.url, PUBLIC_URL: 'http://links.test', QUIET_HOURS: 'off' },
  });
  marketing = await api.token(Role.MARKETING, { staff: 'Morgan' });
  for (const district of ['CR1', 'CR2']) {
    for (let i = 1; i <= CUSTOMERS; i++) {
      const id = await addCustomer(api.db.ds, {
        externalId: `${district}-${i}`,
        email: `${district.toLowerCase()}-${i}@example.org`,
        postcode: `${district} ${i}AA`,
      });
      await addConsent(api.db.ds, id, 'MARKETING', 'EMAIL', true);
    }
  }
}, 60_000);

afterAll(async () => {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGTERM');
      await exited(c);
    }
  }
  await closePrivacyApi(api);
  await sink.close();
});

async function launch(name: string, district: string): Promise<string> {
  const h = { api, marketing } as MarketingHarness;
  const created = await h.api.gql(
    `mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }`,
    { input: emailCampaign(name, district) },
    marketing,
  );
  const id = created.data.createCampaign.id;
  const scheduled = await api.gql(
    `mutation($id: ID!) { scheduleCampaign(id: $id) { status } }`,
    { id },
    marketing,
  );
  expect(scheduled.errors).toBeUndefined();
  return id;
}

const delivered = (district: string) =>
  sink.messages.flatMap((m) => m.to).filter((to) => to.startsWith(`${district.toLowerCase()}-`));

async function waitSent(id: string) {
  await eventually(async () => {
    const [row] = await api.db.ds.query('SELECT status FROM campaign WHERE id = $1', [id]);
    return row.status === 'SENT';
  }, 60_000);
}

it('a worker killed after the server accepted a message: everyone gets exactly one', async () => {
  const first = spawnWorker();
  let victim: string | null = null;
  onMessage = (m) => {
    if (victim === null && delivered('CR1').length === 11) {
      victim = m.to[0];
      // The server has the message; the worker dies before it hears "250".
      first.kill('SIGKILL');
    }
  };
  const id = await launch('Crash after accept', 'CR1');
  await eventually(async () => victim !== null, 60_000);
  await exited(first);
  expect(first.signalCode).toBe('SIGKILL');
  onMessage = () => undefined;
  spawnWorker();
  await waitSent(id);
  const got = delivered('CR1');
  expect(got).toHaveLength(CUSTOMERS);
  expect(new Set(got).size).toBe(CUSTOMERS);
  const states = await messageStates({ api } as MarketingHarness, id);
  const victimId = victim!.replace('@example.org', '').toUpperCase();
  expect(states[victimId]).toBe('UNCONFIRMED');
  for (const [customer, state] of Object.entries(states)) {
    if (customer !== victimId) expect(state).toBe('SENT');
  }
}, 90_000);

it('a worker killed before the server accepted: that one message is left unsent, never doubled', async () => {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  expect(running).toHaveLength(1);
  const [current] = running;
  let victim: string | null = null;
  onMessage = (m) => {
    if (victim === null && delivered('CR2').length === 7) {
      victim = m.to[0];
      current.kill('SIGKILL');
      throw new Error('refused: the sender is gone');
    }
  };
  const id = await launch('Crash before accept', 'CR2');
  await eventually(async () => victim !== null, 60_000);
  await exited(current);
  onMessage = () => undefined;
  spawnWorker();
  await waitSent(id);
  const got = delivered('CR2');
  // At most once: the interrupted message is not sent again, since the worker could not know
  // whether the server had taken it. Everyone else got exactly one.
  expect(got).toHaveLength(CUSTOMERS - 1);
  expect(new Set(got).size).toBe(CUSTOMERS - 1);
  expect(got).not.toContain(victim);
  const states = await messageStates({ api } as MarketingHarness, id);
  expect(states[victim!.replace('@example.org', '').toUpperCase()]).toBe('UNCONFIRMED');
  const results = await api.gql(
    `query($id: ID!) { campaignResults(id: $id) { sent unconfirmed } }`,
    { id },
    marketing,
  );
  // One unconfirmed message is under the disclosure threshold, so it is withheld.
  expect(results.data.campaignResults).toEqual({ sent: CUSTOMERS - 1, unconfirmed: null });
}, 90_000);
