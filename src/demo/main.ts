import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { rootLogger } from '../common/logger';
import { ConfigError, loadConfig } from '../config';
import { runMigrations } from '../db/migrate';
import { runImport } from '../imports/import.service';
import { IMPORT_KINDS } from '../imports/import.types';
import { Role } from '../auth/role';
import { connect } from '../platform';
import { failStartup, runProcess } from '../process';
import { startSmtpSink } from '../marketing/channels/smtp-sink';
import { InsightsRepository } from '../insights/insights.repository';
import { parsePopulationCsv } from '../insights/population';
import { refreshInsights } from '../insights/refresh';
import { generateDemoLibrary } from './generate';
import { demoPopulationCsv } from './population';
import { DEMO_FILES, writeDemoLibrary } from './write-csv';

const DEMO_MARKER = 'demo-1';
/** Where the demo's loopback mail server keeps what it receives (git-ignored). */
const DEMO_MAIL_DIR = path.resolve(__dirname, '..', '..', '..', '.demo-mail');
const EXAMPLE_CAMPAIGN = 'examples/campaign.json';

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
    const library = generateDemoLibrary({ referenceDate: today });
    const counts = await writeDemoLibrary(library, dir);
    process.stdout.write(
      `Generated the demo library in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}\n`,
    );
    for (const kind of IMPORT_KINDS) {
      const report = await runImport(ds, kind, path.join(dir, DEMO_FILES[kind]));
      process.stdout.write(
        `  imported ${kind}: ${report.rows} rows, ${report.inserted} new, ${report.rejected.length} refused ` +
          `(${(report.ms / 1000).toFixed(1)} s)\n`,
      );
    }
    // Residents per postcode area and age band, so the reach report has a population to compare.
    const population = parsePopulationCsv(demoPopulationCsv(library.customers, today));
    await new InsightsRepository(ds).replacePopulation(population);
    process.stdout.write(`  loaded a population table: ${population.length} rows\n`);
    await refreshInsights(ds);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Without SMTP_URL the demo starts a loopback mail server, so campaigns can be sent without
 * one: what arrives is kept as .eml files. Quiet hours are off unless set, so a campaign sent
 * in the evening goes at once.
 */
async function demoEnvironment(): Promise<{
  env: NodeJS.ProcessEnv;
  mail: string;
  close: () => Promise<void>;
}> {
  const env: NodeJS.ProcessEnv = { ...process.env, QUIET_HOURS: process.env.QUIET_HOURS ?? 'off' };
  if (process.env.SMTP_URL) {
    return { env, mail: `Email goes to ${process.env.SMTP_URL}.`, close: async () => undefined };
  }
  const sink = await startSmtpSink({ dir: DEMO_MAIL_DIR });
  env.SMTP_URL = sink.url;
  return {
    env,
    close: () => sink.close(),
    mail:
      `Email goes to a loopback mail server at ${sink.url} (no real mail leaves this machine); ` +
      `each message is saved as a file in ${DEMO_MAIL_DIR}/.`,
  };
}

async function main() {
  const { env, mail, close: closeMail } = await demoEnvironment();
  const config = loadConfig(env);
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
  // The mail server closes after the platform has drained, so the process can end.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void running.shutdown(signal).then(closeMail));
  }
  await running.platform.recommendations.queue.requestRebuild();
  const samples: Array<{ external_id: string; kind: string }> = await running.platform.ds.query(
    `SELECT external_id, kind FROM customer WHERE recommendation_mode = 'FULL' AND first_name IS NOT NULL
      ORDER BY last_active_at DESC NULLS LAST LIMIT 3`,
  );
  const url = `http://localhost:${running.port}/graphql`;
  const consoleUrl = `http://localhost:${running.port}/console/`;
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
  const marketingToken = roleTokens.find(([role]) => role === Role.MARKETING)![1];
  // The command runs its own workers, which must reach the same mail server and link here.
  const cliEnv =
    `SMTP_URL=${config.SMTP_URL} QUIET_HOURS=${config.QUIET_HOURS} ` +
    `PUBLIC_URL=${config.PUBLIC_URL ?? `http://localhost:${running.port}`}`;
  process.stdout.write(
    [
      '',
      `Commonplace is running on its demo library. GraphQL (with Apollo Sandbox): ${url}`,
      `Web console: ${consoleUrl} (sign in with one of the tokens below)`,
      'The recommendation model is rebuilding in the background; suggestions turn personal when it finishes.',
      `Customers to try: ${samples.map((s) => `${s.external_id} (${s.kind})`).join(', ')}`,
      'Try:',
      `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${adminToken}" \\`,
      `    -d '{"query":"{ customer(externalId: \\"${example}\\") { firstName recommendationsSource recommendations(first: 5) { item { title } reasons { text } } } }"}'`,
      '',
      mail,
      'Send a campaign (segment, personal suggestions, control group) and read its results:',
      `  ${cliEnv} npm run cli -- campaign run ${EXAMPLE_CAMPAIGN}`,
      'or preview a segment as marketing staff:',
      `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${marketingToken}" \\`,
      `    -d '{"query":"{ segmentPreview(filter: { activity: { types: [LOAN], lastDays: 90 } }) { customers channels { channel reachableForMarketing } } }"}'`,
      '',
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
