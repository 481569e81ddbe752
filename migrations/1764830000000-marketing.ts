import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marketing: saved segments, campaigns, and one notification row per customer per campaign —
 * the delivery state machine (see src/marketing/delivery) and, afterwards, the record of what
 * was sent, suppressed, opened and clicked. No entity maps these tables: only raw SQL in
 * src/marketing (and the privacy export and erasure) reads or writes them.
 */
export class Marketing1764830000000 implements MigrationInterface {
  name = 'Marketing1764830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The outward code of a UK postcode ("LS6" of "LS6 3HN"), as the insights reports read
    // it, and its area letters ("LS"); null when there is no usable postcode.
    await queryRunner.query(`CREATE FUNCTION cp_postcode_outward(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT CASE
          WHEN $1 IS NULL OR length(btrim($1)) <= 3 THEN NULL
          WHEN position(' ' IN btrim($1)) > 0 THEN upper(split_part(btrim($1), ' ', 1))
          ELSE upper(left(btrim($1), length(btrim($1)) - 3)) END
      $fn$`);
    await queryRunner.query(`CREATE FUNCTION cp_postcode_area(text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT substring(cp_postcode_outward($1) FROM '^[A-Z]+')
      $fn$`);
    await queryRunner.query(
      `CREATE TYPE "public"."campaign_status" AS ENUM('DRAFT', 'SCHEDULED', 'SENDING', 'SENT', 'CANCELLED')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."campaign_purpose" AS ENUM('SERVICE_INFORMATION', 'MARKETING')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."notification_status" AS ENUM('TARGETED', 'CONTROL', 'PENDING', 'SENDING', 'SENT', 'UNCONFIRMED', 'FAILED', 'SUPPRESSED')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."suppression_reason" AS ENUM('NO_CONSENT', 'CONSENT_WITHDRAWN', 'UNSUBSCRIBED', 'NO_ADDRESS', 'FREQUENCY_CAP', 'CUSTOMER_ERASED', 'CAMPAIGN_CANCELLED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "segment" (
         "id" BIGSERIAL NOT NULL,
         "name" text NOT NULL,
         "description" text,
         "filter" jsonb NOT NULL,
         "created_by" text NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "segment_pk" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "segment_name_uq" ON "segment" (lower("name"))`);
    await queryRunner.query(
      `CREATE TABLE "campaign" (
         "id" BIGSERIAL NOT NULL,
         "name" text NOT NULL,
         "purpose" "public"."campaign_purpose" NOT NULL,
         "status" "public"."campaign_status" NOT NULL DEFAULT 'DRAFT',
         "channels" "public"."consent_channel" array NOT NULL,
         "segment_id" bigint,
         "filter" jsonb,
         "subject" text NOT NULL,
         "body" text NOT NULL,
         "short_body" text,
         "links" text array NOT NULL DEFAULT '{}',
         "control_percent" smallint NOT NULL DEFAULT 0,
         "scheduled_at" TIMESTAMP WITH TIME ZONE,
         "started_at" TIMESTAMP WITH TIME ZONE,
         "finished_at" TIMESTAMP WITH TIME ZONE,
         "cancelled_at" TIMESTAMP WITH TIME ZONE,
         "sent_filter" jsonb,
         "created_by" text NOT NULL,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "campaign_control_percent_check" CHECK ("control_percent" BETWEEN 0 AND 50),
         CONSTRAINT "campaign_channels_check" CHECK (cardinality("channels") BETWEEN 1 AND 4),
         CONSTRAINT "campaign_audience_check" CHECK ("segment_id" IS NULL OR "filter" IS NULL),
         CONSTRAINT "campaign_pk" PRIMARY KEY ("id"),
         CONSTRAINT "campaign_segment_fk" FOREIGN KEY ("segment_id") REFERENCES "segment"("id")
           ON DELETE SET NULL)`,
    );
    await queryRunner.query(
      `CREATE INDEX "campaign_status_idx" ON "campaign" ("status", "scheduled_at")`,
    );
    await queryRunner.query(`CREATE INDEX "campaign_segment_idx" ON "campaign" ("segment_id")`);
    await queryRunner.query(
      `CREATE TABLE "notification" (
         "id" BIGSERIAL NOT NULL,
         "campaign_id" bigint NOT NULL,
         "customer_id" bigint,
         "channel" "public"."consent_channel",
         "status" "public"."notification_status" NOT NULL DEFAULT 'TARGETED',
         "suppressed_reason" "public"."suppression_reason",
         "address" text,
         "attempts" smallint NOT NULL DEFAULT 0,
         "last_error" text,
         "claim_id" uuid,
         "claimed_at" TIMESTAMP WITH TIME ZONE,
         "sent_at" TIMESTAMP WITH TIME ZONE,
         "failed_at" TIMESTAMP WITH TIME ZONE,
         "suppressed_at" TIMESTAMP WITH TIME ZONE,
         "provider_id" text,
         "opened_at" TIMESTAMP WITH TIME ZONE,
         "open_count" integer NOT NULL DEFAULT 0,
         "clicked_at" TIMESTAMP WITH TIME ZONE,
         "click_count" integer NOT NULL DEFAULT 0,
         "last_active_before" TIMESTAMP WITH TIME ZONE,
         "first_active_after" TIMESTAMP WITH TIME ZONE,
         "anonymised_at" TIMESTAMP WITH TIME ZONE,
         "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
         CONSTRAINT "notification_pk" PRIMARY KEY ("id"),
         CONSTRAINT "notification_campaign_customer_uq" UNIQUE ("campaign_id", "customer_id"),
         CONSTRAINT "notification_reason_check"
           CHECK (("status" = 'SUPPRESSED') = ("suppressed_reason" IS NOT NULL)),
         CONSTRAINT "notification_campaign_fk" FOREIGN KEY ("campaign_id")
           REFERENCES "campaign"("id") ON DELETE CASCADE,
         CONSTRAINT "notification_customer_fk" FOREIGN KEY ("customer_id")
           REFERENCES "customer"("id") ON DELETE SET NULL)`,
    );
    // Delivery walks one campaign's rows by status and id range.
    await queryRunner.query(
      `CREATE INDEX "notification_campaign_status_idx" ON "notification" ("campaign_id", "status", "id")`,
    );
    // The contact cap, consent withdrawal and the subject-access export look rows up by customer.
    await queryRunner.query(
      `CREATE INDEX "notification_customer_idx" ON "notification" ("customer_id", "claimed_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "notification"`);
    await queryRunner.query(`DROP TABLE "campaign"`);
    await queryRunner.query(`DROP TABLE "segment"`);
    await queryRunner.query(
      `DROP TYPE "suppression_reason", "notification_status", "campaign_purpose", "campaign_status"`,
    );
    await queryRunner.query(`DROP FUNCTION cp_postcode_area(text)`);
    await queryRunner.query(`DROP FUNCTION cp_postcode_outward(text)`);
  }
}
