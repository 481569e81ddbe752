import type { DataSource } from 'typeorm';
import type { ActivityType } from '../activity/activity.enums';
import type { Audience } from '../catalogue/catalogue.enums';
import { ageBandFor } from '../customers/age-band';
import type { AccessibilityNeed } from '../customers/customer.enums';
import type { InterestKind } from '../interests/interest.enums';
import {
  type CustomerProfile,
  type EventHistoryEntry,
  type HistoryEntry,
  type LibraryEvent as EngineEvent,
  type Reason,
  rankEvents,
  recommendForCustomer,
  renderReason,
} from './engine';
import type { LoadedModel } from './model.repository';
import { RecommendationMode } from './recommendation.enums';
import type {
  CachedReason,
  CachedRecommendations,
  RecommendationStore,
} from './recommendation.store';

/** Suggestions cached per customer; the API serves up to this many. */
export const CACHED_SUGGESTIONS = 50;
export const CACHED_EVENT_SUGGESTIONS = 20;
/** Past events further back than this no longer shape event suggestions. */
const EVENT_LOOKBACK_DAYS = 400;
const EVENT_HORIZON_DAYS = 90;

interface EventsContext {
  ids: string[];
  titles: string[];
  events: EngineEvent[];
  index: Map<string, number>;
}

/** Past and upcoming events with their topics and bookings, as the event ranking reads them. */
export async function loadEventsContext(ds: DataSource, now: number): Promise<EventsContext> {
  const rows: Array<{
    id: string;
    title: string;
    starts_at: Date;
    branch_id: string | null;
    audience: Audience | null;
    capacity: number | null;
    booked: number;
    topics: Array<{ kind: InterestKind; label: string }> | null;
  }> = await ds.query(
    `SELECT e.id::text, e.title, e.starts_at, e.branch_id::text, e.audience, e.capacity,
            (SELECT count(*)::int FROM activity a WHERE a.event_id = e.id AND a.type = 'EVENT_BOOKED') AS booked,
            (SELECT json_agg(json_build_object('kind', i.kind, 'label', i.label) ORDER BY i.id)
               FROM event_topic t JOIN interest i ON i.id = t.interest_id WHERE t.event_id = e.id) AS topics
       FROM event e
      WHERE e.starts_at >= $1 AND e.starts_at <= $2
      ORDER BY e.id`,
    [
      new Date(now - EVENT_LOOKBACK_DAYS * 86_400_000),
      new Date(now + EVENT_HORIZON_DAYS * 86_400_000),
    ],
  );
  return {
    ids: rows.map((r) => r.id),
    titles: rows.map((r) => r.title),
    index: new Map(rows.map((r, i) => [r.id, i])),
    events: rows.map((r) => ({
      topics: r.topics ?? [],
      audiences: r.audience ? [r.audience] : [],
      startsAt: r.starts_at.getTime(),
      branch: r.branch_id ? Number(r.branch_id) : undefined,
      full: r.capacity != null && r.booked >= r.capacity,
      bookedCount: r.booked,
    })),
  };
}

interface LoadedProfile {
  customerId: string;
  mode: RecommendationMode;
  homeBranchId: string | null;
  profile: CustomerProfile;
}

/** Everything the engine needs about a batch of customers, in five statements. */
export async function loadProfiles(
  ds: DataSource,
  customerIds: readonly string[],
  model: LoadedModel,
  events: EventsContext,
): Promise<LoadedProfile[]> {
  const [customers, interests, history, dismissed] = await Promise.all([
    ds.query(
      `SELECT id::text, birth_year, recommendation_mode, accessibility_needs::text[] AS accessibility_needs,
              preferred_language,
              home_branch_id::text
         FROM customer WHERE id = ANY($1::bigint[]) AND status <> 'ERASED' ORDER BY id`,
      [customerIds],
    ) as Promise<
      Array<{
        id: string;
        birth_year: number | null;
        recommendation_mode: RecommendationMode;
        accessibility_needs: AccessibilityNeed[];
        preferred_language: string | null;
        home_branch_id: string | null;
      }>
    >,
    ds.query(
      `SELECT ci.customer_id::text AS c, i.kind, i.label, ci.weight
         FROM customer_interest ci JOIN interest i ON i.id = ci.interest_id
        WHERE ci.customer_id = ANY($1::bigint[]) AND ci.source = 'DECLARED'`,
      [customerIds],
    ) as Promise<Array<{ c: string; kind: InterestKind; label: string; weight: number }>>,
    ds.query(
      `SELECT a.customer_id::text AS c, a.item_id::text AS i, a.event_id::text AS e, a.type AS t,
              (extract(epoch FROM a.occurred_at) * 1000)::bigint::text AS at,
              (a.details->>'rating')::int AS r
         FROM activity a
        WHERE a.customer_id = ANY($1::bigint[]) AND (a.item_id IS NOT NULL OR a.event_id IS NOT NULL)
          AND a.type <> 'CORRECTION'
          AND NOT EXISTS (SELECT 1 FROM activity x WHERE x.corrects_id = a.id)`,
      [customerIds],
    ) as Promise<
      Array<{
        c: string;
        i: string | null;
        e: string | null;
        t: ActivityType;
        at: string;
        r: number | null;
      }>
    >,
    ds.query(
      `SELECT customer_id::text AS c, item_id::text AS i FROM recommendation_dismissal
        WHERE customer_id = ANY($1::bigint[])`,
      [customerIds],
    ) as Promise<Array<{ c: string; i: string }>>,
  ]);
  const group = <T extends { c: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.c, [...(m.get(r.c) ?? []), r]);
    return m;
  };
  const interestsOf = group(interests);
  const historyOf = group(history);
  const dismissedOf = group(dismissed);
  return customers.map((c) => {
    const items: HistoryEntry[] = [];
    const eventHistory: EventHistoryEntry[] = [];
    for (const h of historyOf.get(c.id) ?? []) {
      const at = Number(h.at);
      if (h.i != null) {
        const item = model.itemIndex.get(h.i);
        if (item !== undefined)
          items.push({ item, type: h.t, at, ...(h.r != null ? { rating: h.r } : {}) });
      }
      if (h.e != null) {
        const event = events.index.get(h.e);
        if (event !== undefined) eventHistory.push({ event, type: h.t, at });
      }
    }
    return {
      customerId: c.id,
      mode: c.recommendation_mode,
      homeBranchId: c.home_branch_id,
      profile: {
        ageBand: ageBandFor(c.birth_year),
        mode: c.recommendation_mode,
        accessibilityNeeds: c.accessibility_needs,
        languages: c.preferred_language ? [c.preferred_language] : undefined,
        homeBranch: c.home_branch_id ? Number(c.home_branch_id) : undefined,
        interests: (interestsOf.get(c.id) ?? []).map((i) => ({
          kind: i.kind,
          label: i.label,
          weight: i.weight,
        })),
        history: items,
        eventHistory,
        dismissed: (dismissedOf.get(c.id) ?? [])
          .map((d) => model.itemIndex.get(d.i))
          .filter((i): i is number => i !== undefined),
      },
    };
  });
}

/**
 * Recomputes and caches suggestions for a batch of customers. Customers in OFF mode get no
 * entry at all (and lose any they had); erased customers are skipped. Idempotent.
 */
export async function refreshCustomers(
  ds: DataSource,
  store: RecommendationStore,
  model: LoadedModel,
  customerIds: readonly string[],
  now = Date.now(),
): Promise<{ cached: number; evicted: number }> {
  if (!customerIds.length) return { cached: 0, evicted: 0 };
  const events = await loadEventsContext(ds, now);
  const profiles = await loadProfiles(ds, customerIds, model, events);
  const off = profiles.filter((p) => p.mode === RecommendationMode.OFF).map((p) => p.customerId);
  const known = new Set(profiles.map((p) => p.customerId));
  const gone = customerIds.filter((id) => !known.has(id));
  await store.evict([...off, ...gone]);

  const homeBranches = [
    ...new Set(profiles.map((p) => p.homeBranchId).filter((b): b is string => !!b)),
  ];
  const onShelf = await availableAt(ds, homeBranches, model);
  const computed = profiles
    .filter((p) => p.mode !== RecommendationMode.OFF)
    .map((p) => ({
      p,
      items: recommendForCustomer(
        model.model,
        p.profile,
        { now, availableAtHomeBranch: p.homeBranchId ? onShelf.get(p.homeBranchId) : undefined },
        { limit: CACHED_SUGGESTIONS },
      ),
      events: rankEvents(
        events.events,
        p.profile,
        { now, events: events.events },
        { limit: CACHED_EVENT_SUGGESTIONS },
      ),
    }));

  const titleIndices = new Set<number>();
  for (const c of computed) {
    for (const s of c.items)
      for (const r of s.reasons) if (r.kind === 'BORROWED_SIMILAR') titleIndices.add(r.itemIndex);
  }
  const titles = await titlesOf(
    ds,
    [...titleIndices].map((i) => model.itemIds[i]),
  );
  const branches = await branchNames(ds);
  const names = {
    itemTitle: (i: number) => titles.get(model.itemIds[i]),
    branchName: (b: number) => branches.get(String(b)),
    eventTitle: (e: number) => events.titles[e],
  };
  const toCached = (r: Reason): CachedReason => {
    const out: CachedReason = { kind: r.kind, text: renderReason(r, names) };
    if ('itemIndex' in r) out.itemId = model.itemIds[r.itemIndex];
    if ('eventIndex' in r) out.eventId = events.ids[r.eventIndex];
    if ('branchIndex' in r) out.branchId = String(r.branchIndex);
    if ('interestLabel' in r && r.interestLabel) out.interestLabel = r.interestLabel;
    if ('interestKind' in r) out.interestKind = r.interestKind;
    return out;
  };
  const computedAt = new Date(now).toISOString();
  const entries: CachedRecommendations[] = computed.map(({ p, items, events: ev }) => ({
    customerId: p.customerId,
    modelVersion: model.id,
    computedAt,
    mode: p.mode,
    items: items.map((s) => ({
      itemId: model.itemIds[s.itemIndex],
      score: Math.round(s.score * 10_000) / 10_000,
      reasons: s.reasons.map(toCached),
    })),
    events: ev.map((s) => ({
      eventId: events.ids[s.eventIndex],
      score: Math.round(s.score * 10_000) / 10_000,
      reasons: s.reasons.map(toCached),
    })),
  }));
  // Consent may have been withdrawn (or the customer erased) while this ran: write only lists
  // computed under the mode the customer still has. A change of mode queues its own refresh.
  const still: Array<{ id: string; mode: RecommendationMode }> = await ds.query(
    `SELECT id::text, recommendation_mode AS mode FROM customer
      WHERE id = ANY($1::bigint[]) AND status <> 'ERASED'`,
    [entries.map((e) => e.customerId)],
  );
  const modeNow = new Map(still.map((r) => [r.id, r.mode]));
  const current = entries.filter((e) => modeNow.get(e.customerId) === e.mode);
  await store.put(current);
  return { cached: current.length, evicted: off.length + gone.length };
}

async function availableAt(ds: DataSource, branchIds: string[], model: LoadedModel) {
  const out = new Map<string, Set<number>>(branchIds.map((b) => [b, new Set<number>()]));
  if (!branchIds.length) return out;
  const rows: Array<{ b: string; i: string }> = await ds.query(
    `SELECT branch_id::text AS b, item_id::text AS i FROM holding
      WHERE branch_id = ANY($1::bigint[]) AND copies_available > 0`,
    [branchIds],
  );
  for (const r of rows) {
    const idx = model.itemIndex.get(r.i);
    if (idx !== undefined) out.get(r.b)?.add(idx);
  }
  return out;
}

async function titlesOf(ds: DataSource, itemIds: string[]): Promise<Map<string, string>> {
  if (!itemIds.length) return new Map();
  const rows: Array<{ id: string; title: string }> = await ds.query(
    'SELECT id::text, title FROM catalogue_item WHERE id = ANY($1::bigint[])',
    [itemIds],
  );
  return new Map(rows.map((r) => [r.id, r.title]));
}

async function branchNames(ds: DataSource): Promise<Map<string, string>> {
  const rows: Array<{ id: string; name: string }> = await ds.query(
    'SELECT id::text, name FROM branch',
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}
