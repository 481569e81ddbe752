import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Role } from '../../src/auth/role';
import { verifyAuditChain } from '../../src/audit/audit.service';
import { startTestApi, type TestApi } from '../support/api';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
let api: TestApi;

beforeAll(async () => {
  process.env.TEST_RATE_LIMIT = '30';
  api = await startTestApi('audit_limits');
  delete process.env.TEST_RATE_LIMIT;
  await api.db.ds.query(
    `INSERT INTO customer (external_id, kind, first_name) VALUES ('C1', 'BORROWER', 'Ada')`,
  );
});

afterAll(async () => {
  await api.close();
});

it('keeps an intact chain, and `audit verify` finds an entry altered by hand', async () => {
  for (let i = 0; i < 3; i++) {
    const res = await api.gql('{ customer(externalId: "C1") { firstName } }');
    expect(res.errors).toBeUndefined();
  }
  expect(await verifyAuditChain(api.db.ds)).toEqual({ ok: true, checked: 3 });
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const env = { ...process.env, DATABASE_URL: api.db.url, LOG_LEVEL: 'silent' };
  const good = spawnSync(process.execPath, [CLI, 'audit', 'verify'], { env, encoding: 'utf8' });
  expect(good.status).toBe(0);
  expect(good.stdout).toMatch(/intact: 3 entries/);

  // A superuser can switch the append-only trigger off; the chain still gives them away.
  const [second] = await api.db.ds.query(
    'SELECT id::text FROM audit_entry ORDER BY id OFFSET 1 LIMIT 1',
  );
  await api.db.ds.query('ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only');
  await api.db.ds.query(`UPDATE audit_entry SET actor = 'someone else' WHERE id = $1`, [second.id]);
  await api.db.ds.query('ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_append_only');
  const broken = spawnSync(process.execPath, [CLI, 'audit', 'verify'], { env, encoding: 'utf8' });
  expect(broken.status).toBe(1);
  expect(broken.stderr).toMatch(new RegExp(`BROKEN at entry ${second.id}`));
});

it('refuses to alter or delete audit entries through SQL', async () => {
  await expect(api.db.ds.query(`UPDATE audit_entry SET reason = 'x'`)).rejects.toThrow(
    /append-only/,
  );
  await expect(api.db.ds.query('DELETE FROM audit_entry')).rejects.toThrow(/append-only/);
});

it('slows down a token that exceeds its rate limit, without affecting another token', async () => {
  const noisy = await api.token(Role.SERVICE);
  const statuses: number[] = [];
  for (let i = 0; i < 35; i++) statuses.push((await api.gql('{ __typename }', {}, noisy)).status);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  const limited = await api.gql('{ __typename }', {}, noisy);
  expect(limited.errors?.[0].extensions.code).toBe('RATE_LIMITED');
  const other = await api.gql('{ __typename }', {}, await api.token(Role.MANAGER));
  expect(other.status).toBe(200);
});
