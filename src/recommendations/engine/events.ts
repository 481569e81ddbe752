import { ActivityType } from '../../activity/activity.enums';
import { AccessibilityNeed } from '../../customers/customer.enums';
import type { InterestKind } from '../../interests/interest.enums';
import { featureKey, normaliseLabel } from './features';
import { AUDIENCES_FOR_AGE_BAND, audienceGroupOf } from './rules';
import { decayFactor } from './signals';
import type {
  CustomerProfile,
  EventRecommendation,
  LibraryEvent,
  Reason,
  RecommendationContext,
} from './types';

/** Options for `rankEvents`. */
export interface EventRankOptions {
  limit?: number;
  /** Weight of a topic matching a declared interest. */
  declaredWeight?: number;
  /** Weight of a topic shared with events the customer attended (FULL mode). */
  attendedWeight?: number;
  /** Added for events at the customer's home branch. */
  homeBranchBonus?: number;
  /** Weight of bookings so far, scaled to the most-booked upcoming event. */
  popularityWeight?: number;
  /** Half-life in days of past attendance. */
  attendanceHalfLifeDays?: number;
  /** Multiplier for events whose venue lists its access features without one the customer needs. */
  accessibilityPenalty?: number;
  /** Only events starting within this many days are ranked. */
  horizonDays?: number;
  /** A secondary reason is given only when it explains at least this share of the score. */
  reasonShare?: number;
  maxReasons?: number;
}

/** Defaults for `rankEvents`. */
export const DEFAULT_EVENT_OPTIONS: Required<EventRankOptions> = {
  limit: 10,
  declaredWeight: 1,
  attendedWeight: 0.8,
  homeBranchBonus: 0.2,
  popularityWeight: 0.1,
  attendanceHalfLifeDays: 365,
  accessibilityPenalty: 0.5,
  horizonDays: 90,
  reasonShare: 0.25,
  maxReasons: 3,
};

// Needs that concern the venue, so an event can meet them or not.
const VENUE_NEEDS: readonly AccessibilityNeed[] = [
  AccessibilityNeed.WHEELCHAIR_ACCESS,
  AccessibilityNeed.HEARING_LOOP,
];

/**
 * Matching key of an event topic or interest. Subjects and genres share a namespace, as they do
 * for titles; event types and services get their own.
 */
export function topicKey(kind: InterestKind, label: string): string {
  return featureKey(kind, label) ?? `${kind.toLowerCase()}:${normaliseLabel(label)}`;
}

/**
 * Upcoming events ranked for one customer: topics matching declared interests (not in OFF mode),
 * topics shared with events they attended (FULL mode only), a bonus for their home branch and a
 * little for events others are booking. Leaves out events that have started, are beyond the
 * horizon, are full, are already booked or attended, or are not open to the customer's own
 * audience group (children, young adults or adults; events listing no audience are open to all).
 * Events with nothing in their favour are left out rather than padded in. Ties go to the sooner
 * event, then the lower index.
 */
export function rankEvents(
  events: readonly LibraryEvent[],
  profile: CustomerProfile,
  context: RecommendationContext,
  options: EventRankOptions = {},
): EventRecommendation[] {
  const opts = { ...DEFAULT_EVENT_OPTIONS, ...definedOnly(options) };
  const now = context.now;
  const horizon = now + opts.horizonDays * 86_400_000;
  // An event must be open to the customer's own group: an adult is not sent to a children's
  // session just because adults may borrow children's books. Unknown ages follow the stock rule.
  const group = audienceGroupOf(profile.ageBand);
  const allowed = group === undefined ? AUDIENCES_FOR_AGE_BAND[profile.ageBand] : [group];
  const venueNeeds = (profile.accessibilityNeeds ?? []).filter((need) =>
    VENUE_NEEDS.includes(need),
  );

  const declared = new Map<string, { weight: number; kind: InterestKind; label: string }>();
  if (profile.mode !== 'OFF') {
    for (const interest of profile.interests ?? []) {
      const key = topicKey(interest.kind, interest.label);
      const weight = Math.max(0, Math.min(1, interest.weight ?? 1));
      if (weight > (declared.get(key)?.weight ?? 0)) {
        declared.set(key, { weight, kind: interest.kind, label: interest.label });
      }
    }
  }

  const taken = new Set<number>();
  const attended = new Map<string, { weight: number; event: number; best: number }>();
  for (const entry of profile.eventHistory ?? []) {
    taken.add(entry.event);
    if (profile.mode !== 'FULL' || entry.type !== ActivityType.EVENT_ATTENDED) continue;
    const past = events[entry.event];
    if (!past) continue;
    const signal = decayFactor(now - entry.at, opts.attendanceHalfLifeDays);
    for (const topic of past.topics) {
      const key = topicKey(topic.kind, topic.label);
      const current = attended.get(key) ?? { weight: 0, event: entry.event, best: 0 };
      current.weight += signal;
      if (signal > current.best) {
        current.best = signal;
        current.event = entry.event;
      }
      attended.set(key, current);
    }
  }
  let maxAttended = 0;
  for (const value of attended.values()) maxAttended = Math.max(maxAttended, value.weight);

  const upcoming: number[] = [];
  let maxBooked = 0;
  events.forEach((event, index) => {
    if (event.startsAt < now || event.startsAt > horizon || event.full || taken.has(index)) return;
    if (event.audiences.length > 0 && !event.audiences.some((a) => allowed.includes(a))) return;
    upcoming.push(index);
    maxBooked = Math.max(maxBooked, event.bookedCount ?? 0);
  });

  const ranked: EventRecommendation[] = [];
  for (const index of upcoming) {
    const event = events[index];
    const spread = Math.sqrt(Math.max(1, event.topics.length));
    const parts: { value: number; reason: (share: number) => Reason }[] = [];

    let bestDeclared: { value: number; kind: InterestKind; label: string } | undefined;
    let declaredSum = 0;
    let bestAttended: { value: number; event: number; label: string } | undefined;
    let attendedSum = 0;
    for (const topic of event.topics) {
      const key = topicKey(topic.kind, topic.label);
      const interest = declared.get(key);
      if (interest) {
        declaredSum += interest.weight;
        if (!bestDeclared || interest.weight > bestDeclared.value) {
          bestDeclared = { value: interest.weight, kind: interest.kind, label: interest.label };
        }
      }
      const history = attended.get(key);
      if (history && maxAttended > 0) {
        const value = history.weight / maxAttended;
        attendedSum += value;
        if (!bestAttended || value > bestAttended.value) {
          bestAttended = { value, event: history.event, label: topic.label };
        }
      }
    }
    if (bestDeclared) {
      const { kind, label } = bestDeclared;
      parts.push({
        value: (opts.declaredWeight * declaredSum) / spread,
        reason: (share) => ({
          kind: 'INTEREST',
          interestKind: kind,
          interestLabel: label,
          declared: true,
          share,
        }),
      });
    }
    if (bestAttended) {
      const { event: eventIndex, label } = bestAttended;
      parts.push({
        value: (opts.attendedWeight * attendedSum) / spread,
        reason: (share) => ({ kind: 'ATTENDED_EVENT', eventIndex, interestLabel: label, share }),
      });
    }
    if (profile.homeBranch !== undefined && event.branch === profile.homeBranch) {
      const branchIndex = profile.homeBranch;
      parts.push({
        value: opts.homeBranchBonus,
        reason: (share) => ({ kind: 'AT_YOUR_BRANCH', branchIndex, share }),
      });
    }
    if (maxBooked > 0 && (event.bookedCount ?? 0) > 0) {
      parts.push({
        value: (opts.popularityWeight * (event.bookedCount ?? 0)) / maxBooked,
        reason: (share) => ({ kind: 'POPULAR', share }),
      });
    }

    const total = parts.reduce((sum, part) => sum + part.value, 0);
    if (total <= 0) continue;
    const lacksAccess =
      event.accessibility !== undefined &&
      venueNeeds.some((need) => !event.accessibility?.includes(need));
    const score = total * (lacksAccess ? opts.accessibilityPenalty : 1);

    const reasons: Reason[] = [];
    const ordered = parts
      .map((part, order) => ({ ...part, order }))
      .sort((a, b) => b.value - a.value || a.order - b.order);
    for (const part of ordered) {
      const share = part.value / total;
      if (reasons.length > 0 && (share < opts.reasonShare || reasons.length >= opts.maxReasons)) {
        break;
      }
      reasons.push(part.reason(Math.round(share * 1000) / 1000));
    }
    ranked.push({ eventIndex: index, score, reasons });
  }

  ranked.sort(
    (a, b) =>
      b.score - a.score ||
      events[a.eventIndex].startsAt - events[b.eventIndex].startsAt ||
      a.eventIndex - b.eventIndex,
  );
  return ranked.slice(0, opts.limit);
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
