import { ActivityType } from '../../activity/activity.enums';
import type { InterestKind } from '../../interests/interest.enums';
import { featureKey } from './features';
import { activityWeight, decayFactor, type SignalOptions } from './signals';
import type {
  CustomerProfile,
  FeatureIndex,
  HistoryEntry,
  LibraryEvent,
  RecommendationModel,
} from './types';

/** The net, decayed signal a customer has given one title. */
export interface ItemSignal {
  item: number;
  /** Sum of decayed weights; negative when low ratings outweigh the use. */
  signal: number;
  /** The entry type that contributed most, to word a reason ("borrowed", "rated"…). */
  activity: ActivityType;
}

/** How a customer's own history is weighted by age. */
export interface HistoryWeighting extends SignalOptions {
  /** Half-life in days: what they borrowed long ago says less about them now. */
  halfLifeDays: number;
  /**
   * Half-life in titles: the most recent title counts fully, the one borrowed `n` titles
   * earlier counts `0.5^(n / recencyHalfLifeItems)`. Titles last used at the same moment share
   * a rank. Infinity switches it off.
   */
  recencyHalfLifeItems: number;
  /** Share of the signal kept however far back a title is in the order (0–1). */
  recencyFloor: number;
}

/**
 * Collapses a customer's history into one signal per title: each entry's weight decayed by its
 * age in days, summed per title, then scaled by how many other titles they have used since (what
 * someone chose in their last few loans says most about what they want next). Titles whose
 * entries carry no weight (a bare RETURN) get signal 0 but still appear, since they were seen.
 * Sorted by item index.
 */
export function aggregateHistory(
  history: readonly HistoryEntry[],
  now: number,
  weighting: HistoryWeighting,
): ItemSignal[] {
  const byItem = new Map<
    number,
    { signal: number; activity: ActivityType; best: number; last: number }
  >();
  for (const entry of history) {
    const weight = activityWeight(entry.type, entry.rating, weighting);
    const signal = weight * decayFactor(now - entry.at, weighting.halfLifeDays);
    const current = byItem.get(entry.item);
    if (!current) {
      byItem.set(entry.item, { signal, activity: entry.type, best: weight, last: entry.at });
      continue;
    }
    current.signal += signal;
    current.last = Math.max(current.last, entry.at);
    if (weight > current.best) {
      current.best = weight;
      current.activity = entry.type;
    }
  }

  const items = [...byItem.entries()];
  const halfLife = weighting.recencyHalfLifeItems;
  if (Number.isFinite(halfLife) && halfLife > 0) {
    const floor = Math.max(0, Math.min(1, weighting.recencyFloor));
    const newestFirst = items.map(([, value]) => value.last).sort((a, b) => b - a);
    for (const [, value] of items) {
      const rank = firstIndexAtMost(newestFirst, value.last);
      value.signal *= floor + (1 - floor) * Math.pow(0.5, rank / halfLife);
    }
  }
  return items
    .sort((a, b) => a[0] - b[0])
    .map(([item, value]) => ({ item, signal: value.signal, activity: value.activity }));
}

/** Position of the first value `<= target` in a descending array: how many are strictly newer. */
function firstIndexAtMost(descending: readonly number[], target: number): number {
  let low = 0;
  let high = descending.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (descending[middle] > target) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Where an interest-vector entry mainly came from, for wording its reason. */
export type InterestSource =
  | { source: 'DECLARED'; kind: InterestKind; label: string }
  | { source: 'HISTORY' }
  | { source: 'EVENT'; eventIndex: number };

/** A customer's interests as weights over catalogue features, with their main source. */
export interface InterestVector {
  features: number[];
  weights: number[];
  sources: InterestSource[];
}

/** How the three sources of interest are weighted against each other. */
export interface InterestVectorOptions extends SignalOptions {
  declaredWeight: number;
  historyWeight: number;
  eventWeight: number;
  profileHalfLifeDays: number;
}

interface Parts {
  declared: number;
  declaredRef?: { kind: InterestKind; label: string };
  history: number;
  event: number;
  eventIndex: number;
  eventBest: number;
}

/**
 * The customer's interest vector. Declared interests count in FULL and INTERESTS_ONLY modes;
 * features of titles in their history and topics of events they attended count in FULL mode
 * only. History and event parts are each scaled so their strongest feature weighs 1, which keeps
 * a long borrowing history from drowning out what the customer told us.
 */
export function buildInterestVector(
  model: RecommendationModel,
  profile: CustomerProfile,
  itemSignals: readonly ItemSignal[],
  events: readonly LibraryEvent[] | undefined,
  now: number,
  options: InterestVectorOptions,
): InterestVector {
  const { features } = model;
  const parts = new Map<number, Parts>();
  const partFor = (feature: number): Parts => {
    let part = parts.get(feature);
    if (!part) {
      part = { declared: 0, history: 0, event: 0, eventIndex: -1, eventBest: 0 };
      parts.set(feature, part);
    }
    return part;
  };

  if (profile.mode !== 'OFF') {
    for (const interest of profile.interests ?? []) {
      const feature = lookupFeature(features, interest.kind, interest.label);
      if (feature === undefined) continue;
      const weight = Math.max(0, Math.min(1, interest.weight ?? 1));
      const part = partFor(feature);
      if (weight > part.declared) {
        part.declared = weight;
        part.declaredRef = { kind: interest.kind, label: interest.label };
      }
    }
  }

  if (profile.mode === 'FULL') {
    for (const { item, signal } of itemSignals) {
      if (signal === 0) continue;
      for (let p = features.itemOffsets[item]; p < features.itemOffsets[item + 1]; p++) {
        const feature = features.itemFeatures[p];
        if (features.idf[feature] > 0) partFor(feature).history += signal;
      }
    }
    for (const entry of profile.eventHistory ?? []) {
      const event = events?.[entry.event];
      if (!event) continue;
      // A booking is a plan; only attendance shows the topic held their interest.
      if (entry.type !== ActivityType.EVENT_ATTENDED) continue;
      const weight = activityWeight(entry.type, undefined, options);
      if (weight <= 0) continue;
      const signal = weight * decayFactor(now - entry.at, options.profileHalfLifeDays);
      for (const topic of event.topics) {
        const feature = lookupFeature(features, topic.kind, topic.label);
        if (feature === undefined) continue;
        const part = partFor(feature);
        part.event += signal;
        if (signal > part.eventBest) {
          part.eventBest = signal;
          part.eventIndex = entry.event;
        }
      }
    }
  }

  let maxHistory = 0;
  let maxEvent = 0;
  for (const part of parts.values()) {
    maxHistory = Math.max(maxHistory, part.history);
    maxEvent = Math.max(maxEvent, part.event);
  }

  const vector: InterestVector = { features: [], weights: [], sources: [] };
  const ordered = [...parts.entries()].sort((a, b) => a[0] - b[0]);
  for (const [feature, part] of ordered) {
    const declared = options.declaredWeight * part.declared;
    // Disliked features may go negative, but never below minus one full interest.
    const history =
      maxHistory > 0 ? options.historyWeight * Math.max(-1, part.history / maxHistory) : 0;
    const event = maxEvent > 0 ? (options.eventWeight * part.event) / maxEvent : 0;
    const weight = declared + history + event;
    if (weight === 0) continue;
    vector.features.push(feature);
    vector.weights.push(weight);
    if (part.declaredRef && declared >= history && declared >= event) {
      vector.sources.push({ source: 'DECLARED', ...part.declaredRef });
    } else if (event > history && part.eventIndex >= 0) {
      vector.sources.push({ source: 'EVENT', eventIndex: part.eventIndex });
    } else {
      vector.sources.push({ source: 'HISTORY' });
    }
  }
  return vector;
}

function lookupFeature(index: FeatureIndex, kind: InterestKind, label: string): number | undefined {
  const key = featureKey(kind, label);
  return key === undefined ? undefined : index.lookup.get(key);
}
