import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Worker } from 'bullmq';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { Role } from '../../src/auth/role';
import { generateDemoLibrary } from '../../src/demo/generate';
import { demoPopulationCsv } from '../../src/demo/population';
import { DEMO_FILES, writeDemoLibrary } from '../../src/demo/write-csv';
import { runImport } from '../../src/imports/import.service';
import type { ImportKind } from '../../src/imports/import.types';
import { InsightsRepository } from '../../src/insights/insights.repository';
import { parsePopulationCsv } from '../../src/insights/population';
import { refreshInsights } from '../../src/insights/refresh';
import { startWorkers } from '../../workers/run';
import { startTestApi, type TestApi } from '../support/api';
import { waitForRefreshedModel } from '../support/library';

/** Debian's chromium package; `.ci/run` installs it. No browser is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = path.resolve(__dirname, 'screenshots');
const IMPORT_ORDER: ImportKind[] = [
  'branches',
  'items',
  'customers',
  'interests',
  'events',
  'activity',
];

export interface ConsoleHarness {
  api: TestApi;
  /** http://127.0.0.1:PORT/console */
  consoleUrl: string;
  browser: BrowserContext;
  /** Messages the pages logged as errors (a CSP violation would land here). */
  pageErrors: string[];
  /** A fresh tab signed in with a token for this role. */
  signIn(role: Role, opts?: { customerId?: string; staff?: string }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A real API over a small generated demo library (imported through the same CSV importer the
 * demo uses, with a population table), workers that have built the recommendation model,
 * refreshed insight summaries, and headless Chromium with a fresh profile.
 */
export async function startConsoleHarness(
  label: string,
  opts: { env?: Record<string, string> } = {},
): Promise<ConsoleHarness> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  }
  if (!existsSync(path.resolve(__dirname, '..', '..', 'dist', 'console', 'index.html'))) {
    throw new Error('dist/console is missing: run `npm run build` first (npm test does)');
  }
  const api = await startTestApi(label, { env: opts.env });
  let workers: { worker: Worker; stop(): Promise<void> } | null = null;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'cp-e2e-lib-'));
  const profile = await mkdtemp(path.join(tmpdir(), 'cp-e2e-chromium-'));
  try {
    const today = new Date();
    today.setUTCHours(0, 0, 0, 0);
    const library = generateDemoLibrary({
      seed: 11,
      branches: 6,
      customers: 400,
      items: 500,
      events: 40,
      activities: 12_000,
      referenceDate: today,
    });
    await writeDemoLibrary(library, dataDir);
    for (const kind of IMPORT_ORDER) {
      const report = await runImport(api.db.ds, kind, path.join(dataDir, DEMO_FILES[kind]), {
        logger: api.platform.log,
      });
      if (report.rejected.length) throw new Error(`demo ${kind} import refused rows`);
    }
    await new InsightsRepository(api.db.ds).replacePopulation(
      parsePopulationCsv(demoPopulationCsv(library.customers, today)),
    );
    await refreshInsights(api.db.ds);
    workers = await startWorkers(api.platform);
    await api.platform.recommendations.queue.requestRebuild(2);
    await waitForRefreshedModel(api.db.ds, '0', 150_000);
    await mkdir(SCREENSHOTS, { recursive: true });
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    const pageErrors: string[] = [];
    browser.on('page', (page) => {
      page.on('console', (msg) => {
        // A refused request (401/403) is logged by the browser itself; the app handles it.
        if (msg.type() === 'error' && !/status of 40[13]/.test(msg.text())) {
          pageErrors.push(msg.text());
        }
      });
      page.on('pageerror', (err) => pageErrors.push(err.message));
    });
    // The persistent profile opens with one blank tab; tests use tabs of their own.
    await Promise.all(browser.pages().map((p) => p.close()));
    const consoleUrl = `${api.url}/console`;
    const running = workers;
    return {
      api,
      consoleUrl,
      browser,
      pageErrors,
      async signIn(role, opts = {}) {
        const token = await api.token(role, opts);
        const page = await browser.newPage();
        await page.goto(`${consoleUrl}/sign-in`);
        await page.getByLabel('Token').fill(token);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('navigation', { name: 'Console' }).waitFor();
        return page;
      },
      async close() {
        await browser.close();
        await running.stop();
        await api.close();
        await rm(profile, { recursive: true, force: true });
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await workers?.stop();
    await api.close();
    await rm(profile, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Saves the page at desktop and phone widths under test/e2e/screenshots/ (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  // Charts redraw for the new width on the next frames; and nothing may make a phone scroll
  // sideways (wide tables scroll inside their own region instead).
  await page
    .waitForFunction(
      () => {
        const doc = (globalThis as any).document.documentElement;
        return doc.scrollWidth <= doc.clientWidth;
      },
      null,
      { timeout: 5_000 },
    )
    .catch(() => {
      throw new Error(`${name}: the page is wider than a 390 px phone screen`);
    });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}
