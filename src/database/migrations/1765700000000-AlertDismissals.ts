import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dismissed alerts (docs/beta-monitor.md, ADR 0017): one row per checkpoint and alert code a
 * super admin dismissed, with who and why. The checkpoint and its alerts stay as they were.
 */
export class AlertDismissals1765700000000 implements MigrationInterface {
  name = 'AlertDismissals1765700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE beta_monitor_alert_dismissals (
        checkpoint_id uuid NOT NULL REFERENCES beta_monitor_checkpoints (id) ON DELETE CASCADE,
        code text NOT NULL,
        reason text NOT NULL,
        dismissed_by text NOT NULL,
        dismissed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (checkpoint_id, code)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE beta_monitor_alert_dismissals`);
  }
}
