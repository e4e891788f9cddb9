import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A service token holds only the permissions it was created with, and may be limited to named
 * flags for telemetry (docs/telemetry.md, "Who may send telemetry"). Tokens that exist already
 * keep evaluation only: they were not made for telemetry, and any of them could post events that
 * fail a checkpoint or hide a regression. Sending telemetry needs a new token made for it.
 */
export class ServiceTokenPermissions1765300000000 implements MigrationInterface {
  name = 'ServiceTokenPermissions1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE service_tokens
        ADD COLUMN permissions text[] NOT NULL DEFAULT '{flags:evaluate}'
          CHECK (cardinality(permissions) > 0 AND permissions <@ ARRAY['flags:evaluate', 'telemetry:write']::text[]),
        ADD COLUMN telemetry_feature_keys text[]
          CHECK (telemetry_feature_keys IS NULL OR 'telemetry:write' = ANY (permissions))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE service_tokens DROP COLUMN telemetry_feature_keys, DROP COLUMN permissions`);
  }
}
