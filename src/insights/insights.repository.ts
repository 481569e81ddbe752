import type { DataSource } from 'typeorm';
import type { ActivityType, Channel } from '../activity/activity.enums';
import { COUNTED_ENTRY } from '../activity/counted';
import type { AgeBand, CustomerKind } from '../customers/customer.enums';
import type { ResolvedFilter } from './insights.filter';
import type { CampaignPurpose } from '../marketing/campaigns/campaign.enums';
import type { CustomerMeasure } from './insights.types';
import type { PopulationRow } from './population';
import { SUMMARY_TIME_ZONE } from './refresh';

// People behind a set of entries: distinct customers, plus one for any anonymised entries. The
// anonymised entries may all be one person, so counting them as one never overstates the people
// behind a cell, and anonymising keeps a small cell small.
const PEOPLE = `(count(DISTINCT a.customer_id)
  + max(CASE WHEN a.customer_id IS NULL THEN 1 ELSE 0 END))::int`;

// Outward code of a UK postcode: the part before the space, or all but the three-character
// inward code when it was stored without one.
const OUTWARD = `(CASE WHEN position(' ' IN btrim(c.postcode)) > 0
  THEN upper(split_part(btrim(c.postcode), ' ', 1))
  ELSE upper(left(btrim(c.postcode), length(btrim(c.postcode)) - 3)) END)`;

export interface RawActivityCell {
  period: Date;
  type: ActivityType;
  branchId: string | null;
  channel: Channel;
  entries: number;
  people: number;
}

export interface RawCustomerCell {
  period: Date;
  kind: CustomerKind | null;
  measure: CustomerMeasure;
  customers: number;
  people: number;
}

export interface RawReachCell {
  area: string;
  ageBand: AgeBand;
  population: number | null;
  activeCustomers: number;
}

export interface RawLapsedCell {
  homeBranchId: string | null;
  kind: CustomerKind;
  lapsedCustomers: number;
  people: number;
}

export interface RawCohortCell {
  cohort: Date;
  monthsAfter: number;
  cohortSize: number;
  activeCustomers: number;
}

export interface RawStockCell {
  branchId: string;
  subjectId: string;
  subject: string;
  copies: number;
  copiesAvailable: number;
  holds: number;
  loans: number;
  people: number;
}

export interface RawEventCell {
  branchId: string | null;
  topicId: string;
  topic: string;
  events: number;
  capacity: number;
  attendance: number;
  attendanceAtCapped: number;
  people: number;
}

export interface RawPcCell {
  dayOfWeek: number;
  hour: number;
  sessions: number;
  people: number;
}

export interface RawOutcomeCell {
  period: Date;
  branchId: string | null;
  list: string;
  shown: number;
  clicked: number;
  borrowed: number;
  peopleShown: number;
  peopleClicked: number;
  peopleBorrowed: number;
}

export interface RawCampaignCell {
  campaignId: string;
  campaign: string;
  purpose: CampaignPurpose;
  startedAt: Date;
  recipients: number;
  recipientsActive: number;
  controlMembers: number;
  controlActive: number;
  lapsedRecipients: number;
  wonBack: number;
  lapsedControl: number;
  controlReturned: number;
}

/** Work memory for one report query; reports are few and run one at a time per manager. */
const REPORT_WORK_MEM = '96MB';

const TRUNC: Record<string, string> = { DAY: 'day', WEEK: 'week', MONTH: 'month', YEAR: 'year' };

/** The SQL behind the manager reports; every query is one aggregate over the ledger. */
export class InsightsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Runs one report query. The aggregates sort or hash hundreds of thousands of entries: with
   * the default 4 MB of work memory PostgreSQL spills them to disk and takes twice as long, and
   * compiling the plan (JIT) costs more than it saves on queries this short.
   */
  private read<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.ds.transaction(async (tx) => {
      await tx.query(`SET LOCAL work_mem = '${REPORT_WORK_MEM}'`);
      await tx.query(`SET LOCAL jit = off`);
      return tx.query(sql, params);
    });
  }

  /**
   * Which part of the range the summaries can answer: the whole periods from the first period
   * boundary at or after `from` to the last one at or before both `to` and the last refresh.
   * Entries before and after that span (a part-period at each end, and anything since the
   * refresh) are counted live, so the default "last twelve months" reads at most two partial
   * months from the ledger. Null when the summaries cannot help: never refreshed, another time
   * zone, or a range within a single period.
   */
  private async summarySpan(f: ResolvedFilter): Promise<{ start: Date; end: Date } | null> {
    if (f.timeZone !== SUMMARY_TIME_ZONE) return null;
    const [row] = await this.ds.query(
      `WITH b AS (
         SELECT CASE WHEN date_trunc($3, $1::timestamptz, $4) = $1::timestamptz
                     THEN $1::timestamptz
                     ELSE (date_trunc($3, $1::timestamptz, $4) AT TIME ZONE $4
                           + ('1 ' || $3)::interval) AT TIME ZONE $4
                END AS span_start,
                date_trunc($3, least($2::timestamptz, r.refreshed_at), $4) AS span_end
           FROM insight_refresh r WHERE r.id = 1 AND r.time_zone = $4
       )
       SELECT span_start AS start, span_end AS end FROM b WHERE span_start < span_end`,
      [f.from, f.to, TRUNC[f.period], f.timeZone],
    );
    return row ? { start: row.start, end: row.end } : null;
  }

  /**
   * Entries per cell. Whole periods within the summaries' span come from the summary, as of its
   * last refresh; the rest is counted from the ledger. Every period is in one part only.
   */
  async activity(f: ResolvedFilter): Promise<RawActivityCell[]> {
    const span = await this.summarySpan(f);
    const live = (range: string) =>
      `SELECT date_trunc($3, a.occurred_at, $4) AS period, a.type, a.branch_id, a.channel,
              count(*)::int AS entries, ${PEOPLE} AS people
         FROM activity a
        WHERE ${range} AND ${COUNTED_ENTRY}
        GROUP BY 1, 2, a.branch_id, 4`;
    const cells = span
      ? `SELECT period, type, branch_id, channel, entries, people
           FROM insight_activity_cell
          WHERE period_kind = $5 AND period >= $6 AND period < $7
         UNION ALL
         ${live(`((a.occurred_at >= $1 AND a.occurred_at < $6)
                  OR (a.occurred_at >= $7 AND a.occurred_at < $2))`)}`
      : live('a.occurred_at >= $1 AND a.occurred_at < $2');
    return this.read<RawActivityCell>(
      `SELECT period, type, branch_id::text AS "branchId", channel, entries, people
         FROM (${cells}) x
        ORDER BY period, type, branch_id NULLS FIRST, channel`,
      [
        f.from,
        f.to,
        TRUNC[f.period],
        f.timeZone,
        ...(span ? [f.period, span.start, span.end] : []),
      ],
    );
  }

  /**
   * Active customers per period and registrations. Active customers come from the summary for
   * the periods within its span and are counted from the ledger for the rest.
   */
  async customers(f: ResolvedFilter): Promise<RawCustomerCell[]> {
    const span = await this.summarySpan(f);
    const live = (range: string) =>
      `SELECT x.period, c.kind, 'ACTIVE_CUSTOMERS' AS measure, count(*)::int AS customers
         FROM (SELECT DISTINCT date_trunc($3, a.occurred_at, $4) AS period, a.customer_id
                 FROM activity a
                WHERE ${range} AND a.customer_id IS NOT NULL AND ${COUNTED_ENTRY}) x
         JOIN customer c ON c.id = x.customer_id
        GROUP BY GROUPING SETS ((x.period, c.kind), (x.period))`;
    const active = span
      ? `SELECT period, kind, 'ACTIVE_CUSTOMERS' AS measure, customers
           FROM insight_active_customer
          WHERE period_kind = $5 AND period >= $6 AND period < $7
         UNION ALL
         ${live(`((a.occurred_at >= $1 AND a.occurred_at < $6)
                  OR (a.occurred_at >= $7 AND a.occurred_at < $2))`)}`
      : live('a.occurred_at >= $1 AND a.occurred_at < $2');
    return this.read<RawCustomerCell>(
      `WITH counts AS (
         ${active}
         UNION ALL
         SELECT date_trunc($3, c.registered_at, $4), c.kind, 'NEW_REGISTRATIONS', count(*)::int
           FROM customer c
          WHERE c.registered_at >= $1 AND c.registered_at < $2
          GROUP BY GROUPING SETS ((1, 2), (1))
       )
       SELECT period, kind, measure, customers, customers AS people
         FROM counts ORDER BY period, measure, kind NULLS FIRST`,
      [
        f.from,
        f.to,
        TRUNC[f.period],
        f.timeZone,
        ...(span ? [f.period, span.start, span.end] : []),
      ],
    );
  }

  reach(f: ResolvedFilter): Promise<RawReachCell[]> {
    // A customer's band is the oldest known band snapshotted on their entries in the range:
    // bands only grow older, so that is the band they were in most recently.
    return this.read<RawReachCell>(
      `WITH people AS (
         SELECT a.customer_id,
                coalesce(max(a.age_band) FILTER (WHERE a.age_band <> 'UNKNOWN'), 'UNKNOWN') AS band
           FROM activity a
          WHERE a.occurred_at >= $1 AND a.occurred_at < $2 AND a.customer_id IS NOT NULL
            AND ${COUNTED_ENTRY}
          GROUP BY a.customer_id
       ), per_area AS (
         SELECT ${OUTWARD} AS area, p.band, count(*)::int AS active
           FROM people p JOIN customer c ON c.id = p.customer_id
          WHERE length(btrim(c.postcode)) > 3
          GROUP BY 1, 2
       )
       SELECT coalesce(x.area, pop.area) AS area, coalesce(x.band, pop.age_band) AS "ageBand",
              pop.population, coalesce(x.active, 0) AS "activeCustomers"
         FROM per_area x
         FULL JOIN population pop ON pop.area = x.area AND pop.age_band = x.band`,
      [f.from, f.to],
    );
  }

  lapsed(f: ResolvedFilter): Promise<RawLapsedCell[]> {
    // Measured at `to`: lapsed means registered before the cut-off and no counted entry since.
    return this.read<RawLapsedCell>(
      `SELECT c.home_branch_id::text AS "homeBranchId", c.kind,
              count(*)::int AS "lapsedCustomers", count(*)::int AS people
         FROM customer c
        WHERE c.status <> 'ERASED'
          AND c.registered_at < $1::timestamptz - make_interval(months => $2)
          AND NOT EXISTS (
            SELECT 1 FROM activity a
             WHERE a.customer_id = c.id
               AND a.occurred_at >= $1::timestamptz - make_interval(months => $2)
               AND a.occurred_at < $1 AND ${COUNTED_ENTRY})
        GROUP BY 1, 2
        ORDER BY 1 NULLS FIRST, 2`,
      [f.to, f.months],
    );
  }

  cohorts(f: ResolvedFilter): Promise<RawCohortCell[]> {
    // Erased customers leave cohorts: their entries were anonymised, so they would read as lost.
    return this.read<RawCohortCell>(
      `WITH members AS (
         SELECT c.id, date_trunc('month', c.registered_at, $3) AS cohort
           FROM customer c
          WHERE c.registered_at >= $1 AND c.registered_at < $2 AND c.status <> 'ERASED'
       ), sizes AS (
         SELECT cohort, count(*)::int AS size FROM members GROUP BY cohort
       ), active AS (
         SELECT m.cohort, o.months_after, count(DISTINCT a.customer_id)::int AS active
           FROM members m
           JOIN activity a ON a.customer_id = m.id
            AND a.occurred_at >= m.cohort + interval '1 month'
            AND a.occurred_at < m.cohort + interval '13 months'
          CROSS JOIN LATERAL (
            SELECT ((extract(year FROM a.occurred_at AT TIME ZONE $3) * 12
                    + extract(month FROM a.occurred_at AT TIME ZONE $3))
                  - (extract(year FROM m.cohort AT TIME ZONE $3) * 12
                    + extract(month FROM m.cohort AT TIME ZONE $3)))::int AS months_after
          ) o
          WHERE ${COUNTED_ENTRY}
          GROUP BY 1, 2
       )
       SELECT s.cohort, g.m AS "monthsAfter", s.size AS "cohortSize",
              coalesce(x.active, 0) AS "activeCustomers"
         FROM sizes s
        CROSS JOIN generate_series(1, 12) AS g(m)
         LEFT JOIN active x ON x.cohort = s.cohort AND x.months_after = g.m
        WHERE s.cohort + make_interval(months => g.m) < now()
        ORDER BY 1, 2`,
      [f.from, f.to, f.timeZone],
    );
  }

  stock(f: ResolvedFilter): Promise<RawStockCell[]> {
    return this.read<RawStockCell>(
      `WITH subject AS (
         SELECT ii.item_id, i.id AS subject_id, i.label
           FROM item_interest ii JOIN interest i ON i.id = ii.interest_id AND i.kind = 'SUBJECT'
       ), stock AS (
         SELECT h.branch_id, s.subject_id, s.label, sum(h.copies)::int AS copies,
                sum(h.copies_available)::int AS available
           FROM holding h JOIN subject s ON s.item_id = h.item_id
          GROUP BY 1, 2, 3
       ), demand AS (
         SELECT a.branch_id, s.subject_id, s.label,
                count(*) FILTER (WHERE a.type = 'HOLD_PLACED')::int AS holds,
                count(*) FILTER (WHERE a.type = 'LOAN')::int AS loans, ${PEOPLE} AS people
           FROM activity a JOIN subject s ON s.item_id = a.item_id
          WHERE a.type IN ('HOLD_PLACED', 'LOAN') AND a.branch_id IS NOT NULL
            AND a.occurred_at >= $1 AND a.occurred_at < $2 AND ${COUNTED_ENTRY}
          GROUP BY 1, 2, 3
       )
       SELECT coalesce(st.branch_id, d.branch_id)::text AS "branchId",
              coalesce(st.subject_id, d.subject_id)::text AS "subjectId",
              coalesce(st.label, d.label) AS subject,
              coalesce(st.copies, 0) AS copies, coalesce(st.available, 0) AS "copiesAvailable",
              coalesce(d.holds, 0) AS holds, coalesce(d.loans, 0) AS loans,
              coalesce(d.people, 0) AS people
         FROM stock st
         FULL JOIN demand d ON d.branch_id = st.branch_id AND d.subject_id = st.subject_id
        ORDER BY 1, 3`,
      [f.from, f.to],
    );
  }

  events(f: ResolvedFilter): Promise<RawEventCell[]> {
    // An event with several topics counts under each of them.
    return this.read<RawEventCell>(
      `WITH ev AS (
         SELECT e.id, e.branch_id, e.capacity, i.id AS topic_id, i.label
           FROM event e
           JOIN event_topic et ON et.event_id = e.id
           JOIN interest i ON i.id = et.interest_id
          WHERE e.starts_at >= $1 AND e.starts_at < $2
       ), places AS (
         SELECT branch_id, topic_id, label, count(*)::int AS events,
                coalesce(sum(capacity), 0)::int AS capacity
           FROM ev GROUP BY 1, 2, 3
       ), attended AS (
         SELECT ev.branch_id, ev.topic_id, count(*)::int AS attendance,
                count(*) FILTER (WHERE ev.capacity IS NOT NULL)::int AS capped, ${PEOPLE} AS people
           FROM ev JOIN activity a ON a.event_id = ev.id AND a.type = 'EVENT_ATTENDED'
          WHERE ${COUNTED_ENTRY}
          GROUP BY 1, 2
       )
       SELECT p.branch_id::text AS "branchId", p.topic_id::text AS "topicId", p.label AS topic,
              p.events, p.capacity, coalesce(x.attendance, 0) AS attendance,
              coalesce(x.capped, 0) AS "attendanceAtCapped", coalesce(x.people, 0) AS people
         FROM places p
         LEFT JOIN attended x
           ON x.branch_id IS NOT DISTINCT FROM p.branch_id AND x.topic_id = p.topic_id
        ORDER BY 1 NULLS FIRST, 3`,
      [f.from, f.to],
    );
  }

  pcUse(f: ResolvedFilter): Promise<RawPcCell[]> {
    return this.read<RawPcCell>(
      `SELECT extract(isodow FROM a.occurred_at AT TIME ZONE $3)::int AS "dayOfWeek",
              extract(hour FROM a.occurred_at AT TIME ZONE $3)::int AS hour,
              count(*)::int AS sessions, ${PEOPLE} AS people
         FROM activity a
        WHERE a.type = 'PC_SESSION' AND a.occurred_at >= $1 AND a.occurred_at < $2 AND ${COUNTED_ENTRY}
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [f.from, f.to, f.timeZone],
    );
  }

  /**
   * Suggestions shown per month, home branch and list (and every branch together), with how
   * many were opened and borrowed: closed months from `recommendation_outcome`, the months
   * still open counted from the impressions themselves. A month is in exactly one of the two.
   */
  recommendationOutcomes(f: ResolvedFilter): Promise<RawOutcomeCell[]> {
    return this.read<RawOutcomeCell>(
      `WITH cells AS (
         SELECT month, branch_id, source, shown, clicked, borrowed,
                people_shown, people_clicked, people_borrowed
           FROM recommendation_outcome
          WHERE month >= date_trunc('month', $1::timestamptz, '${SUMMARY_TIME_ZONE}')
            AND month < $2
         UNION ALL
         SELECT date_trunc('month', first_shown_at, '${SUMMARY_TIME_ZONE}'), branch_id, source,
                count(*), count(clicked_at), count(borrowed_at), count(DISTINCT customer_id),
                count(DISTINCT customer_id) FILTER (WHERE clicked_at IS NOT NULL),
                count(DISTINCT customer_id) FILTER (WHERE borrowed_at IS NOT NULL)
           FROM recommendation_impression
          WHERE first_shown_at >= date_trunc('month', $1::timestamptz, '${SUMMARY_TIME_ZONE}')
            AND first_shown_at < $2
          GROUP BY 1, 2, 3
       )
       SELECT month AS period, branch_id::text AS "branchId", source AS list,
              sum(shown)::int AS shown, sum(clicked)::int AS clicked,
              sum(borrowed)::int AS borrowed, sum(people_shown)::int AS "peopleShown",
              sum(people_clicked)::int AS "peopleClicked",
              sum(people_borrowed)::int AS "peopleBorrowed"
         FROM cells
        GROUP BY GROUPING SETS ((month, branch_id, source), (month, source))
        ORDER BY 1, GROUPING(branch_id) DESC, branch_id, source`,
      [f.from, f.to],
    );
  }

  /**
   * Per campaign that started in the range: recipients (SENT) and control members, how many of
   * each were active in the `days` after it started, and the same for those who were lapsed —
   * active at some point, but not in the `months` before it started. A customer erased since
   * counts by the time frozen on their message at erasure.
   */
  campaigns(f: ResolvedFilter): Promise<RawCampaignCell[]> {
    return this.read<RawCampaignCell>(
      `WITH k AS (
         SELECT id, name, purpose, started_at,
                started_at + make_interval(days => $3) AS window_end,
                started_at - make_interval(months => $4) AS lapsed_before
           FROM campaign
          WHERE started_at >= $1 AND started_at < $2 AND status IN ('SENDING', 'SENT')
       ), m AS (
         SELECT n.campaign_id, n.status = 'SENT' AS sent,
                n.last_active_before IS NOT NULL AND n.last_active_before < k.lapsed_before
                  AS lapsed,
                (n.first_active_after IS NOT NULL AND n.first_active_after < k.window_end)
                OR EXISTS (
                  SELECT 1 FROM activity a
                   WHERE a.customer_id = n.customer_id
                     AND a.occurred_at >= k.started_at AND a.occurred_at < k.window_end
                     AND ${COUNTED_ENTRY}) AS active
           FROM notification n JOIN k ON k.id = n.campaign_id
          WHERE n.status IN ('SENT', 'CONTROL')
       )
       SELECT k.id::text AS "campaignId", k.name AS campaign, k.purpose,
              k.started_at AS "startedAt",
              count(m.*) FILTER (WHERE m.sent)::int AS recipients,
              count(m.*) FILTER (WHERE m.sent AND m.active)::int AS "recipientsActive",
              count(m.*) FILTER (WHERE NOT m.sent)::int AS "controlMembers",
              count(m.*) FILTER (WHERE NOT m.sent AND m.active)::int AS "controlActive",
              count(m.*) FILTER (WHERE m.sent AND m.lapsed)::int AS "lapsedRecipients",
              count(m.*) FILTER (WHERE m.sent AND m.lapsed AND m.active)::int AS "wonBack",
              count(m.*) FILTER (WHERE NOT m.sent AND m.lapsed)::int AS "lapsedControl",
              count(m.*) FILTER (WHERE NOT m.sent AND m.lapsed AND m.active)::int
                AS "controlReturned"
         FROM k LEFT JOIN m ON m.campaign_id = k.id
        GROUP BY k.id, k.name, k.purpose, k.started_at
        ORDER BY k.started_at, k.id`,
      [f.from, f.to, f.days, f.months],
    );
  }

  /** Replaces the whole population table in one transaction; returns the rows written. */
  async replacePopulation(rows: readonly PopulationRow[]): Promise<number> {
    await this.ds.transaction(async (tx) => {
      await tx.query(`DELETE FROM population`);
      await tx.query(
        `INSERT INTO population (area, age_band, population)
         SELECT * FROM unnest($1::text[], $2::age_band[], $3::int[])`,
        [rows.map((r) => r.area), rows.map((r) => r.ageBand), rows.map((r) => r.population)],
      );
    });
    return rows.length;
  }
}
