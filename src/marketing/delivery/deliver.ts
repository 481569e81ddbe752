import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import { type Logger, safeError } from '../../common/logger';
import { latestConsentRows } from '../../consent/consent.repository';
import type { ConsentChannel } from '../../consent/consent.enums';
import { currentConsents } from '../../consent/consent.rules';
import { Customer } from '../../customers/customer.entity';
import type { RecommendationService } from '../../recommendations/recommendation.service';
import type { RecommendationStore } from '../../recommendations/recommendation.store';
import { CampaignStatus, NotificationStatus, SuppressionReason } from '../campaigns/campaign.enums';
import { type CampaignRow, findCampaign } from '../campaigns/campaign.repository';
import { composeMessage } from '../channels/message';
import { type Transport, TransportError } from '../channels/transport';
import type { MarketingSettings } from '../marketing.settings';
import {
  type MessageData,
  type ParsedTemplate,
  parseTemplates,
  titlesNeeded,
  usesRecommendations,
} from '../templates/template';
import { titlesOf } from '../templates/titles';
import { linkUrls } from '../tracking/link-signing';
import type { DeliveryChunk } from './delivery.queue';
import {
  chunkRows,
  type ClaimCustomer,
  completeIfDone,
  lockClaimCustomer,
  markClaimed,
  markFailed,
  markRetry,
  markSent,
  markSuppressed,
  markUnconfirmed,
  messageRow,
  recentMarketing,
} from './delivery.repository';
import { sendDecision } from './eligibility';
import { quietUntil } from './quiet-hours';

/**
 * Sending one chunk of a campaign's messages, one message at a time.
 *
 * Each message moves PENDING → SENDING → SENT in two short transactions around the hand-over:
 *   1. claim: lock the customer row, check the campaign is still sending, the consent, the
 *      address and (MARKETING) the contact cap, then mark the row SENDING with a fresh claim id;
 *   2. hand the message to the channel;
 *   3. record: SENT (or PENDING to retry, FAILED, UNCONFIRMED) where the claim id still matches.
 * A job that finds a row already SENDING knows a worker stopped between 1 and 3. On a channel
 * whose receiver deduplicates by message id (the webhooks) it sends again; on email it marks
 * the row UNCONFIRMED and never sends it again. So no customer gets a campaign twice by email,
 * whatever crashes, and at most the messages in flight when a worker dies are left unknown.
 */

/** A message whose channel failed this many times (with certainty it was not taken) fails. */
export const MAX_MESSAGE_ATTEMPTS = 5;

export interface DeliveryDeps {
  ds: DataSource;
  settings: Pick<MarketingSettings, 'cap' | 'quietHours' | 'linkSecret' | 'publicUrl'>;
  transports: ReadonlyMap<ConsentChannel, Transport>;
  recommendations: Pick<RecommendationService, 'forCustomer'>;
  store: Pick<RecommendationStore, 'get'>;
  limiter: ChannelLimiter;
  log: Logger;
  now?: () => Date;
}

export interface ChunkResult {
  sent: number;
  suppressed: number;
  failed: number;
  unconfirmed: number;
  /** Messages that failed with certainty they were not taken, to be tried again. */
  retry: number;
  /** Quiet hours: stop here and resume then. */
  quietUntil: Date | null;
  campaignSent: boolean;
}

type Outcome = 'SENT' | 'SUPPRESSED' | 'FAILED' | 'UNCONFIRMED' | 'RETRY' | 'SETTLED';

/** Per-channel rate limits shared by every worker (a token bucket in Redis). */
export class ChannelLimiter {
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(redis: Redis, prefix: string, perSecond: Record<string, number>) {
    for (const [channel, points] of Object.entries(perSecond)) {
      this.limiters.set(
        channel,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `${prefix}:marketing-rate`,
          points,
          duration: 1,
        }),
      );
    }
  }

  /** Waits until the channel may send one more message. */
  async take(channel: ConsentChannel): Promise<void> {
    const limiter = this.limiters.get(channel);
    if (!limiter) return;
    for (;;) {
      try {
        await limiter.consume(channel);
        return;
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        await sleep(Math.max(err.msBeforeNext, 5));
      }
    }
  }
}

/** Processes one delivery chunk. `finalAttempt`: messages still failing now fail for good. */
export async function deliverChunk(
  deps: DeliveryDeps,
  chunk: DeliveryChunk,
  opts: { finalAttempt: boolean },
): Promise<ChunkResult> {
  const result: ChunkResult = {
    sent: 0,
    suppressed: 0,
    failed: 0,
    unconfirmed: 0,
    retry: 0,
    quietUntil: null,
    campaignSent: false,
  };
  const campaign = await findCampaign(deps.ds, chunk.campaignId);
  if (!campaign || campaign.status !== CampaignStatus.SENDING) return result;
  const transport = deps.transports.get(chunk.channel);
  if (!transport) {
    // The channel was switched off after the campaign started: the messages wait (and the
    // job retries) until it is back, then fail on the final attempt.
    const ids = await chunkRows(deps.ds, chunk);
    if (opts.finalAttempt) {
      for (const id of ids) await markFailed(deps.ds, id, null, 'CHANNEL_NOT_CONFIGURED');
      result.failed = ids.length;
    } else result.retry = ids.length;
    return result;
  }
  const { template } = parseTemplates(
    { subject: campaign.subject, body: campaign.body, shortBody: campaign.shortBody },
    'campaign',
  );
  const retried: string[] = [];
  for (const id of await chunkRows(deps.ds, chunk)) {
    const now = deps.now?.() ?? new Date();
    const quiet = quietUntil(now, deps.settings.quietHours);
    if (quiet) {
      result.quietUntil = quiet;
      return result;
    }
    await deps.limiter.take(chunk.channel);
    const outcome = await deliverOne(deps, campaign, template, transport, id);
    if (outcome === 'SENT') result.sent++;
    else if (outcome === 'SUPPRESSED') result.suppressed++;
    else if (outcome === 'FAILED') result.failed++;
    else if (outcome === 'UNCONFIRMED') result.unconfirmed++;
    else if (outcome === 'RETRY') retried.push(id);
  }
  if (retried.length && opts.finalAttempt) {
    for (const id of retried) await markFailed(deps.ds, id, null, 'RETRIES_EXHAUSTED');
    result.failed += retried.length;
  } else result.retry = retried.length;
  result.campaignSent = await completeIfDone(deps.ds, campaign.id);
  return result;
}

type Claim =
  | { kind: 'settled'; outcome: Outcome }
  | { kind: 'claimed'; claimId: string; customer: ClaimCustomer; address: string };

/** Claims, sends and records one message. */
async function deliverOne(
  deps: DeliveryDeps,
  campaign: CampaignRow,
  template: ParsedTemplate,
  transport: Transport,
  id: string,
): Promise<Outcome> {
  const claim = await claimMessage(deps, campaign, transport, id);
  if (claim.kind === 'settled') return claim.outcome;
  const { claimId, customer, address } = claim;
  const urls = linkUrls(deps.settings.publicUrl, deps.settings.linkSecret, id);
  let composed;
  try {
    composed = composeMessage({
      channel: transport.channel,
      purpose: campaign.purpose,
      template,
      data: await messageData(deps, customer, template),
      links: urls,
    });
  } catch (err) {
    // Nothing was handed over: the message can wait for the next attempt.
    deps.log.warn({ event: 'marketing.render_failed', notificationId: id, err: safeError(err) });
    await markRetry(deps.ds, id, claimId, 'RENDER_FAILED');
    return 'RETRY';
  }
  try {
    const { providerId } = await transport.send({
      notificationId: id,
      campaignId: campaign.id,
      channel: transport.channel,
      to: address,
      subject: composed.subject,
      text: composed.text,
      html: composed.html,
      unsubscribeUrl: urls.unsubscribe,
    });
    await markSent(deps.ds, id, claimId, providerId);
    return 'SENT';
  } catch (err) {
    const e =
      err instanceof TransportError
        ? err
        : new TransportError('UNKNOWN', 'SEND_ERROR', 'unexpected');
    deps.log.warn({
      event: 'marketing.send_failed',
      notificationId: id,
      channel: transport.channel,
      kind: e.kind,
      code: e.code,
    });
    if (e.kind === 'PERMANENT') {
      await markFailed(deps.ds, id, claimId, e.code);
      return 'FAILED';
    }
    if (e.kind === 'UNKNOWN' && !transport.redeliverySafe) {
      await markUnconfirmed(deps.ds, id, claimId, e.code);
      return 'UNCONFIRMED';
    }
    const [row] = await deps.ds.query('SELECT attempts FROM notification WHERE id = $1', [id]);
    if ((row?.attempts ?? 0) >= MAX_MESSAGE_ATTEMPTS) {
      await markFailed(deps.ds, id, claimId, e.code);
      return 'FAILED';
    }
    await markRetry(deps.ds, id, claimId, e.code);
    return 'RETRY';
  }
}

/**
 * The claim transaction: decide, under the customer's lock, whether this message may go now,
 * and mark it SENDING if so.
 */
async function claimMessage(
  deps: DeliveryDeps,
  campaign: CampaignRow,
  transport: Transport,
  id: string,
): Promise<Claim> {
  return deps.ds.transaction(async (tx): Promise<Claim> => {
    const peek = await messageRow(tx, id);
    if (!peek) return { kind: 'settled', outcome: 'SETTLED' };
    // Lock order, as everywhere: the customer first, then their messages.
    const customer = peek.customerId ? await lockClaimCustomer(tx, peek.customerId) : null;
    const row = await messageRow(tx, id, true);
    if (!row) return { kind: 'settled', outcome: 'SETTLED' };
    if (row.status === NotificationStatus.SENDING && !transport.redeliverySafe) {
      await markUnconfirmed(tx, id, null, 'WORKER_STOPPED');
      deps.log.warn({ event: 'marketing.unconfirmed', notificationId: id });
      return { kind: 'settled', outcome: 'UNCONFIRMED' };
    }
    if (row.status !== NotificationStatus.PENDING && row.status !== NotificationStatus.SENDING) {
      return { kind: 'settled', outcome: 'SETTLED' };
    }
    const [{ status }] = await tx.query('SELECT status FROM campaign WHERE id = $1', [campaign.id]);
    if (status !== CampaignStatus.SENDING) {
      await markSuppressed(tx, id, SuppressionReason.CAMPAIGN_CANCELLED);
      return { kind: 'settled', outcome: 'SUPPRESSED' };
    }
    if (!customer) {
      await markSuppressed(tx, id, SuppressionReason.CUSTOMER_ERASED);
      return { kind: 'settled', outcome: 'SUPPRESSED' };
    }
    const since = new Date(Date.now() - deps.settings.cap.days * 86_400_000);
    const recent = await recentMarketing(tx, [customer.id], since, id);
    const verdict = sendDecision({
      purpose: campaign.purpose,
      channel: row.channel,
      consents: currentConsents(await latestConsentRows(tx, [customer.id])),
      recipient: customer,
      startedAt: campaign.startedAt,
      recentMarketing: recent.get(customer.id) ?? 0,
      cap: deps.settings.cap.messages,
    });
    if (!verdict.ok) {
      await markSuppressed(tx, id, verdict.reason);
      return { kind: 'settled', outcome: 'SUPPRESSED' };
    }
    const claimId = randomUUID();
    await markClaimed(tx, id, claimId, verdict.address);
    return { kind: 'claimed', claimId, customer, address: verdict.address };
  });
}

/**
 * What the template's fields print for this customer. Suggestions come from the same place
 * the catalogue's "recommended for you" does: their cached list, or — before one is computed,
 * or when they chose no personalisation — the popular list for their branch and age group.
 */
async function messageData(
  deps: DeliveryDeps,
  c: ClaimCustomer,
  template: ParsedTemplate,
): Promise<MessageData> {
  let titles: MessageData['titles'] = [];
  if (usesRecommendations(template)) {
    const customer = Object.assign(new Customer(), {
      id: c.id,
      birthYear: c.birthYear,
      homeBranchId: c.homeBranchId,
      recommendationMode: c.recommendationMode,
      status: c.status,
    });
    const cached = await deps.store.get(c.id).catch(() => null);
    const list = await deps.recommendations.forCustomer(
      customer,
      cached,
      Math.max(titlesNeeded(template), 1),
    );
    titles = await titlesOf(
      deps.ds,
      list.items.map((s) => s.itemId),
    );
  }
  return { firstName: c.firstName, lastName: c.lastName, homeBranch: c.homeBranch, titles };
}
