import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** Types of the API, generated from the committed openapi.json (`npm run generate:api`). */
export type Schemas = components['schemas'];
export type Flag = Schemas['FeatureFlagResponseDto'];
export type AuditEvent = Schemas['AuditEventResponseDto'];
export type AllowlistEntry = Schemas['AllowlistEntryResponseDto'];
export type Checkpoint = Schemas['CheckpointResponseDto'];
export type Alert = Schemas['AlertDto'];
export type Phase = Schemas['PhaseResponseDto'];
export type GoNoGo = Schemas['GoNoGoResponseDto'];
export type ChecklistItem = Schemas['GoNoGoChecklistItemDto'];
export type Complaint = Schemas['ComplaintResponseDto'];
export type RollbackResult = Schemas['RollbackResponseDto'];
export type User = Schemas['UserDetailResponseDto'];
export type ServiceToken = Schemas['ServiceTokenResponseDto'];
export type Role = Schemas['UserResponseDto']['role'];
export type Health = Checkpoint['health'];
export type CheckpointStatus = Checkpoint['status'];
/** The status document: `latest` and `phase` are declared as plain objects in the API. */
export type MonitorStatus = Omit<Schemas['BetaMonitorStatusResponseDto'], 'latest' | 'phase' | 'health'> & {
  health: Health | null;
  latest: Checkpoint | null;
  phase: Phase | null;
};

export type Problem = Readonly<{ status: number; code: string; detail: string; [key: string]: unknown }>;

/** A refused or failed call, with the server's problem+json. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

export const api = createClient<paths>({ baseUrl: '' });

let bearer: string | null = null;
/** Told the problem's `code` (e.g. TOKEN_EXPIRED) when the server no longer accepts the token. */
let onUnauthenticated: ((code: string | null) => void) | null = null;

/** The session tells the client its token, and what to do when the server no longer accepts it. */
export function configureAuth(token: string | null, unauthenticated: ((code: string | null) => void) | null): void {
  bearer = token;
  onUnauthenticated = unauthenticated;
}

const auth: Middleware = {
  onRequest({ request }) {
    if (bearer !== null) request.headers.set('authorization', `Bearer ${bearer}`);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401 && bearer !== null && !request.url.endsWith('/api/auth/login')) {
      const code = await response
        .clone()
        .json()
        .then(
          (body: { code?: unknown }) => (typeof body?.code === 'string' ? body.code : null),
          () => null,
        );
      onUnauthenticated?.(code);
    }
    return response;
  },
};
api.use(auth);

/** The data of an answer, or an ApiError carrying the problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok) return result.data as T;
  const error = (result.error ?? {}) as Partial<Problem>;
  throw new ApiError({
    ...error,
    status: result.response.status,
    code: typeof error.code === 'string' ? error.code : 'HTTP_' + result.response.status,
    detail: typeof error.detail === 'string' ? error.detail : result.response.statusText,
  });
}

/** The `If-Match` header for a resource at a version (the API's ETag is the quoted version). */
export function ifMatch(version: number): { 'If-Match': string } {
  return { 'If-Match': `"${version}"` };
}
