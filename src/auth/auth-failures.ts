import { HttpStatus } from '@nestjs/common';
import { AppError } from 'src/http/app-error';

/**
 * Why a request's credentials were refused: the one table of 401 codes, their details and what
 * the caller can do (docs/security.md). A detail never contains the credential itself, and is
 * plain ASCII without quotes so it can go into `WWW-Authenticate` as it is (RFC 6750 §3).
 */
export const AUTH_FAILURES = {
  CREDENTIALS_MISSING: 'This route needs credentials: Authorization: Bearer <token> or X-API-Key: <service token>.',
  CREDENTIALS_MALFORMED:
    'The credentials are not a flagdog access token or service token (a JWT has three dot-separated parts; a service token starts with fds_). Check that the token variable is set.',
  TOKEN_EXPIRED: 'The access token has expired. Sign in again.',
  TOKEN_SIGNATURE_INVALID:
    'The access token signature does not match this flagdog key: the token comes from another installation, JWT_SECRET changed since it was issued, or it was altered. Sign in again.',
  TOKEN_NOT_ACCEPTED:
    'The access token was not issued by this flagdog (issuer, audience, algorithm or claims differ). Sign in again.',
  USER_REMOVED: 'The user of this access token no longer exists.',
  USER_CHANGED: 'The role or password of this user changed since the access token was issued. Sign in again.',
  SERVICE_TOKEN_REVOKED: 'This service token was revoked. Ask an administrator for a new one.',
  SERVICE_TOKEN_UNKNOWN: 'This service token is not known to this flagdog installation.',
} as const satisfies Record<string, string>;

export type AuthFailureCode = keyof typeof AUTH_FAILURES;

/** The 401 for a refused credential, with the RFC 6750 challenge that goes with it. */
export function authFailure(code: AuthFailureCode): AppError {
  const detail = AUTH_FAILURES[code];
  const challenge =
    code === 'CREDENTIALS_MISSING'
      ? 'Bearer realm="flagdog"'
      : `Bearer realm="flagdog", error="invalid_token", error_description="${detail}"`;
  return new AppError(HttpStatus.UNAUTHORIZED, code, detail, {}, { 'www-authenticate': challenge });
}

/** passport-jwt's reasons (jsonwebtoken's errors, or "No auth token") → our code. */
export function jwtFailureCode(info: unknown): AuthFailureCode {
  const name = info instanceof Error ? info.name : '';
  const message = info instanceof Error ? info.message : '';
  if (name === 'TokenExpiredError') return 'TOKEN_EXPIRED';
  if (message === 'No auth token') return 'CREDENTIALS_MISSING';
  if (message === 'invalid signature') return 'TOKEN_SIGNATURE_INVALID';
  if (/^(jwt malformed|invalid token|jwt must be provided)$/.test(message) || name === 'SyntaxError') {
    return 'CREDENTIALS_MALFORMED';
  }
  return 'TOKEN_NOT_ACCEPTED';
}
