/**
 * PostgreSQL advisory lock keys, one place so no two uses collide. On the embedded database
 * (one process, one connection) they are uncontended and harmless.
 */
export const ADVISORY_LOCKS = {
  /** Migrations and the bootstrap admin: start-up work that must run exactly once. */
  startup: 4_170_022_001,
  /** Role changes and deletions of users, so "the last SUPER_ADMIN" is decided one at a time. */
  superAdmins: 4_170_022_002,
  /** Change-feed writers, held to commit, so journal ids become visible in order (ADR 0006). */
  changeFeed: 4_170_022_003,
  /** Scheduled checkpoints: with a second key per (flag, slot), one instance runs each slot. */
  scheduledCheckpoint: 417_002,
  /** Checkpoint inserts per flag (with a second key from the flag), so "previous status" is exact. */
  checkpointInsert: 417_901,
} as const;
