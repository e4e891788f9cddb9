import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * True when the Authorization header is `Bearer <secret>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerMatches(authorization: string | string[] | undefined, secret: string | null): boolean {
  if (secret === null || typeof authorization !== 'string') return false;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (match === null) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(match[1]), digest(secret));
}
