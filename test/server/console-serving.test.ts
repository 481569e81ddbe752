import { existsSync } from 'node:fs';
import path from 'node:path';
import { startTestApi, type TestApi } from '../support/api';

/** The API process serves the built console at /console, and /graphql keeps its defences. */
let api: TestApi;

beforeAll(async () => {
  if (!existsSync(path.resolve(__dirname, '..', '..', 'dist', 'console', 'index.html'))) {
    throw new Error('dist/console is missing: run `npm run build` first (npm test does)');
  }
  api = await startTestApi('console_serving');
});

afterAll(async () => {
  await api.close();
});

describe('serving the web console', () => {
  it('answers /console/ with the app, a strict content security policy and no caching', async () => {
    const res = await fetch(`${api.url}/console/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const html = await res.text();
    expect(html).toContain('<div id="root">');
    expect(html).toMatch(/<script type="module" crossorigin src="\/console\/assets\/[^"]+\.js">/);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('answers the app’s own routes with the app, so a reload keeps the page', async () => {
    const index = await (await fetch(`${api.url}/console/`)).text();
    for (const route of ['/console/me', '/console/staff/customers/42', '/console/insights']) {
      const res = await fetch(`${api.url}${route}`);
      expect({ route, status: res.status }).toEqual({ route, status: 200 });
      expect(await res.text()).toBe(index);
    }
  });

  it('serves hashed assets for a year and refuses missing ones with 404, not the app', async () => {
    const index = await (await fetch(`${api.url}/console/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index)![1];
    const res = await fetch(`${api.url}${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
    const missing = await fetch(`${api.url}/console/assets/missing-abc123.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('keeps CSRF prevention on /graphql: simple cross-site requests are still refused', async () => {
    const textPlain = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(textPlain.status).toBe(400);
    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF|preflight/i);
  });
});
