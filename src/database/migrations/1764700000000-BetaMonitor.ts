import { MigrationInterface, QueryRunner } from 'typeorm';

/** Rollout phases, complaints and the beta monitor's checkpoints (docs/beta-monitor.md). */
export class BetaMonitor1764700000000 implements MigrationInterface {
  name = 'BetaMonitor1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE beta_monitor_phases (
        feature_key text NOT NULL REFERENCES feature_flags (key),
        name text NOT NULL,
        position integer NOT NULL,
        definition jsonb NOT NULL,
        started_at timestamptz,
        started_by text,
        baseline_json jsonb,
        PRIMARY KEY (feature_key, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE beta_monitor_complaints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        feature_key text NOT NULL REFERENCES feature_flags (key),
        subject_id text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('critical', 'minor')),
        summary text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX beta_monitor_complaints_key_at ON beta_monitor_complaints (feature_key, created_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE beta_monitor_checkpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        feature_key text NOT NULL,
        phase text,
        checkpoint_label text NOT NULL,
        status text NOT NULL CHECK (status IN ('PASS', 'WARN', 'FAIL', 'ERROR')),
        health text NOT NULL CHECK (health IN ('GREEN', 'YELLOW', 'RED')),
        trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'cli')),
        triggered_by text NOT NULL,
        window_start timestamptz NOT NULL,
        window_end timestamptz NOT NULL,
        config_json jsonb,
        metrics_json jsonb,
        determinism_json jsonb,
        evidence_json jsonb,
        alerts_json jsonb NOT NULL DEFAULT '[]',
        error text,
        duration_ms integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (feature_key, checkpoint_label)
      )`);
    await queryRunner.query(
      `CREATE INDEX beta_monitor_checkpoints_key_created ON beta_monitor_checkpoints (feature_key, created_at DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE beta_monitor_checkpoints`);
    await queryRunner.query(`DROP TABLE beta_monitor_complaints`);
    await queryRunner.query(`DROP TABLE beta_monitor_phases`);
  }
}
