import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Were suggestions any use? `recommendation_impression` holds one row per customer and title
 * shown to that customer as a personal suggestion, with when it was first and last shown and,
 * once the ledger shows it, when the customer clicked it and borrowed it. The link to the
 * customer is kept only until the month it was first shown is over and the attribution window
 * has passed; then the month's rows are counted into `recommendation_outcome` (including how
 * many distinct people each count describes, for disclosure control) and deleted.
 * No entity maps either table: only raw SQL in `src/recommendations/impression.repository.ts`
 * and `src/insights` reads or writes them.
 */
export class RecommendationOutcomes1764850000000 implements MigrationInterface {
  name = 'RecommendationOutcomes1764850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "recommendation_impression" ("id" BIGSERIAL NOT NULL, ` +
        `"customer_id" bigint, "item_id" bigint NOT NULL, "source" text NOT NULL, ` +
        `"branch_id" bigint, "best_rank" smallint NOT NULL, "shows" integer NOT NULL DEFAULT 1, ` +
        `"first_shown_at" TIMESTAMP WITH TIME ZONE NOT NULL, ` +
        `"last_shown_at" TIMESTAMP WITH TIME ZONE NOT NULL, ` +
        `"clicked_at" TIMESTAMP WITH TIME ZONE, "borrowed_at" TIMESTAMP WITH TIME ZONE, ` +
        `CONSTRAINT "recommendation_impression_source_check" ` +
        `CHECK ("source" IN ('PERSONAL', 'POPULAR_FALLBACK')), ` +
        `CONSTRAINT "recommendation_impression_customer_fk" FOREIGN KEY ("customer_id") ` +
        `REFERENCES "customer"("id") ON DELETE SET NULL, ` +
        `CONSTRAINT "recommendation_impression_item_fk" FOREIGN KEY ("item_id") ` +
        `REFERENCES "catalogue_item"("id") ON DELETE CASCADE, ` +
        `CONSTRAINT "recommendation_impression_pk" PRIMARY KEY ("id"))`,
    );
    // One row per customer and title; rows detached by erasure (customer null) never collide.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "recommendation_impression_pair_uq" ` +
        `ON "recommendation_impression" ("customer_id", "item_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "recommendation_impression_first_shown_idx" ` +
        `ON "recommendation_impression" ("first_shown_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "recommendation_outcome" ("month" TIMESTAMP WITH TIME ZONE NOT NULL, ` +
        `"branch_id" bigint, "source" text NOT NULL, "shown" integer NOT NULL, ` +
        `"clicked" integer NOT NULL, "borrowed" integer NOT NULL, ` +
        `"people_shown" integer NOT NULL, "people_clicked" integer NOT NULL, ` +
        `"people_borrowed" integer NOT NULL)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "recommendation_outcome_uq" ON "recommendation_outcome" ` +
        `("month", "branch_id", "source") NULLS NOT DISTINCT`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "recommendation_outcome"`);
    await queryRunner.query(`DROP TABLE "recommendation_impression"`);
  }
}
