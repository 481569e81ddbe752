import type { MigrationInterface, QueryRunner } from 'typeorm';

// Counted entries: not corrections, and not entries a correction cancels (as in src/insights).
const COUNTED = `a.type <> 'CORRECTION'
  AND NOT EXISTS (SELECT 1 FROM activity c WHERE c.corrects_id = a.id AND c.type = 'CORRECTION')`;

const UNITS = `(VALUES ('DAY', 'day'), ('WEEK', 'week'), ('MONTH', 'month'), ('YEAR', 'year'))
  AS u(period_kind, unit)`;

/**
 * Insights: the resident population by postcode area and age band, imported from a census
 * extract, which the reach report measures customers against; and two summaries of the activity
 * ledger per whole day, week, month and year in UK local time, so the use reports answer in
 * milliseconds rather than scanning a year of entries. `refreshInsights` fills the summaries and
 * stamps `insight_refresh`; until it first runs the reports compute everything live.
 * No entity maps any of these: only raw SQL in `src/insights` reads or writes them.
 */
export class Insights1764820000000 implements MigrationInterface {
  name = 'Insights1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "population" ("area" text NOT NULL, "age_band" "public"."age_band" NOT NULL, ` +
        `"population" integer NOT NULL, ` +
        `"imported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), ` +
        `CONSTRAINT "population_positive_check" CHECK ("population" > 0), ` +
        `CONSTRAINT "population_pk" PRIMARY KEY ("area", "age_band"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "insight_refresh" ("id" smallint NOT NULL DEFAULT 1, ` +
        `"refreshed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "time_zone" text NOT NULL, ` +
        `CONSTRAINT "insight_refresh_single_check" CHECK ("id" = 1), ` +
        `CONSTRAINT "insight_refresh_pk" PRIMARY KEY ("id"))`,
    );
    // People as in src/insights: distinct customers, plus one for any anonymised entries.
    await queryRunner.query(`CREATE MATERIALIZED VIEW "insight_activity_cell" AS
      SELECT u.period_kind, date_trunc(u.unit, a.occurred_at, 'Europe/London') AS period,
             a.type, a.branch_id, a.channel, count(*)::int AS entries,
             (count(DISTINCT a.customer_id)
               + max(CASE WHEN a.customer_id IS NULL THEN 1 ELSE 0 END))::int AS people
        FROM activity a CROSS JOIN ${UNITS}
       WHERE ${COUNTED}
       GROUP BY 1, 2, 3, 4, 5
      WITH NO DATA`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "insight_activity_cell_uq" ON "insight_activity_cell" ` +
        `("period_kind", "period", "type", "branch_id", "channel") NULLS NOT DISTINCT`,
    );
    await queryRunner.query(`CREATE MATERIALIZED VIEW "insight_active_customer" AS
      WITH active AS (
        SELECT DISTINCT u.period_kind, date_trunc(u.unit, a.occurred_at, 'Europe/London') AS period,
               a.customer_id
          FROM activity a CROSS JOIN ${UNITS}
         WHERE a.customer_id IS NOT NULL AND ${COUNTED}
      )
      SELECT x.period_kind, x.period, c.kind, count(*)::int AS customers
        FROM active x JOIN customer c ON c.id = x.customer_id
       GROUP BY GROUPING SETS ((x.period_kind, x.period, c.kind), (x.period_kind, x.period))
      WITH NO DATA`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "insight_active_customer_uq" ON "insight_active_customer" ` +
        `("period_kind", "period", "kind") NULLS NOT DISTINCT`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP MATERIALIZED VIEW "insight_active_customer"`);
    await queryRunner.query(`DROP MATERIALIZED VIEW "insight_activity_cell"`);
    await queryRunner.query(`DROP TABLE "insight_refresh"`);
    await queryRunner.query(`DROP TABLE "population"`);
  }
}
