import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { rootLogger } from '../common/logger';
import { ConfigError, loadConfig } from '../config';
import { runMigrations } from '../db/migrate';
import { runImport } from '../imports/import.service';
import type { ImportKind } from '../imports/import.types';
import { Role } from '../auth/role';
import { connect } from '../platform';
import { failStartup, runProcess } from '../process';
import { generateDemoLibrary } from './generate';
import { DEMO_FILES, writeDemoLibrary } from './write-csv';

const ORDER: ImportKind[] = ['branches', 'items', 'customers', 'interests', 'events', 'activity'];
const DEMO_MARKER = 'demo-1';

async function demoLoaded(ds: DataSource): Promise<boolean> {
  const rows = await ds.query('SELECT 1 FROM activity WHERE source_key = $1', [DEMO_MARKER]);
  return rows.length > 0;
}

/**
 * Generates the demo library and loads it through the same importer the old-system migration
 * uses, so the demo also shows the import working. Loaded once; later runs reuse it.
 */
async function loadDemo(ds: DataSource): Promise<void> {
  const today = new Date();
  today.setUTCHours(0, 0, 0, 0);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'commonplace-demo-'));
  try {
    const t0 = Date.now();
    const counts = await writeDemoLibrary(generateDemoLibrary({ referenceDate: today }), dir);
    process.stdout.write(
      `Generated the demo library in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}\n`,
    );
    for (const kind of ORDER) {
      const report = await runImport(ds, kind, path.join(dir, DEMO_FILES[kind]));
      process.stdout.write(
        `  imported ${kind}: ${report.rows} rows, ${report.inserted} new, ${report.rejected.length} refused ` +
          `(${(report.ms / 1000).toFixed(1)} s)\n`,
      );
    }
    // Not everyone opts into history-based suggestions; show all three modes in the demo.
    await ds.query(`UPDATE customer SET recommendation_mode = 'INTERESTS_ONLY' WHERE id % 10 = 3`);
    await ds.query(`UPDATE customer SET recommendation_mode = 'OFF' WHERE id % 20 = 7`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  const config = loadConfig();
  const ds = await connect(config, rootLogger);
  try {
    await runMigrations(ds);
    if (await demoLoaded(ds)) {
      process.stdout.write('The demo library is already loaded; starting the platform on it.\n');
    } else {
      await loadDemo(ds);
    }
  } finally {
    await ds.destroy();
  }
  const running = await runProcess('all', config);
  await running.platform.recommendations.queue.requestRebuild();
  const samples: Array<{ external_id: string; kind: string }> = await running.platform.ds.query(
    `SELECT external_id, kind FROM customer WHERE recommendation_mode = 'FULL' AND first_name IS NOT NULL
      ORDER BY last_active_at DESC NULLS LAST LIMIT 3`,
  );
  const url = `http://localhost:${running.port}/graphql`;
  const example = samples[0]?.external_id ?? 'SOME-CARD-NUMBER';
  const tokens = running.platform.tokens;
  const [exampleRow] = await running.platform.ds.query(
    'SELECT id::text FROM customer WHERE external_id = $1',
    [example],
  );
  const roleTokens: Array<[string, string]> = [];
  for (const role of [
    Role.ADMIN,
    Role.FRONT_LINE_STAFF,
    Role.MARKETING,
    Role.MANAGER,
    Role.SERVICE,
  ]) {
    roleTokens.push([
      role,
      await tokens.sign(
        { role, subject: `demo:${role.toLowerCase()}`, staffName: `Demo ${role.toLowerCase()}` },
        '7d',
      ),
    ]);
  }
  if (exampleRow) {
    roleTokens.push([
      `CUSTOMER ${example}`,
      await tokens.sign(
        { role: Role.CUSTOMER, subject: `customer:${example}`, customerId: exampleRow.id },
        '7d',
      ),
    ]);
  }
  const adminToken = roleTokens[0][1];
  process.stdout.write(
    [
      '',
      `Commonplace is running on its demo library. GraphQL (with Apollo Sandbox): ${url}`,
      'The recommendation model is rebuilding in the background; suggestions turn personal when it finishes.',
      `Customers to try: ${samples.map((s) => `${s.external_id} (${s.kind})`).join(', ')}`,
      'Try:',
      `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${adminToken}" \\`,
      `    -d '{"query":"{ customer(externalId: \\"${example}\\") { firstName recommendationsSource recommendations(first: 5) { item { title } reasons { text } } } }"}'`,
      `Queues (Bull Board, ADMIN token): http://localhost:${running.port}/admin/session; ` +
        `metrics: http://localhost:${running.port}/metrics`,
      'Tokens for each role (valid 7 days; `npm run cli -- token --role ROLE` makes more):',
      ...roleTokens.map(([role, token]) => `  ${role}: ${token}`),
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  failStartup(err);
});
