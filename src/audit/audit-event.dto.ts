/** One audit event, as the API shows it and as the checkpoint reads a flag's changes. */
export class AuditEventResponseDto {
  id: string;
  at: string;
  /** A user's email, a service token's name, or `beta-monitor`. */
  actor: string;
  actorRole: string;
  action: string;
  featureKey: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
}
