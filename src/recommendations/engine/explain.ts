import type { ActivityType } from '../../activity/activity.enums';
import type { InterestVector } from './profile';
import type { BlendWeights, ResolvedOptions } from './recommend-options';
import type { LocalGroups } from './recommend';
import type { CustomerProfile, Reason, RecommendationModel } from './types';

/** Every scaled signal of one scored title, as the blend saw it. */
export interface ScoredItem {
  item: number;
  collaborative: number;
  /** The history title that contributed most to `collaborative`, or -1. */
  bestSource: number;
  interest: number;
  popularInInterest: number;
  globalPopularity: number;
  branchPopularity: number | undefined;
  audiencePopularity: number | undefined;
  popularity: number;
  trending: number;
  newArrival: number;
  onShelf: boolean;
  score: number;
}

/** The interest vector as laid out in the serving scratch arrays. */
export interface InterestLookup {
  featureStamp: Int32Array;
  featureWeight: Float64Array;
  featureSlot: Int32Array;
  epoch: number;
}

interface Part {
  value: number;
  reason: (share: number) => Reason;
}

/**
 * Reasons for one suggestion: each blended signal becomes a candidate reason worth its share of
 * the score; the largest always appears, others when they explain at least `reasonShare`, up to
 * `maxReasons`. A copy on the home-branch shelf is added as a fact when there is room.
 */
export function explain(
  model: RecommendationModel,
  scored: ScoredItem,
  weights: BlendWeights,
  vector: InterestVector,
  local: LocalGroups,
  activityOf: ReadonlyMap<number, ActivityType>,
  profile: CustomerProfile,
  opts: ResolvedOptions,
  lookup: InterestLookup,
): Reason[] {
  const parts: Part[] = [];
  const source = scored.bestSource;
  const activity = source >= 0 ? activityOf.get(source) : undefined;
  if (activity !== undefined) {
    parts.push({
      value: weights.collaborative * scored.collaborative,
      reason: (share) => ({ kind: 'BORROWED_SIMILAR', itemIndex: source, activity, share }),
    });
  }
  const interestReason = bestInterestReason(model, scored.item, vector, lookup);
  if (interestReason) {
    parts.push({
      value:
        weights.interest * scored.interest + weights.popularInInterest * scored.popularInInterest,
      reason: interestReason,
    });
  }
  parts.push(popularityPart(scored, weights.popularity, opts.localPopularityShare, local));
  parts.push({
    value: weights.trending * scored.trending,
    reason: (share) => ({ kind: 'TRENDING', share }),
  });
  parts.push({
    value: weights.newArrival * scored.newArrival,
    reason: (share) => ({ kind: 'NEW_ARRIVAL', share }),
  });

  const total = parts.reduce((sum, part) => sum + Math.max(0, part.value), 0);
  const ranked = parts
    .map((part, order) => ({ ...part, order }))
    .filter((part) => part.value > 0)
    .sort((a, b) => b.value - a.value || a.order - b.order);
  const reasons: Reason[] = [];
  for (const part of ranked) {
    const share = total > 0 ? part.value / total : 0;
    if (reasons.length > 0 && (share < opts.reasonShare || reasons.length >= opts.maxReasons)) {
      break;
    }
    reasons.push(part.reason(roundShare(share)));
  }
  if (reasons.length === 0) reasons.push({ kind: 'POPULAR', share: 1 });
  if (scored.onShelf && profile.homeBranch !== undefined && reasons.length < opts.maxReasons) {
    const boost = opts.availabilityBoost;
    reasons.push({
      kind: 'AVAILABLE_AT_BRANCH',
      branchIndex: profile.homeBranch,
      share: roundShare(boost > 1 ? (boost - 1) / boost : 0),
    });
  }
  return reasons;
}

/** The reason for the title's strongest matching interest feature, worded by its source. */
function bestInterestReason(
  model: RecommendationModel,
  item: number,
  vector: InterestVector,
  lookup: InterestLookup,
): ((share: number) => Reason) | undefined {
  const { features } = model;
  let best = -1;
  let bestValue = 0;
  for (let p = features.itemOffsets[item]; p < features.itemOffsets[item + 1]; p++) {
    const feature = features.itemFeatures[p];
    if (lookup.featureStamp[feature] !== lookup.epoch) continue;
    const value = lookup.featureWeight[feature] * features.idf[feature] ** 2;
    if (value > bestValue) {
      bestValue = value;
      best = feature;
    }
  }
  if (best === -1) return undefined;
  const source = vector.sources[lookup.featureSlot[best]];
  const label = features.labels[best];
  switch (source.source) {
    case 'DECLARED':
      return (share) => ({
        kind: 'INTEREST',
        interestKind: source.kind,
        interestLabel: source.label,
        declared: true,
        share,
      });
    case 'EVENT':
      return (share) => ({
        kind: 'ATTENDED_EVENT',
        eventIndex: source.eventIndex,
        interestLabel: label,
        share,
      });
    default:
      return (share) => ({
        kind: 'INTEREST',
        interestKind: features.kinds[best],
        interestLabel: label,
        declared: false,
        share,
      });
  }
}

/** The popularity part, credited to the branch, the audience group or the whole library. */
function popularityPart(
  scored: ScoredItem,
  weight: number,
  localShare: number,
  local: LocalGroups,
): Part {
  const value = weight * scored.popularity;
  const localCount =
    (scored.branchPopularity === undefined ? 0 : 1) +
    (scored.audiencePopularity === undefined ? 0 : 1);
  const globalPart =
    localCount === 0 ? scored.globalPopularity : (1 - localShare) * scored.globalPopularity;
  const branchPart =
    localCount > 0 ? (localShare * (scored.branchPopularity ?? 0)) / localCount : 0;
  const audiencePart =
    localCount > 0 ? (localShare * (scored.audiencePopularity ?? 0)) / localCount : 0;
  if (local.branch && branchPart >= globalPart && branchPart >= audiencePart) {
    const branchIndex = local.branch.index;
    return { value, reason: (share) => ({ kind: 'POPULAR_AT_BRANCH', branchIndex, share }) };
  }
  if (local.audience && audiencePart > globalPart) {
    const audience = local.audience.group;
    return { value, reason: (share) => ({ kind: 'POPULAR_WITH_AUDIENCE', audience, share }) };
  }
  return { value, reason: (share) => ({ kind: 'POPULAR', share }) };
}

function roundShare(share: number): number {
  return Math.round(share * 1000) / 1000;
}
