import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DomainError, ErrorCode, type FieldProblem, problemsFromZod } from '../../common/errors';
import { ConsentChannel } from '../../consent/consent.enums';
import { parseSegmentFilter, type SegmentFilter } from '../segments/segment-filter';
import {
  type ParsedTemplate,
  parseTemplates,
  type TemplateTexts,
  usesRecommendations,
} from '../templates/template';
import { CampaignPurpose, CampaignStatus } from './campaign.enums';

/**
 * The campaign rules as plain functions: what a valid campaign is, which lifecycle moves are
 * allowed, and who is held back as the control group.
 */

/** Channels a transport exists for. POST is a consent channel, but letters are not sent here. */
export const SENDABLE_CHANNELS: readonly ConsentChannel[] = [
  ConsentChannel.EMAIL,
  ConsentChannel.SMS,
  ConsentChannel.APP,
];

export const MAX_CONTROL_PERCENT = 50;

/** Lifecycle moves, from → allowed next states. */
const TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  [CampaignStatus.DRAFT]: [CampaignStatus.SCHEDULED, CampaignStatus.CANCELLED],
  [CampaignStatus.SCHEDULED]: [
    CampaignStatus.SCHEDULED,
    CampaignStatus.DRAFT,
    CampaignStatus.SENDING,
    CampaignStatus.CANCELLED,
  ],
  [CampaignStatus.SENDING]: [CampaignStatus.SENT, CampaignStatus.CANCELLED],
  [CampaignStatus.SENT]: [],
  [CampaignStatus.CANCELLED]: [],
};

export function canMove(from: CampaignStatus, to: CampaignStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** INVALID_TRANSITION, saying what the campaign is and what was asked. */
export function invalidTransition(from: CampaignStatus, to: CampaignStatus): DomainError {
  const allowed = TRANSITIONS[from];
  return new DomainError(
    ErrorCode.INVALID_TRANSITION,
    `A ${from} campaign cannot become ${to}` +
      (allowed.length ? ` (it can become ${allowed.join(' or ')})` : ' (it is finished)'),
    [{ field: 'status', rule: 'transition', message: `${from} → ${to} is not allowed` }],
  );
}

export function assertMove(from: CampaignStatus, to: CampaignStatus): void {
  if (!canMove(from, to)) throw invalidTransition(from, to);
}

/** Only drafts can be changed; anything later would change a message already promised. */
export function assertEditable(status: CampaignStatus): void {
  if (status !== CampaignStatus.DRAFT) {
    throw new DomainError(
      ErrorCode.INVALID_TRANSITION,
      `Only a DRAFT campaign can be changed; this one is ${status}` +
        (status === CampaignStatus.SCHEDULED ? ' (unschedule it first)' : ''),
      [{ field: 'status', rule: 'editable', message: `a ${status} campaign cannot be changed` }],
    );
  }
}

/** A campaign as created or changed, after validation. */
export interface CampaignDraft {
  name: string;
  purpose: CampaignPurpose;
  /** In order of preference: each customer gets one message, on the first that reaches them. */
  channels: ConsentChannel[];
  segmentId: string | null;
  filter: SegmentFilter | null;
  template: TemplateTexts;
  controlPercent: number;
}

export interface ValidatedCampaign {
  draft: CampaignDraft;
  parsed: ParsedTemplate;
}

const draftSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  purpose: z.enum(CampaignPurpose),
  channels: z
    .array(z.enum(ConsentChannel))
    .min(1, 'must name at least one channel')
    .max(4, 'must have at most 4 channels'),
  segmentId: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'must be an id issued by this API')
    .nullish(),
  filter: z.unknown().optional(),
  template: z.strictObject({
    subject: z.string(),
    body: z.string(),
    shortBody: z.string().nullish(),
  }),
  controlPercent: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(MAX_CONTROL_PERCENT, `must be at most ${MAX_CONTROL_PERCENT}`)
    .optional(),
});

/**
 * Validates a campaign: every broken rule is collected and reported together, each named by
 * its field (`input.channels`, `input.template.body`, `input.filter.or.0.kinds`, ...).
 * `configured` is the set of channels this deployment can send on.
 */
export function validateCampaign(
  input: unknown,
  configured: ReadonlySet<ConsentChannel>,
  opts: { prefix?: string; audience?: boolean } = {},
): ValidatedCampaign {
  const prefix = opts.prefix ?? 'input';
  const stripped = input && typeof input === 'object' ? dropNulls(input) : input;
  const parsed = draftSchema.safeParse(stripped);
  if (!parsed.success) throw badInput(problemsFromZod(parsed.error, prefix));
  const v = parsed.data;
  const problems: FieldProblem[] = [];
  const channels = v.channels;
  if (new Set(channels).size !== channels.length) {
    problems.push({
      field: `${prefix}.channels`,
      rule: 'duplicate',
      message: 'names a channel twice',
    });
  }
  for (const channel of new Set(channels)) {
    if (!SENDABLE_CHANNELS.includes(channel)) {
      problems.push({
        field: `${prefix}.channels`,
        rule: 'unsupported_channel',
        message: `${channel} cannot be sent from here (use ${SENDABLE_CHANNELS.join(', ')})`,
      });
    } else if (!configured.has(channel)) {
      problems.push({
        field: `${prefix}.channels`,
        rule: 'channel_not_configured',
        message: `${channel} is not set up on this server (${channelSetting(channel)} is not set)`,
      });
    }
  }
  let filter: SegmentFilter | null = null;
  const hasSegment = v.segmentId != null;
  const hasFilter = v.filter !== undefined;
  if (opts.audience === false) {
    // Checking the message alone (a preview): the audience is not looked at.
  } else if (hasSegment === hasFilter) {
    problems.push({
      field: `${prefix}.segmentId`,
      rule: 'audience',
      message: 'give either segmentId (a saved segment) or filter (an inline one), not both',
    });
  } else if (hasFilter) {
    try {
      filter = parseSegmentFilter(v.filter, `${prefix}.filter`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      problems.push(...err.problems);
    }
  }
  const texts: TemplateTexts = {
    subject: v.template.subject,
    body: v.template.body,
    shortBody: v.template.shortBody ?? null,
  };
  const { template, problems: templateProblems } = parseTemplates(texts, `${prefix}.template`);
  problems.push(...templateProblems);
  const short = channels.filter((c) => c === ConsentChannel.SMS || c === ConsentChannel.APP);
  if (short.length && texts.shortBody === null) {
    problems.push({
      field: `${prefix}.template.shortBody`,
      rule: 'required',
      message: `is required for ${short.join(' and ')}, which carry a short text`,
    });
  }
  // Suggestions come from profiling what someone borrowed: that is promotion, not information
  // about the library's services, and needs the customer's agreement to marketing.
  if (v.purpose === CampaignPurpose.SERVICE_INFORMATION && usesRecommendations(template)) {
    problems.push({
      field: `${prefix}.purpose`,
      rule: 'personalised_service_information',
      message:
        'SERVICE_INFORMATION messages cannot carry personal suggestions; use purpose MARKETING',
    });
  }
  if (problems.length) throw badInput(problems);
  return {
    draft: {
      name: v.name,
      purpose: v.purpose,
      channels,
      segmentId: v.segmentId ?? null,
      filter,
      template: texts,
      controlPercent: v.controlPercent ?? 0,
    },
    parsed: template,
  };
}

/** The environment variable that turns a channel on. */
export function channelSetting(channel: ConsentChannel): string {
  switch (channel) {
    case ConsentChannel.EMAIL:
      return 'SMTP_URL';
    case ConsentChannel.SMS:
      return 'SMS_WEBHOOK_URL';
    case ConsentChannel.APP:
      return 'APP_WEBHOOK_URL';
    default:
      return 'nothing';
  }
}

function dropNulls(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

export function badInput(problems: FieldProblem[]): DomainError {
  return new DomainError(
    ErrorCode.BAD_USER_INPUT,
    problems.map((p) => `${p.field}: ${p.message}`).join('; '),
    problems,
  );
}

/**
 * Where a customer falls among 10,000 buckets for a campaign: a hash of the two ids, so the
 * split is the same every time it is computed and independent between campaigns.
 */
export function controlBucket(campaignId: string, customerId: string): number {
  const digest = createHash('md5').update(`${campaignId}:${customerId}`).digest();
  return digest.readUInt32BE(0) % 10_000;
}

/** Whether the customer is held back from this campaign (percent 0–50, in hundredths). */
export function inControlGroup(campaignId: string, customerId: string, percent: number): boolean {
  return controlBucket(campaignId, customerId) < Math.round(percent * 100);
}
