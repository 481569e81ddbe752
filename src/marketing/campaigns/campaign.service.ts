import type { DataSource, EntityManager } from 'typeorm';
import { enqueue } from '../../outbox/outbox';
import { DomainError } from '../../common/errors';
import { assertId } from '../../common/ids';
import { type Logger } from '../../common/logger';
import { ConsentChannel } from '../../consent/consent.enums';
import { effectiveThreshold } from '../../insights/disclosure';
import type { RecommendationService } from '../../recommendations/recommendation.service';
import { composeMessage, type ComposedMessage } from '../channels/message';
import type { MarketingQueue } from '../delivery/delivery.queue';
import { parseSegmentFilter } from '../segments/segment-filter';
import type { SegmentService } from '../segments/segment.service';
import { MAX_TITLES, SAMPLE_CUSTOMER, titlesNeeded } from '../templates/template';
import { sampleTitles } from '../templates/titles';
import { type CampaignPurpose, CampaignStatus, SuppressionReason } from './campaign.enums';
import { assertEditable, assertMove, badInput, validateCampaign } from './campaign.rules';
import {
  type CampaignRow,
  findCampaign,
  groupActivity,
  insertCampaign,
  listCampaigns,
  lockCampaign,
  setCampaignStatus,
  statusCounts,
  suppressUnsent,
  updateCampaignDraft,
} from './campaign.repository';
import { type CampaignResultsShape, shapeResults, shapeUplift } from './campaign.results';

export interface CampaignServiceOptions {
  /** Channels this deployment can send on (a transport is configured). */
  configuredChannels: ReadonlySet<ConsentChannel>;
  disclosureThreshold: number;
  log: Logger;
}

export const DEFAULT_UPLIFT_DAYS = 14;
export const MAX_UPLIFT_DAYS = 365;
/** How far ahead a campaign may be scheduled. */
const MAX_SCHEDULE_DAYS = 366;

/** A campaign as a client writes it; `filter` is a SegmentFilter-shaped object. */
export interface CampaignInputLike {
  name?: string | null;
  purpose?: CampaignPurpose | null;
  channels?: ConsentChannel[] | null;
  segmentId?: string | null;
  filter?: unknown;
  template?: { subject?: string | null; body?: string | null; shortBody?: string | null } | null;
  controlPercent?: number | null;
}

export interface MessagePreviewResult extends ComposedMessage {
  channel: ConsentChannel;
  /** Says that the customer and titles are invented. */
  note: string;
}

/**
 * Campaigns: create and change drafts, move them through their lifecycle, preview their
 * message, and read their results. Sending is the workers' (src/marketing/delivery).
 */
export class CampaignService {
  constructor(
    private readonly ds: DataSource,
    private readonly segments: SegmentService,
    private readonly queue: MarketingQueue,
    private readonly recommendations: Pick<RecommendationService, 'popular'>,
    private readonly options: CampaignServiceOptions,
  ) {}

  list(statuses: CampaignStatus[] | null, first: number): Promise<CampaignRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw DomainError.badInput('first', 'range', 'must be between 1 and 100');
    }
    return listCampaigns(this.ds, statuses?.length ? statuses : null, first);
  }

  async get(id: string): Promise<CampaignRow> {
    const row = await findCampaign(this.ds, assertId(id, 'id'));
    if (!row) throw DomainError.notFound('Campaign', id);
    return row;
  }

  /** Validates everything, including that the segment and every id in the filter exist. */
  private async validate(input: CampaignInputLike, db: DataSource | EntityManager) {
    const valid = validateCampaign(input, this.options.configuredChannels);
    const { draft } = valid;
    if (draft.segmentId) {
      const [found] = await db.query('SELECT 1 FROM segment WHERE id = $1', [draft.segmentId]);
      if (!found) {
        throw badInput([
          {
            field: 'input.segmentId',
            rule: 'unknown_id',
            message: `no segment ${draft.segmentId}`,
          },
        ]);
      }
    }
    if (draft.filter) await this.segments.validFilter(draft.filter, 'input.filter', db);
    return valid;
  }

  /** A new DRAFT. Nothing is stored unless every rule holds. */
  async create(input: CampaignInputLike, createdBy: string): Promise<CampaignRow> {
    const { draft, parsed } = await this.validate(input, this.ds);
    const row = await insertCampaign(this.ds, draft, parsed.links, createdBy);
    this.options.log.info({ event: 'campaign.created', campaignId: row.id });
    return row;
  }

  /** Changes a DRAFT; fields left out keep their values. */
  async update(id: string, input: CampaignInputLike): Promise<CampaignRow> {
    assertId(id, 'id');
    return this.ds.transaction(async (tx) => {
      const current = await this.locked(tx, id);
      assertEditable(current.status);
      const audienceGiven = input.segmentId != null || input.filter != null;
      const merged: CampaignInputLike = {
        name: input.name ?? current.name,
        purpose: input.purpose ?? current.purpose,
        channels: input.channels ?? current.channels,
        segmentId: audienceGiven ? input.segmentId : current.segmentId,
        filter: audienceGiven ? input.filter : (current.filter ?? undefined),
        template: {
          subject: input.template?.subject ?? current.subject,
          body: input.template?.body ?? current.body,
          shortBody:
            input.template && input.template.shortBody !== undefined
              ? input.template.shortBody
              : current.shortBody,
        },
        controlPercent: input.controlPercent ?? current.controlPercent,
      };
      const { draft, parsed } = await this.validate(merged, tx);
      return updateCampaignDraft(tx, current.id, draft, parsed.links);
    });
  }

  /**
   * DRAFT (or SCHEDULED, to move it) → SCHEDULED, to start at `at` (now when left out or
   * past). The rules are checked again — a channel may have been switched off since — and
   * the start job is written to the outbox in the same transaction, so it is queued once the
   * change commits even if Redis is down at that moment (the minute sweep is a second net).
   */
  async schedule(id: string, at: Date | null | undefined, now = new Date()): Promise<CampaignRow> {
    assertId(id, 'id');
    if (at && Number.isNaN(at.getTime())) throw DomainError.badInput('at', 'date', 'not a date');
    if (at && at.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) {
      throw DomainError.badInput('at', 'too_far', `must be within ${MAX_SCHEDULE_DAYS} days`);
    }
    const when = at && at > now ? at : now;
    const row = await this.ds.transaction(async (tx) => {
      const current = await this.locked(tx, id);
      assertMove(current.status, CampaignStatus.SCHEDULED);
      await this.validate(rowInput(current), tx);
      const scheduled = await setCampaignStatus(tx, current.id, CampaignStatus.SCHEDULED, {
        scheduledAt: when,
      });
      await enqueue(tx, this.queue.startMessage(scheduled.id, when, now));
      return scheduled;
    });
    this.options.log.info({ event: 'campaign.scheduled', campaignId: row.id, at: when });
    return row;
  }

  /** SCHEDULED → DRAFT, so it can be changed; the queued start finds nothing to do. */
  async unschedule(id: string): Promise<CampaignRow> {
    assertId(id, 'id');
    return this.ds.transaction(async (tx) => {
      const current = await this.locked(tx, id);
      assertMove(current.status, CampaignStatus.DRAFT);
      return setCampaignStatus(tx, current.id, CampaignStatus.DRAFT, { scheduledAt: null });
    });
  }

  /**
   * Cancels a campaign that has not finished. Messages not yet handed to a channel are
   * suppressed (CAMPAIGN_CANCELLED) in the same transaction; one a worker is sending at that
   * moment still goes.
   */
  async cancel(id: string): Promise<CampaignRow> {
    assertId(id, 'id');
    const { row, suppressed } = await this.ds.transaction(async (tx) => {
      const current = await this.locked(tx, id);
      assertMove(current.status, CampaignStatus.CANCELLED);
      const updated = await setCampaignStatus(tx, current.id, CampaignStatus.CANCELLED, {
        cancelled: true,
      });
      const n = await suppressUnsent(tx, current.id, SuppressionReason.CAMPAIGN_CANCELLED);
      return { row: updated, suppressed: n };
    });
    this.options.log.info({ event: 'campaign.cancelled', campaignId: row.id, suppressed });
    return row;
  }

  /**
   * Results with disclosure control; uplift compares recipients with the control group over
   * the `upliftDays` days from when sending started.
   */
  async results(
    id: string,
    upliftDays = DEFAULT_UPLIFT_DAYS,
    threshold?: number | null,
    now = new Date(),
  ): Promise<CampaignResultsShape> {
    const campaign = await this.get(id);
    if (!Number.isInteger(upliftDays) || upliftDays < 1 || upliftDays > MAX_UPLIFT_DAYS) {
      throw DomainError.badInput('upliftDays', 'range', `must be between 1 and ${MAX_UPLIFT_DAYS}`);
    }
    const limit = effectiveThreshold(this.options.disclosureThreshold, threshold);
    const start = campaign.startedAt;
    const end = start ? new Date(start.getTime() + upliftDays * 86_400_000) : null;
    const groups = start && end ? await groupActivity(this.ds, campaign.id, start, end) : null;
    const uplift = shapeUplift(upliftDays, { start, end, now }, groups, limit);
    return shapeResults(await statusCounts(this.ds, campaign.id), uplift, limit);
  }

  /** How a campaign's message reads on a channel, for a fictional customer. */
  async previewCampaign(id: string, channel?: ConsentChannel | null) {
    const c = await this.get(id);
    return this.previewMessage(rowInput(c), channel ?? c.channels[0]);
  }

  /**
   * Renders a template for an invented customer ("Alex Sample") with titles from the
   * library-wide popular list: what the message looks like, without anyone's personal data.
   * Links stay as written; the unsubscribe link is a stand-in.
   */
  async previewMessage(
    input: CampaignInputLike,
    channel: ConsentChannel,
  ): Promise<MessagePreviewResult> {
    // The preview never evaluates the audience, so only the message itself is checked.
    const { draft, parsed } = validateCampaign(
      { ...input, channels: [channel] },
      new Set([channel]),
      {
        audience: false,
      },
    );
    const titles = await sampleTitles(
      this.ds,
      this.recommendations,
      Math.min(Math.max(titlesNeeded(parsed), 1), MAX_TITLES),
    );
    const message = composeMessage({
      channel,
      purpose: draft.purpose,
      template: parsed,
      data: { ...SAMPLE_CUSTOMER, titles },
      links: {
        unsubscribe: 'https://unsubscribe.invalid/preview',
        open: null,
        click: (i) => parsed.links[i],
      },
    });
    return {
      channel,
      ...message,
      note:
        'Rendered for an invented customer, Alex Sample, with titles from the library-wide ' +
        'popular list; each real message is personal and has its own signed links.',
    };
  }

  private async locked(tx: EntityManager, id: string): Promise<CampaignRow> {
    const row = await lockCampaign(tx, id);
    if (!row) throw DomainError.notFound('Campaign', id);
    return row;
  }
}

/** A stored campaign as input again, to re-check it before it is scheduled. */
export function rowInput(c: CampaignRow): CampaignInputLike {
  return {
    name: c.name,
    purpose: c.purpose,
    channels: c.channels,
    segmentId: c.segmentId,
    filter: c.filter ? parseSegmentFilter(c.filter, 'input.filter') : undefined,
    template: { subject: c.subject, body: c.body, shortBody: c.shortBody },
    controlPercent: c.controlPercent,
  };
}
