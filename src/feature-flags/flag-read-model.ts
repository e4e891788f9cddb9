import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from 'src/config/app-config';
import { FlagSnapshotService } from 'src/feature-flags/flag-snapshot.service';
import { Evaluation, evaluate } from 'src/feature-flags/resolver';

type FreshRow = { enabled: boolean; rollout_basis_points: number; version: number; archived: boolean; listed: boolean };

/**
 * What other features may ask about flags without reading `feature_flags` themselves: which keys
 * are live, and how a subject is answered, from the in-memory snapshot (as evaluation answers)
 * or from a fresh database read (so a snapshot that drifted from the database shows).
 */
@Injectable()
export class FlagReadModel {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly snapshot: FlagSnapshotService,
  ) {}

  /** The given keys that name an existing, unarchived flag, in the given order. */
  async liveKeys(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows: { key: string }[] = await this.dataSource.query(
      `SELECT key FROM feature_flags WHERE key = ANY($1::text[]) AND archived_at IS NULL`,
      [keys],
    );
    const live = new Set(rows.map((row) => row.key));
    return keys.filter((key) => live.has(key));
  }

  /** The answer evaluation gives right now, from the snapshot. */
  evaluateLive(key: string, subjectId: string): Evaluation {
    return evaluate(this.snapshot.get(key), subjectId, this.config.masterSwitchesOff.has(key));
  }

  /** Whether the snapshot holds the flag as enabled (undefined when it does not know the flag). */
  snapshotEnabled(key: string): boolean | undefined {
    return this.snapshot.get(key)?.enabled;
  }

  /** The answer computed from the database as it is now; null when the flag does not exist. */
  async evaluateFresh(key: string, subjectId: string): Promise<Evaluation | null> {
    const rows: FreshRow[] = await this.dataSource.query(
      `SELECT f.enabled, f.rollout_basis_points, f.version, f.archived_at IS NOT NULL AS archived,
              EXISTS (SELECT 1 FROM allowlist_entries a WHERE a.feature_key = f.key AND a.subject_id = $2) AS listed
       FROM feature_flags f WHERE f.key = $1`,
      [key, subjectId],
    );
    const row = rows[0];
    if (!row) return null;
    return evaluate(
      {
        key,
        enabled: row.enabled,
        rolloutBasisPoints: row.rollout_basis_points,
        version: row.version,
        archived: row.archived,
        allowlist: new Set(row.listed ? [subjectId] : []),
      },
      subjectId,
      this.config.masterSwitchesOff.has(key),
    );
  }
}
