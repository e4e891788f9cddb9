import { describe, expect, it } from 'vitest';
import { can, canChangeFlag, exposureGrows } from './permissions';

describe('role → allowed actions', () => {
  it.each([
    ['SUPER_ADMIN', 'phase.advance', true],
    ['SUPER_ADMIN', 'allowlist.add', true],
    ['OPERATOR', 'checkpoint.run', true],
    ['OPERATOR', 'rollback.level1', true],
    ['OPERATOR', 'allowlist.remove', true],
    ['OPERATOR', 'allowlist.add', false],
    ['OPERATOR', 'phase.advance', false],
    ['OPERATOR', 'users.manage', false],
    ['ANGEL_VIEWER', 'checkpoint.run', false],
    ['ANGEL_VIEWER', 'flag.reduceExposure', false],
    ['ANGEL_VIEWER', 'complaint.record', false],
  ] as const)('%s may %s: %s', (role, action, allowed) => {
    expect(can(role, action)).toBe(allowed);
  });

  it('lets an operator only reduce exposure', () => {
    const on = { enabled: true, rolloutPercentage: 5 };
    expect(canChangeFlag('OPERATOR', on, { enabled: false, rolloutPercentage: 5 })).toBe(true);
    expect(canChangeFlag('OPERATOR', on, { enabled: true, rolloutPercentage: 1 })).toBe(true);
    expect(canChangeFlag('OPERATOR', on, { enabled: true, rolloutPercentage: 5.01 })).toBe(false);
    expect(
      canChangeFlag('OPERATOR', { enabled: false, rolloutPercentage: 0 }, { enabled: true, rolloutPercentage: 0 }),
    ).toBe(false);
    expect(canChangeFlag('SUPER_ADMIN', on, { enabled: true, rolloutPercentage: 100 })).toBe(true);
    expect(canChangeFlag('ANGEL_VIEWER', on, { enabled: false, rolloutPercentage: 0 })).toBe(false);
  });

  it('counts raising the rollout of a disabled flag as growth, as the server does', () => {
    const off = { enabled: false, rolloutPercentage: 0 };
    expect(exposureGrows(off, { enabled: false, rolloutPercentage: 50 })).toBe(true);
    expect(canChangeFlag('OPERATOR', off, { enabled: false, rolloutPercentage: 50 })).toBe(false);
    expect(canChangeFlag('OPERATOR', { enabled: false, rolloutPercentage: 50 }, off)).toBe(true);
    expect(exposureGrows({ enabled: false, rolloutPercentage: 50 }, { enabled: true, rolloutPercentage: 50 })).toBe(
      true,
    );
  });
});
