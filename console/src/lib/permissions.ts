import type { Role } from '../api/client';

/**
 * What each role may do, mirroring the server's role → permission table. Hiding a control is
 * a convenience for the person at the screen: the server checks every call again.
 */
export type Action =
  | 'flag.expandExposure'
  | 'flag.reduceExposure'
  | 'allowlist.add'
  | 'allowlist.remove'
  | 'checkpoint.run'
  | 'complaint.record'
  | 'checklist.sign'
  | 'phase.advance'
  | 'alert.dismiss'
  | 'rollback.level1'
  | 'users.manage'
  | 'tokens.manage';

const OPERATOR: readonly Action[] = [
  'flag.reduceExposure',
  'allowlist.remove',
  'checkpoint.run',
  'complaint.record',
  'checklist.sign',
  'rollback.level1',
];

const ALLOWED: Readonly<Record<Role, ReadonlySet<Action>>> = {
  SUPER_ADMIN: new Set<Action>([
    ...OPERATOR,
    'flag.expandExposure',
    'allowlist.add',
    'phase.advance',
    'alert.dismiss',
    'users.manage',
    'tokens.manage',
  ]),
  OPERATOR: new Set(OPERATOR),
  ANGEL_VIEWER: new Set(),
};

export function can(role: Role, action: Action): boolean {
  return ALLOWED[role].has(action);
}

export type Exposure = Readonly<{ enabled: boolean; rolloutPercentage: number }>;

/**
 * The change can let more subjects get the flag, now or later: enabling it, or raising its
 * rollout even while it is off (a later "enable" would expose that much), as the server judges.
 */
export function exposureGrows(before: Exposure, after: Exposure): boolean {
  return (
    (after.enabled && !before.enabled) ||
    Math.round(after.rolloutPercentage * 100) > Math.round(before.rolloutPercentage * 100)
  );
}

/** Whether this role may change a flag from `before` to `after`. */
export function canChangeFlag(role: Role, before: Exposure, after: Exposure): boolean {
  return can(role, exposureGrows(before, after) ? 'flag.expandExposure' : 'flag.reduceExposure');
}
