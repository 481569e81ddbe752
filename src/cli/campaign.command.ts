import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Role } from '../auth/role';
import { DomainError } from '../common/errors';
import { createLogger } from '../common/logger';
import { loadConfig } from '../config';
import { CampaignStatus } from '../marketing/campaigns/campaign.enums';
import { statusCounts } from '../marketing/campaigns/campaign.repository';
import type { CampaignResultsShape } from '../marketing/campaigns/campaign.results';
import { quietUntil } from '../marketing/delivery/quiet-hours';
import { openPlatform } from '../platform';
import { startMarketingWorkers } from '../../workers/marketing.processor';

export interface CampaignRunOptions {
  timeout: number;
  /** Days after sending for the uplift figure printed at the end. */
  upliftDays?: number;
}

export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STDIO: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const show = (n: number | null) => (n === null ? 'withheld' : String(n));

/** The end-of-run summary, disclosure control applied as in GraphQL. */
function summary(r: CampaignResultsShape): string {
  const reasons = r.suppressedByReason
    .filter((s) => s.count !== 0)
    .map((s) => `${s.reason} ${show(s.count)}`)
    .join(', ');
  const u = r.uplift;
  return [
    `targeted ${show(r.targeted)}, control group ${show(r.controlGroup)}, sent ${show(r.sent)}, ` +
      `failed ${show(r.failed)}, unconfirmed ${show(r.unconfirmed)}, ` +
      `suppressed ${show(r.suppressed)}${reasons ? ` (${reasons})` : ''}`,
    `opened ${show(r.opened)}, clicked ${show(r.clicked)}`,
    `uplift over ${u.days} days: ${u.uplift === null ? 'not available yet or withheld' : `${(u.uplift * 100).toFixed(1)} points`}` +
      (u.complete ? '' : ` (window ends ${u.windowEnd?.toISOString() ?? 'after sending'})`),
  ]
    .map((l) => `  ${l}\n`)
    .join('');
}

/**
 * `campaign run FILE.json`: validates the file as a campaign, creates it, schedules it (now,
 * or at `scheduledAt`) and sends it with workers started in this process (any other running
 * workers share the work), printing progress and then the results. Nothing is stored when the
 * file is invalid; every broken rule is printed with its field.
 *
 * @returns 0 once the campaign is SENT (or scheduled for later); 1 otherwise.
 */
export async function campaignRunCommand(
  file: string,
  opts: CampaignRunOptions,
  io: CommandOutput = STDIO,
): Promise<number> {
  let input: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      io.err(`${file}: must hold one JSON object describing the campaign\n`);
      return 1;
    }
    input = parsed as Record<string, unknown>;
  } catch (err) {
    io.err(`${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const { scheduledAt, ...campaignInput } = input;
  const at = scheduledAt === undefined ? null : new Date(String(scheduledAt));
  if (at && Number.isNaN(at.getTime())) {
    io.err('scheduledAt: must be an ISO 8601 date and time\n');
    return 1;
  }
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const platform = await openPlatform(config, { migrate: true, log });
  const { campaigns } = platform.services.marketing;
  const actor = {
    role: Role.MARKETING,
    subject: 'cli',
    staffName: `cli:${os.userInfo().username}`,
  };
  let workers: Awaited<ReturnType<typeof startMarketingWorkers>> | null = null;
  try {
    let id: string;
    try {
      const created = await campaigns.create(campaignInput, actor.staffName);
      id = created.id;
      const scheduled = await campaigns.schedule(id, at);
      await platform.services.audit.record(actor, null, [
        { action: 'campaign.create', targetType: 'campaign', targetId: id },
        {
          action: 'campaign.schedule',
          targetType: 'campaign',
          targetId: id,
          details: { at: scheduled.scheduledAt },
        },
      ]);
      io.out(
        `campaign ${id} "${created.name}" scheduled for ${scheduled.scheduledAt?.toISOString()}\n`,
      );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      io.err(`the campaign was not created: ${err.code}\n`);
      for (const p of err.problems.length
        ? err.problems
        : [{ field: '', rule: '', message: err.message }]) {
        io.err(`  ${p.field}${p.rule ? ` (${p.rule})` : ''}: ${p.message}\n`);
      }
      return 1;
    }
    if (at && at.getTime() > Date.now() + 60_000) {
      io.out('it will be sent then by the running workers (`npm run start:worker`)\n');
      return 0;
    }
    workers = await startMarketingWorkers(platform);
    const quiet = quietUntil(new Date(), platform.services.marketing.settings.quietHours);
    if (quiet) io.out(`quiet hours: messages wait until ${quiet.toISOString()}\n`);
    const deadline = Date.now() + opts.timeout * 1000;
    let last = '';
    while (Date.now() < deadline) {
      const { status } = await campaigns.get(id);
      const counts = await statusCounts(platform.ds, id);
      const total = counts.reduce((n, c) => n + c.n, 0);
      const of = (...s: string[]) =>
        counts.filter((c) => s.includes(c.status)).reduce((n, c) => n + c.n, 0);
      const line =
        `${status}: ${total - of('TARGETED', 'PENDING', 'SENDING')} of ${total} settled ` +
        `(sent ${of('SENT')}, control ${of('CONTROL')}, suppressed ${of('SUPPRESSED')}, ` +
        `failed ${of('FAILED')})`;
      if (line !== last) io.out(`${line}\n`);
      last = line;
      if (status === CampaignStatus.SENT || status === CampaignStatus.CANCELLED) {
        io.out(`results:\n${summary(await campaigns.results(id, opts.upliftDays))}`);
        return status === CampaignStatus.SENT ? 0 : 1;
      }
      await sleep(1000);
    }
    io.err(
      `gave up waiting after ${opts.timeout} s; the campaign carries on with running workers\n`,
    );
    return 1;
  } finally {
    await workers?.stop();
    await platform.close();
  }
}
