import { MigrationInterface, QueryRunner } from 'typeorm';

/** The go/no-go's manual checklist: one signature per flag, phase and item (docs/beta-monitor.md). */
export class GoNoGo1764800000000 implements MigrationInterface {
  name = 'GoNoGo1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE beta_monitor_checklist (
        feature_key text NOT NULL REFERENCES feature_flags (key),
        phase text NOT NULL,
        item text NOT NULL,
        status text NOT NULL CHECK (status IN ('PASS', 'WARN', 'FAIL')),
        note text,
        signed_by text NOT NULL,
        signed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (feature_key, phase, item)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE beta_monitor_checklist`);
  }
}
