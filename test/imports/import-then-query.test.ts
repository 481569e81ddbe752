import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDemoLibrary } from '../../src/demo/generate';
import { DEMO_FILES, writeDemoLibrary } from '../../src/demo/write-csv';
import { startTestApi, type TestApi } from '../support/api';

/**
 * The migration path end to end: a generated library goes in through the real CLI, and every
 * record is at once reachable through GraphQL by the external id it had in the old system.
 */
const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
let api: TestApi;
let dir: string;

beforeAll(async () => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  api = await startTestApi('import_then_query');
  dir = await mkdtemp(path.join(tmpdir(), 'cp-import-'));
  await writeDemoLibrary(
    generateDemoLibrary({
      seed: 3,
      branches: 5,
      customers: 200,
      items: 300,
      events: 40,
      activities: 3000,
    }),
    dir,
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await api.close();
});

it('imports customers, titles and activity through the CLI, then answers for them by externalId', async () => {
  const env = { ...process.env, DATABASE_URL: api.db.url, LOG_LEVEL: 'silent' };
  for (const kind of [
    'branches',
    'items',
    'customers',
    'interests',
    'events',
    'activity',
  ] as const) {
    const run = spawnSync(
      process.execPath,
      [CLI, 'import', kind, path.join(dir, DEMO_FILES[kind])],
      { env, encoding: 'utf8' },
    );
    expect({ kind, code: run.status, err: run.stderr }).toEqual({ kind, code: 0, err: '' });
  }
  const [someone] = await api.db.ds.query(
    `SELECT external_id FROM customer WHERE first_name IS NOT NULL ORDER BY last_active_at DESC NULLS LAST LIMIT 1`,
  );
  const [title] = await api.db.ds.query(
    `SELECT external_id, title FROM catalogue_item ORDER BY id LIMIT 1`,
  );
  const res = await api.gql(
    `query($c: String!, $i: String!) {
       customer(externalId: $c) { externalId firstName activity(first: 3, reason: "migration check") { nodes { type } } }
       item(externalId: $i) { title holdings { copies } }
     }`,
    { c: someone.external_id, i: title.external_id },
  );
  expect(res.errors).toBeUndefined();
  expect(res.data.customer.externalId).toBe(someone.external_id);
  expect(res.data.customer.activity.nodes.length).toBeGreaterThan(0);
  expect(res.data.item.title).toBe(title.title);
  // Running the same files again changes nothing.
  const again = spawnSync(
    process.execPath,
    [CLI, 'import', 'activity', path.join(dir, DEMO_FILES.activity)],
    { env, encoding: 'utf8' },
  );
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/ 0 inserted/);
}, 120_000);
