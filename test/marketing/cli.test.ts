import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { campaignRunCommand } from '../../src/cli/campaign.command';
import { type SmtpSink, startSmtpSink } from '../../src/marketing/channels/smtp-sink';
import { createTestDb, type TestDb } from '../support/db';
import { createRedis } from '../../src/platform';
import { addConsent, addCustomer } from './seed';

let db: TestDb;
let sink: SmtpSink;
let dir: string;
const saved: Record<string, string | undefined> = {};
const prefix = `cptest${randomBytes(4).toString('hex')}`;

const ENV = () => ({
  DATABASE_URL: db.url,
  REDIS_PREFIX: prefix,
  SMTP_URL: sink.url,
  QUIET_HOURS: 'off',
  PUBLIC_URL: 'http://links.test',
  EMAIL_PER_SECOND: '1000',
  LOG_LEVEL: 'silent',
});

beforeAll(async () => {
  db = await createTestDb('mkt_cli');
  sink = await startSmtpSink();
  dir = await mkdtemp(path.join(os.tmpdir(), 'commonplace-cli-'));
  for (const [k, v] of Object.entries(ENV())) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  for (let i = 1; i <= 6; i++) {
    const id = await addCustomer(db.ds, {
      externalId: `CLI-${i}`,
      firstName: `Cy${i}`,
      email: `cli-${i}@example.org`,
      postcode: `CL1 ${i}AA`,
    });
    if (i <= 5) await addConsent(db.ds, id, 'MARKETING', 'EMAIL', true);
  }
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const redis = createRedis('redis://127.0.0.1:6379', 'cli-test-cleanup');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
  await sink.close();
  await db.drop();
});

async function run(file: string) {
  let out = '';
  let err = '';
  const code = await campaignRunCommand(
    file,
    { timeout: 60 },
    { out: (t) => (out += t), err: (t) => (err += t) },
  );
  return { code, out, err };
}

async function campaignFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

it('validates, creates and sends a campaign from a JSON file, printing progress and results', async () => {
  const file = await campaignFile('good.json', {
    name: 'From the command line',
    purpose: 'MARKETING',
    channels: ['EMAIL'],
    filter: { postcodeAreas: ['CL1'] },
    template: { subject: 'Hello {{firstName}}', body: 'News: https://library.example/news' },
  });
  const { code, out, err } = await run(file);
  expect(err).toBe('');
  expect(code).toBe(0);
  expect(out).toMatch(/^campaign \d+ "From the command line" scheduled for /);
  expect(out).toMatch(/SENT: 6 of 6 settled \(sent 5, control 0, suppressed 1, failed 0\)/);
  expect(out).toContain('targeted 6, control group 0, sent 5, failed 0, unconfirmed 0');
  expect(out).toContain('suppressed withheld (NO_CONSENT withheld)');
  expect(sink.messages.flatMap((m) => m.to).sort()).toEqual(
    [1, 2, 3, 4, 5].map((i) => `cli-${i}@example.org`),
  );
  const [audit] = await db.ds.query(
    `SELECT actor_role, action FROM audit_entry WHERE action = 'campaign.create'`,
  );
  expect(audit).toEqual({ actor_role: 'MARKETING', action: 'campaign.create' });
});

it('prints every broken rule and stores nothing for a bad file', async () => {
  const before = (await db.ds.query('SELECT count(*)::int AS n FROM campaign'))[0].n;
  const bad = await campaignFile('bad.json', {
    name: '',
    purpose: 'MARKETING',
    channels: ['POST'],
    filter: { kinds: ['NOBODY'] },
    template: { subject: 'x', body: 'Hi {{shoeSize}}' },
  });
  const result = await run(bad);
  expect(result.code).toBe(1);
  expect(result.err).toContain('the campaign was not created: BAD_USER_INPUT');
  expect(result.err).toContain('input.name (too_small): must not be empty');
  expect(result.err).toContain('input.channels (unsupported_channel)');
  expect(result.err).toContain('input.filter.kinds.0 (invalid_value)');
  expect(result.err).toContain('input.template.body (unknown_field)');
  const notJson = await run(await campaignFile('broken.json', '{ "name": '));
  expect(notJson.code).toBe(1);
  expect(notJson.err).toMatch(/broken\.json: .*JSON/);
  expect((await db.ds.query('SELECT count(*)::int AS n FROM campaign'))[0].n).toBe(before);
});
