import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Recommendations: each customer's personalisation mode and dismissals, the shared model's
 * builds and shards, and the precomputed similar-title and popular lists served by the API.
 */
export class Recommendations1764800000000 implements MigrationInterface {
  name = 'Recommendations1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "recommendation_dismissal" ("customer_id" bigint NOT NULL, "item_id" bigint NOT NULL, "dismissed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3bf0ab1d5c79943749efe90cf81" PRIMARY KEY ("customer_id", "item_id"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."rec_model_status" AS ENUM('BUILDING', 'READY', 'FAILED')`,
    );
    await queryRunner.query(
      `CREATE TABLE "rec_model" ("id" BIGSERIAL NOT NULL, "status" "public"."rec_model_status" NOT NULL DEFAULT 'BUILDING', "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, "shard_count" integer NOT NULL, "as_of" bigint NOT NULL, "snapshot" bytea, "popularity" bytea, "stats" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_484848660576240999cfb474c71" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "rec_model_status_idx" ON "rec_model"  ("status", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "rec_model_shard" ("model_id" bigint NOT NULL, "shard" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_d4728410b793e5cd0a3414dd2fc" PRIMARY KEY ("model_id", "shard"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "item_similarity" ("item_id" bigint NOT NULL, "rank" smallint NOT NULL, "similar_item_id" bigint NOT NULL, "score" real NOT NULL, CONSTRAINT "PK_e1903eac6c72e8ce2f1522be0cc" PRIMARY KEY ("item_id", "rank"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "popular_item" ("list_key" text NOT NULL, "rank" smallint NOT NULL, "item_id" bigint NOT NULL, "score" real NOT NULL, CONSTRAINT "PK_e131323756dfe2dd7e1d435e8f1" PRIMARY KEY ("list_key", "rank"))`,
    );
    await queryRunner.query(
      `CREATE TYPE "public"."recommendation_mode" AS ENUM('FULL', 'INTERESTS_ONLY', 'OFF')`,
    );
    await queryRunner.query(
      `ALTER TABLE "customer" ADD "recommendation_mode" "public"."recommendation_mode" NOT NULL DEFAULT 'FULL'`,
    );
    await queryRunner.query(
      `ALTER TABLE "recommendation_dismissal" ADD CONSTRAINT "FK_47f8a9a68e1580aeb5e091e7bb4" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "recommendation_dismissal" ADD CONSTRAINT "FK_70668e3610d7aba970810a3cd4f" FOREIGN KEY ("item_id") REFERENCES "catalogue_item"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "rec_model_shard" ADD CONSTRAINT "FK_f47ee5f70aec15ec8a482ae70d2" FOREIGN KEY ("model_id") REFERENCES "rec_model"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_similarity" ADD CONSTRAINT "FK_e80efaa1f20534e1f17e79e28d9" FOREIGN KEY ("item_id") REFERENCES "catalogue_item"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "item_similarity" ADD CONSTRAINT "FK_d43b07e6b976e1b14ceefd62258" FOREIGN KEY ("similar_item_id") REFERENCES "catalogue_item"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "popular_item" ADD CONSTRAINT "FK_ece4105a9bf0273e20b7959feea" FOREIGN KEY ("item_id") REFERENCES "catalogue_item"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "customer" DROP COLUMN "recommendation_mode"`);
    await queryRunner.query(
      `DROP TABLE "popular_item", "item_similarity", "rec_model_shard", "rec_model", "recommendation_dismissal"`,
    );
    await queryRunner.query(`DROP TYPE "recommendation_mode", "rec_model_status"`);
  }
}
