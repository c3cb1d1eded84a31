// The token a request presents: `Authorization: Bearer …` (an HTTP header, or a websocket's
// connectionParams) wins over the session cookie the dashboard's login set.
import { parseCookie } from 'cookie';
import { SESSION_COOKIE } from './tokens.ts';

/** the token of an `Authorization: Bearer <token>` value, or null */
export function bearerToken(authorization: unknown): string | null {
  if (typeof authorization !== 'string') return null;
  return /^Bearer\s+(\S+)$/i.exec(authorization.trim())?.[1] ?? null;
}

export function presentedToken(authorization: unknown, cookieHeader: string | undefined): string | null {
  return bearerToken(authorization) ?? (parseCookie(cookieHeader ?? '')[SESSION_COOKIE] || null);
}
