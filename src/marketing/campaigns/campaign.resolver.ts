import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import { Role } from '../../auth/role';
import { ConsentChannel } from '../../consent/consent.enums';
import type { GraphQLContext } from '../../graphql/context';
import { authorOf, MARKETERS } from '../segments/segment.resolver';
import { Segment } from '../segments/segment.types';
import { CampaignPurpose, CampaignStatus } from './campaign.enums';
import type { CampaignRow } from './campaign.repository';
import { DEFAULT_UPLIFT_DAYS } from './campaign.service';
import {
  Campaign,
  CampaignInput,
  CampaignResults,
  CampaignUpdateInput,
  MessagePreview,
  MessageTemplate,
  MessageTemplateInput,
} from './campaign.types';

/** Managers read campaigns and their results; marketing staff (and admins) do everything. */
const READERS = [...MARKETERS, Role.MANAGER];

const upliftDaysArg = {
  nullable: true,
  defaultValue: DEFAULT_UPLIFT_DAYS,
  description: 'Days after sending started in which activity counts (1 to 365).',
};
const thresholdArg = {
  nullable: true,
  description: 'May raise the configured disclosure threshold, never lower it.',
};

@Resolver(() => Campaign)
export class CampaignResolver {
  @Authorized(...READERS)
  @Query(() => [Campaign], { description: 'Campaigns, newest first.' })
  campaigns(
    @Ctx() ctx: GraphQLContext,
    @Arg('statuses', () => [CampaignStatus], { nullable: true }) statuses?: CampaignStatus[],
    @Arg('first', () => Int, { nullable: true, defaultValue: 50, description: '1 to 100.' })
    first = 50,
  ) {
    return ctx.services.marketing.campaigns.list(statuses ?? null, first);
  }

  @Authorized(...READERS)
  @Query(() => Campaign, { description: 'One campaign (NOT_FOUND when there is none).' })
  campaign(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.services.marketing.campaigns.get(id);
  }

  @Authorized(...READERS)
  @Query(() => CampaignResults, {
    description:
      'What a campaign did: targeted, control group, sent, failed, suppressed by reason, ' +
      'opened, clicked, and uplift against the control group.',
  })
  campaignResults(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('upliftDays', () => Int, upliftDaysArg) upliftDays: number,
    @Arg('threshold', () => Int, thresholdArg) threshold?: number,
  ) {
    return ctx.services.marketing.campaigns.results(id, upliftDays, threshold);
  }

  @Authorized(...MARKETERS)
  @Query(() => MessagePreview, {
    description:
      'A saved campaign’s message on one of its channels (default: its first), rendered for ' +
      'an invented customer: no real customer’s data is ever shown.',
  })
  campaignMessagePreview(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('channel', () => ConsentChannel, { nullable: true }) channel?: ConsentChannel,
  ) {
    return ctx.services.marketing.campaigns.previewCampaign(id, channel);
  }

  @Authorized(...MARKETERS)
  @Query(() => MessagePreview, {
    description: 'An unsaved template rendered for an invented customer, to check it reads well.',
  })
  messagePreview(
    @Ctx() ctx: GraphQLContext,
    @Arg('template', () => MessageTemplateInput) template: MessageTemplateInput,
    @Arg('purpose', () => CampaignPurpose) purpose: CampaignPurpose,
    @Arg('channel', () => ConsentChannel) channel: ConsentChannel,
  ) {
    return ctx.services.marketing.campaigns.previewMessage(
      { name: 'preview', purpose, template },
      channel,
    );
  }

  @Authorized(...MARKETERS)
  @Mutation(() => Campaign, { description: 'Creates a DRAFT campaign.' })
  async createCampaign(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CampaignInput) input: CampaignInput,
  ) {
    const row = await ctx.services.marketing.campaigns.create(input, authorOf(ctx));
    audit(ctx, 'campaign.create', row);
    return row;
  }

  @Authorized(...MARKETERS)
  @Mutation(() => Campaign, {
    description: 'Changes a DRAFT campaign (INVALID_TRANSITION for any other status).',
  })
  async updateCampaign(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => CampaignUpdateInput) input: CampaignUpdateInput,
  ) {
    const row = await ctx.services.marketing.campaigns.update(id, input);
    audit(ctx, 'campaign.update', row);
    return row;
  }

  @Authorized(...MARKETERS)
  @Mutation(() => Campaign, {
    description:
      'DRAFT → SCHEDULED (or moves a SCHEDULED one): sends at `at`, or now when left out. ' +
      'The campaign is checked again first; INVALID_TRANSITION from any other status.',
  })
  async scheduleCampaign(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('at', () => Date, { nullable: true }) at?: Date,
  ) {
    const row = await ctx.services.marketing.campaigns.schedule(id, at);
    audit(ctx, 'campaign.schedule', row, { at: row.scheduledAt });
    return row;
  }

  @Authorized(...MARKETERS)
  @Mutation(() => Campaign, { description: 'SCHEDULED → DRAFT, so it can be changed.' })
  async unscheduleCampaign(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    const row = await ctx.services.marketing.campaigns.unschedule(id);
    audit(ctx, 'campaign.unschedule', row);
    return row;
  }

  @Authorized(...MARKETERS)
  @Mutation(() => Campaign, {
    description:
      'Cancels a DRAFT, SCHEDULED or SENDING campaign. Messages not yet handed to a channel ' +
      'are suppressed at once (CAMPAIGN_CANCELLED).',
  })
  async cancelCampaign(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    const row = await ctx.services.marketing.campaigns.cancel(id);
    audit(ctx, 'campaign.cancel', row);
    return row;
  }

  @FieldResolver(() => Segment, {
    nullable: true,
    description: 'The saved segment it sends to (null for an inline filter).',
  })
  segment(@Root() c: CampaignRow, @Ctx() ctx: GraphQLContext) {
    return c.segmentId ? ctx.services.marketing.segments.get(c.segmentId) : null;
  }

  @FieldResolver(() => MessageTemplate)
  template(@Root() c: CampaignRow): MessageTemplate {
    return { subject: c.subject, body: c.body, shortBody: c.shortBody };
  }

  @FieldResolver(() => CampaignResults, { description: 'Same as campaignResults(id).' })
  results(
    @Root() c: CampaignRow,
    @Ctx() ctx: GraphQLContext,
    @Arg('upliftDays', () => Int, upliftDaysArg) upliftDays: number,
  ) {
    return ctx.services.marketing.campaigns.results(c.id, upliftDays);
  }
}

function audit(
  ctx: GraphQLContext,
  action: string,
  row: CampaignRow,
  details: Record<string, unknown> = {},
) {
  ctx.audit.push({
    action,
    targetType: 'campaign',
    targetId: row.id,
    details: { status: row.status, ...details },
  });
}
