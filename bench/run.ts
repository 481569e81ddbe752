/**
 * `npm run bench [-- serving|import|rebuild|all]`: runs each benchmark in its own process (so
 * memory figures are its own) and prints their result lines. Default: serving.
 *   serving  cached suggestions vs `{ __typename }` throughput ratio, p99, freshness
 *   import   1,000,000 activity rows through the CSV importer
 *   rebuild  full model rebuild at 100,000 customers / 50,000 titles / 1,000,000 activities
 *   insights every manager report over 1,000,000 activities (median of 5)
 *   segments segmentPreview for realistic segments over 100,000 customers and 1,000,000
 *            activities (median of 5), and one campaign's fan-out
 *   outbox   what the outbox costs recording activity (one at a time, 16 at once, batches, import)
 *   mixed    catalogue browsing, customer pages and activity recording against a real API
 *   soak     the mixed load for 10 minutes (`-- soak --minutes N`), with memory along the way
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const SCRIPTS: Record<string, string> = {
  serving: 'serving.js',
  import: 'import-activity.js',
  rebuild: 'rebuild.js',
  insights: 'insights.js',
  segments: 'segments.js',
  outbox: 'outbox.js',
  mixed: 'mixed.js',
  soak: 'mixed.js',
};

// Benchmark names come first; anything from the first `--option` on goes to each script.
const argv = process.argv.slice(2).filter((a) => a !== '--');
const firstOption = argv.findIndex((a) => a.startsWith('--'));
const wanted = firstOption === -1 ? argv : argv.slice(0, firstOption);
const options = firstOption === -1 ? [] : argv.slice(firstOption);
const names = wanted.includes('all')
  ? Object.keys(SCRIPTS).filter((n) => n !== 'soak')
  : wanted.length
    ? wanted
    : ['serving'];
let failed = false;
for (const name of names) {
  const script = SCRIPTS[name];
  if (!script) {
    process.stderr.write(
      `unknown benchmark "${name}": choose from ${Object.keys(SCRIPTS).join(', ')} or all\n`,
    );
    process.exit(2);
  }
  process.stdout.write(`\n== ${name} ==\n`);
  const extra = name === 'soak' ? ['--soak', ...options] : options;
  const run = spawnSync(process.execPath, [path.join(__dirname, script), ...extra], {
    stdio: 'inherit',
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  if (run.status !== 0) {
    process.stderr.write(`${name} failed (exit ${run.status})\n`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
