import { Permission, PrincipalRole } from 'src/auth/permissions';

/** Who is calling: a signed-in user or a service token. */
export type Principal = Readonly<{
  kind: 'user' | 'service';
  id: string;
  /** The user's email or the service token's name; this is the audit actor. */
  name: string;
  role: PrincipalRole;
  /** A service token's own permissions (a subset of the SERVICE row); absent for users. */
  permissions?: ReadonlySet<Permission>;
  /** The only flags a service token may send telemetry for; absent or null: any existing flag. */
  telemetryFeatureKeys?: ReadonlySet<string> | null;
}>;

/** The actor of a change, as the audit log records it. */
export type Actor = Readonly<{ name: string; role: string; requestId: string | null }>;
