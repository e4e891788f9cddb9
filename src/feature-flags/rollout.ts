/** A rollout percentage as requests carry it: a finite number with at most two decimals (0–100 is checked beside it). */
export const ROLLOUT_PERCENTAGE = { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 } as const;

/** A rollout percentage (0–100, at most two decimals) as an integer of basis points, 0–10000. */
export function percentageToBasisPoints(percentage: number): number {
  if (!Number.isFinite(percentage) || percentage < 0 || percentage > 100) {
    throw new RangeError(`rolloutPercentage must be between 0 and 100 (got ${percentage})`);
  }
  const basisPoints = Math.round(percentage * 100);
  if (Math.abs(basisPoints - percentage * 100) > 1e-6) {
    throw new RangeError(`rolloutPercentage has at most two decimals (got ${percentage})`);
  }
  return basisPoints;
}

export function basisPointsToPercentage(basisPoints: number): number {
  return basisPoints / 100;
}

export type Exposure = Readonly<{ enabled: boolean; rolloutBasisPoints: number }>;

/**
 * Whether a change lets more subjects get the flag. Operators may always make things safer
 * (disable, lower the rollout); growing exposure is the super admin's (docs/adr/0003-permissions-and-exposure-rule.md).
 */
export function exposureGrows(before: Exposure, after: Exposure): boolean {
  if (!after.enabled) return false;
  return !before.enabled || after.rolloutBasisPoints > before.rolloutBasisPoints;
}
