import { MigrationInterface, QueryRunner } from 'typeorm';

/** The change feed every instance follows to keep its in-memory snapshot current (ADR 0006). */
export class ChangeFeed1764500000000 implements MigrationInterface {
  name = 'ChangeFeed1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE flag_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        kind text NOT NULL CHECK (kind IN ('flag', 'allowlist_add', 'allowlist_remove', 'allowlist_clear', 'service_tokens')),
        feature_key text,
        state jsonb,
        subject_ids text[]
      )`);
    await queryRunner.query(`CREATE INDEX flag_changes_at ON flag_changes (at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE flag_changes`);
  }
}
