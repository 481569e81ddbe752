import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Role } from '../../auth/role';
import type { GraphQLContext } from '../../graphql/context';
import {
  Segment,
  SegmentFilterInput,
  SegmentInput,
  SegmentPreview,
  SegmentUpdateInput,
} from './segment.types';

/** Roles that build segments and campaigns. */
export const MARKETERS = [Role.MARKETING, Role.ADMIN] as const;

/** Staff name (or token subject) recorded as the author of segments and campaigns. */
export function authorOf(ctx: GraphQLContext): string {
  return ctx.actor?.staffName ?? ctx.actor?.subject ?? 'unknown';
}

/** Saved segments and previews: counts only, never a customer. */
@Authorized(...MARKETERS)
@Resolver(() => Segment)
export class SegmentResolver {
  @Query(() => [Segment], { description: 'Every saved segment, by name.' })
  segments(@Ctx() ctx: GraphQLContext) {
    return ctx.services.marketing.segments.list();
  }

  @Query(() => Segment, { description: 'One saved segment (NOT_FOUND when there is none).' })
  segment(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    return ctx.services.marketing.segments.get(id);
  }

  @Query(() => SegmentPreview, {
    description:
      'How many customers a segment holds now, and how many each channel can reach, for a ' +
      'saved segment (segmentId) or an unsaved filter. Counts under the disclosure threshold ' +
      'come back null. Every preview is recorded in the audit trail with its filter.',
  })
  async segmentPreview(
    @Ctx() ctx: GraphQLContext,
    @Arg('segmentId', () => ID, { nullable: true }) segmentId?: string,
    @Arg('filter', () => SegmentFilterInput, { nullable: true }) filter?: SegmentFilterInput,
    @Arg('threshold', () => Int, {
      nullable: true,
      description: 'May raise the configured disclosure threshold, never lower it.',
    })
    threshold?: number,
  ) {
    const preview = await ctx.services.marketing.segments.preview({ segmentId, filter, threshold });
    ctx.audit.push({
      action: 'segment.preview',
      targetType: 'segment',
      targetId: segmentId ?? null,
      details: segmentId ? {} : { filter: JSON.parse(JSON.stringify(filter)) },
    });
    return preview;
  }

  @Mutation(() => Segment, { description: 'Saves a segment under a unique name.' })
  async createSegment(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => SegmentInput) input: SegmentInput,
  ) {
    const segment = await ctx.services.marketing.segments.create(input, authorOf(ctx));
    ctx.audit.push({ action: 'segment.create', targetType: 'segment', targetId: segment.id });
    return segment;
  }

  @Mutation(() => Segment, { description: 'Changes a saved segment.' })
  async updateSegment(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => SegmentUpdateInput) input: SegmentUpdateInput,
  ) {
    const segment = await ctx.services.marketing.segments.update(id, input);
    ctx.audit.push({ action: 'segment.update', targetType: 'segment', targetId: segment.id });
    return segment;
  }

  @Mutation(() => Boolean, {
    description:
      'Deletes a saved segment. CONFLICT while a DRAFT or SCHEDULED campaign uses it; campaigns ' +
      'that already sent keep the filter they used.',
  })
  async deleteSegment(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string) {
    const deleted = await ctx.services.marketing.segments.delete(id);
    ctx.audit.push({ action: 'segment.delete', targetType: 'segment', targetId: id });
    return deleted;
  }
}
