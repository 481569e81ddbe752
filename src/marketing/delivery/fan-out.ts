import type { DataSource } from 'typeorm';
import type { Logger } from '../../common/logger';
import { latestConsentRows } from '../../consent/consent.repository';
import { currentConsents, type LedgerEntry } from '../../consent/consent.rules';
import {
  CampaignPurpose,
  CampaignStatus,
  NotificationStatus,
  SuppressionReason,
} from '../campaigns/campaign.enums';
import { lockCampaign } from '../campaigns/campaign.repository';
import { inControlGroup } from '../campaigns/campaign.rules';
import type { MarketingSettings } from '../marketing.settings';
import { compileSegment } from '../segments/segment-compiler';
import { filterJson, parseSegmentFilter, type SegmentFilter } from '../segments/segment-filter';
import { findSegment } from '../segments/segment.repository';
import type { MarketingQueue } from './delivery.queue';
import {
  applyDecisions,
  completeIfDone,
  type Decision,
  insertAudience,
  lockTargetedBatch,
  pendingRanges,
  recentMarketing,
  recipients,
} from './delivery.repository';
import { chooseChannel } from './eligibility';

/** Rows decided per transaction during fan-out. */
export const DECIDE_BATCH = 1000;
/** Messages per delivery chunk job. */
export const CHUNK_SIZE = 200;

export interface FanOutDeps {
  ds: DataSource;
  queue: Pick<MarketingQueue, 'enqueueChunks'>;
  settings: Pick<MarketingSettings, 'cap'>;
  log: Logger;
}

export type StartOutcome =
  | { outcome: 'NOT_FOUND' | 'NOT_DUE' | 'NOT_SCHEDULED' }
  | {
      outcome: 'STARTED' | 'RESUMED';
      targeted: number;
      decided: number;
      chunks: number;
      sent: boolean;
    };

/**
 * Starts a due campaign, or resumes one whose start was interrupted. Every step is safe to
 * run again:
 * 1. SCHEDULED → SENDING and the audience snapshot (one TARGETED row per customer the segment
 *    matches now; a saved segment is read afresh) in one transaction.
 * 2. Each TARGETED row is decided in batches with the consent ledger's rules: SUPPRESSED with
 *    a reason, CONTROL (held back), or PENDING on the first channel that reaches them.
 * 3. Delivery chunks are queued per channel over fixed id ranges, with ids derived from them.
 */
export async function startCampaign(
  deps: FanOutDeps,
  campaignId: string,
  now = new Date(),
): Promise<StartOutcome> {
  const { ds, log } = deps;
  const start = await ds.transaction(async (tx) => {
    const c = await lockCampaign(tx, campaignId);
    if (!c) return { outcome: 'NOT_FOUND' as const };
    if (c.status === CampaignStatus.SENDING) return { outcome: 'RESUMED' as const, targeted: 0 };
    if (c.status !== CampaignStatus.SCHEDULED) return { outcome: 'NOT_SCHEDULED' as const };
    if (c.scheduledAt && c.scheduledAt.getTime() > now.getTime() + 1000) {
      return { outcome: 'NOT_DUE' as const };
    }
    let filter: SegmentFilter;
    if (c.segmentId) {
      const segment = await findSegment(tx, c.segmentId);
      if (!segment) throw new Error(`campaign ${c.id}: its segment ${c.segmentId} is gone`);
      filter = parseSegmentFilter(segment.filter, 'segment.filter');
    } else {
      filter = parseSegmentFilter(c.filter, 'campaign.filter');
    }
    const targeted = await insertAudience(tx, c.id, now, compileSegment(filter, { now }));
    await tx.query(
      `UPDATE campaign SET status = 'SENDING', started_at = $2, sent_filter = $3, updated_at = now()
        WHERE id = $1`,
      [c.id, now, JSON.stringify(filterJson(filter))],
    );
    return { outcome: 'STARTED' as const, targeted };
  });
  if (start.outcome !== 'STARTED' && start.outcome !== 'RESUMED') return start;
  if (start.outcome === 'STARTED') {
    log.info({ event: 'campaign.started', campaignId, targeted: start.targeted });
  }
  const decided = await decideAll(deps, campaignId);
  const ranges = await pendingRanges(ds, campaignId, CHUNK_SIZE);
  await deps.queue.enqueueChunks(ranges.map((r) => ({ campaignId, ...r })));
  const sent = await completeIfDone(ds, campaignId);
  if (sent) log.info({ event: 'campaign.sent', campaignId });
  return { ...start, decided, chunks: ranges.length, sent };
}

/** Decides every TARGETED row of the campaign; returns how many. */
async function decideAll(deps: FanOutDeps, campaignId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deps.ds.transaction(async (tx) => {
      const [campaign] = await tx.query(
        `SELECT purpose, channels::text[] AS channels, control_percent AS "controlPercent",
                started_at AS "startedAt", status
           FROM campaign WHERE id = $1`,
        [campaignId],
      );
      if (campaign.status !== CampaignStatus.SENDING) return 0;
      const batch = await lockTargetedBatch(tx, campaignId, DECIDE_BATCH);
      if (!batch.length) return 0;
      const ids = batch.flatMap((r) => (r.customerId ? [r.customerId] : []));
      const people = new Map((await recipients(tx, ids)).map((r) => [r.id, r]));
      const ledger = new Map<string, LedgerEntry[]>();
      for (const row of await latestConsentRows(tx, ids)) {
        const list = ledger.get(row.customerId) ?? [];
        list.push(row);
        ledger.set(row.customerId, list);
      }
      const since = new Date(Date.now() - deps.settings.cap.days * 86_400_000);
      const recent =
        campaign.purpose === CampaignPurpose.MARKETING
          ? await recentMarketing(tx, ids, since)
          : new Map<string, number>();
      const decisions: Decision[] = batch.map((row) => {
        const person = row.customerId ? people.get(row.customerId) : undefined;
        if (!person) {
          return {
            id: row.id,
            status: NotificationStatus.SUPPRESSED,
            channel: null,
            reason: SuppressionReason.CUSTOMER_ERASED,
          };
        }
        const verdict = chooseChannel(
          campaign.purpose,
          campaign.channels,
          currentConsents(ledger.get(person.id) ?? []),
          person,
          campaign.startedAt,
        );
        if (!verdict.ok) {
          return {
            id: row.id,
            status: NotificationStatus.SUPPRESSED,
            channel: null,
            reason: verdict.reason,
          };
        }
        if (
          campaign.purpose === CampaignPurpose.MARKETING &&
          (recent.get(person.id) ?? 0) >= deps.settings.cap.messages
        ) {
          return {
            id: row.id,
            status: NotificationStatus.SUPPRESSED,
            channel: verdict.channel,
            reason: SuppressionReason.FREQUENCY_CAP,
          };
        }
        const control = inControlGroup(campaignId, person.id, campaign.controlPercent);
        return {
          id: row.id,
          status: control ? NotificationStatus.CONTROL : NotificationStatus.PENDING,
          channel: verdict.channel,
          reason: null,
        };
      });
      await applyDecisions(tx, decisions);
      return decisions.length;
    });
    if (!n) return total;
    total += n;
  }
}
