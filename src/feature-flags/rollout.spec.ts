import fc from 'fast-check';
import { Permission } from 'src/auth/permissions';
import {
  basisPointsToPercentage,
  exposureGrows,
  missingPermission,
  percentageToBasisPoints,
} from 'src/feature-flags/rollout';

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

  it.each([-0.01, 100.01, 5.255, 1e-7, 5e-324, 0.001, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %d',
    (percentage) => {
      expect(() => percentageToBasisPoints(percentage)).toThrow(RangeError);
    },
  );
});

const flag = (enabled: boolean, rolloutBasisPoints: number) => ({ enabled, rolloutBasisPoints });

describe('exposure rule', () => {
  it('treats enabling and raising as growth', () => {
    expect(exposureGrows(flag(false, 0), flag(true, 0))).toBe(true);
    expect(exposureGrows(flag(true, 100), flag(true, 500))).toBe(true);
    expect(exposureGrows(flag(false, 500), flag(true, 100))).toBe(true);
  });

  it('treats disabling, lowering and no change as safe (Level 1 rollback)', () => {
    expect(exposureGrows(flag(true, 100), flag(false, 0))).toBe(false);
    expect(exposureGrows(flag(true, 500), flag(true, 100))).toBe(false);
    expect(exposureGrows(flag(true, 100), flag(true, 100))).toBe(false);
  });

  it('judges the rollout of a disabled flag too: a later "enable" would expose it', () => {
    expect(exposureGrows(flag(false, 0), flag(false, 10000))).toBe(true);
    expect(exposureGrows(flag(false, 500), flag(false, 100))).toBe(false);
  });

  it('treats adding subjects and un-archiving as growth', () => {
    expect(exposureGrows(flag(false, 0), flag(false, 0), 1)).toBe(true);
    expect(exposureGrows({ ...flag(true, 0), archived: true }, flag(true, 0))).toBe(true);
    expect(exposureGrows(flag(true, 0), { ...flag(true, 0), archived: true })).toBe(false);
  });
});

describe('who may make a flag change', () => {
  const state = fc.record({
    enabled: fc.boolean(),
    rolloutBasisPoints: fc.integer({ min: 0, max: 10000 }),
    archived: fc.boolean(),
    description: fc.constantFrom('', 'matching v2', 'other'),
  });
  const change = fc.record({ before: state, after: state, addedSubjects: fc.nat({ max: 3 }) });

  it('never lets an operator raise the rollout, enable, add a subject, un-archive or edit the description', () => {
    fc.assert(
      fc.property(change, (c) => {
        if (missingPermission('OPERATOR', c) !== null) return;
        expect(c.after.rolloutBasisPoints).toBeLessThanOrEqual(c.before.rolloutBasisPoints);
        expect(!c.before.enabled && c.after.enabled).toBe(false);
        expect(c.addedSubjects).toBe(0);
        expect(c.before.archived && !c.after.archived).toBe(false);
        expect(c.after.description).toBe(c.before.description);
      }),
      { seed: 20261203, numRuns: 2000 },
    );
  });

  it('lets an operator make any change that only reduces exposure', () => {
    fc.assert(
      fc.property(change, (c) => {
        const reduces =
          c.after.rolloutBasisPoints <= c.before.rolloutBasisPoints &&
          (c.before.enabled || !c.after.enabled) &&
          c.addedSubjects === 0 &&
          (!c.before.archived || c.after.archived) &&
          c.after.description === c.before.description;
        expect(missingPermission('OPERATOR', c) === null).toBe(reduces);
      }),
      { seed: 20261203, numRuns: 2000 },
    );
  });

  it('lets a super admin make every change', () => {
    fc.assert(
      fc.property(change, (c) => expect(missingPermission('SUPER_ADMIN', c)).toBeNull()),
      { seed: 1, numRuns: 500 },
    );
  });

  it('names what is missing', () => {
    expect(missingPermission('OPERATOR', { before: flag(false, 0), after: flag(false, 10000) })).toBe(
      Permission.FLAGS_EXPAND_EXPOSURE,
    );
    expect(
      missingPermission('OPERATOR', {
        before: { ...flag(true, 0), description: 'a' },
        after: { ...flag(true, 0), description: 'b' },
      }),
    ).toBe(Permission.FLAGS_DESCRIBE);
  });

  it.each(['ANGEL_VIEWER', 'SERVICE'] as const)('refuses %s any growth', (r) => {
    fc.assert(
      fc.property(change, (c) => {
        if (exposureGrows(c.before, c.after, c.addedSubjects)) expect(missingPermission(r, c)).not.toBeNull();
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
