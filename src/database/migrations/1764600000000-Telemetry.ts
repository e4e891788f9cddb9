import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Telemetry intake (docs/telemetry.md): one row per flag, variant and minute, added to by every instance
 * with additive upserts, so its size depends on minutes × flags, never on request volume.
 * `latency` and `ttm` are histograms in the fixed layout of src/telemetry/latency-histogram.ts
 * (trailing empty bins left out). No foreign key to feature_flags: the monitored application may
 * report before a flag exists, and history outlives archived flags.
 */
export class Telemetry1764600000000 implements MigrationInterface {
  name = 'Telemetry1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE telemetry_minutes (
        feature_key text NOT NULL,
        variant text NOT NULL CHECK (variant IN ('on', 'off')),
        minute timestamptz NOT NULL,
        requests bigint NOT NULL DEFAULT 0,
        c2xx bigint NOT NULL DEFAULT 0,
        c3xx bigint NOT NULL DEFAULT 0,
        c4xx bigint NOT NULL DEFAULT 0,
        c5xx bigint NOT NULL DEFAULT 0,
        c401 bigint NOT NULL DEFAULT 0,
        c403 bigint NOT NULL DEFAULT 0,
        c429 bigint NOT NULL DEFAULT 0,
        latency bigint[] NOT NULL DEFAULT '{}',
        matching_total bigint NOT NULL DEFAULT 0,
        matching_success bigint NOT NULL DEFAULT 0,
        ttm bigint[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (feature_key, minute, variant)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE telemetry_minutes`);
  }
}
