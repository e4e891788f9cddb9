import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox of alerts out (docs/beta-monitor-checks.md, docs/alerts.md): one row per alerting
 * checkpoint, written in the checkpoint's transaction, delivered by a leased worker.
 */
export class AlertOutbox1764900000000 implements MigrationInterface {
  name = 'AlertOutbox1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE alert_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        checkpoint_id uuid NOT NULL UNIQUE REFERENCES beta_monitor_checkpoints (id) ON DELETE CASCADE,
        feature_key text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        leased_until timestamptz,
        delivered_at timestamptz,
        last_error text
      )`);
    // The worker's claim scans only what is still to deliver.
    await queryRunner.query(
      `CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at, id) WHERE delivered_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE alert_outbox`);
  }
}
