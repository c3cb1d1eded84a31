// Session and API tokens: 32 random bytes, shown once; only their sha256 is stored, so a database
// leak yields no usable token. Prefixes tell the two apart (and let secret scanners spot them).
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_PREFIX = 'trs_';
export const API_TOKEN_PREFIX = 'trt_';
export const SESSION_COOKIE = 'tributary_session';
/** sessions last 14 days from their last use */
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export function newToken(prefix: string): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
