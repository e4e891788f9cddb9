import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evaluation counts per flag and minute (docs/beta-monitor-checks.md, data coverage): how often
 * flagdog answered the flag ON and OFF. Every instance counts in memory and adds its counts with
 * one upsert every few seconds, so a checkpoint run anywhere (another instance, the CLI) reads
 * them for its window. Like `telemetry_minutes`, no foreign key: history outlives archived flags.
 */
export class EvaluationMinutes1765500000000 implements MigrationInterface {
  name = 'EvaluationMinutes1765500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE evaluation_minutes (
        feature_key text NOT NULL,
        minute timestamptz NOT NULL,
        served_on bigint NOT NULL DEFAULT 0,
        served_off bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (feature_key, minute)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE evaluation_minutes`);
  }
}
