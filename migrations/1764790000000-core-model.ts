import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core model: branches, the interest taxonomy, customers and their interests, the
 * catalogue with holdings, events, and the append-only activity ledger.
 */
export class CoreModel1764790000000 implements MigrationInterface {
  name = 'CoreModel1764790000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE TYPE "public"."branch_kind" AS ENUM('BUILDING', 'MOBILE', 'ONLINE', 'OUTREACH')`,
    );
    await queryRunner.query(
      `CREATE TABLE "branch" ("id" BIGSERIAL NOT NULL, "external_id" text NOT NULL, "name" text NOT NULL, "kind" "public"."branch_kind" NOT NULL, "postcode" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2facd0c1a947a25c85b05fdc82f" UNIQUE ("external_id"), CONSTRAINT "PK_2e39f426e2faefdaa93c5961976" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."item_format" AS ENUM('BOOK', 'EBOOK', 'AUDIOBOOK', 'LARGE_PRINT', 'DVD', 'MUSIC', 'MAGAZINE', 'OTHER')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."audience" AS ENUM('ADULT', 'YOUNG_ADULT', 'CHILDREN')`,
    );
    await queryRunner.query(
      `CREATE TABLE "catalogue_item" ("id" BIGSERIAL NOT NULL, "external_id" text NOT NULL, "title" text NOT NULL, "authors" text array NOT NULL DEFAULT '{}', "format" "public"."item_format" NOT NULL DEFAULT 'BOOK', "audience" "public"."audience" NOT NULL DEFAULT 'ADULT', "language" text, "published_year" smallint, "isbn" text, "series" text, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "attributes" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_1cbe3253d0a49f60f8669b22451" UNIQUE ("external_id"), CONSTRAINT "PK_cceea29e4ef241d5781d8393ef7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "catalogue_item_added_idx" ON "catalogue_item"  ("added_at") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."customer_kind" AS ENUM('BORROWER', 'MEMBER', 'VISITOR', 'EVENT_ATTENDEE', 'PC_USER', 'ONLINE_USER', 'GROUP')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."accessibility_need" AS ENUM('LARGE_PRINT', 'AUDIO', 'EASY_READ', 'BRAILLE', 'WHEELCHAIR_ACCESS', 'HEARING_LOOP', 'HOME_DELIVERY')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."customer_status" AS ENUM('ACTIVE', 'LAPSED', 'BLOCKED', 'ERASED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "customer" ("id" BIGSERIAL NOT NULL, "external_id" text NOT NULL, "kind" "public"."customer_kind" NOT NULL, "first_name" text, "last_name" text, "email" text, "phone" text, "postcode" text, "birth_year" smallint, "home_branch_id" bigint, "guardian_id" bigint, "preferred_language" text, "accessibility_needs" "public"."accessibility_need" array NOT NULL DEFAULT '{}', "attributes" jsonb NOT NULL DEFAULT '{}', "status" "public"."customer_status" NOT NULL DEFAULT 'ACTIVE', "registered_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_active_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_14d3cd6e93b252be097b22f9811" UNIQUE ("external_id"), CONSTRAINT "PK_a7a13f4cacb744524e44dfdad32" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "customer_last_active_idx" ON "customer"  ("last_active_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "customer_kind_status_idx" ON "customer"  ("kind", "status") `,
    );
    await queryRunner.query(`CREATE INDEX "customer_guardian_idx" ON "customer"  ("guardian_id") `);
    await queryRunner.query(
      `CREATE INDEX "customer_home_branch_idx" ON "customer"  ("home_branch_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "event" ("id" BIGSERIAL NOT NULL, "external_id" text NOT NULL, "title" text NOT NULL, "description" text, "branch_id" bigint, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE, "capacity" integer, "audience" "public"."audience", "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_bfc75ad0f6cb6bc93939f983a06" UNIQUE ("external_id"), CONSTRAINT "PK_30c2f3bbaf6d34a55f8ae6e4614" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "event_branch_starts_idx" ON "event"  ("branch_id", "starts_at") `,
    );
    await queryRunner.query(`CREATE INDEX "event_starts_idx" ON "event"  ("starts_at") `);
    await queryRunner.query(
      `CREATE TYPE "public"."activity_type" AS ENUM('LOAN', 'RETURN', 'RENEWAL', 'HOLD_PLACED', 'HOLD_COLLECTED', 'EVENT_BOOKED', 'EVENT_ATTENDED', 'PC_SESSION', 'VISIT', 'ENQUIRY', 'CATALOGUE_VIEW', 'SEARCH', 'RATING', 'DOWNLOAD', 'OUTREACH_VISIT', 'RECOMMENDATION_CLICK', 'CORRECTION')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."channel" AS ENUM('IN_BRANCH', 'ONLINE', 'APP', 'PHONE', 'OUTREACH')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."age_band" AS ENUM('CHILD_0_4', 'CHILD_5_11', 'TEEN_12_17', 'ADULT_18_24', 'ADULT_25_44', 'ADULT_45_64', 'ADULT_65_PLUS', 'UNKNOWN')`,
    );
    await queryRunner.query(
      `CREATE TABLE "activity" ("id" BIGSERIAL NOT NULL, "customer_id" bigint, "type" "public"."activity_type" NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "branch_id" bigint, "channel" "public"."channel" NOT NULL DEFAULT 'IN_BRANCH', "item_id" bigint, "event_id" bigint, "staff_member" text, "source_key" text NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', "corrects_id" bigint, "age_band" "public"."age_band" NOT NULL DEFAULT 'UNKNOWN', "anonymised_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_5f88b6c732a88e43a94cbffdce4" UNIQUE ("source_key"), CONSTRAINT "PK_24625a1d6b1b089c8ae206fe467" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "activity_corrects_idx" ON "activity"  ("corrects_id") WHERE "corrects_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "activity_branch_time_idx" ON "activity"  ("branch_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "activity_event_idx" ON "activity"  ("event_id") WHERE "event_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "activity_item_time_idx" ON "activity"  ("item_id", "occurred_at") WHERE "item_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "activity_customer_time_idx" ON "activity"  ("customer_id", "occurred_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "holding" ("id" BIGSERIAL NOT NULL, "item_id" bigint NOT NULL, "branch_id" bigint NOT NULL, "copies" integer NOT NULL, "copies_available" integer NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "holding_copies_check" CHECK ("copies" >= 0 AND "copies_available" >= 0 AND "copies_available" <= "copies"), CONSTRAINT "PK_82c37e949073d49d4b73e34a903" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "holding_branch_idx" ON "holding"  ("branch_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "holding_item_branch_uq" ON "holding"  ("item_id", "branch_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."interest_kind" AS ENUM('SUBJECT', 'GENRE', 'AUTHOR', 'FORMAT', 'EVENT_TYPE', 'LANGUAGE', 'SERVICE')`,
    );
    await queryRunner.query(
      `CREATE TABLE "interest" ("id" BIGSERIAL NOT NULL, "kind" "public"."interest_kind" NOT NULL, "label" text NOT NULL, "key" text NOT NULL, "parent_id" bigint, CONSTRAINT "PK_6619d627e204e0596968653011f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "interest_kind_key_uq" ON "interest"  ("kind", "key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "item_interest" ("item_id" bigint NOT NULL, "interest_id" bigint NOT NULL, CONSTRAINT "PK_14fdbc26a46225978829f512de1" PRIMARY KEY ("item_id", "interest_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "item_interest_interest_idx" ON "item_interest"  ("interest_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "event_topic" ("event_id" bigint NOT NULL, "interest_id" bigint NOT NULL, CONSTRAINT "PK_347c532a1ab5a8606c63250774b" PRIMARY KEY ("event_id", "interest_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "event_topic_interest_idx" ON "event_topic"  ("interest_id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."interest_source" AS ENUM('DECLARED', 'INFERRED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "customer_interest" ("customer_id" bigint NOT NULL, "interest_id" bigint NOT NULL, "weight" real NOT NULL DEFAULT '1', "source" "public"."interest_source" NOT NULL, "declared_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0c290fac602d0528600dabd5fcf" PRIMARY KEY ("customer_id", "interest_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "customer_interest_interest_idx" ON "customer_interest"  ("interest_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "customer" ADD CONSTRAINT "FK_c6bb0081dc11e5bdaf9ddf3f47d" FOREIGN KEY ("home_branch_id") REFERENCES "branch"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer" ADD CONSTRAINT "FK_9e0f5e949722666432cc21ac193" FOREIGN KEY ("guardian_id") REFERENCES "customer"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "event" ADD CONSTRAINT "FK_f6b1870f15200b495b5a377b98e" FOREIGN KEY ("branch_id") REFERENCES "branch"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity" ADD CONSTRAINT "FK_4dbb6c9f72a010b1233f0316d6b" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity" ADD CONSTRAINT "FK_488243054be1c6fe0684542168b" FOREIGN KEY ("branch_id") REFERENCES "branch"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity" ADD CONSTRAINT "FK_930d9352fe719746721f29c4db3" FOREIGN KEY ("item_id") REFERENCES "catalogue_item"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity" ADD CONSTRAINT "FK_c2c1e9fdda754a6bf7f664d7e04" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "activity" ADD CONSTRAINT "FK_a4efe968639a42a6b99ceade7d3" FOREIGN KEY ("corrects_id") REFERENCES "activity"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "holding" ADD CONSTRAINT "FK_1edec984abe50921875b8c471aa" FOREIGN KEY ("item_id") REFERENCES "catalogue_item"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "holding" ADD CONSTRAINT "FK_b1de7e97c4ba9c84da28796112c" FOREIGN KEY ("branch_id") REFERENCES "branch"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "interest" ADD CONSTRAINT "FK_65dfe590e7dd015f096086843fb" FOREIGN KEY ("parent_id") REFERENCES "interest"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_interest" ADD CONSTRAINT "FK_3cce119e3864a23b6fefe8de1f4" FOREIGN KEY ("item_id") REFERENCES "catalogue_item"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_interest" ADD CONSTRAINT "FK_1eddcffbd52cb6c48b5fdb83a17" FOREIGN KEY ("interest_id") REFERENCES "interest"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "event_topic" ADD CONSTRAINT "FK_c84647993dc22e01a3782b88b2e" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "event_topic" ADD CONSTRAINT "FK_c97ba1174bad10dd7d66896d335" FOREIGN KEY ("interest_id") REFERENCES "interest"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer_interest" ADD CONSTRAINT "FK_eeaf2dd8c9c381fda4fa0690667" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer_interest" ADD CONSTRAINT "FK_9ec7ee3e7072e4e42f7fd4d63d7" FOREIGN KEY ("interest_id") REFERENCES "interest"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE FUNCTION cp_join_words(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$ SELECT lower(array_to_string($1, ' ')) $fn$`,
    );
    await queryRunner.query(
      `CREATE INDEX "customer_name_trgm_idx" ON "customer" USING gin ((lower(coalesce("first_name", '') || ' ' || coalesce("last_name", ''))) gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "customer_email_trgm_idx" ON "customer" USING gin ((lower("email")) gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "catalogue_item_title_trgm_idx" ON "catalogue_item" USING gin ((lower("title")) gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "catalogue_item_authors_trgm_idx" ON "catalogue_item" USING gin ((cp_join_words("authors")) gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "activity_occurred_brin_idx" ON "activity" USING brin ("occurred_at")`,
    );
    await queryRunner.query(`CREATE FUNCTION cp_activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'activity is append-only: record a CORRECTION instead of deleting'
            USING ERRCODE = 'restrict_violation';
        END IF;
        -- Anonymisation may detach the customer and stamp the time; nothing else may change.
        IF NEW.customer_id IS NULL AND NEW.anonymised_at IS NOT NULL
           AND (to_jsonb(NEW) - 'customer_id' - 'anonymised_at')
             = (to_jsonb(OLD) - 'customer_id' - 'anonymised_at') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'activity is append-only: record a CORRECTION instead of updating'
          USING ERRCODE = 'restrict_violation';
      END
    $fn$`);
    await queryRunner.query(
      `CREATE TRIGGER activity_append_only BEFORE UPDATE OR DELETE ON "activity" FOR EACH ROW EXECUTE FUNCTION cp_activity_append_only()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TABLE IF EXISTS "customer_interest", "event_topic", "item_interest", "holding", "activity", "event", "customer", "catalogue_item", "interest", "branch" CASCADE`,
    );
    await queryRunner.query(`DROP FUNCTION IF EXISTS cp_activity_append_only()`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS cp_join_words(text[])`);
    await queryRunner.query(
      `DROP TYPE IF EXISTS "interest_source", "interest_kind", "age_band", "channel", "activity_type", "customer_status", "accessibility_need", "customer_kind", "audience", "item_format", "branch_kind"`,
    );
  }
}
