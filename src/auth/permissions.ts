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
  USERS_MANAGE = 'users:manage',
  SERVICE_TOKENS_MANAGE = 'service-tokens:manage',
  FLAGS_EVALUATE = 'flags:evaluate',
  TELEMETRY_WRITE = 'telemetry:write',
}

const EVERYONE = [Permission.FLAGS_EVALUATE, Permission.TELEMETRY_WRITE];
const READER = [...EVERYONE, Permission.FLAGS_READ];
const OPERATOR = [
  ...READER,
  Permission.FLAGS_REDUCE_EXPOSURE,
  Permission.ALLOWLIST_REMOVE,
  Permission.CHECKPOINTS_RUN,
  Permission.COMPLAINTS_WRITE,
  Permission.CHECKLIST_SIGN,
];

/**
 * The role → permission table (DESIGN §3). Operators can always make things safer; expanding
 * exposure is the super admin's.
 */
export const ROLE_PERMISSIONS: Readonly<Record<PrincipalRole, ReadonlySet<Permission>>> = {
  SUPER_ADMIN: new Set(Object.values(Permission)),
  OPERATOR: new Set(OPERATOR),
  ANGEL_VIEWER: new Set(READER),
  SERVICE: new Set(EVERYONE),
};

export function hasPermission(role: PrincipalRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.has(permission) ?? false;
}
