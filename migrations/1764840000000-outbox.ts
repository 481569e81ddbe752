import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox: background work recorded in the same transaction as the change
 * that needs it, and moved into BullMQ by the relay (`src/outbox/`). Rows are written once,
 * updated once when relayed, and deleted after the retention period, so the table churns:
 * autovacuum is told to visit it sooner than the default 20% of dead rows.
 *
 * A statement that adds entries notifies `commonplace_outbox`, whoever wrote it and however;
 * PostgreSQL delivers the notification at commit, and relays LISTEN for it.
 *
 * `rec_model.build_key` lets a retried rebuild job find the model it already started instead
 * of opening a second one. No entity maps the outbox: only `src/outbox` reads or writes it.
 */
export class Outbox1764840000000 implements MigrationInterface {
  name = 'Outbox1764840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" BIGSERIAL NOT NULL, "queue" text NOT NULL, ` +
        `"name" text NOT NULL, "data" jsonb NOT NULL, "job_id" text, ` +
        `"opts" jsonb NOT NULL DEFAULT '{}', "request_id" text, ` +
        `"created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), ` +
        `"relayed_at" TIMESTAMP WITH TIME ZONE, "relayed_job_id" text, ` +
        `"attempts" integer NOT NULL DEFAULT 0, "next_attempt_at" TIMESTAMP WITH TIME ZONE, ` +
        `"last_error" text, "dead_at" TIMESTAMP WITH TIME ZONE, ` +
        `CONSTRAINT "outbox_pk" PRIMARY KEY ("id")) ` +
        `WITH (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)`,
    );
    // The relay's only read: pending entries in id order.
    await queryRunner.query(
      `CREATE INDEX "outbox_pending_idx" ON "outbox" ("id") ` +
        `WHERE "relayed_at" IS NULL AND "dead_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM added) THEN PERFORM pg_notify('commonplace_outbox', ''); END IF;
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "outbox_notify_after_insert" AFTER INSERT ON "outbox" ` +
        `REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"()`,
    );
    await queryRunner.query(`ALTER TABLE "rec_model" ADD "build_key" text`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "rec_model_build_key_idx" ON "rec_model" ("build_key")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."rec_model_build_key_idx"`);
    await queryRunner.query(`ALTER TABLE "rec_model" DROP COLUMN "build_key"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
    await queryRunner.query(`DROP FUNCTION "outbox_notify"()`);
  }
}
