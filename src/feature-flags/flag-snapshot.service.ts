import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Change, ChangeFeedService, ChangeSubscriber, FlagChangeState } from 'src/change-feed/change-feed.service';

/** A flag as the resolver needs it; the snapshot mutates it in place as changes arrive. */
export type SnapshotFlag = {
  key: string;
  enabled: boolean;
  rolloutBasisPoints: number;
  version: number;
  archived: boolean;
  allowlist: Set<string>;
};

const ALLOWLIST_PAGE = 50_000;

/**
 * Every flag and allowlist in memory, so evaluation never touches the database. Loaded once,
 * then kept current by the change feed (docs/architecture.md).
 */
@Injectable()
export class FlagSnapshotService implements ChangeSubscriber {
  private flags = new Map<string, SnapshotFlag>();
  private liveKeys: readonly string[] | null = null;

  constructor(feed: ChangeFeedService) {
    feed.subscribe(this);
  }

  get(key: string): Readonly<SnapshotFlag> | undefined {
    return this.flags.get(key);
  }

  /** Live (not archived) flag keys; the same array until the snapshot changes, so do not modify it. */
  keys(): readonly string[] {
    this.liveKeys ??= [...this.flags.values()].filter((flag) => !flag.archived).map((flag) => flag.key);
    return this.liveKeys;
  }

  size(): { flags: number; allowlisted: number } {
    let allowlisted = 0;
    for (const flag of this.flags.values()) allowlisted += flag.allowlist.size;
    return { flags: this.flags.size, allowlisted };
  }

  async load(manager: EntityManager): Promise<void> {
    const flags = new Map<string, SnapshotFlag>();
    const rows: { key: string; enabled: boolean; rollout_basis_points: number; version: number; archived: boolean }[] =
      await manager.query(
        `SELECT key, enabled, rollout_basis_points, version, archived_at IS NOT NULL AS archived FROM feature_flags`,
      );
    for (const row of rows) {
      flags.set(row.key, {
        key: row.key,
        enabled: row.enabled,
        rolloutBasisPoints: row.rollout_basis_points,
        version: row.version,
        archived: row.archived,
        allowlist: new Set(),
      });
    }
    let after: [string, string] = ['', ''];
    for (;;) {
      const page: { feature_key: string; subject_id: string }[] = await manager.query(
        `SELECT feature_key, subject_id FROM allowlist_entries
         WHERE (feature_key, subject_id) > ($1, $2) ORDER BY feature_key, subject_id LIMIT ${ALLOWLIST_PAGE}`,
        after,
      );
      for (const row of page) flags.get(row.feature_key)?.allowlist.add(row.subject_id);
      if (page.length < ALLOWLIST_PAGE) break;
      const last = page[page.length - 1];
      after = [last.feature_key, last.subject_id];
    }
    this.flags = flags;
    this.liveKeys = null;
  }

  apply(change: Change): void {
    if (change.featureKey === null || change.state === null) return;
    this.liveKeys = null;
    const flag = this.upsert(change.featureKey, change.state);
    switch (change.kind) {
      case 'allowlist_add':
        for (const subjectId of change.subjectIds ?? []) flag.allowlist.add(subjectId);
        break;
      case 'allowlist_remove':
        for (const subjectId of change.subjectIds ?? []) flag.allowlist.delete(subjectId);
        break;
      case 'allowlist_clear':
        flag.allowlist = new Set();
        break;
      default:
        break;
    }
  }

  private upsert(key: string, state: FlagChangeState): SnapshotFlag {
    let flag = this.flags.get(key);
    if (!flag) {
      flag = { key, ...state, allowlist: new Set() };
      this.flags.set(key, flag);
    }
    flag.enabled = state.enabled;
    flag.rolloutBasisPoints = state.rolloutBasisPoints;
    flag.version = state.version;
    flag.archived = state.archived;
    return flag;
  }
}
