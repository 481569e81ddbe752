import { NotificationStatus, SuppressionReason } from './campaign.enums';
import type { GroupActivity, StatusCount } from './campaign.repository';

/**
 * A campaign's results from its message counts, with disclosure control: like the published
 * reports, a count describing between 1 and threshold − 1 people is withheld (null), and so is
 * any rate it would let someone work out. Zeros are shown.
 */
export interface CampaignResultsShape {
  targeted: number | null;
  controlGroup: number | null;
  /** Not yet decided, waiting, or being handed over. */
  inProgress: number | null;
  sent: number | null;
  unconfirmed: number | null;
  failed: number | null;
  suppressed: number | null;
  suppressedByReason: Array<{ reason: SuppressionReason; count: number | null }>;
  opened: number | null;
  clicked: number | null;
  uplift: UpliftShape;
}

export interface UpliftShape {
  days: number;
  windowStart: Date | null;
  windowEnd: Date | null;
  /** The window has ended, so the figures will not change any more (barring late entries). */
  complete: boolean;
  recipients: number | null;
  recipientsActive: number | null;
  recipientRate: number | null;
  controlMembers: number | null;
  controlActive: number | null;
  controlRate: number | null;
  /** recipientRate − controlRate: how much more likely recipients were to come back. */
  uplift: number | null;
}

export function disclosed(n: number, threshold: number): number | null {
  return n > 0 && n < threshold ? null : n;
}

/** A share, shown only when neither its numerator nor its denominator is withheld. */
function rate(active: number, members: number, threshold: number): number | null {
  if (members === 0) return null;
  if (disclosed(active, threshold) === null || disclosed(members, threshold) === null) return null;
  return active / members;
}

export function shapeUplift(
  days: number,
  window: { start: Date | null; end: Date | null; now: Date },
  groups: { recipients: GroupActivity; control: GroupActivity } | null,
  threshold: number,
): UpliftShape {
  const r = groups?.recipients ?? { members: 0, active: 0 };
  const c = groups?.control ?? { members: 0, active: 0 };
  const recipientRate = rate(r.active, r.members, threshold);
  const controlRate = rate(c.active, c.members, threshold);
  return {
    days,
    windowStart: window.start,
    windowEnd: window.end,
    complete: window.end !== null && window.end <= window.now,
    recipients: disclosed(r.members, threshold),
    recipientsActive: disclosed(r.active, threshold),
    recipientRate,
    controlMembers: disclosed(c.members, threshold),
    controlActive: disclosed(c.active, threshold),
    controlRate,
    uplift: recipientRate !== null && controlRate !== null ? recipientRate - controlRate : null,
  };
}

export function shapeResults(
  counts: readonly StatusCount[],
  uplift: UpliftShape,
  threshold: number,
): CampaignResultsShape {
  const sum = (pick: (c: StatusCount) => boolean, field: 'n' | 'opened' | 'clicked' = 'n') =>
    counts.filter(pick).reduce((acc, c) => acc + c[field], 0);
  const is =
    (...statuses: NotificationStatus[]) =>
    (c: StatusCount) =>
      statuses.includes(c.status);
  const delivered = is(NotificationStatus.SENT, NotificationStatus.UNCONFIRMED);
  const show = (n: number) => disclosed(n, threshold);
  return {
    targeted: show(sum(() => true)),
    controlGroup: show(sum(is(NotificationStatus.CONTROL))),
    inProgress: show(
      sum(is(NotificationStatus.TARGETED, NotificationStatus.PENDING, NotificationStatus.SENDING)),
    ),
    sent: show(sum(is(NotificationStatus.SENT))),
    unconfirmed: show(sum(is(NotificationStatus.UNCONFIRMED))),
    failed: show(sum(is(NotificationStatus.FAILED))),
    suppressed: show(sum(is(NotificationStatus.SUPPRESSED))),
    suppressedByReason: Object.values(SuppressionReason).map((reason) => ({
      reason,
      count: show(sum((c) => c.status === NotificationStatus.SUPPRESSED && c.reason === reason)),
    })),
    opened: show(sum(delivered, 'opened')),
    clicked: show(sum(delivered, 'clicked')),
    uplift,
  };
}
