import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764400000000 implements MigrationInterface {
  name = 'Foundation1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER')),
        password_hash text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`);

    await queryRunner.query(`
      CREATE TABLE service_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        token_hash text NOT NULL,
        token_prefix text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX service_tokens_hash_unique ON service_tokens (token_hash)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX service_tokens_active_name_unique ON service_tokens (lower(name)) WHERE revoked_at IS NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE feature_flags (
        key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{2,63}$'),
        description text NOT NULL DEFAULT '',
        enabled boolean NOT NULL DEFAULT false,
        rollout_basis_points integer NOT NULL DEFAULT 0 CHECK (rollout_basis_points BETWEEN 0 AND 10000),
        allowlist_count integer NOT NULL DEFAULT 0 CHECK (allowlist_count >= 0),
        version integer NOT NULL DEFAULT 1,
        archived_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text NOT NULL
      )`);

    await queryRunner.query(`
      CREATE TABLE allowlist_entries (
        feature_key text NOT NULL REFERENCES feature_flags (key) ON DELETE CASCADE,
        subject_id text NOT NULL,
        added_by text NOT NULL,
        added_at timestamptz NOT NULL DEFAULT now(),
        note text,
        PRIMARY KEY (feature_key, subject_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        feature_key text,
        before jsonb,
        after jsonb,
        reason text,
        request_id text
      )`);
    await queryRunner.query(`CREATE INDEX audit_events_feature_key_id ON audit_events (feature_key, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_events`);
    await queryRunner.query(`DROP TABLE allowlist_entries`);
    await queryRunner.query(`DROP TABLE feature_flags`);
    await queryRunner.query(`DROP TABLE service_tokens`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
