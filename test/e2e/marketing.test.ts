import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Role } from '../../src/auth/role';
import { eventually } from '../support/library';
import { type ConsoleHarness, screenshot, startConsoleHarness } from './harness';

/**
 * Marketing in the console, in headless Chromium: build a segment and watch its count, compose a
 * campaign with a preview, send it, and see each message arrive at a loopback SMTP server.
 */
interface Received {
  to: string[];
  raw: string;
}

const received: Received[] = [];
let smtp: SMTPServer;
let h: ConsoleHarness;
/** Customers given MARKETING consent by email for this test: exactly the segment below. */
let subscribers: Array<{ id: string; email: string; branch: string }>;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  h = await startConsoleHarness('e2e_marketing', {
    env: { SMTP_URL: `smtp://127.0.0.1:${port}`, QUIET_HOURS: 'off' },
  });
  subscribers = await h.api.db.ds.query(
    `SELECT c.id::text, c.email, b.name AS branch FROM customer c JOIN branch b ON b.id = c.home_branch_id
      WHERE c.email IS NOT NULL AND c.status = 'ACTIVE' AND c.first_name IS NOT NULL
      ORDER BY c.id LIMIT 8`,
  );
  for (const s of subscribers) {
    const res = await h.api.gql(
      `mutation($c: ID!) { giveConsent(customerId: $c, input: {
         purpose: MARKETING, channel: EMAIL, source: WEB, wordingVersion: "e2e-1" }) { id } }`,
      { c: s.id },
    );
    expect(res.errors).toBeUndefined();
  }
}, 240_000);

afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

it('builds a segment, sees its count, sends a campaign, and each message reaches the SMTP server', async () => {
  const page = await h.signIn(Role.MARKETING, { staff: 'Mo Marketing' });
  await page.waitForURL(/\/console\/marketing\/segments$/);

  // Replace the starting condition with "gave MARKETING consent by email".
  await page.getByRole('button', { name: /^Remove condition 1/ }).click();
  await page.getByLabel('Add a condition').selectOption('consent');
  await page.getByRole('button', { name: 'Add condition' }).click();
  await page.getByLabel('Purpose', { exact: true }).selectOption('MARKETING');
  await page.getByLabel('Channel', { exact: true }).selectOption('EMAIL');
  const count = page.getByTestId('segment-count');
  await count.filter({ hasText: String(subscribers.length) }).waitFor();
  const reach = page.getByRole('table', { name: 'Reach by channel' });
  // Columns: the measure, then Email, SMS and App.
  const reachable = reach.getByRole('row').filter({ hasText: 'a marketing campaign reaches' });
  expect(await reachable.locator('td').nth(1).innerText()).toBe(String(subscribers.length));

  // Leaving them out empties it: the count follows the builder.
  await page.getByLabel('Leave these people out instead').check();
  await count.filter({ hasNotText: String(subscribers.length) }).waitFor();
  await page.getByLabel('Leave these people out instead').uncheck();
  await count.filter({ hasText: String(subscribers.length) }).waitFor();

  await page.getByLabel('Segment name').fill('Email subscribers');
  await page.getByRole('button', { name: 'Save segment' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved “Email subscribers”' }).waitFor();
  await screenshot(page, 'marketing-segment-builder');

  await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('link', { name: 'Campaigns' })
    .click();
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill('Picked for you');
  await page.getByLabel('Audience: a saved segment').selectOption({ label: 'Email subscribers' });
  await page.getByLabel('Email subject').fill('New for you at {{homeBranch}}');
  await page.getByLabel('Hold back this percentage to measure uplift (0 to 50)').fill('0');
  await page
    .getByTestId('preview-subject')
    .filter({ hasText: /^New for you at / })
    .waitFor();
  expect(await page.getByTestId('preview-text').innerText()).not.toContain('{{');
  await screenshot(page, 'marketing-campaign-composer');
  await page.getByRole('button', { name: 'Save as draft' }).click();

  await page.getByTestId('campaign-status').filter({ hasText: 'Draft' }).waitFor();
  await page.getByRole('button', { name: 'Send now' }).click();
  await page.getByRole('button', { name: 'Yes, send it now' }).click();
  await page
    .getByTestId('campaign-status')
    .filter({ hasText: 'Sent' })
    .waitFor({ timeout: 60_000 });

  await eventually(async () => received.length >= subscribers.length, 30_000);
  const recipients = received.flatMap((m) => m.to).sort();
  expect(recipients).toEqual(subscribers.map((s) => s.email).sort());
  const first = received.find((m) => m.to.includes(subscribers[0].email))!;
  expect(first.raw).toMatch(new RegExp(`Subject: New for you at ${subscribers[0].branch}`));

  const results = page.getByTestId('results');
  await results.getByText('Sent', { exact: true }).waitFor();
  const sent = results
    .locator('dt', { hasText: /^Sent$/ })
    .locator('xpath=following-sibling::dd[1]');
  expect(await sent.innerText()).toBe(String(subscribers.length));
  await screenshot(page, 'marketing-campaign-results');
  await page.close();
});

it('shows a manager the campaign and its results, but no composer', async () => {
  const page = await h.signIn(Role.MANAGER);
  await page
    .getByRole('navigation', { name: 'Console' })
    .getByRole('link', { name: 'Campaigns' })
    .click();
  await page.getByRole('link', { name: 'Picked for you' }).click();
  await page.getByTestId('uplift').waitFor();
  expect(await page.getByRole('button', { name: 'Send now' }).count()).toBe(0);
  expect(await page.getByRole('link', { name: 'New campaign' }).count()).toBe(0);
  await screenshot(page, 'manager-campaign-results');
  await page.close();
});

it('ran every page without script errors or content-security-policy violations', () => {
  expect(h.pageErrors).toEqual([]);
});
