import { readFile } from 'node:fs/promises';
import { Role } from '../../src/auth/role';
import { type ConsoleHarness, screenshot, startConsoleHarness } from './harness';

/**
 * The web console in headless Chromium against a real API over a generated demo library: what a
 * customer, front-line staff and a manager can do, and what the console does when refused.
 */
let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsoleHarness('e2e_console');
}, 240_000);

afterAll(async () => {
  await h?.close();
});

describe('the customer "my library" page', () => {
  it('drops a dismissed suggestion for good: it is gone after a reload', async () => {
    const [customer] = await h.api.db.ds.query(
      `SELECT id::text FROM customer
        WHERE recommendation_mode = 'FULL' AND first_name IS NOT NULL AND status = 'ACTIVE'
          AND birth_year < 2000
        ORDER BY last_active_at DESC NULLS LAST LIMIT 1`,
    );
    const page = await h.signIn(Role.CUSTOMER, { customerId: customer.id });
    await page.waitForURL(/\/console\/me$/);
    const suggestions = page.getByRole('list', { name: 'Suggested titles' }).locator(':scope > li');
    await suggestions.first().waitFor();
    expect(await page.getByText('Picked for you.').count()).toBe(1);
    await screenshot(page, 'customer-my-library');

    const first = suggestions.first();
    const itemId = await first.getAttribute('data-item-id');
    const title = await first.locator('.item-title').innerText();
    await first.getByRole('button', { name: `Not for me: ${title}` }).click();
    await page.getByRole('status').filter({ hasText: 'will not be suggested again' }).waitFor();

    await page.reload();
    await suggestions.first().waitFor();
    const ids = await suggestions.evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-item-id')),
    );
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).not.toContain(itemId);
    const [dismissal] = await h.api.db.ds.query(
      `SELECT 1 FROM recommendation_dismissal WHERE customer_id = $1 AND item_id = $2`,
      [customer.id, itemId],
    );
    expect(dismissal).toBeDefined();
    await page.close();
  });

  it('adds and removes an interest, and downloads everything held as JSON', async () => {
    const [customer] = await h.api.db.ds.query(
      `SELECT id::text, external_id FROM customer WHERE first_name IS NOT NULL AND status = 'ACTIVE'
        ORDER BY id LIMIT 1 OFFSET 5`,
    );
    const page = await h.signIn(Role.CUSTOMER, { customerId: customer.id });
    await page.getByLabel('Kind').selectOption('SUBJECT');
    await page.getByLabel('Interest', { exact: true }).fill('Beekeeping');
    await page.getByRole('button', { name: 'Add interest' }).click();
    const remove = page.getByRole('button', { name: 'Remove Beekeeping' });
    await remove.waitFor();
    await remove.click();
    await page.getByRole('status').filter({ hasText: 'Removed “Beekeeping”' }).waitFor();
    await page.getByRole('button', { name: 'Remove Beekeeping' }).waitFor({ state: 'detached' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(JSON.stringify(exported)).toContain(customer.external_id);
    await page.close();
  });
});

describe('front-line staff', () => {
  it('find a customer by name, card number or email, and give a reason before seeing history', async () => {
    const [customer] = await h.api.db.ds.query(
      `SELECT id::text, external_id, first_name, last_name, email FROM customer
        WHERE email IS NOT NULL AND last_name IS NOT NULL AND history_choice <> 'NEVER'
          AND status = 'ACTIVE' AND last_active_at IS NOT NULL
        ORDER BY id LIMIT 1`,
    );
    const page = await h.signIn(Role.FRONT_LINE_STAFF, { staff: 'Pat Desk' });
    await page.waitForURL(/\/console\/staff$/);
    const search = async (text: string) => {
      await page.getByLabel('Name, card number or email').fill(text);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('table').waitFor();
      return page.getByRole('link', { name: `${customer.first_name} ${customer.last_name}` });
    };
    expect(await (await search(customer.email)).count()).toBe(1);
    expect(await (await search(customer.external_id)).count()).toBe(1);
    const byName = await search(customer.last_name);
    await screenshot(page, 'staff-search');
    await byName.first().click();

    await page.getByRole('heading', { name: 'Record' }).waitFor();
    expect(await page.getByText(customer.external_id, { exact: true }).count()).toBe(1);
    // No history until a reason is given: the button waits for one, and nothing is on the page.
    const show = page.getByRole('button', { name: 'Show history' });
    expect(await show.isDisabled()).toBe(true);
    expect(await page.getByRole('table', { name: 'Activity, newest first' }).count()).toBe(0);
    await screenshot(page, 'staff-customer-before-reason');

    await page
      .getByLabel('Reason for opening this customer’s history')
      .fill('Customer asked at the desk');
    await show.click();
    const table = page.getByRole('table', { name: 'Activity, newest first' });
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'staff-customer-history');
    const audit = await h.api.db.ds.query(
      `SELECT reason FROM audit_entry WHERE customer_id = $1 AND action = 'activity.read'`,
      [customer.id],
    );
    expect(audit.map((a: { reason: string }) => a.reason)).toContain('Customer asked at the desk');
    await page.close();
  });
});

describe('insights for managers', () => {
  it('opens the reach chart, drawn from the API, with its table and CSV', async () => {
    const page = await h.signIn(Role.MANAGER);
    await page.waitForURL(/\/console\/insights$/);
    const reach = page.locator('figure[data-chart="reach"]');
    const canvas = reach.locator('canvas');
    await canvas.waitFor();
    expect(await canvas.getAttribute('aria-label')).toMatch(/^Bar chart of \d+ postcode areas/);
    // The chart really drew: the canvas has painted pixels.
    const painted = await canvas.evaluate((c: any) => {
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(1000);
    await reach.getByText('The figures as a table').click();
    const rows = reach.getByRole('table', { name: 'Reach by area' }).locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(3);
    for (const id of ['use', 'retention', 'demand']) {
      await page.locator(`figure[data-chart="${id}"] canvas`).waitFor();
    }
    await screenshot(page, 'manager-insights');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Reach by area as CSV' }).click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    const firstArea = (await rows.first().locator('td').first().innerText()).trim();
    expect(csv).toContain(firstArea);
    await page.close();
  });
});

describe('what each role is shown', () => {
  it('offers marketing no customer screens, and explains the refusal when one is opened anyway', async () => {
    const page = await h.signIn(Role.MARKETING);
    expect(await page.getByRole('link', { name: 'Customers' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Insights' }).count()).toBe(0);
    const [someone] = await h.api.db.ds.query(`SELECT id::text FROM customer ORDER BY id LIMIT 1`);
    await page.goto(`${h.consoleUrl}/staff/customers/${someone.id}`);
    await page.getByRole('alert').filter({ hasText: 'Your role may not see this' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Record' }).count()).toBe(0);
    await screenshot(page, 'marketing-refused');
    await page.close();
  });

  it('refuses a forged token at sign-in and keeps nothing', async () => {
    const page = await h.browser.newPage();
    await page.goto(`${h.consoleUrl}/`);
    const good = await h.api.token(Role.MANAGER);
    const forged = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await page.getByLabel('Token').fill(forged);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not signed in' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    await screenshot(page, 'sign-in-refused');
    await page.close();
  });

  it('ran every page without script errors or content-security-policy violations', () => {
    expect(h.pageErrors).toEqual([]);
  });
});
