/** Roles of people. Service tokens act with the SERVICE role. */
export const HUMAN_ROLES = ['SUPER_ADMIN', 'OPERATOR', 'ANGEL_VIEWER'] as const;
export type Role = (typeof HUMAN_ROLES)[number];
export type PrincipalRole = Role | 'SERVICE';

export enum Permission {
  FLAGS_READ = 'flags:read',
  FLAGS_CREATE = 'flags:create',
  FLAGS_ARCHIVE = 'flags:archive',
  /** Update a flag so fewer subjects get it (disable, lower the rollout): Level 1 rollback. */
  FLAGS_REDUCE_EXPOSURE = 'flags:reduce-exposure',
  /** Update a flag so more subjects get it (enable, raise the rollout). */
  FLAGS_EXPAND_EXPOSURE = 'flags:expand-exposure',
  /** Change a flag's description (operators act on exposure only). */
  FLAGS_DESCRIBE = 'flags:describe',
  ALLOWLIST_ADD = 'allowlist:add',
  ALLOWLIST_REMOVE = 'allowlist:remove',
  CHECKPOINTS_RUN = 'checkpoints:run',
  COMPLAINTS_WRITE = 'complaints:write',
  CHECKLIST_SIGN = 'checklist:sign',
  PHASES_MANAGE = 'phases:manage',
  /** Dismiss a checkpoint's alert (releases its hold, no longer fails the go/no-go). */
  ALERTS_DISMISS = 'alerts:dismiss',
  USERS_MANAGE = 'users:manage',
  SERVICE_TOKENS_MANAGE = 'service-tokens:manage',
  /** Read the whole audit log (every actor, every flag). */
  AUDIT_READ = 'audit:read',
  FLAGS_EVALUATE = 'flags:evaluate',
  TELEMETRY_WRITE = 'telemetry:write',
}

const READER = [Permission.FLAGS_EVALUATE, Permission.FLAGS_READ];
const OPERATOR = [
  ...READER,
  Permission.FLAGS_REDUCE_EXPOSURE,
  Permission.ALLOWLIST_REMOVE,
  Permission.CHECKPOINTS_RUN,
  Permission.COMPLAINTS_WRITE,
  Permission.CHECKLIST_SIGN,
];

/**
 * What a service token can be granted; each token holds the subset it was created with
 * (default: evaluation only). Telemetry decides checkpoints and automatic rollbacks, so it is
 * written only by tokens made for it — no person, not even a super admin, writes it by hand.
 */
export const SERVICE_TOKEN_PERMISSIONS = [Permission.FLAGS_EVALUATE, Permission.TELEMETRY_WRITE] as const;
export type ServiceTokenPermission = (typeof SERVICE_TOKEN_PERMISSIONS)[number];

/**
 * The role → permission table (docs/adr/0003-permissions-and-exposure-rule.md). Operators can
 * always make things safer; expanding exposure is the super admin's. For SERVICE it is the most a
 * token may hold.
 */
export const ROLE_PERMISSIONS: Readonly<Record<PrincipalRole, ReadonlySet<Permission>>> = {
  SUPER_ADMIN: new Set(Object.values(Permission).filter((permission) => permission !== Permission.TELEMETRY_WRITE)),
  OPERATOR: new Set(OPERATOR),
  ANGEL_VIEWER: new Set(READER),
  SERVICE: new Set(SERVICE_TOKEN_PERMISSIONS),
};

export function hasPermission(role: PrincipalRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}

/** The role's table, narrowed for a service token to the permissions it was created with. */
export function principalHasPermission(
  principal: Readonly<{ role: PrincipalRole; permissions?: ReadonlySet<Permission> }>,
  permission: Permission,
): boolean {
  if (!hasPermission(principal.role, permission)) return false;
  return principal.role !== 'SERVICE' || (principal.permissions?.has(permission) ?? false);
}
