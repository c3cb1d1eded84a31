// Logging in, sessions and API tokens: resolving a bearer token or session cookie to a user.
import type { PrismaClient } from '@tributary/db';
import { releaseLoginAttempt, reserveLoginAttempt } from './login-throttle.ts';
import { DUMMY_HASH, verifyPassword } from './passwords.ts';
import { API_TOKEN_PREFIX, SESSION_PREFIX, SESSION_TTL_MS, hashToken, newToken } from './tokens.ts';

/** lastUsedAt / expiry are refreshed at most once a minute, so reads do not turn into writes */
const TOUCH_INTERVAL_MS = 60_000;

export async function userIdForToken(prisma: PrismaClient, token: string): Promise<number | null> {
  const now = new Date();
  const tokenHash = hashToken(token);
  if (token.startsWith(SESSION_PREFIX)) {
    const s = await prisma.session.findUnique({ where: { tokenHash } });
    if (!s || s.revokedAt || s.expiresAt <= now) return null;
    if (now.getTime() - s.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await prisma.session.update({ where: { id: s.id }, data: { lastUsedAt: now, expiresAt: new Date(now.getTime() + SESSION_TTL_MS) } });
    }
    return s.userId;
  }
  if (token.startsWith(API_TOKEN_PREFIX)) {
    const t = await prisma.apiToken.findUnique({ where: { tokenHash } });
    if (!t || t.revokedAt) return null;
    if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await prisma.apiToken.update({ where: { id: t.id }, data: { lastUsedAt: now } });
    }
    return t.userId;
  }
  return null;
}

export class LoginFailed extends Error {
  constructor() { super('Invalid email or password.'); }
}

/** Throws LoginFailed for a wrong email or password, LoginThrottled (login-throttle.ts) when the
 *  client has failed too often; waits first when the account has failed often. */
export async function login(prisma: PrismaClient, emailInput: string, password: string, clientAddress: string): Promise<{ token: string; userId: number }> {
  const email = emailInput.trim().toLowerCase();
  const delay = await reserveLoginAttempt(prisma, email, clientAddress);
  if (delay) await new Promise((r) => setTimeout(r, delay));

  const user = await prisma.user.findUnique({ where: { email } });
  // an unknown email costs the same scrypt work as a wrong password: no timing hint
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  // a failure needs no write: reserveLoginAttempt already counted it
  if (!user || !ok || !user.isActive) throw new LoginFailed();
  const { token, hash } = newToken(SESSION_PREFIX);
  await prisma.$transaction([
    ...releaseLoginAttempt(prisma, email, clientAddress),
    prisma.session.create({ data: { tokenHash: hash, userId: user.id, expiresAt: new Date(Date.now() + SESSION_TTL_MS) } }),
    prisma.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } }),
  ]);
  return { token, userId: user.id };
}

export async function revokeToken(prisma: PrismaClient, token: string): Promise<void> {
  const tokenHash = hashToken(token);
  const now = new Date();
  await prisma.session.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: now } });
  await prisma.apiToken.updateMany({ where: { tokenHash, revokedAt: null }, data: { revokedAt: now } });
}

export async function createApiToken(prisma: PrismaClient, userId: number, name: string): Promise<{ token: string; id: number }> {
  const { token, hash } = newToken(API_TOKEN_PREFIX);
  const row = await prisma.apiToken.create({ data: { name, tokenHash: hash, userId } });
  return { token, id: row.id };
}
