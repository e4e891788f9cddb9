import { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeEmail } from 'src/auth/email';

/**
 * Login limits shared by every instance: one row per limited key (a SHA-256 of the address
 * and/or account, never the email itself) with its hits in the current window.
 *
 * Emails stored before flagdog normalised them once are rewritten into that form (trimmed, NFC,
 * lower-cased by JavaScript), so lookups of the normalised form find them. This is done here in
 * JavaScript, not with PostgreSQL's lower(), because the two fold some letters differently. A
 * row whose normalised form another row already has (two spellings of one address) is left as
 * it was: it cannot sign in until an admin deletes one of the two (docs/security.md).
 */
export class SharedLoginLimits1765400000000 implements MigrationInterface {
  name = 'SharedLoginLimits1765400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE login_attempts (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX login_attempts_expires_at ON login_attempts (expires_at)`);

    const users: { id: string; email: string }[] = await queryRunner.query(`SELECT id::text AS id, email FROM users`);
    const owners = new Map<string, number>();
    for (const { email } of users) owners.set(normalizeEmail(email), (owners.get(normalizeEmail(email)) ?? 0) + 1);
    for (const { id, email } of users) {
      const normalized = normalizeEmail(email);
      if (normalized === email || owners.get(normalized) !== 1) continue;
      const clash: unknown[] = await queryRunner.query(
        `SELECT 1 FROM users WHERE lower(email) = lower($1) AND id::text <> $2`,
        [normalized, id],
      );
      if (clash.length === 0)
        await queryRunner.query(`UPDATE users SET email = $1 WHERE id::text = $2`, [normalized, id]);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE login_attempts`);
  }
}
