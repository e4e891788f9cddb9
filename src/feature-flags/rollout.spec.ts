import { basisPointsToPercentage, exposureGrows, percentageToBasisPoints } from 'src/feature-flags/rollout';

describe('rollout percentage as basis points', () => {
  it.each([
    [0, 0],
    [1, 100],
    [5.25, 525],
    [0.29, 29],
    [0.01, 1],
    [33.33, 3333],
    [100, 10000],
  ])('%d %% is %d basis points and back', (percentage, basisPoints) => {
    expect(percentageToBasisPoints(percentage)).toBe(basisPoints);
    expect(basisPointsToPercentage(basisPoints)).toBe(percentage);
  });

  it.each([-0.01, 100.01, 5.255, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (percentage) => {
    expect(() => percentageToBasisPoints(percentage)).toThrow(RangeError);
  });
});

describe('exposure rule', () => {
  const flag = (enabled: boolean, rolloutBasisPoints: number) => ({ enabled, rolloutBasisPoints });

  it('treats enabling and raising as growth', () => {
    expect(exposureGrows(flag(false, 0), flag(true, 0))).toBe(true);
    expect(exposureGrows(flag(true, 100), flag(true, 500))).toBe(true);
    expect(exposureGrows(flag(false, 500), flag(true, 100))).toBe(true);
  });

  it('treats disabling, lowering and no change as safe (Level 1 rollback)', () => {
    expect(exposureGrows(flag(true, 100), flag(false, 0))).toBe(false);
    expect(exposureGrows(flag(true, 500), flag(true, 100))).toBe(false);
    expect(exposureGrows(flag(true, 100), flag(true, 100))).toBe(false);
    expect(exposureGrows(flag(false, 0), flag(false, 10000))).toBe(false);
  });
});
