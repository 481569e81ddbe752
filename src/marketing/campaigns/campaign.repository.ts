import { COUNTED_ENTRY } from '../../activity/counted';
import type { DataSource, EntityManager } from 'typeorm';
import type { ConsentChannel } from '../../consent/consent.enums';
import type {
  CampaignPurpose,
  CampaignStatus,
  NotificationStatus,
  SuppressionReason,
} from './campaign.enums';
import type { CampaignDraft } from './campaign.rules';

type Db = DataSource | EntityManager;

export interface CampaignRow {
  id: string;
  name: string;
  purpose: CampaignPurpose;
  status: CampaignStatus;
  channels: ConsentChannel[];
  segmentId: string | null;
  filter: Record<string, unknown> | null;
  subject: string;
  body: string;
  shortBody: string | null;
  links: string[];
  controlPercent: number;
  scheduledAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelledAt: Date | null;
  sentFilter: Record<string, unknown> | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

// Enum arrays come back from node-postgres as text unless cast to a type it knows.
const COLUMNS = `id::text AS "id", name, purpose, status, channels::text[] AS "channels",
  segment_id::text AS "segmentId", filter, subject, body, short_body AS "shortBody", links,
  control_percent AS "controlPercent", scheduled_at AS "scheduledAt", started_at AS "startedAt",
  finished_at AS "finishedAt", cancelled_at AS "cancelledAt", sent_filter AS "sentFilter",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function findCampaign(db: Db, id: string): Promise<CampaignRow | null> {
  const [row] = await db.query(`SELECT ${COLUMNS} FROM campaign WHERE id = $1`, [id]);
  return row ?? null;
}

/** The campaign, locked for the rest of the transaction so lifecycle moves happen one by one. */
export async function lockCampaign(tx: EntityManager, id: string): Promise<CampaignRow | null> {
  const [row] = await tx.query(`SELECT ${COLUMNS} FROM campaign WHERE id = $1 FOR UPDATE`, [id]);
  return row ?? null;
}

export async function listCampaigns(
  db: Db,
  statuses: readonly CampaignStatus[] | null,
  limit: number,
): Promise<CampaignRow[]> {
  return db.query(
    `SELECT ${COLUMNS} FROM campaign
      WHERE $1::campaign_status[] IS NULL OR status = ANY($1::campaign_status[])
      ORDER BY id DESC LIMIT $2`,
    [statuses, limit],
  );
}

function draftParams(d: CampaignDraft, links: string[]): unknown[] {
  return [
    d.name,
    d.purpose,
    d.channels,
    d.segmentId,
    d.filter ? JSON.stringify(d.filter) : null,
    d.template.subject,
    d.template.body,
    d.template.shortBody,
    links,
    d.controlPercent,
  ];
}

export async function insertCampaign(
  db: Db,
  d: CampaignDraft,
  links: string[],
  createdBy: string,
): Promise<CampaignRow> {
  const [row] = await db.query(
    `INSERT INTO campaign (name, purpose, channels, segment_id, filter, subject, body, short_body,
                           links, control_percent, created_by)
     VALUES ($1, $2, $3::consent_channel[], $4, $5, $6, $7, $8, $9, $10, $11)
     RETURNING ${COLUMNS}`,
    [...draftParams(d, links), createdBy],
  );
  return row;
}

export async function updateCampaignDraft(
  tx: EntityManager,
  id: string,
  d: CampaignDraft,
  links: string[],
): Promise<CampaignRow> {
  const [rows] = await tx.query(
    `UPDATE campaign SET name = $1, purpose = $2, channels = $3::consent_channel[],
            segment_id = $4, filter = $5, subject = $6, body = $7, short_body = $8, links = $9,
            control_percent = $10, updated_at = now()
      WHERE id = $11 RETURNING ${COLUMNS}`,
    [...draftParams(d, links), id],
  );
  return rows[0];
}

/** Sets the status (and the time that goes with it) of a campaign the caller has locked. */
export async function setCampaignStatus(
  tx: EntityManager,
  id: string,
  status: CampaignStatus,
  extra: { scheduledAt?: Date | null; cancelled?: boolean } = {},
): Promise<CampaignRow> {
  const [rows] = await tx.query(
    `UPDATE campaign SET status = $2,
            scheduled_at = CASE WHEN $3 THEN $4::timestamptz ELSE scheduled_at END,
            cancelled_at = CASE WHEN $5 THEN now() ELSE cancelled_at END,
            updated_at = now()
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, status, extra.scheduledAt !== undefined, extra.scheduledAt ?? null, !!extra.cancelled],
  );
  return rows[0];
}

/** Messages not yet handed to a channel stop when their campaign is cancelled. */
export async function suppressUnsent(
  tx: EntityManager,
  campaignId: string,
  reason: SuppressionReason,
): Promise<number> {
  const [, count] = await tx.query(
    `UPDATE notification SET status = 'SUPPRESSED', suppressed_reason = $2,
            suppressed_at = now(), updated_at = now()
      WHERE campaign_id = $1 AND status IN ('TARGETED', 'PENDING')`,
    [campaignId, reason],
  );
  return count;
}

export interface StatusCount {
  status: NotificationStatus;
  reason: SuppressionReason | null;
  n: number;
  opened: number;
  clicked: number;
}

/** Messages by status (and suppression reason), with how many were opened and clicked. */
export async function statusCounts(db: Db, campaignId: string): Promise<StatusCount[]> {
  return db.query(
    `SELECT status, suppressed_reason AS reason, count(*)::int AS n,
            count(*) FILTER (WHERE opened_at IS NOT NULL)::int AS opened,
            count(*) FILTER (WHERE clicked_at IS NOT NULL)::int AS clicked
       FROM notification WHERE campaign_id = $1
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [campaignId],
  );
}

export interface GroupActivity {
  /** SENT recipients, or CONTROL members. */
  members: number;
  /** Of them, with a counted ledger entry in the window. */
  active: number;
}

/**
 * Recipients and control members with any counted activity in [from, to). A customer erased
 * since keeps the answer frozen on their row at erasure (`first_active_after`), so erasing
 * someone does not move a campaign's uplift.
 */
export async function groupActivity(
  db: Db,
  campaignId: string,
  from: Date,
  to: Date,
): Promise<{ recipients: GroupActivity; control: GroupActivity }> {
  const rows: Array<{ status: string; members: number; active: number }> = await db.query(
    `SELECT n.status, count(*)::int AS members,
            count(*) FILTER (WHERE
              (n.first_active_after IS NOT NULL AND n.first_active_after < $3)
              OR EXISTS (
                SELECT 1 FROM activity a
                 WHERE a.customer_id = n.customer_id
                   AND a.occurred_at >= $2 AND a.occurred_at < $3 AND ${COUNTED_ENTRY}))::int
              AS active
       FROM notification n
      WHERE n.campaign_id = $1 AND n.status IN ('SENT', 'CONTROL')
      GROUP BY n.status`,
    [campaignId, from, to],
  );
  const of = (status: string) => {
    const r = rows.find((x) => x.status === status);
    return { members: r?.members ?? 0, active: r?.active ?? 0 };
  };
  return { recipients: of('SENT'), control: of('CONTROL') };
}
