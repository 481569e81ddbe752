import { Activity } from './activity.entity';

/** A row of `SELECT * FROM activity` as node-postgres returns it. */
export interface ActivityRow {
  id: string;
  customer_id: string | null;
  type: Activity['type'];
  occurred_at: Date;
  recorded_at: Date;
  branch_id: string | null;
  channel: Activity['channel'];
  item_id: string | null;
  event_id: string | null;
  staff_member: string | null;
  source_key: string;
  details: Record<string, unknown>;
  corrects_id: string | null;
  age_band: Activity['ageBand'];
  anonymised_at: Date | null;
}

/** Maps a raw ledger row (from hand-written SQL) onto the entity the GraphQL layer serves. */
export function activityFromRow(r: ActivityRow): Activity {
  return Object.assign(new Activity(), {
    id: String(r.id),
    customerId: r.customer_id == null ? null : String(r.customer_id),
    type: r.type,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    branchId: r.branch_id == null ? null : String(r.branch_id),
    channel: r.channel,
    itemId: r.item_id == null ? null : String(r.item_id),
    eventId: r.event_id == null ? null : String(r.event_id),
    staffMember: r.staff_member,
    sourceKey: r.source_key,
    details: r.details,
    correctsId: r.corrects_id == null ? null : String(r.corrects_id),
    ageBand: r.age_band,
    anonymisedAt: r.anonymised_at,
  });
}
