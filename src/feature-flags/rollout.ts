import { hasPermission, Permission, PrincipalRole } from 'src/auth/permissions';

/** A rollout percentage (0–100, at most two decimals) as an integer of basis points, 0–10000. */
export function percentageToBasisPoints(percentage: number): number {
  const problem = rolloutPercentageProblem(percentage);
  if (problem !== null) throw new RangeError(`rolloutPercentage ${problem} (got ${percentage})`);
  return Math.round(percentage * 100);
}

/** What is wrong with a rollout percentage, in words that follow its name, or null. */
export function rolloutPercentageProblem(percentage: unknown): string | null {
  if (typeof percentage !== 'number' || !Number.isFinite(percentage)) return 'must be a number from 0 to 100';
  if (percentage < 0 || percentage > 100) return 'must be from 0 to 100';
  // Exact: n / 100 is the double nearest to the decimal n/100, which is what parsing it gives.
  if (Math.round(percentage * 100) / 100 !== percentage) return 'must have at most 2 decimals (steps of 0.01)';
  return null;
}

export function basisPointsToPercentage(basisPoints: number): number {
  return basisPoints / 100;
}

/** What decides who can get a flag. An archived flag answers FLAG_NOT_FOUND: no exposure at all. */
export type Exposure = Readonly<{ enabled: boolean; rolloutBasisPoints: number; archived?: boolean }>;

/**
 * Whether a change can let more subjects get the flag, now or later. Every field that can widen
 * exposure is judged on its own, whether or not the flag is on at the moment: raising the
 * rollout of a disabled flag widens what a later "enable" exposes, so it counts as growth too.
 * Operators may always make things safer (disable, lower the rollout, remove subjects);
 * anything that grows exposure is the super admin's.
 */
export function exposureGrows(before: Exposure, after: Exposure, addedSubjects = 0): boolean {
  return (
    (after.enabled && !before.enabled) ||
    after.rolloutBasisPoints > before.rolloutBasisPoints ||
    addedSubjects > 0 ||
    (before.archived === true && after.archived !== true)
  );
}

/** A proposed change of a flag; `addedSubjects` counts allowlist entries the change adds. */
export type FlagChangeProposal = Readonly<{
  before: Exposure & { description?: string };
  after: Exposure & { description?: string };
  addedSubjects?: number;
}>;

/**
 * The one judgement every route that changes a flag goes through (PUT, PATCH, phase start,
 * advance, rollback, the monitor's automatic rollback): the permission the role lacks for this
 * change, or null when it may make it. Operators act on exposure only, and only to reduce it.
 */
export function missingPermission(role: PrincipalRole, change: FlagChangeProposal): Permission | null {
  const { before, after, addedSubjects = 0 } = change;
  if (exposureGrows(before, after, addedSubjects) && !hasPermission(role, Permission.FLAGS_EXPAND_EXPOSURE)) {
    return Permission.FLAGS_EXPAND_EXPOSURE;
  }
  if (before.description !== after.description && !hasPermission(role, Permission.FLAGS_DESCRIBE)) {
    return Permission.FLAGS_DESCRIBE;
  }
  return null;
}
