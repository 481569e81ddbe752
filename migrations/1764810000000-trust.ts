import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Trust: the append-only consent ledger, each customer's reading-history choice, erasure
 * tombstones and the hash-chained audit trail. Both ledgers refuse UPDATE and DELETE.
 */
export class Trust1764810000000 implements MigrationInterface {
  name = 'Trust1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_entry" ("id" BIGSERIAL NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor" text NOT NULL, "actor_role" text NOT NULL, "action" text NOT NULL, "target_type" text NOT NULL, "target_id" text, "customer_id" bigint, "reason" text, "request_id" text, "details" jsonb NOT NULL DEFAULT '{}', "prev_hash" text NOT NULL, "hash" text NOT NULL, CONSTRAINT "UQ_d099f32d77ce3db4700a14896e6" UNIQUE ("hash"), CONSTRAINT "PK_58a130a4b9da189f46ba2a01801" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_entry_customer_idx" ON "audit_entry"  ("customer_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."consent_purpose" AS ENUM('PERSONALISATION', 'HISTORY_RETENTION', 'SERVICE_MESSAGES', 'MARKETING', 'DEMOGRAPHICS_FOR_PLANNING')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."consent_channel" AS ENUM('EMAIL', 'SMS', 'POST', 'APP')`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."consent_source" AS ENUM('BRANCH', 'WEB', 'APP', 'IMPORT', 'UNSUBSCRIBE_LINK')`,
    );
    await queryRunner.query(
      `CREATE TABLE "consent_record" ("id" BIGSERIAL NOT NULL, "customer_id" bigint NOT NULL, "purpose" "public"."consent_purpose" NOT NULL, "channel" "public"."consent_channel", "granted" boolean NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "source" "public"."consent_source" NOT NULL, "wording_version" text NOT NULL, CONSTRAINT "PK_b357c35aea3aa0be4647282324f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "consent_record_current_idx" ON "consent_record"  ("customer_id", "purpose", "channel", "recorded_at") `,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."history_choice" AS ENUM('KEEP', 'DEFAULT', 'NEVER')`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer" ADD "history_choice" "public"."history_choice" NOT NULL DEFAULT 'DEFAULT'`,
    );
    await queryRunner.query(`ALTER TABLE "customer" ADD "erased_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `ALTER TABLE "consent_record" ADD CONSTRAINT "FK_519419fb1f52507531488a672f2" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(`CREATE FUNCTION cp_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
      END
    $fn$`);
    await queryRunner.query(
      `CREATE TRIGGER consent_record_append_only BEFORE UPDATE OR DELETE ON "consent_record" FOR EACH ROW EXECUTE FUNCTION cp_forbid_change()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON "audit_entry" FOR EACH ROW EXECUTE FUNCTION cp_forbid_change()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "consent_record", "audit_entry"`);
    await queryRunner.query(`DROP FUNCTION cp_forbid_change()`);
    await queryRunner.query(
      `ALTER TABLE "customer" DROP COLUMN "history_choice", DROP COLUMN "erased_at"`,
    );
    await queryRunner.query(
      `DROP TYPE "history_choice", "consent_source", "consent_channel", "consent_purpose"`,
    );
  }
}
